package integration

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/sel"
	W "github.com/batonhq/baton/workflows"
)

// TestRecordActionHistories records, as TestRecordHistories does, runs that
// took every step action (actionScript) at the root, in a foreach
// iteration and in a subworkflow, with their loop and child workflows, so
// the replay tests guard the histories of step actions. Recorded only when
// asked:
//
//	cd cmd/baton && BATON_RECORD_HISTORIES=1 go test ./internal/integration -run TestRecordActionHistories
func TestRecordActionHistories(t *testing.T) {
	if os.Getenv("BATON_RECORD_HISTORIES") != "1" {
		t.Skip("set BATON_RECORD_HISTORIES=1 to record the replay histories")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	childWF := fmt.Sprintf("rec-actions-child-%d", time.Now().UnixNano())
	child, err := definition.NewWorkflow(childWF).Owner("tester").Steps(actionSteps()...).Build()
	require.NoError(t, err)
	_, err = registry.New(env.tc, registry.Options{}).Push(ctx, child)
	require.NoError(t, err)
	cases := []struct {
		name, prefix, child string
		steps               []*definition.StepBuilder
	}{
		{"actions", "", "", actionSteps()},
		{"actions-foreach", "loop/1/", "loop", []*definition.StepBuilder{
			definition.Foreach("loop").Loop("i", definition.Expr(sel.LongArray, "Util.intsBetween(0, 1, 1)")).Steps(actionSteps()...)}},
		{"actions-sub", "sub/", "sub", []*definition.StepBuilder{definition.Subworkflow("sub", childWF)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := definition.NewWorkflow("rec-" + c.name).Owner("tester").Steps(c.steps...).Build()
			require.NoError(t, err)
			run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
			require.NoError(t, err)
			actionScript(ctx, t, run.ID(), c.prefix)
			st, err := run.Wait(ctx)
			require.NoError(t, err)
			require.Equal(t, W.InstanceStopped, st.Status, st.Error)
			writeHistory(ctx, t, c.name, run.ID(), run.RunID())
			if c.child != "" {
				writeHistory(ctx, t, c.name+"-"+c.child, run.ID()+"/"+c.child, "")
			}
		})
	}
}
