package workflows_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/registry"
	W "github.com/batonhq/baton/workflows"
)

const childDef = `{"workflow":{"id":"child","params":{"greeting":{"type":"STRING","value":"hi"}},"steps":[
	{"step":{"id":"c1","type":"NoOp","params":{"msg":{"type":"STRING","expression":"greeting + ' ' + who"}}}}]}}`

// resolver mocks the registry's Resolve activity with fixed definitions.
func resolver(h *harness, defs map[string]string) {
	h.env.RegisterActivityWithOptions(registry.Resolve, activity.RegisterOptions{Name: registry.ResolveActivityName})
	// The child's run strategy admits it at once (the queue is the
	// scheduler's; its integration tests cover waiting and refusal).
	h.env.RegisterActivityWithOptions(func(context.Context, W.SubworkflowAdmit) (*W.SubworkflowAdmission, error) {
		return &W.SubworkflowAdmission{Status: string(W.InProgress), Start: true}, nil
	}, activity.RegisterOptions{Name: W.SubworkflowAdmitActivityName})
	h.env.OnActivity(registry.ResolveActivityName, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in registry.ResolveInput) (*registry.Resolved, error) {
			def, ok := defs[in.WorkflowID]
			if !ok {
				return nil, temporal.NewNonRetryableApplicationError("no workflow "+in.WorkflowID, registry.ErrorTypeNotFound, nil)
			}
			return &registry.Resolved{Version: 3, Definition: json.RawMessage(def)}, nil
		})
}

func TestSubworkflowSyncAndParams(t *testing.T) {
	def := `{"workflow":{"id":"parent","params":{"who":{"type":"STRING","value":"bob"}},"steps":[
		{"subworkflow":{"id":"sub","params":{"subworkflow_id":{"type":"STRING","value":"child"}},
			"transition":{"successors":{"after":"true"}}}},
		{"step":{"id":"after","type":"NoOp","params":{"got":{"type":"STRING","expression":"params.getFromSubworkflow('sub', 'c1', 'msg')"}}}}]}}`
	h := newHarness(t, nil)
	resolver(h, map[string]string{"child": childDef})
	st := h.run(t, compileJSON(t, def, nil), nil)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, "hi bob", st.Step("after").Params["got"].Value, "workflow params pass down by default")
}

func TestSubworkflowExplicitParamsAndFailures(t *testing.T) {
	tests := []struct {
		name   string
		step   string
		status W.StepStatus
		errSub string
	}{
		{"explicit params pass only the step's params", `"explicit_params":true,"params":{"subworkflow_id":{"type":"STRING","value":"child"},"who":{"type":"STRING","value":"amy"}}`, W.Succeeded, ""},
		{"explicit params without who fail the child", `"explicit_params":true,"params":{"subworkflow_id":{"type":"STRING","value":"child"}}`, W.FatallyFailed, "unknown name who"},
		{"an unknown workflow fails the step", `"params":{"subworkflow_id":{"type":"STRING","value":"nobody"}}`, W.FatallyFailed, "no workflow nobody"},
		{"async is done once the child starts", `"sync":false,"params":{"subworkflow_id":{"type":"STRING","value":"child"}}`, W.Succeeded, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := `{"workflow":{"id":"parent","params":{"who":{"type":"STRING","value":"bob"}},"steps":[
				{"subworkflow":{"id":"sub",` + tt.step + `}}]}}`
			h := newHarness(t, nil)
			resolver(h, map[string]string{"child": childDef})
			st := h.run(t, compileJSON(t, def, nil), nil)
			s := st.Step("sub")
			require.Equal(t, tt.status, s.Status, s.Error)
			require.Contains(t, s.Error, tt.errSub)
		})
	}
}

// TestSubworkflowDepthCountsThroughLoops: a workflow that calls itself from
// inside a foreach stops at the depth limit instead of recursing forever.
func TestSubworkflowDepthCountsThroughLoops(t *testing.T) {
	const rec = `{"workflow":{"id":"rec","steps":[{"foreach":{"id":"loop",
		"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1]}}}},
		"steps":[{"subworkflow":{"id":"again","params":{"subworkflow_id":{"type":"STRING","value":"rec"}}}}]}}]}}`
	h := newHarness(t, nil)
	resolver(h, map[string]string{"rec": rec})
	st := h.run(t, compileJSON(t, rec, nil), nil)
	require.Equal(t, W.InstanceFailed, st.Status)
	require.Equal(t, W.FatallyFailed, st.Step("loop").Status)
	require.Contains(t, st.Step("loop").Error, "nesting is deeper than 10")
}
