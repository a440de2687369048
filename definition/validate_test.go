package definition

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// wf builds a create request around a workflow body.
func wf(body string) string {
	return `{"properties": {"owner": "me"}, "workflow": {"id": "wf", ` + body + `}}`
}

const noop = `{"step": {"id": "%s", "type": "NoOp"}}`

func validationErrors(t *testing.T, src string) Errors {
	t.Helper()
	r, err := Decode([]byte(src))
	require.NoError(t, err)
	return AsErrors(r.Validate())
}

func TestValidateRules(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // "path: message prefix", all of them, nothing else
	}{
		{"valid", wf(`"steps": [` + fmt.Sprintf(noop, "a") + `]`), nil},
		{"workflow id regex", `{"workflow": {"id": "-wf", "steps": [` + fmt.Sprintf(noop, "a") + `]}}`,
			[]string{`workflow.id: invalid workflow id "-wf"`}},
		{"workflow id prefix", `{"workflow": {"id": "MAESTRO_wf", "steps": [` + fmt.Sprintf(noop, "a") + `]}}`,
			[]string{`workflow.id: invalid workflow id "MAESTRO_wf": the prefix maestro_ is reserved`}},
		{"workflow id length", `{"workflow": {"id": "` + strings.Repeat("w", 129) + `", "steps": [` + fmt.Sprintf(noop, "a") + `]}}`,
			[]string{"workflow.id: too long: 129 characters (at most 128)"}},
		{"workflow id required", `{"workflow": {"steps": [` + fmt.Sprintf(noop, "a") + `]}}`, []string{"workflow.id: required"}},
		{"steps empty", wf(`"steps": []`), []string{"workflow.steps: must not be empty"}},
		{"step ids", wf(`"steps": [` + fmt.Sprintf(noop, "1a") + `,` + fmt.Sprintf(noop, "a__b") + `,` +
			fmt.Sprintf(noop, "maestro_x") + `,` + fmt.Sprintf(noop, strings.Repeat("s", 129)) + `]`),
			[]string{`workflow.steps[0].step.id: invalid step id "1a"`,
				`workflow.steps[1].step.id: invalid step id "a__b": must not contain __`,
				`workflow.steps[2].step.id: invalid step id "maestro_x": the prefix maestro_ is reserved`,
				`workflow.steps[3].step.id: too long: 129 characters`}},
		{"duplicate ids across nesting", wf(`"steps": [{"foreach": {"id": "a", "params": {"loop_params": {"type": "MAP", "value": {"i": {"type": "LONG_ARRAY", "value": [1]}}}},
			"steps": [` + fmt.Sprintf(noop, "b") + `]}}, ` + fmt.Sprintf(noop, "b") + `]`),
			[]string{`workflow.steps[1].step.id: duplicate step id "b" (first defined at workflow.steps[0].foreach.steps[0].step.id)`}},
		{"no such step", wf(`"steps": [` + fmt.Sprintf(noop, "a") + `, ` + fmt.Sprintf(noop, "b") +
			`, {"step": {"id": "c", "type": "NoOp", "transition": {"successors": {"job.9": "true", "a": "true"}}}}]`),
			[]string{`workflow.steps[2].step.transition.successors["job.9"]: no such step`}},
		{"successor in another list", wf(`"steps": [{"while": {"id": "w", "condition": "i < 3", "params": {"loop_params": {"type": "MAP", "value": {"i": {"type": "LONG", "value": 1}}}},
			"steps": [{"step": {"id": "in", "type": "NoOp", "transition": {"successors": {"out": "true"}}}}]}}, ` + fmt.Sprintf(noop, "out") + `]`),
			[]string{`workflow.steps[0].while.steps[0].step.transition.successors["out"]: no such step in this step list`}},
		{"cycle", wf(`"steps": [{"step": {"id": "a", "type": "NoOp", "transition": {"successors": {"b": "true"}}}},
			{"step": {"id": "b", "type": "NoOp", "transition": {"successors": {"c": "true"}}}},
			{"step": {"id": "c", "type": "NoOp", "transition": {"successors": {"a": "true"}}}}]`),
			[]string{"workflow.steps: cycle: a -> b -> c -> a"}},
		{"self loop", wf(`"steps": [{"step": {"id": "a", "type": "NoOp", "transition": {"successors": {"a": "true"}}}}]`),
			[]string{"workflow.steps: cycle: a -> a"}},
		{"predecessors", wf(`"steps": [{"step": {"id": "a", "type": "NoOp", "transition": {"successors": {"b": "true"}}}},
			{"step": {"id": "b", "type": "NoOp", "transition": {"predecessors": ["c"]}}},
			{"step": {"id": "c", "type": "NoOp", "transition": {"predecessors": []}}}]`),
			[]string{"workflow.steps[1].step.transition.predecessors: must equal the steps with an edge to this step: [a], got [c]"}},
		{"too many steps", wf(`"steps": [` + manySteps(301) + `]`),
			[]string{"workflow.steps: too many steps: 301 (at most 300, nested steps included)"}},
		{"value and expression", wf(`"params": {"both": {"type": "LONG", "value": 1, "expression": "1"}, "none": {"type": "LONG"},
			"m": {"type": "MAP", "value": {"x": {"type": "STRING"}}}}, "steps": [` + fmt.Sprintf(noop, "a") + `]`),
			[]string{`workflow.params["both"]: must have exactly one of value or expression`,
				`workflow.params["m"].value["x"]: must have exactly one of value or expression`,
				`workflow.params["none"]: must have exactly one of value or expression`}},
		{"reserved param names", wf(`"params": {"Util": {"type": "LONG", "value": 1}, "AUTH_BLOB": {"type": "STRING", "value": "x"}, "owner": {"type": "STRING", "value": "x"}},
			"steps": [{"step": {"id": "a", "type": "NoOp", "params": {"params": {"type": "LONG", "value": 1}, "step_id": {"type": "STRING", "value": "x"}}}}]`),
			[]string{`workflow.params["AUTH_BLOB"]: reserved param name`, `workflow.params["Util"]: reserved param name`,
				`workflow.params["owner"]: reserved param name`, `workflow.steps[0].step.params["params"]: reserved param name`,
				`workflow.steps[0].step.params["step_id"]: reserved param name`}},
		{"map param entries", wf(`"params": {"m": {"type": "MAP", "value": {` + manyParams(129) + `}}}, "steps": [` + fmt.Sprintf(noop, "a") + `]`),
			[]string{`workflow.params["m"].value: too many entries: 129 (a MAP param has at most 128)`}},
		{"timeouts", wf(`"timeout": 0, "steps": [{"step": {"id": "a", "type": "NoOp", "timeout": "121 days"}},
			{"step": {"id": "b", "type": "NoOp", "timeout": "soon"}}, {"step": {"id": "c", "type": "NoOp", "timeout": "${t}"}}]`),
			[]string{"workflow.timeout: must be greater than 0 and at most 120 days, got 0 seconds",
				`workflow.steps[0].step.timeout: must be greater than 0 and at most 120 days, got "121 days"`,
				`workflow.steps[1].step.timeout: invalid duration "soon"`}},
		{"retry policy", wf(`"steps": [{"step": {"id": "a", "type": "NoOp", "retry_policy": {"error_retry_limit": 100, "platform_retry_limit": -1, "timeout_retry_limit": "lots",
			"backoff": {"type": "EXPONENTIAL_BACKOFF", "error_retry_backoff_in_secs": 0, "platform_retry_limit_in_secs": "2 days", "timeout_retry_backoff_in_secs": "${x}", "error_retry_exponent": -1}}}}]`),
			[]string{"workflow.steps[0].step.retry_policy.backoff.error_retry_backoff_in_secs: must be from 1 to 86400 seconds, got 0 seconds",
				"workflow.steps[0].step.retry_policy.backoff.error_retry_exponent: must be 0 or more",
				`workflow.steps[0].step.retry_policy.backoff.platform_retry_limit_in_secs: must be from 1 to 86400 seconds, got "2 days"`,
				"workflow.steps[0].step.retry_policy.error_retry_limit: must be from 0 to 99, got 100",
				"workflow.steps[0].step.retry_policy.platform_retry_limit: must be from 0 to 99, got -1",
				`workflow.steps[0].step.retry_policy.timeout_retry_limit: must be a number or a $param reference, got "lots"`}},
		{"concurrency limits", `{"properties": {"step_concurrency": 1001, "run_strategy": {"rule": "sequential", "workflow_concurrency": 2}},
			"workflow": {"id": "wf", "instance_step_concurrency": 1000, "steps": [` + fmt.Sprintf(noop, "a") + `]}}`,
			[]string{"properties.run_strategy.workflow_concurrency: a value above 1 needs rule PARALLEL, got 2 with SEQUENTIAL",
				"properties.step_concurrency: must be from 1 to 1000, got 1001",
				"workflow.instance_step_concurrency: must be from 1 to 999, got 1000"}},
		{"workflow concurrency max", `{"properties": {"run_strategy": 1001}, "workflow": {"id": "wf", "steps": [` + fmt.Sprintf(noop, "a") + `]}}`,
			[]string{"properties.run_strategy.workflow_concurrency: must be from 0 (paused) to 1000, got 1001"}},
		{"foreach", wf(`"steps": [{"foreach": {"id": "f", "concurrency": 501, "params": {"loop_params": {"type": "MAP", "value": {"i": {"type": "LONG", "value": 1}}}}, "steps": [` + fmt.Sprintf(noop, "a") + `]}},
			{"foreach": {"id": "g", "steps": [` + fmt.Sprintf(noop, "b") + `]}}]`),
			[]string{"workflow.steps[0].foreach.concurrency: must be from 1 to 500, got 501",
				`workflow.steps[0].foreach.params["loop_params"].value["i"].type: a foreach loop param must be an array type, got LONG`,
				`workflow.steps[1].foreach.params["loop_params"]: required for a foreach step`}},
		{"nested loop param names", wf(`"steps": [{"foreach": {"id": "f", "params": {"loop_params": {"type": "MAP", "value": {"i": {"type": "LONG_ARRAY", "value": [1]}}}},
			"steps": [{"foreach": {"id": "g", "params": {"loop_params": {"type": "MAP", "value": {"i": {"type": "LONG_ARRAY", "value": [2]}}}}, "steps": [` + fmt.Sprintf(noop, "a") + `]}}]}}]`),
			[]string{`workflow.steps[0].foreach.steps[0].foreach.params["loop_params"].value["i"]: loop param "i" is already a loop param of an enclosing loop`}},
		{"while", wf(`"steps": [{"while": {"id": "w", "params": {"loop_params": {"type": "MAP", "value": {"a": {"type": "LONG_ARRAY", "value": [1]}}}}, "steps": []}}]`),
			[]string{"workflow.steps[0].while.condition: required",
				`workflow.steps[0].while.params["loop_params"].value["a"].type: a while loop param must be STRING, LONG, DOUBLE or BOOLEAN, got LONG_ARRAY`,
				"workflow.steps[0].while.steps: must not be empty"}},
		{"subworkflow and typed step", wf(`"steps": [{"subworkflow": {"id": "s"}}, {"step": {"id": "t"}}]`),
			[]string{`workflow.steps[0].subworkflow.params["subworkflow_id"]: required for a subworkflow step`,
				"workflow.steps[1].step.type: required"}},
		{"tags", wf(`"tags": ["a", {"name": "a", "namespace": "system"}], "steps": [{"step": {"id": "s", "type": "NoOp", "tags": [{"namespace": "system"}]}}]`),
			[]string{`workflow.tags[1]: duplicate tag name "a"`, "workflow.steps[0].step.tags[0].name: required"}},
		{"descriptions", `{"properties": {"description": "` + strings.Repeat("d", 16385) + `"}, "workflow": {"id": "wf", "name": "` + strings.Repeat("n", 257) + `", "steps": [` + fmt.Sprintf(noop, "a") + `]}}`,
			[]string{"properties.description: too long: 16385 characters (at most 16384)", "workflow.name: too long: 257 characters (at most 256)"}},
		{"triggers", wf(`"time_triggers": [{"type": "CRON", "cron": "* *"}, {"type": "PREDEFINED", "expression": "@sometimes"}, {"type": "INTERVAL", "interval": "1 min"}, {"cron": "* * * * *"}],
			"signal_triggers": [{"definitions": {"a": {"join_keys": ["x"]}, "b": {"join_keys": []}}}], "steps": [` + fmt.Sprintf(noop, "a") + `]`),
			[]string{`workflow.signal_triggers[0].definitions["b"].join_keys: every signal needs the same number of join keys (1), got 0`,
				"workflow.time_triggers[0].cron: [cron expression] is not valid - rejected value is [* *] - error: [cron expression has 2 fields; want 5 (Unix) or 6 to 7 (Quartz)]",
				`workflow.time_triggers[1].expression: must be one of`,
				"workflow.time_triggers[2].interval: must be at least 2 minutes, got 1m0s",
				"workflow.time_triggers[3].type: required"}},
		{"signals", wf(`"steps": [{"step": {"id": "a", "type": "NoOp", "signal_dependencies": [{"match_params": {"k": {"param": {"type": "DOUBLE", "value": 1.5}, "operator": "="}}}],
			"signal_outputs": [{"name": "o", "params": {"p": {"type": "BOOLEAN", "value": true}}}]}}]`),
			[]string{`workflow.steps[0].step.signal_dependencies[0].match_params["k"].param.type: must be STRING or LONG, got DOUBLE`,
				"workflow.steps[0].step.signal_dependencies[0].name: required",
				`workflow.steps[0].step.signal_outputs[0].params["p"].type: a signal param must be STRING or LONG, got BOOLEAN`}},
		{"empty edge condition", wf(`"steps": [{"step": {"id": "a", "type": "NoOp", "transition": {"successors": {"b": " "}}}}, ` + fmt.Sprintf(noop, "b") + `]`),
			[]string{`workflow.steps[0].step.transition.successors["b"]: empty SEL expression`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := validationErrors(t, tt.src)
			var got []string
			for _, e := range es {
				got = append(got, e.Error())
			}
			require.Len(t, got, len(tt.want), strings.Join(got, "\n"))
			for _, w := range tt.want {
				found := false
				for _, g := range got {
					found = found || strings.HasPrefix(g, w)
				}
				require.True(t, found, "missing %q in\n%s", w, strings.Join(got, "\n"))
			}
		})
	}
}

