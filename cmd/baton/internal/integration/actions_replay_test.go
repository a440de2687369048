package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	W "github.com/batonhq/baton/workflows"
)

// TestStepActionThenActivityReplays: the first step action of a run skips
// a running foreach (its GetVersion marker, then the cancel of the loop's
// child workflow) and, in the same workflow task, the successor activity
// step starts. The pinned SDK numbered that activity wrongly on replay
// (see workflows/commandids.go): the run's workflow task failed with
// TMPRL1100 once the worker replayed it, and the run never ended. The run
// must end, and its history must replay; several runs, since whether the
// live worker replays depends on a race (the loop ending meanwhile).
func TestStepActionThenActivityReplays(t *testing.T) {
	for i := range 3 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			ctx := testContext(t, time.Minute)
			req, err := definition.NewWorkflow(fmt.Sprintf("actions-skip-then-activity-%d", time.Now().UnixNano())).Owner("tester").Steps(
				definition.Foreach("loop").Loop("i", definition.Expr(sel.LongArray, "Util.intsBetween(0, 2, 1)")).
					Steps(definition.Sleep("nap", 300)).Next("after"),
				definition.NewStep("after", "Echo").ExecutionMode("activity").
					Param("reply", definition.String("done")).Param("out", definition.String("")),
			).Build()
			require.NoError(t, err)
			run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
			require.NoError(t, err)
			eventuallyStatus(ctx, t, run, "loop", W.Running)
			act(ctx, t, run.ID(), W.ActionSkip, "loop", W.Skipped, "")
			st, err := run.Wait(ctx)
			require.NoError(t, err)
			require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
			require.Equal(t, W.Succeeded, st.Step("after").Status)
			path := filepath.Join(t.TempDir(), "run.json")
			require.NoError(t, batontest.RecordHistory(ctx, env.tc, run.ID(), run.RunID(), path))
			batontest.Replay(t, path)
			if i == 0 && os.Getenv("BATON_RECORD_HISTORIES") == "1" {
				writeHistory(ctx, t, "skip-loop-then-activity", run.ID(), run.RunID())
			}
		})
	}
}
