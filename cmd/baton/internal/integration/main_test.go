package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/cmd/baton/internal/devserver"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/worker"
	"github.com/batonhq/baton/workflows"
)

var samplesDir = filepath.Join("..", "..", "..", "..", "..", "shared", "maestro-samples")

// env is shared by the tests of this package: one server, one worker.
var env struct {
	srv   *devserver.Server
	tc    sdkclient.Client
	baton *client.Client
}

// probeType is shared by the tests that count overlapping iterations.
var probeType = &probe{}

// treeProbe counts overlapping leaf steps across a capped tree.
var treeProbe = &probe{hold: 50 * time.Millisecond, byStep: true}

// countType counts executions per iteration for the scale tests.
var countType = &counter{runs: map[string]int{}}

// stepTypes are the user step types the integration worker knows.
var stepTypes = map[string]activities.StepType{
	"Probe":     probeType,
	"TreeProbe": treeProbe,
	"Count":     countType,
	"Gate":      gateType,
	// Echo returns its "reply" param as the output "out".
	"Echo": activities.StepFunc(func(_ context.Context, s *activities.Step) (*activities.Result, error) {
		return &activities.Result{Outputs: map[string]any{"out": s.String("reply")}}, nil
	}),
	// Quiet succeeds with no outputs.
	"Quiet": activities.StepFunc(func(context.Context, *activities.Step) (*activities.Result, error) {
		return &activities.Result{}, nil
	}),
	// Hold runs until its attempt is cancelled (or for a minute).
	"Hold": activities.StepFunc(func(ctx context.Context, _ *activities.Step) (*activities.Result, error) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Minute):
			return &activities.Result{}, nil
		}
	}),
	// FailFirst fails its first attempt with a user error.
	"FailFirst": activities.StepFunc(func(_ context.Context, s *activities.Step) (*activities.Result, error) {
		if s.Attempt == 1 {
			return nil, activities.UserError(fmt.Errorf("first attempt of %s fails", s.StepID))
		}
		return &activities.Result{}, nil
	}),
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := devserver.Start(ctx, devserver.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start server:", err)
		return 1
	}
	defer func() { _ = srv.Stop() }()
	tc, err := srv.NewClient(sdkclient.Options{Logger: worker.NewLogger(nil)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "dial:", err)
		return 1
	}
	defer tc.Close()
	w, err := worker.New(tc, worker.Options{StepTypes: stepTypes})
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	if err := w.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "start worker:", err)
		return 1
	}
	defer w.Stop()
	env.srv, env.tc = srv, tc
	env.baton = client.New(tc, client.Options{EagerStart: true, StepTypes: map[string]translator.StepTypeInfo{
		"Echo":      {Mode: translator.ModeLocalActivity},
		"Quiet":     {Mode: translator.ModeLocalActivity},
		"Hold":      {Mode: translator.ModeLocalActivity},
		"FailFirst": {Mode: translator.ModeActivity},
		"Probe":     {Mode: translator.ModeLocalActivity},
		"TreeProbe": {Mode: translator.ModeLocalActivity},
		"Gate":      {Mode: translator.ModeActivity},
	}})
	return m.Run()
}

// loadSample decodes a sample; edit may change it (e.g. scale sleeps).
func loadSample(t *testing.T, name string) *definition.Request {
	t.Helper()
	req, err := definition.DecodeFile(filepath.Join(samplesDir, name))
	require.NoError(t, err)
	return req
}

// runRequest compiles and runs a definition to its end.
func runRequest(t *testing.T, req *definition.Request, runParams map[string]sel.Value) *workflows.State {
	t.Helper()
	_, st := startAndWait(t, req, runParams, 2*time.Minute)
	return st
}

// startAndWait runs a definition to its end and returns the run too.
func startAndWait(t *testing.T, req *definition.Request, runParams map[string]sel.Value, timeout time.Duration) (*client.Run, *workflows.State) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{RunParams: runParams})
	require.NoError(t, err)
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	return run, st
}

// scaleSleeps caps every literal sleep_seconds at max seconds, so samples
// written with 15-100 s sleeps finish in seconds on a real server.
func scaleSleeps(steps []*definition.Step, max int64) {
	for _, s := range steps {
		if p, ok := s.Params["sleep_seconds"]; ok && s.Type == "Sleep" && !p.HasExpression {
			if v, ok := p.Value.(int64); ok && v > max {
				p.Value = max
			}
		}
		scaleSleeps(s.Steps, max)
	}
}

func requireStatuses(t *testing.T, st *workflows.State, want map[string]workflows.StepStatus) {
	t.Helper()
	require.Len(t, st.Steps, len(want), "every step is checked")
	for id, status := range want {
		s := st.Step(id)
		require.NotNil(t, s, "step %s", id)
		require.Equal(t, status, s.Status, "step %s (error: %s)", id, s.Error)
		if status.Terminal() && s.Retries == (workflows.Retries{}) {
			require.LessOrEqual(t, s.Attempts, 1, "step %s ran once", id)
		}
	}
}
