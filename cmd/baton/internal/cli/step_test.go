package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/workflows"
)

// TestStepAndBreakpointCommands: baton breakpoint set/list/delete, and
// baton step prints the step's new status, exits 1 on a refusal and 2 on
// bad arguments.
func TestStepAndBreakpointCommands(t *testing.T) {
	srv, tc := opsServer(t)
	addr := []string{"--address", srv.Address(), "--no-worker"}
	code, out, errOut := runMain(t, append([]string{"breakpoint", "set", "step-cli-wf", "b"}, addr...)...)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "set breakpoint step-cli-wf/b (1 breakpoints on step-cli-wf")
	code, out, errOut = runMain(t, append([]string{"breakpoint", "list", "step-cli-wf", "-o", "json"}, addr...)...)
	require.Equal(t, exitOK, code, errOut)
	var list []workflows.Breakpoint
	require.NoError(t, json.Unmarshal([]byte(out), &list), out)
	require.Equal(t, []workflows.Breakpoint{{WorkflowID: "step-cli-wf", StepID: "b"}}, list)

	def := writeFile(t, `{"workflow":{"id":"step-cli-wf","steps":[
		{"step":{"id":"a","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":300}}}},
		{"step":{"id":"b","type":"NoOp"}}]}}`)
	plan, ok := loadPlan(def, &strings.Builder{})
	require.True(t, ok)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := client.New(tc, client.Options{}).Start(ctx, plan, client.StartOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		st, err := run.State(ctx)
		return err == nil && st.Step("b").Status == workflows.Paused && st.Step("a").Status == workflows.Running
	}, 30*time.Second, 50*time.Millisecond)

	code, _, errOut = runMain(t, append([]string{"step", "resume", run.ID(), "a"}, addr...)...)
	require.Equal(t, exitFailed, code)
	require.Contains(t, errOut, `RESUME of step "a": not allowed in status RUNNING (allowed: STOP, KILL, SKIP)`)
	code, out, errOut = runMain(t, append([]string{"step", "resume", run.ID(), "b"}, addr...)...)
	require.Equal(t, exitOK, code, errOut)
	require.Equal(t, "RESUME b: RUNNING (resumed)\n", out)
	code, out, errOut = runMain(t, append([]string{"step", "stop", run.ID(), "a", "--reason", "enough", "-o", "json"}, addr...)...)
	require.Equal(t, exitOK, code, errOut)
	var res workflows.StepActionResult
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.Equal(t, workflows.Stopped, res.Status)
	require.Equal(t, "stopped by a step action: enough", res.Message)

	code, _, errOut = runMain(t, append([]string{"step", "skip", run.ID()}, addr...)...)
	require.Equal(t, exitUsage, code, errOut)
	code, _, errOut = runMain(t, append([]string{"step", "skip", run.ID(), "a//b"}, addr...)...)
	require.Equal(t, exitUsage, code, errOut)
	require.Contains(t, errOut, "no empty part")

	code, out, errOut = runMain(t, append([]string{"breakpoint", "delete", "step-cli-wf", "b"}, addr...)...)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "deleted breakpoint step-cli-wf/b (0 breakpoints")
	code, _, errOut = runMain(t, append([]string{"breakpoint", "delete", "step-cli-wf", "b"}, addr...)...)
	require.Equal(t, exitFailed, code)
	require.Contains(t, errOut, "has no breakpoint")
}
