package translator

import (
	"errors"
	"testing"
	"time"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	"github.com/stretchr/testify/require"
)

func ids(nodes []*Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.ID
	}
	return out
}

func compileErrs(t *testing.T, req *definition.Request, opts Options) Errors {
	t.Helper()
	p, err := Compile(req, opts)
	require.Error(t, err)
	require.Nil(t, p)
	var es Errors
	require.True(t, errors.As(err, &es), "error %T", err)
	return es
}

func errStrings(es Errors) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Error()
	}
	return out
}

func TestCompileBasic(t *testing.T) {
	req := request(
		noop("a", edge("b", "true"), edge("c", "x > 1")),
		noop("b", edge("d", "")),
		noop("c", edge("d", "true")),
		noop("d"),
	)
	req.Workflow.Params = definition.Params{"x": longParam(3)}
	p, err := Compile(req, Options{})
	require.NoError(t, err)
	require.Equal(t, FormatVersion, p.FormatVersion)
	require.Equal(t, "wf", p.WorkflowID)
	require.Equal(t, "wf", p.Name)
	require.Equal(t, "tester", p.Owner)
	require.Equal(t, "SEQUENTIAL", p.RunStrategy)
	require.Empty(t, p.Warnings, "no run strategy asked for, nothing to warn about")
	require.Equal(t, int64(20), p.StepConcurrency)
	require.Equal(t, Number{Value: DefaultTimeoutSecs}, p.Timeout)
	require.Equal(t, []string{"a", "b", "c", "d"}, ids(p.Steps))
	require.Equal(t, []Edge{{"b", "true"}, {"c", "x > 1"}}, p.Steps[0].Successors)
	require.Equal(t, []Edge{{"d", "true"}}, p.Steps[1].Successors)
	require.Equal(t, []string{"b", "c"}, p.Steps[3].Predecessors)
	require.Equal(t, &Param{Type: sel.Long, Literal: int64(3), Mode: "MUTABLE"}, p.Params["x"])
	for _, n := range p.Steps {
		require.Equal(t, ModeInline, n.Mode)
		require.Equal(t, "FAIL_AFTER_RUNNING", n.FailureMode)
		require.Equal(t, Number{Value: 864000}, n.Timeout)
		require.Nil(t, n.Retry, "the default policy is left out of the plan")
	}
	require.Len(t, p.Hash, 64)
	require.NoError(t, Verify(p))
	require.Equal(t, []string{"a"}, ids(p.Roots()))
	require.Equal(t, []string{"d"}, ids(p.Leaves()))
	require.Equal(t, "c", p.Node("c").ID)
	require.Nil(t, p.Node("zz"))
	require.Equal(t, 2, p.Index()["c"])
}

func TestTopologicalOrder(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []*definition.Step
		want  []string
	}{
		{"definition order when independent", []*definition.Step{noop("z"), noop("a"), noop("m")}, []string{"z", "a", "m"}},
		{"parents first", []*definition.Step{noop("c"), noop("b", edge("c", "true")), noop("a", edge("b", "true"))}, []string{"a", "b", "c"}},
		{
			"ties by definition order",
			[]*definition.Step{
				noop("x", edge("d", "true")), noop("d"), noop("b", edge("d", "true")),
				noop("root", edge("x", "true"), edge("b", "true")), noop("lone"),
			},
			[]string{"root", "x", "b", "d", "lone"}, // the smallest definition index among ready steps goes first
		},
		{
			"diamond listed backwards",
			[]*definition.Step{noop("d"), noop("c", edge("d", "true")), noop("b", edge("d", "true")), noop("a", edge("c", "true"), edge("b", "true"))},
			[]string{"a", "c", "b", "d"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile(request(tc.steps...), Options{})
			require.NoError(t, err)
			require.Equal(t, tc.want, ids(p.Steps))
		})
	}
}

