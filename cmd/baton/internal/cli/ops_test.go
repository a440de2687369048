package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkpb "go.temporal.io/api/sdk/v1"
	"go.temporal.io/api/workflowservice/v1"
	sdkclient "go.temporal.io/sdk/client"
	"go.uber.org/zap"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/cmd/baton/internal/devserver"
	"github.com/batonhq/baton/worker"
	"github.com/batonhq/baton/workflows"
)

// opsServer is a long-lived embedded server with a Baton worker (so runs
// in progress and ended ones answer queries), as 'baton dev' plus 'baton
// worker' would be.
func opsServer(t *testing.T) (*devserver.Server, sdkclient.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := devserver.Start(ctx, devserver.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Stop() })
	tc, err := srv.NewClient(sdkclient.Options{Logger: worker.NewLogger(zap.NewNop())})
	require.NoError(t, err)
	t.Cleanup(tc.Close)
	w, err := worker.New(tc, worker.Options{})
	require.NoError(t, err)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	return srv, tc
}

func runID(t *testing.T, out string) string {
	t.Helper()
	m := regexp.MustCompile(`\(workflow (\S+), run`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	return m[1]
}

// listJSON runs 'baton list' until want reports the runs it wants
// (visibility lags a moment).
func listJSON(t *testing.T, want func([]client.RunInfo) bool, args ...string) []client.RunInfo {
	t.Helper()
	var runs []client.RunInfo
	require.Eventually(t, func() bool {
		code, out, errOut := runMain(t, append([]string{"list", "--output", "json"}, args...)...)
		require.Equal(t, exitOK, code, errOut)
		runs = nil
		require.NoError(t, json.Unmarshal([]byte(out), &runs), out)
		return want(runs)
	}, 30*time.Second, 100*time.Millisecond)
	return runs
}

func ids(runs []client.RunInfo) []string {
	var out []string
	for _, r := range runs {
		out = append(out, r.ID)
	}
	return out
}

// TestListDescribeFailedRun: a failing run's BatonStatus reaches FAILED in
// visibility; list filters by status and workflow id; describe shows the
// summary and the steps; Temporal's current details say FAILED.
func TestListDescribeFailedRun(t *testing.T) {
	srv, tc := opsServer(t)
	addr := []string{"--address", srv.Address()}
	failing := writeFile(t, `{"workflow":{"id":"ops-fail","steps":[
		{"step":{"id":"a","type":"NoOp","params":{"x":{"type":"LONG","expression":"1 / 0"}}}}]}}`)
	code, out, _ := runMain(t, append([]string{"run", failing, "--no-worker"}, addr...)...)
	require.Equal(t, exitFailed, code)
	failedID := runID(t, out)
	code, out, errOut := runMain(t, append([]string{"run", sample("server__sample-dag-test-1.json"), "--no-worker"}, addr...)...)
	require.Equal(t, exitOK, code, errOut)
	okID := runID(t, out)

	// The search attribute, by a visibility query of Temporal's own.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.Eventually(t, func() bool {
		resp, err := tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: "BatonStatus = 'FAILED'"})
		require.NoError(t, err)
		return len(resp.Executions) == 1 && resp.Executions[0].Execution.WorkflowId == failedID
	}, 30*time.Second, 100*time.Millisecond)

	// (the status upsert and the close reach the visibility store apart)
	runs := listJSON(t, func(r []client.RunInfo) bool { return len(r) == 1 && r[0].CloseTime != nil }, append([]string{"--status", "FAILED"}, addr...)...)
	require.Equal(t, failedID, runs[0].ID)
	require.Equal(t, "ops-fail", runs[0].WorkflowID)
	require.Equal(t, workflows.InstanceFailed, runs[0].Status)
	require.Equal(t, "COMPLETED", runs[0].TemporalStatus, "the Temporal workflow completes; its result is the state")

	runs = listJSON(t, func(r []client.RunInfo) bool { return len(r) == 2 }, addr...)
	require.ElementsMatch(t, []string{failedID, okID}, ids(runs))
	runs = listJSON(t, func(r []client.RunInfo) bool { return len(r) == 1 }, append([]string{"-w", "sample-dag-test-1", "-s", "succeeded,failed"}, addr...)...)
	require.Equal(t, okID, runs[0].ID)
	require.Equal(t, workflows.InstanceSucceeded, runs[0].Status)

	code, out, _ = runMain(t, append([]string{"list"}, addr...)...)
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "RUN")
	require.Regexp(t, regexp.QuoteMeta(failedID)+`\s+ops-fail\s+-\s+FAILED`, out)
	code, _, errOut = runMain(t, append([]string{"list", "--status", "GREEN"}, addr...)...)
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, `--status "GREEN"`)

	code, out, errOut = runMain(t, append([]string{"describe", failedID, "--output", "json"}, addr...)...)
	require.Equal(t, exitFailed, code, errOut)
	var d client.RunDescription
	require.NoError(t, json.Unmarshal([]byte(out), &d), out)
	require.Equal(t, workflows.InstanceFailed, d.Status)
	require.Equal(t, "Maestro ops-fail (1 steps)", d.Summary)
	require.NotNil(t, d.State)
	require.Equal(t, workflows.InternallyFailed, d.State.Step("a").Status)

	code, out, errOut = runMain(t, append([]string{"describe", okID, "--output", "yaml"}, addr...)...)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "status: SUCCEEDED")
	code, out, _ = runMain(t, append([]string{"describe", failedID}, addr...)...)
	require.Equal(t, exitFailed, code)
	require.Contains(t, out, "Status:    FAILED (Temporal COMPLETED)")
	require.Contains(t, out, "INTERNALLY_FAILED")

	// What Temporal's UI shows as the run's current details.
	v, err := tc.QueryWorkflow(ctx, failedID, "", "__temporal_workflow_metadata")
	require.NoError(t, err)
	var md sdkpb.WorkflowMetadata
	require.NoError(t, v.Get(&md))
	require.Contains(t, md.CurrentDetails, "**FAILED** · 1 steps: 1 INTERNALLY_FAILED")
	require.Contains(t, md.CurrentDetails, "| a | INTERNALLY_FAILED | 1 |")
}

