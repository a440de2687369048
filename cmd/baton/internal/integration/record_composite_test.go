package integration

import (
	"context"
	"fmt"
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

// TestRecordCompositeHistories records, as TestRecordHistories does, the
// histories of loops, a restart and a tree cap: each run's own history
// and those of its loop and permits workflows, so the replay tests guard
// them too. Recorded only when asked:
//
//	cd cmd/baton && BATON_RECORD_HISTORIES=1 go test ./internal/integration -run TestRecordCompositeHistories
func TestRecordCompositeHistories(t *testing.T) {
	recording(t)
	t.Run("foreach", func(t *testing.T) {
		req, err := definition.NewWorkflow("rec-foreach").Steps(
			definition.Foreach("loop").Concurrency(2).
				Loop("i", definition.Expr(sel.LongArray, "Util.intsBetween(0, 5, 1)")).
				Steps(definition.NewStep("echo", "Echo").
					Param("reply", definition.Expr(sel.String, "'r' + i")).Param("out", definition.String("")).Next("after"),
					definition.NoOp("after")).
				Next("sum"),
			definition.NoOp("sum").Param("all", definition.Expr(sel.StringArray, "params.getFromForeach('loop', 'echo', 'out')")),
		).Build()
		require.NoError(t, err)
		recordRuns(t, "foreach", req, nil, W.InstanceSucceeded, "/loop")
	})
	t.Run("foreach-shards", func(t *testing.T) {
		req, err := definition.NewWorkflow("rec-foreach-shards").StepConcurrency(100).Steps(
			definition.Foreach("loop").Concurrency(50).
				Loop("i", definition.Expr(sel.LongArray, "Util.intsBetween(0, 5, 1)")).
				Steps(definition.NewStep("echo", "Echo").
					Param("reply", definition.Expr(sel.String, "'r' + i")).Param("out", definition.String(""))).
				Next("sum"),
			definition.NoOp("sum").Param("all", definition.Expr(sel.StringArray, "params.getFromForeach('loop', 'echo', 'out')")),
		).Build()
		require.NoError(t, err)
		recordRuns(t, "foreach-shards", req, nil, W.InstanceSucceeded, "/loop", "/loop#1", "/loop#2", "/loop#3")
	})
	t.Run("while", func(t *testing.T) {
		req, err := definition.NewWorkflow("rec-while").Steps(
			definition.While("loop", "k < 3").Loop("k", definition.Long(0)).
				Steps(definition.NoOp("bump").Param("k", definition.Expr(sel.Long, "k + 1"))),
		).Build()
		require.NoError(t, err)
		recordRuns(t, "while", req, nil, W.InstanceSucceeded, "/loop")
	})
	t.Run("restart", func(t *testing.T) {
		req, err := definition.Decode([]byte(fmt.Sprintf(`{"workflow":{"id":"rec-restart-%d",
		  "params":{"should_fail":{"type":"STRING","value":"yes"}},
		  "steps":[{"foreach":{"id":"loop","concurrency":2,
		    "params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2,3,4]}}}},
		    "steps":[{"step":{"id":"inner","type":"Echo","params":{"reply":{"type":"STRING","value":"x"},"out":{"type":"STRING","value":""},
		      "v":{"type":"LONG","expression":"if (should_fail == 'yes' && i == 3) throw 'failing on purpose'; return i;"}}}}],
		    "transition":{"successors":{"after":"true"}}}},
		    {"step":{"id":"after","type":"NoOp"}}]}}`, time.Now().UnixNano())))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		run, first := startAndWait(t, req, nil, time.Minute)
		require.Equal(t, W.InstanceFailed, first.Status)
		second := restartFixed(ctx, t, run.ID())
		require.Equal(t, 2, second.Run)
		latest := env.baton.GetRun(run.ID(), "")
		writeHistory(ctx, t, "restart", latest.ID(), latest.RunID())
		writeHistory(ctx, t, "restart-loop", run.ID()+"/loop", "")
	})
	t.Run("tree-cap", func(t *testing.T) {
		req, err := definition.NewWorkflow("rec-tree-cap").InstanceStepConcurrency(2).Steps(
			definition.Foreach("loop").Concurrency(4).
				Loop("i", definition.Expr(sel.LongArray, "Util.intsBetween(0, 6, 1)")).
				Steps(definition.NewStep("echo", "Echo").Param("reply", definition.String("x")).Param("out", definition.String(""))),
		).Build()
		require.NoError(t, err)
		recordRuns(t, "tree-cap", req, nil, W.InstanceSucceeded, "/loop", "#permits")
	})
}

// recordRuns runs req and writes its history as name.json and, for each
// suffix, the history of the workflow with that suffix on the run's id
// (the latest run of it) as name-<suffix>.json; then replays them all.
func recordRuns(t *testing.T, name string, req *definition.Request, runParams map[string]sel.Value, want W.InstanceStatus, suffixes ...string) *client.Run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run, st := startAndWait(t, req, runParams, 2*time.Minute)
	require.Equal(t, want, st.Status, st.Error)
	writeHistory(ctx, t, name, run.ID(), run.RunID())
	for _, s := range suffixes {
		writeHistory(ctx, t, name+"-"+s[1:], run.ID()+s, "")
	}
	return run
}

// historyPrefix names the histories recorded now, of runs the client
// starts with workflows.LeanLocalInput (version 3 of
// workflows.ChangeLeanStart from the input, no version marker; local
// attempts that record no empty result, and no workflow-timeout timer
// while one is in flight). The lean3- files were recorded
// with version 3 alone, the lean- files with its versions 1 and 2 (a
// marker), the event- files on the event-driven engine before it
// (workflows.ChangeEventEngine), the files without a prefix on the legacy
// engine; all are kept, so that replay covers every engine version.
const historyPrefix = "leanlocal-"

// writeHistory records one workflow's history to
// historiesDir/<historyPrefix>name.json and replays it.
func writeHistory(ctx context.Context, t *testing.T, name, id, runID string) {
	t.Helper()
	path := filepath.Join(historiesDir, historyPrefix+name+".json")
	require.NoError(t, batontest.RecordHistory(ctx, env.tc, id, runID, path))
	batontest.Replay(t, path)
}