func TestStepConcurrencyAndRunStrategy(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sc, isc  *int64
		rule     definition.RunStrategyRule
		want     int64 // the run's own cap
		tree     int64 // the cap of the run's whole tree
		strategy string
		warnings []string
	}{
		{"defaults", nil, nil, "", 20, 0, "SEQUENTIAL", nil},
		{"step_concurrency", i64(5), nil, "parallel", 5, 0, "PARALLEL", nil},
		{"instance only: no default", nil, i64(50), "PARALLEL", 50, 50, "PARALLEL", nil},
		{"instance smaller", i64(30), i64(7), "PARALLEL", 7, 7, "PARALLEL", nil},
		{"instance larger", i64(3), i64(7), "PARALLEL", 3, 7, "PARALLEL", nil},
		{"last only", nil, nil, "LAST_ONLY", 20, 0, "LAST_ONLY", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := request(noop("a"))
			req.Properties.StepConcurrency = tc.sc
			req.Workflow.InstanceStepConcurrency = tc.isc
			if tc.rule != "" {
				req.Properties.RunStrategy = &definition.RunStrategy{Rule: tc.rule}
			}
			p, err := Compile(req, Options{})
			require.NoError(t, err)
			require.Equal(t, tc.want, p.StepConcurrency)
			require.Equal(t, tc.tree, p.InstanceStepConcurrency)
			require.Equal(t, tc.strategy, p.RunStrategy)
			require.Equal(t, tc.warnings, p.Warnings)
		})
	}
	// No properties at all.
	req := request(noop("a"))
	req.Properties = nil
	p, err := Compile(req, Options{})
	require.NoError(t, err)
	require.Equal(t, "", p.Owner)
	require.Equal(t, int64(20), p.StepConcurrency)
}

