package definition

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/batonhq/baton/sel"
	"github.com/stretchr/testify/require"
)

func mustDecode(t *testing.T, src string) *Request {
	t.Helper()
	r, err := Decode([]byte(src))
	require.NoError(t, err)
	return r
}

func i64(v int64) *int64 { return &v }

func TestDecodeCaseInsensitiveEnums(t *testing.T) {
	r := mustDecode(t, `{"properties": {"owner": "me", "run_strategy": "strict_Sequential",
		"tags": [{"name": "t", "namespace": "system"}]},
	  "workflow": {"id": "wf", "criticality": "high", "steps": [
	    {"step": {"id": "a", "type": "noop", "failure_mode": "ignore_failure",
	      "params": {"p": {"type": "lonG", "value": 3, "mode": "mutable_on_start"}},
	      "retry_policy": {"backoff": {"type": "fixed_backoff", "error_retry_backoff_in_secs": 5}}}}]}}`)
	require.Equal(t, StrictSequential, r.Properties.RunStrategy.Rule)
	require.Equal(t, "SYSTEM", r.Properties.Tags[0].Namespace)
	require.Equal(t, "HIGH", r.Workflow.Criticality)
	s := r.Workflow.Steps[0]
	require.Equal(t, "NoOp", s.Type)
	require.Equal(t, IgnoreFailure, s.FailureMode)
	require.Equal(t, sel.Long, s.Params["p"].Type)
	require.Equal(t, int64(3), s.Params["p"].Value)
	require.Equal(t, MutableOnStart, s.Params["p"].Mode)
	require.Equal(t, FixedBackoff, s.RetryPolicy.Backoff.Type)
}

func TestDecodeSuccessorsKeepOrder(t *testing.T) {
	r := mustDecode(t, `{"workflow": {"id": "wf", "steps": [
	  {"step": {"id": "a", "type": "NoOp", "transition": {"successors": {"z": "true", "b": "x > 1", "m": "false"}}}}]}}`)
	require.Equal(t, []Edge{{To: "z", Condition: "true"}, {To: "b", Condition: "x > 1"}, {To: "m", Condition: "false"}},
		r.Workflow.Steps[0].Transition.Successors)

	r = mustDecode(t, `{"workflow": {"id": "wf", "steps": [
	  {"step": {"id": "a", "type": "NoOp", "transition": {"successors": {"m": "true", "b": "true", "z": "true"}}}}]}}`)
	require.Equal(t, "m", r.Workflow.Steps[0].Transition.Successors[0].To)
	require.Equal(t, "z", r.Workflow.Steps[0].Transition.Successors[2].To)
}

func TestDecodeParamValues(t *testing.T) {
	r := mustDecode(t, `{"workflow": {"id": "wf", "params": {
	  "l1": {"type": "LONG", "value": 15},
	  "l2": {"type": "LONG", "value": "16"},
	  "d": {"type": "DOUBLE", "value": 1.5},
	  "b": {"type": "BOOLEAN", "value": true},
	  "s": {"type": "STRING", "value": "x"},
	  "sa": {"type": "STRING_ARRAY", "value": ["a", "b"]},
	  "la": {"type": "LONG_ARRAY", "value": [1, 2]},
	  "da": {"type": "DOUBLE_ARRAY", "value": [1.1, 2]},
	  "ba": {"type": "BOOLEAN_ARRAY", "value": [true, false]},
	  "sm": {"type": "STRING_MAP", "value": {"k": "v"}},
	  "m": {"type": "MAP", "value": {"inner": {"type": "MAP", "value": {"x": {"type": "LONG", "expression": "1+1"}}}}},
	  "e": {"type": "STRING", "expression": "'a'", "validator": "@NotNull", "tags": ["t"], "evaluated_result": "a"}
	}, "steps": [{"step": {"id": "a", "type": "NoOp"}}]}}`)
	ps := r.Workflow.Params
	require.Equal(t, int64(15), ps["l1"].Value)
	require.Equal(t, int64(16), ps["l2"].Value)
	require.Equal(t, 1.5, ps["d"].Value)
	require.Equal(t, true, ps["b"].Value)
	require.Equal(t, "x", ps["s"].Value)
	require.Equal(t, []string{"a", "b"}, ps["sa"].Value)
	require.Equal(t, []int64{1, 2}, ps["la"].Value)
	require.Equal(t, []float64{1.1, 2}, ps["da"].Value)
	require.Equal(t, []bool{true, false}, ps["ba"].Value)
	require.Equal(t, map[string]string{"k": "v"}, ps["sm"].Value)
	inner := ps["m"].Value.(Params)["inner"].Value.(Params)["x"]
	require.True(t, inner.HasExpression)
	require.Equal(t, "1+1", inner.Expression)
	require.Nil(t, inner.Value)
	e := ps["e"]
	require.True(t, e.HasExpression)
	require.Equal(t, "@NotNull", e.Validator)
	require.Equal(t, TagList{{Name: "t"}}, e.Tags)
	require.Equal(t, map[string]any{"evaluated_result": "a"}, e.Meta)
}

