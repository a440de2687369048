package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/translator"
	W "github.com/batonhq/baton/workflows"
)

// faultTrials is how many times each fault scenario runs: 1, or
// BATON_SOAK=N for a soak.
func faultTrials(t *testing.T) int {
	if testing.Short() {
		t.Skip("the fault-injection suite builds and runs the baton binary")
	}
	n, err := strconv.Atoi(os.Getenv("BATON_SOAK"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// retries: no user retry (a user error would end the step), platform errors
// retried after 1 s.
const faultRetries = `"retry_policy":{"error_retry_limit":0,"platform_retry_limit":5,
	"backoff":{"type":"FIXED_BACKOFF","error_retry_backoff_in_secs":1,"platform_retry_backoff_in_secs":1}}`

// httpStepJSON is an Http step calling base+path, held for holdMs by the
// side-effect server; extra adds fields (a timeout, a transition).
func httpStepJSON(id, url string, holdMs int, extra string) string {
	if holdMs > 0 {
		url += "?hold=" + strconv.Itoa(holdMs)
	}
	return fmt.Sprintf(`{"step":{"id":%q,"type":"Http",%s%s,"params":{"http":{"type":"MAP","value":{
		"url":{"type":"STRING","value":%q}}}}}}`, id, extra, faultRetries, url)
}

func chainJSON(id string, steps ...string) string {
	return fmt.Sprintf(`{"properties":{"owner":"tester"},"workflow":{"id":%q,"steps":[%s]}}`, id, strings.Join(steps, ","))
}

func next(id string) string { return fmt.Sprintf(`"transition":{"successors":{%q:"true"}},`, id) }

// faultRun starts def on queue through tc, with the Http step type
// configured as info.
func faultRun(t *testing.T, tc sdkclient.Client, queue string, info translator.StepTypeInfo, def string) *client.Run {
	t.Helper()
	req, err := definition.Decode([]byte(def))
	require.NoError(t, err)
	bc := client.New(tc, client.Options{TaskQueue: queue, StepTypes: map[string]translator.StepTypeInfo{"Http": info}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run, _, err := bc.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	return run
}

func waitRun(t *testing.T, run *client.Run, timeout time.Duration) *W.State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	st, err := run.Wait(ctx)
	require.NoError(t, err, "the run is neither lost nor stuck")
	return st
}

// requireOnce: every path of this trial (under key) that answered before
// `before` ran exactly once.
func requireOnce(t *testing.T, fx *sideEffects, key string, before time.Time) {
	t.Helper()
	hits := fx.snapshot()
	for _, p := range fx.answeredBefore(before) {
		if !strings.HasPrefix(p, key+"/") {
			continue
		}
		require.Equal(t, 1, hits[p], "%s completed before the crash and must not run again (hits %v)", p, hits)
	}
}

// TestFaultWorkerKill kills `baton worker` (SIGKILL, a child process) in the
// middle of a run and starts another: during an activity step, during
// local-activity steps, during a foreach of activity steps and during a
// Sleep. Each run must end SUCCEEDED on the second worker; an activity-mode
// step that completed before the kill never runs again; local-activity steps
// (a type declared Idempotent) that completed in the workflow task the crash
// lost run exactly once more. Signal waits do not exist in Baton yet.
func TestFaultWorkerKill(t *testing.T) {
	trials := faultTrials(t)
	fx := newSideEffects(t)
	base := fx.srv.URL
	address := env.srv.Address()
	activity := translator.StepTypeInfo{HeartbeatTimeout: 2 * time.Second}

	scenarios := []struct {
		name string
		run  func(t *testing.T, key, queue string)
	}{
		{"activity steps", func(t *testing.T, key, queue string) {
			w1 := startWorkerProc(t, address, queue, fx.host())
			run := faultRun(t, env.tc, queue, activity, chainJSON("fault-activity",
				httpStepJSON("a1", base+key+"/a1", 0, next("a2")),
				httpStepJSON("a2", base+key+"/a2", 3000, next("a3")),
				httpStepJSON("a3", base+key+"/a3", 0, "")))
			fx.waitFor(t, key+"/a2", time.Minute)
			w1.kill9(t)
			killed := time.Now()
			startWorkerProc(t, address, queue, fx.host())
			st := waitRun(t, run, 2*time.Minute)
			require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
			require.Equal(t, "activity", st.Step("a1").Mode)
			requireOnce(t, fx, key, killed)
			hits := fx.snapshot()
			require.Equal(t, 1, hits[key+"/a1"])
			require.Equal(t, 2, hits[key+"/a2"], "the step running at the kill runs again")
			require.Equal(t, 2, st.Step("a2").Attempts, "as a platform retry")
			require.Equal(t, 1, hits[key+"/a3"])
		}},
		{"local-activity steps", func(t *testing.T, key, queue string) {
			w1 := startWorkerProc(t, address, queue, fx.host())
			run := faultRun(t, env.tc, queue, translator.StepTypeInfo{Idempotent: true}, chainJSON("fault-local",
				httpStepJSON("l1", base+key+"/l1", 0, `"timeout":30,`+next("l2")),
				httpStepJSON("l2", base+key+"/l2", 0, `"timeout":30,`+next("l3")),
				httpStepJSON("l3", base+key+"/l3", 3000, `"timeout":30,`)))
			fx.waitFor(t, key+"/l3", time.Minute)
			w1.kill9(t)
			startWorkerProc(t, address, queue, fx.host())
			st := waitRun(t, run, 2*time.Minute)
			require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
			require.Equal(t, "local_activity", st.Step("l1").Mode)
			// The three ran in the first workflow task, which the crash lost
			// with their results: all run again, once.
			hits := fx.snapshot()
			for _, s := range []string{"l1", "l2", "l3"} {
				require.Equal(t, 2, hits[key+"/"+s], "%s: %v", s, hits)
				require.Equal(t, 1, st.Step(s).Attempts)
			}
			// The start time is the workflow's, not the re-run's.
			d, err := env.tc.DescribeWorkflowExecution(context.Background(), run.ID(), run.RunID())
			require.NoError(t, err)
			require.WithinDuration(t, d.WorkflowExecutionInfo.StartTime.AsTime(), st.StartTime, time.Second)
		}},
		{"foreach", func(t *testing.T, key, queue string) {
			w1 := startWorkerProc(t, address, queue, fx.host())
			run := faultRun(t, env.tc, queue, activity, fmt.Sprintf(`{"properties":{"owner":"tester"},"workflow":{"id":"fault-foreach","steps":[
				{"foreach":{"id":"loop","concurrency":2,
					"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","expression":"Util.intsBetween(1, 11, 1)"}}}},
					"steps":[%s]}}]}}`, httpStepJSON("it", base+key+"/it/${i}", 500, "")))
			fx.waitFor(t, key+"/it/9", time.Minute)
			w1.kill9(t)
			killed := time.Now()
			startWorkerProc(t, address, queue, fx.host())
			st := waitRun(t, run, 2*time.Minute)
			require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
			require.Equal(t, &W.LoopSummary{Iterations: 10, Counts: W.LoopCounts{Succeeded: 10}}, st.Step("loop").Loop)
			requireOnce(t, fx, key, killed.Add(-time.Second))
			hits := fx.snapshot()
			again := 0
			for i := 1; i <= 10; i++ {
				n := hits[fmt.Sprintf("%s/it/%d", key, i)]
				require.GreaterOrEqual(t, n, 1, "iteration %d", i)
				again += n - 1
			}
			require.LessOrEqual(t, again, 2, "only the (at most 2) iterations running at the kill run again: %v", hits)
		}},
		{"sleep", func(t *testing.T, key, queue string) {
			w1 := startWorkerProc(t, address, queue, fx.host())
			run := faultRun(t, env.tc, queue, activity, chainJSON("fault-sleep",
				httpStepJSON("s1", base+key+"/s1", 0, next("nap")),
				`{"step":{"id":"nap","type":"Sleep","transition":{"successors":{"s2":"true"}},"params":{"sleep_seconds":{"type":"LONG","value":3}}}}`,
				httpStepJSON("s2", base+key+"/s2", 0, "")))
			fx.waitFor(t, key+"/s1", time.Minute)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			require.Eventually(t, func() bool {
				st, err := run.State(ctx)
				return err == nil && st.Step("nap").Status == W.Running
			}, time.Minute, 50*time.Millisecond, "the run waits on its timer")
			w1.kill9(t)
			time.Sleep(time.Second)
			startWorkerProc(t, address, queue, fx.host())
			st := waitRun(t, run, 2*time.Minute)
			require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
			require.Equal(t, W.Succeeded, st.Step("nap").Status)
			hits := fx.snapshot()
			require.Equal(t, 1, hits[key+"/s1"])
			require.Equal(t, 1, hits[key+"/s2"])
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			for trial := 1; trial <= trials; trial++ {
				key := fmt.Sprintf("/%s-%d-%d", strings.ReplaceAll(sc.name, " ", "-"), trial, time.Now().UnixNano())
				queue := "baton-fault" + strings.ReplaceAll(key, "/", "-")
				sc.run(t, key, queue)
			}
			t.Logf("%s: %d trials, no run lost or stuck", sc.name, trials)
		})
	}
}

// TestFaultServerKill kills the server (`baton dev --db`, a child process)
// with SIGKILL while an activity step runs on a `baton worker` child
// process, keeps it down for 2 s, and starts it again on the same SQLite
// file and port. The run must end SUCCEEDED: the step running through the
// outage fails as a platform error (its error_retry_limit is 0, so a user
// error would fail the run) and runs again; the steps that completed before
// never run again.
func TestFaultServerKill(t *testing.T) {
	trials := faultTrials(t)
	fx := newSideEffects(t)
	db := filepath.Join(t.TempDir(), "baton.db")
	port, err := freeTCPPort()
	require.NoError(t, err)
	address := fmt.Sprintf("127.0.0.1:%d", port)
	srv, tc := startDevProc(t, db, port)
	queue := "baton-fault-server"
	startWorkerProc(t, address, queue, fx.host())
	info := translator.StepTypeInfo{HeartbeatTimeout: 2 * time.Second}

	for trial := 1; trial <= trials; trial++ {
		key := fmt.Sprintf("/server-%d-%d", trial, time.Now().UnixNano())
		run := faultRun(t, tc, queue, info, chainJSON("fault-server",
			httpStepJSON("e1", fx.srv.URL+key+"/e1", 0, next("e2")),
			httpStepJSON("e2", fx.srv.URL+key+"/e2", 4000, next("e3")),
			httpStepJSON("e3", fx.srv.URL+key+"/e3", 0, "")))
		fx.waitFor(t, key+"/e2", time.Minute)
		srv.kill9(t)
		killed := time.Now()
		time.Sleep(2 * time.Second)
		srv, tc = startDevProc(t, db, port)

		bc := client.New(tc, client.Options{TaskQueue: queue})
		st := waitRun(t, bc.GetRun(run.ID(), run.RunID()), 3*time.Minute)
		require.Equal(t, W.InstanceSucceeded, st.Status, "trial %d: %s", trial, st.Error)
		requireOnce(t, fx, key, killed)
		hits := fx.snapshot()
		require.Equal(t, 1, hits[key+"/e1"])
		require.GreaterOrEqual(t, st.Step("e2").Attempts, 2, "the step running through the outage ran again as a platform retry")
		require.Equal(t, 1, hits[key+"/e3"])
	}
	t.Logf("server kill: %d trials, no run lost or stuck", trials)
}