func TestModes(t *testing.T) {
	short := func(s *definition.Step) { s.Timeout = lit(30) }
	shortText := func(s *definition.Step) { s.Timeout = txt("1 min") }
	for _, tc := range []struct {
		name  string
		typ   string
		edit  func(*definition.Step)
		tags  []definition.Tag
		types map[string]StepTypeInfo
		mode  Mode
		queue string
		hb    int64 // heartbeat timeout, seconds
		err   string
	}{
		{name: "NoOp inline", typ: "NoOp", mode: ModeInline},
		{name: "Sleep inline, any case", typ: "sleep", mode: ModeInline},
		{name: "NoOp inline tag", typ: "NoOp", tags: []definition.Tag{tag(TagMode, "inline")}, mode: ModeInline},
		{name: "NoOp as activity refused", typ: "NoOp", tags: []definition.Tag{tag(TagMode, "activity")}, err: "baton.mode: NoOp steps run inline"},
		{name: "Sleep queue refused", typ: "Sleep", tags: []definition.Tag{tag(TagTaskQueue, "q")}, err: "baton.task_queue: Sleep steps run inline"},
		{name: "user type, default timeout", typ: "spark", mode: ModeActivity},
		{name: "user type, short timeout", typ: "spark", edit: short, mode: ModeActivity},
		{name: "idempotent type, short timeout", typ: "spark", edit: short, types: map[string]StepTypeInfo{"spark": {Idempotent: true}}, mode: ModeLocalActivity},
		{name: "idempotent type, 60 s duration", typ: "spark", edit: shortText, types: map[string]StepTypeInfo{"spark": {Idempotent: true}}, mode: ModeLocalActivity},
		{name: "idempotent type, default timeout", typ: "spark", types: map[string]StepTypeInfo{"spark": {Idempotent: true}}, mode: ModeActivity},
		{name: "idempotent type, 61 s", typ: "spark", edit: func(s *definition.Step) { s.Timeout = lit(61) }, types: map[string]StepTypeInfo{"spark": {Idempotent: true}}, mode: ModeActivity},
		{name: "user type, 61 s", typ: "spark", edit: func(s *definition.Step) { s.Timeout = lit(61) }, mode: ModeActivity},
		{name: "type mode wins over timeout", typ: "spark", edit: short, types: map[string]StepTypeInfo{"spark": {Mode: ModeActivity}}, mode: ModeActivity},
		{name: "type mode local", typ: "spark", types: map[string]StepTypeInfo{"spark": {Mode: ModeLocalActivity}}, mode: ModeLocalActivity},
		{name: "type queue", typ: "spark", types: map[string]StepTypeInfo{"spark": {TaskQueue: "heavy"}}, mode: ModeActivity, queue: "heavy"},
		{name: "type queue means activity", typ: "spark", edit: short, types: map[string]StepTypeInfo{"spark": {TaskQueue: "heavy"}}, mode: ModeActivity, queue: "heavy"},
		{name: "type queue dropped for local type", typ: "spark", types: map[string]StepTypeInfo{"spark": {Mode: ModeLocalActivity, TaskQueue: "heavy"}}, mode: ModeLocalActivity},
		{name: "tag mode wins", typ: "spark", tags: []definition.Tag{tag(TagMode, "Local_Activity")}, types: map[string]StepTypeInfo{"spark": {Mode: ModeActivity}}, mode: ModeLocalActivity},
		{name: "tag queue wins", typ: "spark", tags: []definition.Tag{tag(TagTaskQueue, "gpu")}, types: map[string]StepTypeInfo{"spark": {TaskQueue: "heavy"}}, mode: ModeActivity, queue: "gpu"},
		{name: "tag queue makes activity", typ: "spark", edit: short, tags: []definition.Tag{tag(TagTaskQueue, "gpu")}, mode: ModeActivity, queue: "gpu"},
		{name: "tag queue with local refused", typ: "spark", tags: []definition.Tag{tag(TagMode, "local_activity"), tag(TagTaskQueue, "gpu")}, err: "baton.task_queue needs mode activity"},
		{name: "user inline refused", typ: "spark", tags: []definition.Tag{tag(TagMode, "inline")}, err: `baton.mode: user step type "spark" cannot run inline`},
		{name: "configured inline refused", typ: "spark", types: map[string]StepTypeInfo{"spark": {Mode: ModeInline}}, err: `step type "spark" is configured with mode "inline"`},
		{name: "unknown mode", typ: "spark", tags: []definition.Tag{tag(TagMode, "fast")}, err: `baton.mode: unknown mode "fast"`},
		{name: "mode without value", typ: "spark", tags: []definition.Tag{{Name: TagMode}}, err: `baton.mode needs a string "value"`},
		{name: "empty queue", typ: "spark", tags: []definition.Tag{tag(TagTaskQueue, " ")}, err: `baton.task_queue needs a non-empty string "value"`},
		{name: "type queue is the run's own", typ: "spark", edit: short, types: map[string]StepTypeInfo{"spark": {TaskQueue: "main", Idempotent: true}}, mode: ModeLocalActivity},
		{name: "tag queue is the run's own", typ: "spark", tags: []definition.Tag{tag(TagTaskQueue, "main")}, mode: ModeActivity},
		{name: "local with the run's own queue", typ: "spark", tags: []definition.Tag{tag(TagMode, "local_activity"), tag(TagTaskQueue, "main")}, mode: ModeLocalActivity},
		{name: "other tags ignored", typ: "spark", tags: []definition.Tag{{Name: "team"}, tag("owner", "x")}, mode: ModeActivity},
		{name: "type heartbeat", typ: "spark", types: map[string]StepTypeInfo{"spark": {HeartbeatTimeout: 5 * time.Second}}, mode: ModeActivity, hb: 5},
		{name: "type heartbeat rounded up", typ: "spark", types: map[string]StepTypeInfo{"spark": {HeartbeatTimeout: 1500 * time.Millisecond}}, mode: ModeActivity, hb: 2},
		{name: "type heartbeat dropped for local", typ: "spark", edit: short, types: map[string]StepTypeInfo{"spark": {HeartbeatTimeout: 5 * time.Second, Idempotent: true}}, mode: ModeLocalActivity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := typed("s", tc.typ)
			s.Tags = tc.tags
			if tc.edit != nil {
				tc.edit(s)
			}
			opts := Options{StepTypes: tc.types, DefaultTaskQueue: "main"}
			if tc.err != "" {
				es := compileErrs(t, request(s), opts)
				require.Len(t, es, 1)
				require.Contains(t, es[0].Error(), tc.err)
				require.Contains(t, es[0].Path, "workflow.steps[0].step.")
				return
			}
			p, err := Compile(request(s), opts)
			require.NoError(t, err)
			require.Equal(t, tc.mode, p.Steps[0].Mode)
			require.Equal(t, tc.queue, p.Steps[0].TaskQueue)
			require.Equal(t, tc.hb, p.Steps[0].HeartbeatTimeout)
		})
	}
}