// TestWatchAttaches: 'baton watch' attaches to a run in progress and shows
// its foreach's progress, then the final table.
func TestWatchAttaches(t *testing.T) {
	srv, tc := opsServer(t)
	var iters []string
	for i := range 12 {
		iters = append(iters, fmt.Sprint(i))
	}
	def := writeFile(t, `{"workflow":{"id":"watch-wf","steps":[{"foreach":{"id":"fe","concurrency":3,
		"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[`+strings.Join(iters, ",")+`]}}}},
		"steps":[{"step":{"id":"s","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":1}}}}]}}]}}`)
	plan, ok := loadPlan(def, &strings.Builder{})
	require.True(t, ok)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := client.New(tc, client.Options{}).Start(ctx, plan, client.StartOptions{})
	require.NoError(t, err)

	code, out, errOut := runMain(t, "watch", run.ID(), "--address", srv.Address())
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "watching watch-wf (workflow "+run.ID())
	require.Regexp(t, `fe\s+RUNNING  \d+/12  [0-3] running`, out)
	require.Contains(t, out, "12 iterations")
	require.Contains(t, out, "watch-wf SUCCEEDED")

	// Attached to an ended run, it prints the final state at once.
	code, out, errOut = runMain(t, "watch", run.ID(), "--address", srv.Address(), "--output", "json")
	require.Equal(t, exitOK, code, errOut)
	var st workflows.State
	require.NoError(t, json.Unmarshal([]byte(out), &st))
	require.Equal(t, 12, st.Step("fe").Loop.Iterations)

	code, _, errOut = runMain(t, "watch", "no-such-run", "--address", srv.Address())
	require.Equal(t, exitFailed, code)
	require.Contains(t, errOut, "no-such-run")
}

func TestProgressText(t *testing.T) {
	require.Equal(t, "3,120/25,000  12 running  2 failed",
		progressText(workflows.LoopProgress{Total: 25000, Done: 3120, Running: 12, Counts: workflows.LoopCounts{Succeeded: 3118, Failed: 2}}))
	require.Equal(t, "7  1 running", progressText(workflows.LoopProgress{Done: 7, Running: 1}))
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4500: "-4,500"} {
		require.Equal(t, want, groupInt(n))
	}
	require.True(t, slices.Contains(instanceStatuses, "FAILED"))
}

// TestNamespaceWithoutSearchAttributes: on a namespace that lacks Baton's
// search attributes, runs start without them and list says why it cannot
// filter.
func TestNamespaceWithoutSearchAttributes(t *testing.T) {
	srv, tc := opsServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := tc.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: "bare", WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)})
	require.NoError(t, err)
	addr := []string{"--address", srv.Address(), "--namespace", "bare"}
	var code int
	var out, errOut string
	require.Eventually(t, func() bool { // the new namespace reaches the frontend's cache
		code, out, errOut = runMain(t, append([]string{"run", sample("server__sample-dag-test-1.json")}, addr...)...)
		return !strings.Contains(errOut, "not found")
	}, 30*time.Second, 500*time.Millisecond)
	require.Equal(t, exitOK, code, errOut)
	id := runID(t, out)

	// run returns when the run has ended; the visibility store learns of
	// the close a moment later, and until then lists the run as running.
	runs := listJSON(t, func(r []client.RunInfo) bool { return len(r) == 1 && r[0].CloseTime != nil }, addr...)
	require.Equal(t, id, runs[0].ID)
	require.Equal(t, "COMPLETED", runs[0].TemporalStatus)
	require.Empty(t, runs[0].WorkflowID, "no search attributes")
	require.Empty(t, runs[0].Status, "a completed run without BatonStatus has no known instance status")
	code, _, errOut = runMain(t, append([]string{"list", "--status", "FAILED"}, addr...)...)
	require.Equal(t, exitRuntime, code)
	require.Contains(t, errOut, "does the namespace have Baton's search attributes?")
}

// TestWatcherShowsRetries: a retry is shown as it happens, with its class.
func TestWatcherShowsRetries(t *testing.T) {
	var out strings.Builder
	w := newWatcher(&out, nil)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := start.Add(time.Second)
	st := &workflows.State{StartTime: start, Steps: []*workflows.StepState{{ID: "flaky", Status: workflows.Running, Attempts: 1, StartTime: &at}}}
	w.show(st)
	st.Steps[0].Attempts, st.Steps[0].Retries, st.Steps[0].Error = 2, workflows.Retries{Error: 1}, "boom"
	w.show(st)
	w.show(st) // no change, no line
	require.Equal(t, "      +1s  flaky                RUNNING\n      +1s  flaky                RUNNING (attempt 2, retries: 1 error): boom\n", out.String())
}
