package integration

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/batonhq/baton/definition"
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

// TestRecordObserveHistories records runs that keep BatonStatus (the
// observe-status change) for the replay tests:
//
//	cd cmd/baton && BATON_RECORD_HISTORIES=1 go test ./internal/integration -run TestRecordObserveHistories
func TestRecordObserveHistories(t *testing.T) {
	if os.Getenv("BATON_RECORD_HISTORIES") != "1" {
		t.Skip("set BATON_RECORD_HISTORIES=1 to record the replay histories")
	}
	failing, err := definition.NewWorkflow("observed-failed").
		Steps(definition.NoOp("a").Next("b"), definition.NewStep("b", "NoOp").Param("x", definition.Expr(sel.Long, "1 / 0"))).Build()
	require.NoError(t, err)
	record(t, "observed-failed", failing, W.InstanceFailed, nil)
}
