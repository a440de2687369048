package batontest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/batonhq/baton/worker"
)

// RecordHistory writes the full history of a run (workflowID, runID; ""
// for the latest run) as JSON to path: the protojson encoding of a
// history.v1.History, as the Temporal CLI and UI export it and as
// worker.WorkflowReplayer reads it. Beside it, path with ".execution" for
// ".json" names the run (a history does not), so a replay derives child
// workflow ids and random seeds as the run did. The run should have ended.
func RecordHistory(ctx context.Context, c client.Client, workflowID, runID, path string) error {
	if runID == "" {
		desc, err := c.DescribeWorkflowExecution(ctx, workflowID, "")
		if err != nil {
			return fmt.Errorf("batontest: describe %s: %w", workflowID, err)
		}
		runID = desc.GetWorkflowExecutionInfo().GetExecution().GetRunId()
	}
	iter := c.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	hist := &historypb.History{}
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			return fmt.Errorf("batontest: history of %s: %w", workflowID, err)
		}
		hist.Events = append(hist.Events, ev)
	}
	data, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(hist)
	if err != nil {
		return fmt.Errorf("batontest: encode history of %s: %w", workflowID, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return err
	}
	exec, err := json.Marshal(execution{WorkflowID: workflowID, RunID: runID})
	if err != nil {
		return err
	}
	return os.WriteFile(executionPath(path), append(exec, '\n'), 0o644)
}

// execution names the run a recorded history belongs to.
type execution struct {
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id"`
}

func executionPath(historyPath string) string {
	return strings.TrimSuffix(historyPath, ".json") + ".execution"
}

// ReplayFile replays a recorded history against the current interpreter
// (workflows.Run and its child workflows, registered as a worker does) and
// returns the replayer's error: a non-determinism error if the
// interpreter no longer makes the decisions the history recorded.
func ReplayFile(path string) error {
	r := sdkworker.NewWorkflowReplayer()
	worker.RegisterWorkflows(r)
	return replay(r, path)
}

// ReplayEntity replays a recorded history of one workflow, wf registered
// as name (an entity of registry/ or scheduler/, which a run's worker
// registers apart from the interpreter), and fails the test on any error.
func ReplayEntity(t testing.TB, path, name string, wf any) {
	t.Helper()
	r := sdkworker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(wf, workflow.RegisterOptions{Name: name})
	if err := replay(r, path); err != nil {
		t.Fatal(err)
	}
}

// replay replays the history at path on r, with the run it names beside
// it (RecordHistory's ".execution" file) if there is one.
func replay(r sdkworker.WorkflowReplayer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("batontest: replay: %w", err)
	}
	defer f.Close()
	hist, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
	if err != nil {
		return fmt.Errorf("batontest: replay %s: %w", path, err)
	}
	var opts sdkworker.ReplayWorkflowHistoryOptions
	if data, err := os.ReadFile(executionPath(path)); err == nil {
		var e execution
		if err := json.Unmarshal(data, &e); err != nil {
			return fmt.Errorf("batontest: replay %s: %w", executionPath(path), err)
		}
		opts.OriginalExecution = workflow.Execution{ID: e.WorkflowID, RunID: e.RunID}
	}
	if err := r.ReplayWorkflowHistoryWithOptions(worker.NewLogger(nil), hist, opts); err != nil {
		return fmt.Errorf("batontest: replay %s: %w", path, err)
	}
	return nil
}

// Replay replays a recorded history (see ReplayFile) and fails the test on
// any error.
func Replay(t testing.TB, path string) {
	t.Helper()
	if err := ReplayFile(path); err != nil {
		t.Fatal(err)
	}
}