func TestDecodeForms(t *testing.T) {
	r := mustDecode(t, `{"properties": {"owner": {"name": "me", "team": "x"}, "run_strategy": 5},
	  "git_info": {"branch": "b"}, "source": "s3://x", "api_version": 3,
	  "workflow": {"id": "wf", "timeout": "1 day", "tags": ["a", {"name": "b", "value": 1}],
	    "steps": [{"step": {"id": "a", "type": "NoOp", "timeout": "300",
	      "retry_policy": {"error_retry_limit": "$foo", "platform_retry_limit": "2"}}}]}}`)
	require.Equal(t, &User{Name: "me", Extra: map[string]any{"team": "x"}}, r.Properties.Owner)
	require.Equal(t, &RunStrategy{Rule: Parallel, WorkflowConcurrency: 5}, r.Properties.RunStrategy)
	require.Equal(t, map[string]any{"branch": "b"}, r.GitInfo)
	require.Equal(t, map[string]any{"source": "s3://x", "api_version": json.Number("3")}, r.Extra)
	require.Equal(t, &ParsableLong{Text: "1 day"}, r.Workflow.Timeout)
	require.Equal(t, TagList{{Name: "a"}, {Name: "b", Attributes: map[string]any{"value": json.Number("1")}}}, r.Workflow.Tags)
	s := r.Workflow.Steps[0]
	require.Equal(t, &ParsableLong{Literal: i64(300)}, s.Timeout)
	require.Equal(t, &ParsableLong{Text: "$foo"}, s.RetryPolicy.ErrorRetryLimit)
	require.Equal(t, &ParsableLong{Literal: i64(2)}, s.RetryPolicy.PlatformRetryLimit)

	for src, want := range map[string]RunStrategy{
		`"parallel"`:            {Rule: Parallel, WorkflowConcurrency: 20},
		`"sequential"`:          {Rule: Sequential, WorkflowConcurrency: 1},
		`{"rule": "last_only"}`: {Rule: LastOnly, WorkflowConcurrency: 1},
		`{"rule": "parallel"}`:  {Rule: Parallel, WorkflowConcurrency: 20},
		`{"rule": "PARALLEL", "workflow_concurrency": 0}`: {Rule: Parallel, WorkflowConcurrency: 0},
	} {
		r := mustDecode(t, `{"properties": {"run_strategy": `+src+`}, "workflow": {"id": "w", "steps": []}}`)
		require.Equal(t, want, *r.Properties.RunStrategy, src)
	}
}

func TestDecodeStepKinds(t *testing.T) {
	path := filepath.Join(samplesDir, "server__sample-nested-foreach-wf.json")
	r, err := DecodeFile(path)
	require.NoError(t, err)
	outer := r.Workflow.Steps[0]
	require.Equal(t, KindForeach, outer.Kind)
	require.Equal(t, int64(2), *outer.Concurrency)
	require.Equal(t, KindForeach, outer.Steps[0].Kind)
	require.Equal(t, "job.1", outer.Steps[0].Steps[0].ID)

	s, err := DecodeStep([]byte(`{"while": {"id": "w", "condition": "i < 3", "steps": []}}`))
	require.NoError(t, err)
	require.Equal(t, KindWhile, s.Kind)
	require.Equal(t, "i < 3", s.Condition)

	s, err = DecodeStep([]byte(`{"subworkflow": {"id": "s", "sync": false, "explicit_params": true}}`))
	require.NoError(t, err)
	require.False(t, *s.Sync)
	require.True(t, *s.ExplicitParams)
}

func TestDecodeTriggers(t *testing.T) {
	r, err := DecodeFile(filepath.Join(samplesDir, "server__sample-signal-trigger-wf.json"))
	require.NoError(t, err)
	st := r.Workflow.SignalTriggers[0]
	a := st.Definitions["signal_a"]
	require.Equal(t, []string{"updated_by"}, a.JoinKeys)
	require.Equal(t, ">=", a.MatchParams["watermark"].Operator)
	require.Equal(t, &Param{Type: sel.Long, Value: int64(12345)}, a.MatchParams["watermark"].Param)
	require.Equal(t, "245 > 123", st.Condition)
	dep := r.Workflow.Steps[0].SignalDependencies[0]
	require.Equal(t, "db/test/table1", dep.Name)
	require.True(t, dep.MatchParams["vtts_utc_hour"].Param.HasExpression)
	require.Equal(t, "dummy/test/signal2", r.Workflow.Steps[0].SignalOutputs[1].Name)

	wd, err := DecodeSampleFile(filepath.Join(samplesDir, "common__definition__sample-active-wf-with-time-triggers.json"))
	require.NoError(t, err)
	tts := wd.(*WorkflowDefinition).Workflow.TimeTriggers
	require.Len(t, tts, 6)
	require.Equal(t, "CRON", tts[2].Type)
	require.Equal(t, &ParsableLong{Literal: i64(4320)}, tts[2].FuzzyMaxDelay)
	require.Equal(t, &ParsableLong{Text: "2 hours, 5 mins"}, tts[5].FuzzyMaxDelay)
}

