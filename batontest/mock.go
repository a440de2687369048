package batontest

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/activities"
)

// Mock is a mocked user step type (or, from Mock.Step, the mock of one
// step of that type). Attempts count as Maestro's do: 1 for a step's first
// attempt, across all retry classes. It is safe for concurrent use.
type Mock struct {
	stepType string
	stepID   string // "" for the type's mock

	mu       sync.Mutex
	outputs  map[string]any
	failures map[int]error
	fn       activities.StepFunc
	delay    time.Duration
	delays   map[int]time.Duration
	steps    map[string]*Mock
	calls    []activities.Step
}

func newMock(stepType, stepID string) *Mock {
	return &Mock{stepType: stepType, stepID: stepID, failures: map[int]error{}, delays: map[int]time.Duration{}}
}

// Returns sets the outputs of successful attempts (only params the step
// declares MUTABLE may be set, as in Maestro).
func (m *Mock) Returns(outputs map[string]any) *Mock {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.outputs = outputs
	return m
}

// FailsOn makes the given attempts fail with err: wrap it with
// activities.UserError, PlatformError or FatalError to pick the retry
// class (a plain error is a user error).
func (m *Mock) FailsOn(err error, attempts ...int) *Mock {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range attempts {
		m.failures[a] = err
	}
	return m
}

// UserErrorOn makes the given attempts fail with a user error (retried
// under error_retry_limit).
func (m *Mock) UserErrorOn(attempts ...int) *Mock {
	return m.FailsOn(activities.UserError(fmt.Errorf("mock %s: user error", m.stepType)), attempts...)
}

// PlatformErrorOn makes the given attempts fail with a platform error
// (retried under platform_retry_limit).
func (m *Mock) PlatformErrorOn(attempts ...int) *Mock {
	return m.FailsOn(activities.PlatformError(fmt.Errorf("mock %s: platform error", m.stepType)), attempts...)
}

// FatalErrorOn makes the given attempts fail fatally (not retried).
func (m *Mock) FatalErrorOn(attempts ...int) *Mock {
	return m.FailsOn(activities.FatalError(fmt.Errorf("mock %s: fatal error", m.stepType)), attempts...)
}

// Do sets a function that runs attempts not set to fail; it replaces
// Returns.
func (m *Mock) Do(f activities.StepFunc) *Mock {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fn = f
	return m
}

// Takes makes every attempt take d of workflow time (skipped by the test
// environment, but counted by step timeouts).
func (m *Mock) Takes(d time.Duration) *Mock {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.delay = d
	return m
}

// TakesOn makes the given attempt take d of workflow time.
func (m *Mock) TakesOn(attempt int, d time.Duration) *Mock {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.delays[attempt] = d
	return m
}

// Step returns the mock of one step of this type, which replaces the
// type's mock for that step.
func (m *Mock) Step(stepID string) *Mock {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.steps == nil {
		m.steps = map[string]*Mock{}
	}
	if s, ok := m.steps[stepID]; ok {
		return s
	}
	s := newMock(m.stepType, stepID)
	m.steps[stepID] = s
	return s
}

// Calls returns the attempts this mock ran (its step mocks' included),
// in the order they started.
func (m *Mock) Calls() []activities.Step {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]activities.Step(nil), m.calls...)
}

// CallsOf returns the attempts of one step.
func (m *Mock) CallsOf(stepID string) []activities.Step {
	var out []activities.Step
	for _, c := range m.Calls() {
		if c.StepID == stepID {
			out = append(out, c)
		}
	}
	return out
}

// Run implements activities.StepType.
func (m *Mock) Run(ctx context.Context, s *activities.Step) (*activities.Result, error) {
	m.mu.Lock()
	m.calls = append(m.calls, *s)
	target := m
	if sm, ok := m.steps[s.StepID]; ok && m.stepID == "" {
		target = sm
	}
	m.mu.Unlock()
	if target != m {
		return target.Run(ctx, s)
	}
	m.mu.Lock()
	err, fails := m.failures[s.Attempt]
	fn, outputs := m.fn, m.outputs
	m.mu.Unlock()
	switch {
	case fails:
		return nil, err
	case fn != nil:
		return fn(ctx, s)
	}
	return &activities.Result{Outputs: outputs}, nil
}

// forStep returns the mock that runs step id: its step mock, or m.
func (m *Mock) forStep(id string) *Mock {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.steps[id]; ok {
		return s
	}
	return m
}

func (m *Mock) timing() (time.Duration, map[int]time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delays := make(map[int]time.Duration, len(m.delays))
	for a, d := range m.delays {
		delays[a] = d
	}
	return m.delay, delays
}

// timeoutFn is the step activity of an attempt that outlasts its timeout.
func (m *Mock) timeoutFn(timeout time.Duration) func(context.Context, activities.Input) (*activities.Output, error) {
	return func(_ context.Context, in activities.Input) (*activities.Output, error) {
		m.mu.Lock()
		m.calls = append(m.calls, in.Step)
		m.mu.Unlock()
		return nil, temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE, fmt.Errorf("mock %s took longer than the step timeout %v", m.stepType, timeout))
	}
}

func sortedAttempts(m map[int]time.Duration) []int {
	out := make([]int, 0, len(m))
	for a := range m {
		out = append(out, a)
	}
	sort.Ints(out)
	return out
}