func manySteps(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(noop, fmt.Sprintf("s%d", i))
	}
	return strings.Join(parts, ",")
}

func manyParams(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"p%d": {"type": "LONG", "value": %d}`, i, i)
	}
	return strings.Join(parts, ",")
}

// TestValidateAllErrorsAtOnce checks that unrelated problems are all
// reported by one call.
func TestValidateAllErrorsAtOnce(t *testing.T) {
	es := validationErrors(t, `{"workflow": {"id": "maestro_x", "timeout": -1, "params": {"util": {"type": "LONG", "value": 1}},
	  "steps": [{"step": {"id": "a", "transition": {"successors": {"zz": "true"}}}}]}}`)
	require.Len(t, es, 5, es.Error())
	require.Equal(t, "workflow.id", es[0].Path)
}

func TestValidateStandalone(t *testing.T) {
	s, err := DecodeStep([]byte(`{"foreach": {"id": "f", "params": {"loop_params": {"type": "MAP", "value": {"i": {"type": "LONG", "value": 1}}}}, "steps": [{"step": {"id": "x", "type": "NoOp"}}]}}`))
	require.NoError(t, err)
	err = s.Validate()
	require.ErrorContains(t, err, `steps[0].foreach.params["loop_params"].value["i"].type: a foreach loop param must be an array type`)

	rp, err := DecodeRetryPolicy([]byte(`{"error_retry_limit": 100}`))
	require.NoError(t, err)
	require.ErrorContains(t, rp.Validate(), "retry_policy.error_retry_limit: must be from 0 to 99, got 100")
}