// TestDecodeErrors checks that decoding problems carry their JSON path and
// that all of them are reported.
func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"syntax", `{"workflow": {"id": }}`, []string{"invalid JSON at line 1, column"}},
		{"trailing data", `{} {}`, []string{"unexpected data after the top-level value"}},
		{"duplicate key", `{"workflow": {"id": "a", "id": "b"}}`, []string{`duplicate key "id"`}},
		{"not an object", `[1]`, []string{"must be an object, got array"}},
		{"missing workflow", `{"properties": {}}`, []string{"workflow: required"}},
		{"internal_mode", `{"workflow": {"id": "w", "params": {"p": {"type": "LONG", "value": 1, "internal_mode": "RESERVED"}}}}`,
			[]string{`workflow.params["p"].internal_mode: is set by Maestro only`}},
		{"reserved extra keys", `{"workflow_id": "x", "create_time": 1, "workflow": {"id": "w"}}`,
			[]string{"create_time: reserved key", "workflow_id: reserved key"}},
		{"bad enums", `{"properties": {"run_strategy": "often"}, "workflow": {"id": "w", "steps": [{"step": {"id": "a", "failure_mode": "panic"}}]}}`,
			[]string{"properties.run_strategy: must be one of SEQUENTIAL", "workflow.steps[0].step.failure_mode: must be one of"}},
		{"bad param value", `{"workflow": {"id": "w", "params": {"p": {"type": "LONG", "value": "ten"}, "q": {"type": "LONG_ARRAY", "value": [1, "x"]}}}}`,
			[]string{`workflow.params["p"].value: must be a LONG value, got "ten"`, `workflow.params["q"].value[1]: must be a LONG value`}},
		{"unknown param type", `{"workflow": {"id": "w", "params": {"p": {"type": "INT", "value": 1}}}}`,
			[]string{`workflow.params["p"].type: unknown param type "INT"`}},
		{"missing param type", `{"workflow": {"id": "w", "params": {"p": {"value": 1}}}}`,
			[]string{`workflow.params["p"].type: required`}},
		{"step wrapper", `{"workflow": {"id": "w", "steps": [{"step": {"id": "a"}, "foreach": {}}, {"loop": {}}, 3]}}`,
			[]string{"workflow.steps[0]: a step must be an object with exactly one key", "workflow.steps[1].loop: unknown step kind", "workflow.steps[2]: must be an object"}},
		{"unknown field", `{"workflow": {"id": "w", "steps": [{"foreach": {"id": "a", "type": "NoOp"}}], "colour": 1}}`,
			[]string{"workflow.colour: unknown field", "workflow.steps[0].foreach.type: unknown field"}},
		{"bad timeout", `{"workflow": {"id": "w", "timeout": true}}`, []string{"workflow.timeout: must be a whole number or a string, got true"}},
		{"bad successor", `{"workflow": {"id": "w", "steps": [{"step": {"id": "a", "transition": {"successors": {"b": 1}}}}]}}`,
			[]string{`workflow.steps[0].step.transition.successors["b"]: edge condition must be a SEL string`}},
		{"fixed backoff field", `{"workflow": {"id": "w", "steps": [{"step": {"id": "a", "retry_policy": {"backoff": {"type": "FIXED_BACKOFF", "error_retry_exponent": 2}}}}]}}`,
			[]string{"workflow.steps[0].step.retry_policy.backoff.error_retry_exponent: not a field of FIXED_BACKOFF"}},
		{"signal operator", `{"workflow": {"id": "w", "steps": [{"step": {"id": "a", "signal_dependencies": [{"name": "s", "match_params": {"k": {"param": {"type": "STRING", "value": "v"}, "operator": "!="}}}]}}]}}`,
			[]string{`workflow.steps[0].step.signal_dependencies[0].match_params["k"].operator: must be one of =, >, >=, <, <=`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.src))
			require.Error(t, err)
			es := AsErrors(err)
			require.Len(t, es, len(tt.want), err.Error())
			for _, w := range tt.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestDecodeFileRefusesDefaultParamsYAML(t *testing.T) {
	_, err := DecodeFile(filepath.Join(samplesDir, "engine__defaultparams__default-step-params.yaml"))
	require.ErrorIs(t, err, ErrNotSupported)
	require.ErrorContains(t, err, "not a workflow definition")
}
