package integration

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/sel"
	W "github.com/batonhq/baton/workflows"
)

// zeroSleeps makes every Sleep step sleep 0 s, literal or expression: the
// loop samples sleep up to 40 s per iteration, which tests nothing here.
func zeroSleeps(steps []*definition.Step) {
	for _, s := range steps {
		if s.Type == "Sleep" {
			s.Params["sleep_seconds"] = &definition.Param{Type: sel.Long, Value: int64(0)}
		}
		zeroSleeps(s.Steps)
	}
}

func TestLoopSamples(t *testing.T) {
	tests := []struct {
		file  string
		step  string
		loop  W.LoopSummary
		edit  func(req *definition.Request)
		check func(t *testing.T, st *W.State)
	}{
		{file: "server__sample-foreach-wf.json", step: "foreach-job", loop: W.LoopSummary{Iterations: 9, Counts: W.LoopCounts{Succeeded: 9}}},
		{file: "server__sample-nested-foreach-wf.json", step: "foreach-job", loop: W.LoopSummary{Iterations: 6, Counts: W.LoopCounts{Succeeded: 6}},
			edit: collectLoopKeys,
			check: func(t *testing.T, st *W.State) {
				// Loop params i = [1,2,3] then j = [a,b]: i, written first, varies fastest.
				require.Equal(t, []string{"1a", "2a", "3a", "1b", "2b", "3b"}, st.Step("after").Params["keys"].Value)
			}},
		{file: "server__sample-while-wf.json", step: "while-job", loop: W.LoopSummary{Iterations: 5, Counts: W.LoopCounts{Succeeded: 5}},
			check: func(t *testing.T, st *W.State) {
				require.Equal(t, int64(20200106), st.Step("while-job").Params["i"].Value)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			req := loadSample(t, tt.file)
			zeroSleeps(req.Workflow.Steps)
			if tt.edit != nil {
				tt.edit(req)
			}
			st := runRequest(t, req, nil)
			require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
			s := st.Step(tt.step)
			require.Equal(t, W.Succeeded, s.Status, s.Error)
			require.Equal(t, &tt.loop, s.Loop)
			if tt.check != nil {
				tt.check(t, st)
			}
		})
	}
}

// collectLoopKeys gives the nested foreach sample's job.2 a param "key"
// (i and j of its iteration) and a step "after" that collects it by
// iteration.
func collectLoopKeys(req *definition.Request) {
	outer := req.Workflow.Steps[0]
	outer.Steps[1].Params["key"] = &definition.Param{Type: sel.String, Expression: "'' + i + j", HasExpression: true}
	outer.Transition.Successors = []definition.Edge{{To: "after", Condition: "true"}}
	req.Workflow.Steps = append(req.Workflow.Steps, &definition.Step{Kind: definition.KindStep, ID: "after", Type: "NoOp",
		Params: definition.Params{"keys": {Type: sel.StringArray, Expression: "params.getFromForeach('foreach-job', 'job.2', 'key')", HasExpression: true}}})
}

// probe is a step type that tracks how many of its runs overlap.
type probe struct {
	running, max atomic.Int64
	mu           sync.Mutex
	seen         map[string]int // executions per instance id (per step with byStep)
	hold         time.Duration  // how long a run lasts; 20 ms if 0
	byStep       bool
}

func (p *probe) Run(ctx context.Context, s *activities.Step) (*activities.Result, error) {
	n := p.running.Add(1)
	defer p.running.Add(-1)
	for {
		m := p.max.Load()
		if n <= m || p.max.CompareAndSwap(m, n) {
			break
		}
	}
	key := s.InstanceID
	if p.byStep {
		key += "#" + s.StepID
	}
	p.mu.Lock()
	p.seen[key]++
	p.mu.Unlock()
	hold := p.hold
	if hold == 0 {
		hold = 20 * time.Millisecond
	}
	select {
	case <-time.After(hold):
	case <-ctx.Done():
	}
	return &activities.Result{}, nil
}

// TestLargeForeach runs Maestro's large foreach sample (366 days x 3 =
// 1,098 iterations) with its Sleep step swapped for a probe that holds each
// iteration for 20 ms: every iteration runs, and no more than the
// effective concurrency (min(step 100, workflow step_concurrency 20)) at once.
func TestLargeForeach(t *testing.T) {
	req := loadSample(t, "server__sample-large-foreach-wf.json")
	inner := req.Workflow.Steps[0].Steps
	for _, s := range inner {
		if s.Type == "Sleep" {
			s.Type = "Probe"
			delete(s.Params, "sleep_seconds")
		}
	}
	probeType.seen = map[string]int{}
	st := runRequest(t, req, nil)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, &W.LoopSummary{Iterations: 1098, Counts: W.LoopCounts{Succeeded: 1098}}, st.Step("job1").Loop)
	// Every iteration ran; a local activity is at least once (a starved
	// workflow task can run it again), as Maestro's StepRuntime.start is.
	require.Len(t, probeType.seen, 1098)
	require.LessOrEqual(t, probeType.max.Load(), int64(20))
	require.Greater(t, probeType.max.Load(), int64(1), "iterations overlap")
}

