package workflows

import (
	"time"

	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
)

// StepStatus is Maestro's step instance status (MAESTRO.md §4.2).
type StepStatus string

// The step statuses the interpreter uses.
const (
	NotCreated         StepStatus = "NOT_CREATED"
	Created            StepStatus = "CREATED"
	EvaluatingParams   StepStatus = "EVALUATING_PARAMS"
	WaitingForPermits  StepStatus = "WAITING_FOR_PERMITS"
	WaitingForSignals  StepStatus = "WAITING_FOR_SIGNALS"
	Running            StepStatus = "RUNNING"
	Unsatisfied        StepStatus = "UNSATISFIED"
	Skipped            StepStatus = "SKIPPED"
	Succeeded          StepStatus = "SUCCEEDED"
	CompletedWithError StepStatus = "COMPLETED_WITH_ERROR"
	UserFailed         StepStatus = "USER_FAILED"
	PlatformFailed     StepStatus = "PLATFORM_FAILED"
	TimeoutFailed      StepStatus = "TIMEOUT_FAILED"
	FatallyFailed      StepStatus = "FATALLY_FAILED"
	InternallyFailed   StepStatus = "INTERNALLY_FAILED"
	Stopped            StepStatus = "STOPPED"
	TimedOut           StepStatus = "TIMED_OUT"
)

// Terminal reports whether s is a final status of an attempt.
func (s StepStatus) Terminal() bool {
	switch s {
	case Unsatisfied, Skipped, Succeeded, CompletedWithError, UserFailed, PlatformFailed,
		TimeoutFailed, FatallyFailed, InternallyFailed, Stopped, TimedOut:
		return true
	}
	return false
}

// Complete reports whether s counts as success for joins.
func (s StepStatus) Complete() bool {
	switch s {
	case Unsatisfied, Skipped, Succeeded, CompletedWithError:
		return true
	}
	return false
}

// InstanceStatus is Maestro's workflow instance status.
type InstanceStatus string

// The instance statuses.
const (
	InProgress        InstanceStatus = "IN_PROGRESS"
	InstanceSucceeded InstanceStatus = "SUCCEEDED"
	InstanceFailed    InstanceStatus = "FAILED"
	InstanceStopped   InstanceStatus = "STOPPED"
	InstanceTimedOut  InstanceStatus = "TIMED_OUT"
)

// State is a run's observable state: what the query returns while the run
// is in flight and what the workflow returns when it ends.
type State struct {
	WorkflowID string               `json:"workflow_id"`
	PlanHash   string               `json:"plan_hash,omitempty"`
	Status     InstanceStatus       `json:"status"`
	StartTime  time.Time            `json:"start_time"`
	EndTime    *time.Time           `json:"end_time,omitempty"`
	Params     map[string]sel.Value `json:"params,omitempty"`
	Steps      []*StepState         `json:"steps"`
	Error      string               `json:"error,omitempty"`
	Warnings   []string             `json:"warnings,omitempty"`
	// Run is the workflow_run_id: 1, plus one for each restart.
	Run int `json:"run,omitempty"`
	// RunPolicy is START_FRESH_NEW_RUN or the restart policy of this run.
	RunPolicy string `json:"run_policy,omitempty"`

	// compact: the State is written in the compact encoding (payload.go),
	// because the run's input asked for it or it was read in it.
	compact bool
	// leanParams: the run's input asked for the lean State
	// (payload_lean.go), written when compact too.
	leanParams bool
	// chained: the run's input asked for format 4 (chainedStateFormat),
	// written when the lean State is.
	chained bool
}

// Step returns the state of the step with the given id, or nil.
func (s *State) Step(id string) *StepState {
	for _, st := range s.Steps {
		if st.ID == id {
			return st
		}
	}
	return nil
}

// StepState is one step's observable state.
type StepState struct {
	ID        string               `json:"id"`
	Type      string               `json:"type,omitempty"`
	Mode      string               `json:"mode,omitempty"`
	Status    StepStatus           `json:"status"`
	Attempts  int                  `json:"attempts"`
	Retries   Retries              `json:"retries"`
	StartTime *time.Time           `json:"start_time,omitempty"`
	EndTime   *time.Time           `json:"end_time,omitempty"`
	Params    map[string]sel.Value `json:"params,omitempty"`
	Error     string               `json:"error,omitempty"`
	// Loop summarises a foreach or while step's iterations.
	Loop *LoopSummary `json:"loop,omitempty"`
	// Run is the workflow run whose attempt this state is, set in restarted
	// runs; a step kept from an earlier run has that run's number.
	Run int `json:"run,omitempty"`
	// SignalDependencies: what the step waited for and what matched;
	// SignalOutputs: the signals it sent (signal_deps.go, signal_outputs.go).
	SignalDependencies []*SignalDependencyState `json:"signal_dependencies,omitempty"`
	SignalOutputs      []*SignalOutputState     `json:"signal_outputs,omitempty"`
}

// LoopSummary counts a loop step's iterations.
type LoopSummary struct {
	Iterations int        `json:"iterations"`
	Counts     LoopCounts `json:"counts"`
}

// Retries counts the retries taken in each of Maestro's retry classes.
type Retries struct {
	Error    int `json:"error,omitempty"`
	Platform int `json:"platform,omitempty"`
	Timeout  int `json:"timeout,omitempty"`
}

// counter returns the retry counter of a class.
func (r *Retries) counter(c translator.RetryClass) *int {
	switch c {
	case translator.RetryPlatform:
		return &r.Platform
	case translator.RetryTimeout:
		return &r.Timeout
	}
	return &r.Error
}

// Duration is the step's wall time from its first start to its end, or 0.
func (s *StepState) Duration() time.Duration {
	if s.StartTime == nil || s.EndTime == nil {
		return 0
	}
	return s.EndTime.Sub(*s.StartTime)
}

// instanceStatus applies Maestro's priority (§4.5): FAILED, then TIMED_OUT,
// then STOPPED, else SUCCEEDED; a run that created no step is FAILED.
func instanceStatus(steps []*StepState) InstanceStatus {
	created, timedOut, stopped := false, false, false
	for _, s := range steps {
		switch s.Status {
		case NotCreated:
			continue
		case FatallyFailed, InternallyFailed, UserFailed, PlatformFailed, TimeoutFailed:
			return InstanceFailed
		case TimedOut:
			timedOut = true
		case Stopped:
			stopped = true
		}
		created = true
	}
	switch {
	case !created:
		return InstanceFailed
	case timedOut:
		return InstanceTimedOut
	case stopped:
		return InstanceStopped
	}
	return InstanceSucceeded
}