func TestAllErrorsAtOnce(t *testing.T) {
	fe := &definition.Step{Kind: definition.KindForeach, ID: "loop", Steps: []*definition.Step{noop("inner")}}
	sig := noop("sig", edge("nowhere", "true"))
	sig.SignalDependencies = []*definition.SignalDependency{{Name: "s"}}
	sig.SignalOutputs = []*definition.SignalOutput{{Name: "o"}}
	titus := typed("k", "titus")
	join := typed("j", "Join")
	bad := noop("bad")
	bad.FailureMode = "FAIL_SOMETIMES"
	bad.Params = definition.Params{"p": {Type: sel.Long, Value: "x"}, "q": nil, "m": {Type: sel.Long, Value: int64(1), Mode: "sometimes"}, "n": {Type: sel.StringArray}}
	req := request(fe, sig, titus, join, bad, noop("sig"), nil,
		&definition.Step{Kind: definition.KindWhile, ID: "w"},
		&definition.Step{Kind: definition.KindSubworkflow, ID: "sw"},
		&definition.Step{Kind: definition.KindTemplate, ID: "tp"},
		&definition.Step{Kind: "loop", ID: "odd"},
	)
	req.Workflow.SignalTriggers = []*definition.SignalTrigger{{}}
	es := compileErrs(t, req, Options{})
	require.Equal(t, []string{
		"workflow.steps[2].step.type: not supported yet: step type Titus",
		"workflow.steps[3].step.type: not supported yet: step type Join",
		`workflow.steps[4].step.failure_mode: unknown failure mode "FAIL_SOMETIMES"`,
		`workflow.steps[4].step.params["m"].mode: unknown param mode "sometimes"`,
		`workflow.steps[4].step.params["n"]: needs a value or an expression`,
		`workflow.steps[4].step.params["p"].value: a LONG literal cannot hold a Go string`,
		`workflow.steps[4].step.params["q"]: empty param definition`,
		`workflow.steps[5].step.id: duplicate step id "sig"`,
		"workflow.steps[6]: empty step",
		"workflow.steps[7].while.steps: no steps",
		"workflow.steps[9].template: not supported yet: template steps",
		`workflow.steps[10].loop: unknown step kind "loop"`,
		`workflow.steps[1].step.transition.successors["nowhere"]: no such step`,
	}, errStrings(es))
}

func TestGraphErrors(t *testing.T) {
	es := compileErrs(t, request(noop("a", edge("b", "true")), noop("b", edge("a", "true")), noop("c", edge("c", "true"), edge("c", "x"))), Options{})
	require.Equal(t, []string{
		`workflow.steps[2].step.transition.successors["c"]: duplicate successor`,
		`workflow.steps: cycle among steps "a", "b", "c"`,
	}, errStrings(es))
}

func TestNeverPanics(t *testing.T) {
	for _, req := range []*definition.Request{
		nil,
		{},
		{Workflow: &definition.Workflow{}},
		{Workflow: &definition.Workflow{Steps: []*definition.Step{nil, {}}}},
		{Workflow: &definition.Workflow{Steps: []*definition.Step{{Kind: definition.KindStep, ID: "a"}}}},
		{Workflow: &definition.Workflow{Params: definition.Params{"x": {}}, Steps: []*definition.Step{{Kind: definition.KindStep, ID: "a", Type: "NoOp", RetryPolicy: &definition.RetryPolicy{Backoff: &definition.Backoff{Type: "LINEAR"}}}}}},
		{Workflow: &definition.Workflow{Params: definition.Params{"m": {Type: sel.Map, Value: 3}}, Steps: []*definition.Step{noop("a")}}},
	} {
		require.NotPanics(t, func() {
			p, err := Compile(req, Options{})
			if err == nil {
				_, err = Encode(p)
				require.NoError(t, err)
				Mermaid(p)
				DOT(p)
			}
		})
	}
	require.NotPanics(t, func() { Mermaid(nil); DOT(nil); _, _ = Encode(nil); _, _ = Hash(nil) })
}

func TestCompositeStepsAndForeachReads(t *testing.T) {
	req := mustDecode(t, `{"workflow":{"id":"w","steps":[
		{"foreach":{"id":"loop","concurrency":3,"strict_ordering":true,
			"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2]}}}},
			"steps":[{"step":{"id":"inner","type":"NoOp","params":{"x":{"type":"LONG","expression":"i * 2"}}}}],
			"transition":{"successors":{"after":"true"}}}},
		{"while":{"id":"again","condition":"n < 3","params":{"loop_params":{"type":"MAP","value":{"n":{"type":"LONG","value":0}}}},
			"steps":[{"step":{"id":"bump","type":"NoOp","params":{"n":{"type":"LONG","expression":"n + 1"}}}}]}},
		{"step":{"id":"after","type":"NoOp","params":{"xs":{"type":"LONG_ARRAY","expression":"params.getFromForeach('loop', 'inner', \"x\")"}}}}]}}`)
	p, err := Compile(req, Options{})
	require.NoError(t, err)
	loop := p.Node("loop")
	require.Equal(t, ModeChild, loop.Mode)
	require.Equal(t, int64(3), loop.Concurrency)
	require.True(t, loop.StrictOrdering)
	require.Equal(t, []string{"inner/x"}, loop.Collect)
	require.Len(t, loop.Body.Steps, 1)
	require.Nil(t, loop.Retry, "composite steps have no retry policy")
	again := p.Node("again")
	require.Equal(t, "n < 3", again.Condition)
	require.Empty(t, again.Collect)
}
