package workflows_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/worker"
	"github.com/batonhq/baton/workflows"
)

// samplesDir is the compatibility corpus beside the repository.
var samplesDir = filepath.Join("..", "..", "shared", "maestro-samples")

// compileJSON decodes, validates and compiles a definition.
func compileJSON(t *testing.T, src string, types map[string]translator.StepTypeInfo) *translator.Plan {
	t.Helper()
	req, err := definition.Decode([]byte(src))
	require.NoError(t, err)
	require.NoError(t, req.Validate())
	plan, err := translator.Compile(req, translator.Options{StepTypes: types})
	require.NoError(t, err)
	return plan
}

func compileSample(t *testing.T, name string) *translator.Plan {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(samplesDir, name))
	require.NoError(t, err)
	return compileJSON(t, string(data), nil)
}

// harness runs plans in Temporal's test environment (no server; timers are
// skipped).
type harness struct {
	suite testsuite.WorkflowTestSuite
	env   *testsuite.TestWorkflowEnvironment
}

func newHarness(t *testing.T, types map[string]activities.StepType) *harness {
	h := &harness{}
	h.env = h.suite.NewTestWorkflowEnvironment()
	// The test environment's wall-clock limits (a workflow goroutine that
	// does not yield for 1 s is a "deadlock"; 3 s without an event ends the
	// test) measure the machine's load, not the interpreter: on a loaded
	// 2-core machine the one workflow task of TestParamsSizeLimit (a
	// 20,000-element and a 1.3 MB param) passed 1 s. Bounded, so a real
	// hang still fails.
	h.env.SetWorkerOptions(sdkworker.Options{DeadlockDetectionTimeout: time.Minute})
	h.env.SetTestTimeout(2 * time.Minute)
	worker.RegisterWorkflows(h.env)
	worker.RegisterStepTypes(h.env, types)
	return h
}

func (h *harness) run(t *testing.T, plan *translator.Plan, runParams map[string]sel.Value) *workflows.State {
	t.Helper()
	return h.runInput(t, workflows.RunInput{Plan: plan, RunParams: runParams})
}

// runInput runs the interpreter on an input and returns the final state.
func (h *harness) runInput(t *testing.T, in workflows.RunInput) *workflows.State {
	t.Helper()
	h.env.ExecuteWorkflow(workflows.WorkflowName, in)
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	var st workflows.State
	require.NoError(t, h.env.GetWorkflowResult(&st))
	return &st
}

// requireStatuses checks each listed step's status.
func requireStatuses(t *testing.T, st *workflows.State, want map[string]workflows.StepStatus) {
	t.Helper()
	for id, status := range want {
		s := st.Step(id)
		require.NotNil(t, s, "step %s", id)
		require.Equal(t, status, s.Status, "step %s (error: %s)", id, s.Error)
	}
}

// scripted is a step type whose attempts follow a script of results.
type scripted struct {
	results []error // per attempt; past the end: success
	outputs map[string]any
	calls   int
}

func (s *scripted) Run(ctx context.Context, step *activities.Step) (*activities.Result, error) {
	s.calls++
	if step.Attempt <= len(s.results) && s.results[step.Attempt-1] != nil {
		return nil, s.results[step.Attempt-1]
	}
	return &activities.Result{Outputs: s.outputs}, nil
}

var (
	errUser     = activities.UserError(errors.New("bad input"))
	errPlatform = activities.PlatformError(errors.New("node lost"))
	errFatal    = activities.FatalError(errors.New("cannot ever work"))
)

func localMode(types ...string) map[string]translator.StepTypeInfo {
	m := map[string]translator.StepTypeInfo{}
	for _, t := range types {
		m[t] = translator.StepTypeInfo{Mode: translator.ModeLocalActivity}
	}
	return m
}

func stepDuration(st *workflows.State, id string) time.Duration {
	return st.Step(id).Duration()
}

// captureForeachInput mocks the foreach loop workflow in h: it succeeds at
// once, and the returned pointer holds the input it was given.
func captureForeachInput(h *harness) *workflows.ForeachInput {
	got := &workflows.ForeachInput{}
	h.env.OnWorkflow(workflows.ForeachWorkflowName, mock.Anything, mock.Anything).Return(
		func(_ workflow.Context, in workflows.ForeachInput) (*workflows.LoopResult, error) {
			*got = in
			return &workflows.LoopResult{Outcome: workflows.LoopDone, Iterations: in.Total, Counts: workflows.LoopCounts{Succeeded: in.Total}}, nil
		})
	return got
}
