package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	W "github.com/batonhq/baton/workflows"
)

// TestLeanResultReaders: a run the client starts returns the lean State
// (workflows.RunInput.LeanResult: no start params in the result, 0.4 KB
// instead of 1.7 KB for one step) in format 4 (RunInput.ResultFormat: the
// second step of the chain has its duration alone), and Wait and Describe
// read it with the params and times a client with full payloads gets.
func TestLeanResultReaders(t *testing.T) {
	full := client.New(env.tc, client.Options{EagerStart: true, FullPayloads: true})
	tests := []struct {
		name   string
		c      *client.Client
		format string
	}{
		{"lean", env.baton, `"format":4`},
		{"full payloads", full, `"workflow_id"`},
	}
	keys := map[string][]string{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			req, err := definition.NewWorkflow("lean-result").Owner("tester").Steps(definition.NoOp("a").Next("b"), definition.NoOp("b")).Build()
			require.NoError(t, err)
			run, _, err := tt.c.StartDefinition(ctx, req, client.StartOptions{})
			require.NoError(t, err)
			st, err := run.Wait(ctx)
			require.NoError(t, err)
			require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)

			var result string
			for _, ev := range history(ctx, t, run.ID(), run.RunID()) {
				if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED {
					result = string(ev.GetWorkflowExecutionCompletedEventAttributes().GetResult().GetPayloads()[0].GetData())
				}
			}
			require.True(t, strings.HasPrefix(result, "{"+tt.format), result)
			require.Equal(t, tt.c == full, strings.Contains(result, "RUN_TS"), result)
			require.Equal(t, tt.c != full, strings.Contains(result, `{"id":"b","dur":`), result)
			require.Len(t, st.Steps, 2)
			require.Equal(t, *st.Steps[0].EndTime, *st.Steps[1].StartTime)

			require.Equal(t, sel.Value{Type: sel.Long, Value: st.StartTime.UnixMilli()}, st.Params["RUN_TS"])
			require.Equal(t, sel.Value{Type: sel.String, Value: st.StartTime.UTC().Format("20060102")}, st.Params["DERIVED_RUN_DATE_UTC"])
			require.Equal(t, sel.Value{Type: sel.String, Value: "tester"}, st.Params["owner"])
			require.Equal(t, sel.Value{Type: sel.String, Value: "lean-result"}, st.Params["workflow_id"])
			d, err := tt.c.Describe(ctx, run.ID(), run.RunID())
			require.NoError(t, err)
			require.Equal(t, st, d.State)
			for k := range st.Params {
				keys[tt.name] = append(keys[tt.name], k)
			}
		})
	}
	require.Len(t, keys["lean"], 23)
	require.ElementsMatch(t, keys["full payloads"], keys["lean"])
}
