package ui_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/client"
	D "github.com/batonhq/baton/definition"
	W "github.com/batonhq/baton/workflows"
)

// browser starts headless Chromium (Debian's chromium package; .ci/run
// installs it). Without it the test is skipped locally and fails in CI.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium is not installed: %v", err)
		}
		t.Skip("chromium is not installed (apt-get install -y chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.WindowSize(1400, 900), chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser; it must not run under a timeout.
	_, err = chromedp.Run(ctx, chromedp.Navigate("about:blank"))
	require.NoError(t, err)
	return ctx
}

// do runs one browser action with a deadline.
func do[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	require.NoError(t, err, what)
	return v
}

// stepStatus is the status a node of the run page shows, and its fill.
const stepStatus = `(() => { const g = document.querySelector('g.step[data-step=%q]');
  return g ? g.dataset.status + " " + getComputedStyle(g.querySelector("polygon")).fill : "" })()`

func waitStatus(t *testing.T, ctx context.Context, step string, status W.StepStatus) string {
	t.Helper()
	expr := fmt.Sprintf(`(() => { const g = document.querySelector('g.step[data-step=%q]'); return !!g && g.dataset.status === %q })()`, step, status)
	do(t, ctx, "step "+step+" becomes "+string(status), chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(50*time.Second)))
	return do(t, ctx, "read "+step, chromedp.Evaluate[string](fmt.Sprintf(stepStatus, step)))
}

// TestBrowserRunPage drives the run page in headless Chromium while real
// runs progress: nodes change colour as Maestro's sample DAG runs, and a
// failed step's panel shows its error.
func TestBrowserRunPage(t *testing.T) {
	e := start(t, map[string]activities.StepType{"Fail": failing})
	ctx := browser(t)

	// A real sample: Sleep steps run for a while, so their nodes are seen
	// running (blue) and then succeeded (green).
	req := sample(t, "server__sample-dag-test-2.json", 4)
	run, _, err := e.baton.StartDefinition(context.Background(), req, client.StartOptions{})
	require.NoError(t, err)
	do(t, ctx, "open the run page", chromedp.Navigate(e.ui.URL()+runPath(run)))
	do(t, ctx, "the DAG is drawn", chromedp.WaitVisible(`g.step[data-step="job.1"]`))
	running := waitStatus(t, ctx, "job.2", W.Running)
	require.Contains(t, running, "rgb(142, 203, 255)", "a running step is blue")
	if shot := os.Getenv("BATON_UI_SCREENSHOT"); shot != "" {
		do(t, ctx, "select a step", chromedp.Click(`g.step[data-step="job.2"]`))
		do(t, ctx, "panel", chromedp.WaitVisible(`#panel dl`))
		png := do(t, ctx, "screenshot", chromedp.FullScreenshot(100))
		require.NoError(t, os.WriteFile(shot, png, 0o644))
	}
	done := waitStatus(t, ctx, "job.2", W.Succeeded)
	require.Contains(t, done, "rgb(143, 209, 158)", "a succeeded step is green")
	waitStatus(t, ctx, "job.5", W.Succeeded)
	do(t, ctx, "the run ends SUCCEEDED", chromedp.Poll[chromedp.Void](`document.getElementById("status").textContent === "SUCCEEDED"`, chromedp.WithPollingTimeout(30*time.Second)))

	// A failed step shows its error in the step panel.
	bad, err := D.NewWorkflow("broken").Steps(D.NoOp("begin").Next("load"), D.NewStep("load", "Fail")).Build()
	require.NoError(t, err)
	run, _, err = e.baton.StartDefinition(context.Background(), bad, client.StartOptions{})
	require.NoError(t, err)
	do(t, ctx, "open the failed run", chromedp.Navigate(e.ui.URL()+runPath(run)))
	failed := waitStatus(t, ctx, "load", W.FatallyFailed)
	require.Contains(t, failed, "rgb(232, 99, 107)", "a failed step is red")
	do(t, ctx, "select the failed step", chromedp.Click(`g.step[data-step="load"]`))
	msg := do(t, ctx, "its error", chromedp.Text(`#panel .step-error`))
	require.Contains(t, msg, "disk full on /data")
	do(t, ctx, "the run ends FAILED", chromedp.Poll[chromedp.Void](`document.getElementById("status").textContent === "FAILED"`, chromedp.WithPollingTimeout(30*time.Second)))

	// The run list shows both runs with their Maestro status.
	do(t, ctx, "open the list", chromedp.Navigate(e.ui.URL()+"/?status=FAILED"))
	list := do(t, ctx, "the list", chromedp.Text(`table.runs tbody`))
	require.Contains(t, list, run.ID())
	require.Contains(t, list, "FAILED")
	require.NotContains(t, list, "sample-dag-test-2", "filtered by status")
}

var failing = activities.StepFunc(func(context.Context, *activities.Step) (*activities.Result, error) {
	return nil, activities.FatalError(errors.New("disk full on /data"))
})

var samplesDir = filepath.Join("..", "..", "..", "..", "..", "shared", "maestro-samples")

// sample loads a Maestro sample with its Sleep steps capped at secs.
func sample(t *testing.T, name string, secs int64) *D.Request {
	t.Helper()
	req, err := D.DecodeFile(filepath.Join(samplesDir, name))
	require.NoError(t, err)
	for _, s := range req.Workflow.Steps {
		if p, ok := s.Params["sleep_seconds"]; ok && s.Type == "Sleep" && !p.HasExpression {
			if v, ok := p.Value.(int64); ok && v > secs {
				p.Value = secs
			}
		}
	}
	return req
}
