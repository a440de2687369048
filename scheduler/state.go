package scheduler

import (
	"fmt"
	"time"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

// Instance statuses as the queue reports them: Maestro's instance
// statuses, CREATED meaning "queued by the run strategy".
const (
	StatusCreated    = "CREATED"
	StatusInProgress = string(workflows.InProgress)
	StatusSucceeded  = string(workflows.InstanceSucceeded)
	StatusFailed     = string(workflows.InstanceFailed)
	StatusStopped    = string(workflows.InstanceStopped)
	StatusTimedOut   = string(workflows.InstanceTimedOut)
)

// Limits of one queue.
const (
	// MaxQueued instances may wait in one workflow id's queue; a start
	// beyond it is refused.
	MaxQueued = 1000
	// keepEnded is how many ended instances the queue remembers (for
	// request_id de-duplication and listing); older ones are forgotten
	// (Temporal still refuses a second run of the same instance id).
	keepEnded = 100
)

// Strategy is a workflow id's run strategy.
type Strategy struct {
	Rule        string `json:"rule"`
	Concurrency int64  `json:"concurrency"`
}

// StrategyOf is the run strategy a plan asks for, and whether it sets one.
func StrategyOf(p *translator.Plan) (Strategy, bool) {
	rule := p.RunStrategy
	if rule == "" {
		rule = string(definition.Sequential)
	}
	s := Strategy{Rule: rule, Concurrency: definition.DefaultWorkflowConcurrency(definition.RunStrategyRule(rule))}
	if p.WorkflowConcurrency != nil {
		s.Concurrency = *p.WorkflowConcurrency
		return s, true
	}
	return s, false
}

// slots is how many instances may run at once.
func (s Strategy) slots() int {
	if s.Rule == string(definition.Parallel) {
		return int(s.Concurrency)
	}
	return int(min(s.Concurrency, 1))
}

func (s Strategy) String() string {
	if s.Rule == string(definition.Parallel) {
		return fmt.Sprintf("%s(%d)", s.Rule, s.Concurrency)
	}
	return s.Rule
}

// Instance is one instance the queue knows: waiting, running or ended.
type Instance struct {
	// ID is the instance's Temporal workflow id.
	ID        string `json:"id"`
	RunID     string `json:"run_id,omitempty"`
	Number    int64  `json:"number"` // Maestro's workflow_instance_id: 1, 2, 3... per workflow id
	RequestID string `json:"request_id,omitempty"`
	Version   int    `json:"version,omitempty"` // registry version; 0 if started from a definition
	Initiator string `json:"initiator,omitempty"`
	Status    string `json:"status"`
	// Position is the place in the queue (1 is next) of a CREATED instance.
	Position int        `json:"position,omitempty"`
	Arrived  time.Time  `json:"arrived"`
	Started  *time.Time `json:"started,omitempty"`
	Ended    *time.Time `json:"ended,omitempty"`
	// Run is the workflow_run_id the instance ended with.
	Run    int    `json:"run,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Blocking is true for the FAILED instance that blocks a
	// STRICT_SEQUENTIAL queue.
	Blocking bool `json:"blocking,omitempty"`

	// What a waiting instance starts with.
	PlanHash  string               `json:"plan_hash,omitempty"`
	RunParams map[string]sel.Value `json:"run_params,omitempty"`
	TaskQueue string               `json:"task_queue,omitempty"`
	Meta      *Meta                `json:"meta,omitempty"`
	// Signal: the signal trigger's params and matched signals.
	Signal *workflows.SignalInitiator `json:"signal,omitempty"`
	// launch is set while a running instance's child start is not issued.
	Launch bool `json:"launch,omitempty"`
	// stopping is set once a stop was requested for a running instance.
	Stopping bool `json:"stopping,omitempty"`
	// CancelSent is set once the stop was sent to the running instance.
	CancelSent bool `json:"cancel_sent,omitempty"`
	// RestartInput is what a restart of an ended instance starts with, as
	// its next run, once the strategy admits it (or a subworkflow step's
	// child, its whole input).
	RestartInput *workflows.RunInput `json:"restart_input,omitempty"`
	// CallerStarts is set on a running instance its caller starts (an
	// instance admitted at once by a start that asked to): the queue
	// watches it instead of running it as a child.
	CallerStarts bool `json:"caller_starts,omitempty"`
	// Parent is the workflow id of the run whose sync subworkflow step
	// started this instance: once admitted, the queue signals it and it
	// starts the instance as its child (subworkflow.go).
	Parent string `json:"parent,omitempty"`
	// Rerun is set on an ended instance placed again by a subworkflow step
	// whose parent starts it: its watch skips the runs before.
	Rerun bool `json:"rerun,omitempty"`
	// Execution is set on a waiting instance whose caller started its
	// execution already (StartRequest.Speculative): once admitted, the
	// queue signals it rather than start it (speculate.go).
	Execution bool `json:"execution,omitempty"`
	// AdmitMissed is set on an admitted instance whose admission signal
	// found its execution ended (speculate.go).
	AdmitMissed bool `json:"admit_missed,omitempty"`
}

// Meta is what an instance tells Temporal beyond its input.
type Meta struct {
	SearchAttributes bool   `json:"search_attributes,omitempty"`
	Summary          string `json:"summary,omitempty"`
	Details          string `json:"details,omitempty"`
}

// State is the queue's compact state, carried through continue-as-new.
type State struct {
	WorkflowID  string                      `json:"workflow_id"`
	Strategy    Strategy                    `json:"strategy"`
	StrategySet bool                        `json:"strategy_set,omitempty"`
	Next        int64                       `json:"next"`
	Queue       []*Instance                 `json:"queue,omitempty"`
	Running     []*Instance                 `json:"running,omitempty"`
	Ended       []*Instance                 `json:"ended,omitempty"`
	Blocked     string                      `json:"blocked,omitempty"`
	Plans       map[string]*translator.Plan `json:"plans,omitempty"`
	// stoppedWaiting are the waiting instances with an execution that
	// ended since the queue last told them (speculate.go).
	stoppedWaiting []*Instance
}

// StartRequest asks the queue to admit one instance.
type StartRequest struct {
	InstanceID string               `json:"instance_id"`
	RequestID  string               `json:"request_id,omitempty"`
	Plan       *translator.Plan     `json:"plan"`
	RunParams  map[string]sel.Value `json:"run_params,omitempty"`
	Initiator  string               `json:"initiator,omitempty"`
	Version    int                  `json:"version,omitempty"`
	TaskQueue  string               `json:"task_queue"`
	// SearchAttributes gives the instance Baton's search attributes
	// (BatonStatus, BatonWorkflowId, BatonVersion): set it only when the
	// namespace has them registered.
	SearchAttributes bool `json:"search_attributes,omitempty"`
	// Summary and Details are the instance's static user metadata.
	Summary string `json:"summary,omitempty"`
	Details string `json:"details,omitempty"`
	// Signal is set by a signal trigger: what params.getFromSignal reads.
	Signal *workflows.SignalInitiator `json:"signal,omitempty"`
	// CallerStarts asks that an instance admitted at once be started by
	// the caller (Admission.Start), with an eager start, rather than by
	// the queue as its child: one workflow task and a transfer task less
	// on the way to the instance's result. The queue then watches it; one
	// its caller never starts ends STOPPED after CallerStartGrace.
	CallerStarts bool `json:"caller_starts,omitempty"`
	// Ended are runs of the workflow id's instances whose end the caller
	// saw (it waited for their results): the queue takes them in before it
	// decides, so a start right after a result needs no check of its own
	// (see reportedEnds).
	Ended []Ended `json:"ended,omitempty"`
	// Input, if set, is the whole input the instance starts with (a
	// subworkflow step's child); a known ended instance is then placed
	// again with it rather than reported as a duplicate.
	Input *workflows.RunInput `json:"input,omitempty"`
	// Parent: see Instance.Parent.
	Parent string `json:"parent,omitempty"`
	// Speculative: the caller starts the instance's execution whatever
	// the answer (with CallerStarts); it waits for the queue's answer
	// itself (workflows.AwaitAdmission). A waiting instance is then
	// signalled when admitted, or when stopped.
	Speculative bool `json:"speculative,omitempty"`
}

// Admission is the queue's answer to a start: the instance as admitted.
// Duplicate is true when the request id was seen before (the instance is
// the earlier one).
type Admission struct {
	Instance  Instance `json:"instance"`
	Duplicate bool     `json:"duplicate,omitempty"`
	// Start: the caller starts the instance now (see
	// StartRequest.CallerStarts).
	Start bool `json:"start,omitempty"`
}

// Snapshot is what the instances query returns.
type Snapshot struct {
	WorkflowID string     `json:"workflow_id"`
	Strategy   Strategy   `json:"strategy"`
	Blocked    string     `json:"blocked,omitempty"`
	Instances  []Instance `json:"instances"` // running, then queued in order, then ended (newest first)
}

// find returns the instance with id in the queue, running or ended.
func (s *State) find(id string) *Instance {
	for _, list := range [][]*Instance{s.Running, s.Queue, s.Ended} {
		for _, in := range list {
			if in.ID == id {
				return in
			}
		}
	}
	return nil
}

// nonTerminal counts queued and running instances.
func (s *State) nonTerminal() int { return len(s.Queue) + len(s.Running) }

// checkSwitch refuses a switch of strategy that Maestro refuses.
func (s *State) checkSwitch(next Strategy) error {
	if !s.StrategySet || next.Rule == s.Strategy.Rule {
		return nil
	}
	switch next.Rule {
	case string(definition.FirstOnly), string(definition.LastOnly):
		if n := s.nonTerminal(); n > 1 {
			return fmt.Errorf("cannot update run strategy from %s to %s because there are %d nonterminal workflow instances: at most one is allowed by %s; stop them or wait for them to complete first",
				s.Strategy, next, n, next.Rule)
		}
	case string(definition.StrictSequential):
		if n := s.failedBlocking(); n > 0 {
			return fmt.Errorf("cannot update run strategy from %s to %s because there are %d FAILED workflow instances: UNBLOCK or restart them first",
				s.Strategy, next, n)
		}
	}
	return nil
}

// failedBlocking counts remembered FAILED instances not unblocked.
func (s *State) failedBlocking() int {
	n := 0
	for _, in := range s.Ended {
		if in.Status == StatusFailed && in.Reason != reasonUnblocked {
			n++
		}
	}
	return n
}

const reasonUnblocked = "unblocked"

// setStrategy applies a (checked) strategy.
func (s *State) setStrategy(next Strategy) {
	s.Strategy, s.StrategySet = next, true
}

// arrive admits or queues a new instance by the strategy's rule; now is
// the workflow clock. It returns the instance.
func (s *State) arrive(req StartRequest, now time.Time) *Instance {
	s.Next++
	in := &Instance{
		ID: req.InstanceID, Number: s.Next, RequestID: req.RequestID, Version: req.Version,
		Initiator: req.Initiator, Status: StatusCreated, Arrived: now,
		PlanHash: req.Plan.Hash, RunParams: req.RunParams, TaskQueue: req.TaskQueue, Signal: req.Signal,
		RestartInput: req.Input, Parent: req.Parent,
	}
	if req.SearchAttributes || req.Summary != "" || req.Details != "" {
		in.Meta = &Meta{SearchAttributes: req.SearchAttributes, Summary: req.Summary, Details: req.Details}
	}
	if s.Plans == nil {
		s.Plans = map[string]*translator.Plan{}
	}
	s.Plans[req.Plan.Hash] = req.Plan
	s.place(in, now)
	return in
}

// place queues a new or restarted instance by the strategy's rule (it may
// stop it, or stop others) and admits what the strategy allows.
func (s *State) place(in *Instance, now time.Time) {
	busy := len(s.Running) > 0 || len(s.Queue) > 0
	switch s.Strategy.Rule {
	case string(definition.FirstOnly):
		if busy {
			s.end(in, StatusStopped, fmt.Sprintf("With FIRST_ONLY run strategy, this run is stopped due to a running one [%s].", s.firstNonTerminal()), now)
			return
		}
	case string(definition.LastOnly):
		for _, q := range s.Queue {
			s.end(q, StatusStopped, "With LAST_ONLY run strategy, this run is stopped due to starting a new run.", now)
		}
		s.Queue = nil
		for _, r := range s.Running {
			r.Stopping = true
			r.Reason = "With LAST_ONLY run strategy, this run is stopped due to starting a new run."
		}
	case string(definition.SerialLatestOnly):
		for _, q := range s.Queue {
			s.end(q, StatusStopped, fmt.Sprintf("With SERIAL_LATEST_ONLY run strategy, this run is stopped because new instance %d arrived.", in.Number), now)
		}
		s.Queue = nil
	}
	s.Queue = append(s.Queue, in)
	s.admit(now)
}

func (s *State) firstNonTerminal() string {
	if len(s.Running) > 0 {
		return s.Running[0].ID
	}
	return s.Queue[0].ID
}

// admit moves waiting instances to running while the strategy allows.
func (s *State) admit(now time.Time) {
	for len(s.Queue) > 0 && s.Blocked == "" && len(s.Running) < s.Strategy.slots() {
		in := s.Queue[0]
		s.Queue = s.Queue[1:]
		in.Status, in.Launch = StatusInProgress, true
		t := now
		in.Started = &t
		s.Running = append(s.Running, in)
	}
	s.prunePlans()
}

// prunePlans forgets plans no waiting or launching instance needs.
func (s *State) prunePlans() {
	for h := range s.Plans {
		used := false
		for _, in := range s.Queue {
			used = used || in.PlanHash == h
		}
		for _, in := range s.Running {
			used = used || ((in.Launch || in.Execution) && in.PlanHash == h)
		}
		if !used {
			delete(s.Plans, h)
		}
	}
}

// finish records the end of a running instance and admits the next.
func (s *State) finish(id string, status string, run int, reason string, now time.Time) {
	for i, in := range s.Running {
		if in.ID != id {
			continue
		}
		s.Running = append(s.Running[:i:i], s.Running[i+1:]...)
		in.Run = run
		if reason == "" && in.Stopping {
			reason = in.Reason
		}
		s.end(in, status, reason, now)
		switch {
		case id == s.Blocked && status == StatusSucceeded: // restarted to success
			s.Blocked = ""
		case id == s.Blocked:
			in.Blocking = true
		case status == StatusFailed && s.Strategy.Rule == string(definition.StrictSequential) && s.Blocked == "":
			s.Blocked, in.Blocking = id, true
		}
		s.admit(now)
		return
	}
}

// restarted records that an ended instance runs again (a restart, which
// starts outside the queue): it counts as running until it ends, and a
// STRICT_SEQUENTIAL block by it lifts if it ends SUCCEEDED. It reports
// whether the queue knew the instance.
func (s *State) restarted(id string, now time.Time) bool {
	for i, in := range s.Ended {
		if in.ID != id {
			continue
		}
		s.Ended = append(s.Ended[:i:i], s.Ended[i+1:]...)
		t := now
		in.Status, in.Started, in.Ended, in.RunID, in.Blocking = StatusInProgress, &t, nil, "", false
		s.Running = append(s.Running, in)
		return true
	}
	return false
}

// stop stops a waiting instance (it ends STOPPED) or marks a running one
// for stopping. It returns the instance, or an error if none is known or
// it has ended.
func (s *State) stop(id string, now time.Time) (*Instance, error) {
	for i, in := range s.Queue {
		if in.ID == id {
			s.Queue = append(s.Queue[:i:i], s.Queue[i+1:]...)
			s.end(in, StatusStopped, "stopped while queued", now)
			s.prunePlans()
			return in, nil
		}
	}
	for _, in := range s.Running {
		if in.ID == id {
			in.Stopping = true
			return in, nil
		}
	}
	if in := s.find(id); in != nil {
		return nil, fmt.Errorf("instance %s of workflow %q has ended (%s)", id, s.WorkflowID, in.Status)
	}
	return nil, fmt.Errorf("workflow %q has no instance %s in its queue", s.WorkflowID, id)
}

// unblock lifts a STRICT_SEQUENTIAL block.
func (s *State) unblock(now time.Time) error {
	if s.Blocked == "" {
		return fmt.Errorf("workflow %q is not blocked: no FAILED instance blocks its queue", s.WorkflowID)
	}
	for _, in := range s.Ended {
		if in.ID == s.Blocked {
			in.Blocking, in.Reason = false, reasonUnblocked
		}
	}
	s.Blocked = ""
	s.admit(now)
	return nil
}

// end records an instance as ended, keeping the newest keepEnded.
func (s *State) end(in *Instance, status, reason string, now time.Time) {
	t := now
	in.Status, in.Ended, in.Launch = status, &t, false
	if reason != "" {
		in.Reason = reason
	}
	if in.Execution {
		in.Execution = false
		s.stoppedWaiting = append(s.stoppedWaiting, in)
	}
	in.RunParams, in.PlanHash, in.TaskQueue, in.Meta, in.RestartInput = nil, "", "", nil, nil
	s.Ended = append([]*Instance{in}, s.Ended...)
	if len(s.Ended) > keepEnded {
		for _, old := range s.Ended[keepEnded:] {
			if old.ID == s.Blocked {
				s.Ended = append(s.Ended[:keepEnded:keepEnded], old) // never forget the blocking one
				return
			}
		}
		s.Ended = s.Ended[:keepEnded]
	}
}

// snapshot lists the instances: running, queued with positions, ended.
func (s *State) snapshot() Snapshot {
	out := Snapshot{WorkflowID: s.WorkflowID, Strategy: s.Strategy, Blocked: s.Blocked}
	for _, in := range s.Running {
		out.Instances = append(out.Instances, public(in))
	}
	for i, in := range s.Queue {
		p := public(in)
		p.Position = i + 1
		out.Instances = append(out.Instances, p)
	}
	for _, in := range s.Ended {
		out.Instances = append(out.Instances, public(in))
	}
	return out
}

func public(in *Instance) Instance {
	p := *in
	p.RunParams, p.PlanHash, p.TaskQueue, p.Launch, p.CancelSent, p.Meta, p.RestartInput = nil, "", "", false, false, nil, nil
	p.AdmitMissed = false
	return p
}
