package integration

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/sel"
	W "github.com/batonhq/baton/workflows"
)

// TestStatusSearchAttribute: runs started by the client carry Baton's
// search attributes and BatonStatus ends as the instance status, FAILED
// included, while the Temporal workflow completes with the state.
func TestStatusSearchAttribute(t *testing.T) {
	failing, err := definition.NewWorkflow("observe-fail").
		Steps(definition.NoOp("a").Next("b"), definition.NewStep("b", "NoOp").Param("x", definition.Expr(sel.Long, "1 / 0"))).Build()
	require.NoError(t, err)
	st := runRequest(t, failing, nil)
	require.Equal(t, W.InstanceFailed, st.Status)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.Eventually(t, func() bool {
		resp, err := env.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: "BatonWorkflowId = 'observe-fail' AND BatonStatus = 'FAILED' AND ExecutionStatus = 'Completed'"})
		require.NoError(t, err)
		return len(resp.Executions) == 1
	}, 30*time.Second, 100*time.Millisecond)
}

// TestSubworkflowSearchAttributes: a subworkflow's child run carries
// Baton's search attributes for its own workflow id, and its BatonStatus
// ends as its instance status.
func TestSubworkflowSearchAttributes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	child, err := definition.NewWorkflow("observe-child").Owner("tester").Steps(definition.NoOp("c")).Build()
	require.NoError(t, err)
	_, err = registry.New(env.tc, registry.Options{}).Push(ctx, child)
	require.NoError(t, err)
	parent, err := definition.NewWorkflow("observe-parent").Owner("tester").Steps(definition.Subworkflow("sub", "observe-child")).Build()
	require.NoError(t, err)
	st := runRequest(t, parent, nil)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Eventually(t, func() bool {
		resp, err := env.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: "BatonWorkflowId = 'observe-child' AND BatonStatus = 'SUCCEEDED'"})
		require.NoError(t, err)
		return len(resp.Executions) == 1 && resp.Executions[0].GetParentExecution().GetWorkflowId() != ""
	}, 30*time.Second, 100*time.Millisecond)
}

// TestRecordObserveHistories records runs that keep BatonStatus (the
// observe-status change) for the replay tests:
//
//	cd cmd/baton && BATON_RECORD_HISTORIES=1 go test ./internal/integration -run TestRecordObserveHistories
func TestRecordObserveHistories(t *testing.T) {
	recording(t)
	failing, err := definition.NewWorkflow("observed-failed").
		Steps(definition.NoOp("a").Next("b"), definition.NewStep("b", "NoOp").Param("x", definition.Expr(sel.Long, "1 / 0"))).Build()
	require.NoError(t, err)
	record(t, "observed-failed", failing, W.InstanceFailed, nil)
	// Run by TestSubworkflowSearchAttributes first: the child is in the registry.
	parent, err := definition.NewWorkflow("observed-subworkflow").Owner("tester").Steps(definition.Subworkflow("sub", "observe-child")).Build()
	require.NoError(t, err)
	record(t, "observed-subworkflow", parent, W.InstanceSucceeded, nil)
}