// TestSubworkflowSamples pushes the workflows the samples call to the
// registry (dag-test-3 with its 15 s sleeps capped at 1 s), then runs them.
func TestSubworkflowSamples(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	reg := registry.New(env.tc, registry.Options{})
	for _, name := range []string{"server__sample-dag-test-3.json", "server__sample-foreach-wf.json",
		"server__sample-nested-foreach-subworkflow-wf.json", "server__sample-nested-subworkflow-foreach-wf.json"} {
		req := loadSample(t, name)
		scaleSleeps(req.Workflow.Steps, 1)
		_, err := reg.Push(ctx, req)
		require.NoError(t, err, name)
	}
	tests := []struct {
		file  string
		steps map[string]W.StepStatus
	}{
		{"server__sample-subworkflow-wf.json", all(W.Succeeded, "job1", "job2", "job3", "job4", "job5", "job6")},
		{"server__sample-nested-foreach-subworkflow-wf.json", all(W.Succeeded, "foreach-step1")},
		{"server__sample-nested-subworkflow-foreach-wf.json", all(W.Succeeded, "sub-step1", "sub-step2", "sub-step3")},
		{"server__sample-mixed-wf.json", all(W.Succeeded, "sub-step1", "sub-step2", "sub-step3")},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			st := runRequest(t, loadSample(t, tt.file), nil)
			require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
			requireStatuses(t, st, tt.steps)
		})
	}
}

// TestStopParentStopsSubworkflow stops a run while its sync subworkflow
// child sleeps: the child run ends too.
func TestStopParentStopsSubworkflow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	child, err := definition.NewWorkflow("napper").Owner("tester").Steps(definition.Sleep("nap", 300)).Build()
	require.NoError(t, err)
	_, err = registry.New(env.tc, registry.Options{}).Push(ctx, child)
	require.NoError(t, err)
	parent, err := definition.NewWorkflow("napper-parent").Owner("tester").Steps(definition.Subworkflow("sub", "napper")).Build()
	require.NoError(t, err)
	run, _, err := env.baton.StartDefinition(ctx, parent, client.StartOptions{})
	require.NoError(t, err)
	childID := run.ID() + "/sub"
	require.Eventually(t, func() bool {
		d, err := env.tc.DescribeWorkflowExecution(ctx, childID, "")
		return err == nil && d.WorkflowExecutionInfo.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	}, 20*time.Second, 50*time.Millisecond)
	require.NoError(t, run.Stop(ctx))
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceStopped, st.Status)
	require.Equal(t, W.Stopped, st.Step("sub").Status)
	require.Eventually(t, func() bool {
		d, err := env.tc.DescribeWorkflowExecution(ctx, childID, "")
		return err == nil && d.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	}, 20*time.Second, 50*time.Millisecond, "the child run ended")
}

// TestInstanceStepConcurrencyTree: instance_step_concurrency 3 caps the
// leaf steps of the whole tree: a foreach of concurrency 10 (its
// iterations run in the loop's own workflow) and a sync subworkflow (its
// own run) run side by side, all their leaf steps of one probe type, and no
// more than 3 of them ever overlap. The tree's permits workflow ends with
// the run.
func TestInstanceStepConcurrencyTree(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	childID := fmt.Sprintf("tree-cap-child-%d", time.Now().UnixNano())
	child, err := definition.Decode([]byte(`{"properties":{"owner":"tester"},"workflow":{"id":"` + childID + `","steps":[
		{"step":{"id":"c1","type":"TreeProbe"}},{"step":{"id":"c2","type":"TreeProbe"}},
		{"step":{"id":"c3","type":"TreeProbe"}},{"step":{"id":"c4","type":"TreeProbe"}}]}}`))
	require.NoError(t, err)
	_, err = registry.New(env.tc, registry.Options{}).Push(ctx, child)
	require.NoError(t, err)
	root, err := definition.Decode([]byte(`{"properties":{"owner":"tester"},"workflow":{"id":"tree-cap","instance_step_concurrency":3,"steps":[
		{"foreach":{"id":"loop","concurrency":10,
			"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","expression":"Util.intsBetween(0, 12, 1)"}}}},
			"steps":[{"step":{"id":"work","type":"TreeProbe"}}]}},
		{"subworkflow":{"id":"sub","sync":true,"params":{"subworkflow_id":{"type":"STRING","value":"` + childID + `"}}}}]}}`))
	require.NoError(t, err)

	treeProbe.seen = map[string]int{}
	run, st := startAndWait(t, root, nil, 2*time.Minute)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	requireStatuses(t, st, all(W.Succeeded, "loop", "sub"))
	require.Equal(t, &W.LoopSummary{Iterations: 12, Counts: W.LoopCounts{Succeeded: 12}}, st.Step("loop").Loop)
	// Every leaf step ran: 12 iterations and the child's 4 steps (a local
	// activity is at least once).
	treeProbe.mu.Lock()
	require.Len(t, treeProbe.seen, 16, "%v", treeProbe.seen)
	for i := 1; i <= 12; i++ {
		require.GreaterOrEqual(t, treeProbe.seen[fmt.Sprintf("%s/loop/%d#work", run.ID(), i)], 1, "iteration %d", i)
	}
	for _, s := range []string{"c1", "c2", "c3", "c4"} {
		require.GreaterOrEqual(t, treeProbe.seen[run.ID()+"/sub#"+s], 1, "child step %s", s)
	}
	treeProbe.mu.Unlock()
	require.LessOrEqual(t, treeProbe.max.Load(), int64(3), "leaf steps running at once across the tree")
	require.Greater(t, treeProbe.max.Load(), int64(1), "leaf steps overlap")

	permitsID := run.ID() + "#permits"
	require.Eventually(t, func() bool {
		d, err := env.tc.DescribeWorkflowExecution(ctx, permitsID, "")
		return err == nil && d.WorkflowExecutionInfo.Status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	}, 20*time.Second, 50*time.Millisecond, "the permits workflow ended")
	lengths := historyLengths(t, run.ID(), run.ID()+"/loop", run.ID()+"/sub", permitsID)
	t.Logf("max overlap %d; history lengths with the tree cap (16 leaf steps): %v", treeProbe.max.Load(), lengths)
}
