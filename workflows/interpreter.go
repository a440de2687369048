package workflows

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
)

// Names under which the interpreter and its handlers are registered.
const (
	WorkflowName = "baton.Run"
	QueryState   = "baton.state"
	SignalKill   = "baton.kill"
)

// RunInput is the interpreter's input: the plan the run is pinned to, and
// the run params of the start request.
type RunInput struct {
	Plan      *translator.Plan     `json:"plan"`
	RunParams map[string]sel.Value `json:"run_params,omitempty"`
	Initiator string               `json:"initiator,omitempty"`
	// Depth counts subworkflow nesting (0 for a run started by a user).
	Depth int `json:"depth,omitempty"`
	// Restart, if set, makes this run the next run of an ended instance.
	Restart *Restart `json:"restart,omitempty"`
	// Tree is the instance_step_concurrency cap of the tree the run belongs
	// to (nil: none, or the run is the root of its own).
	Tree *TreeCap `json:"tree,omitempty"`
	// Breakpoints are the breakpoints of the run's workflow known when it
	// started (a loop passes its own to its iterations); see breakpoints.go.
	Breakpoints []Breakpoint `json:"breakpoints,omitempty"`
	// BreakpointsRead: the starter read the workflow id's breakpoint store
	// right before it started the run, and Breakpoints is what it held
	// (empty: none); a run with Lean (version 3 of ChangeLeanStart) then
	// does not read the store itself. Set only by a start that follows the
	// read at once (not by a queue that starts the run later).
	BreakpointsRead bool `json:"breakpoints_read,omitempty"`
	// Lean is the version of ChangeLeanStart the starter asks for
	// (LeanStartInput; 0: the run's own GetVersion decides), leanstart.go.
	Lean int `json:"lean,omitempty"`
	// LeanLocal asks for LeanLocalInput (leanstart.go), with Lean left 0
	// so that a worker that does not know it records its own marker.
	LeanLocal int `json:"lean_local,omitempty"`
	// StepParams override params of steps of a foreach iteration, by step
	// id: a restart's, passed by its foreach (restart_step.go).
	StepParams map[string]map[string]*translator.Param `json:"step_params,omitempty"`
	// Signal is set for an instance a signal trigger started: what
	// params.getFromSignal reads (signal_trigger_params.go).
	Signal *SignalInitiator `json:"signal,omitempty"`
	// AwaitAdmission is set by a caller that started the run before its
	// run strategy's queue admitted it: the run waits for the queue's
	// answer first (admission.go).
	AwaitAdmission *AwaitAdmission `json:"await_admission,omitempty"`
	// Compact sends the plan in its compact encoding and asks for the run's
	// result and state query in the compact State encoding (payload.go); it
	// is not a JSON field: the plan's format_version carries it.
	Compact bool `json:"-"`
	// LeanResult asks, with Compact, for the lean State (payload_lean.go):
	// the result and state query without the system params their reader
	// derives from the start time. A worker that does not know it returns
	// the compact State, which the reader decodes as well.
	LeanResult bool `json:"lean_result,omitempty"`
	// ResultFormat 4 says the starter reads the chained State too
	// (ChainedStateFormat, payload_lean.go); 0 or 3: it does not.
	ResultFormat int `json:"result_format,omitempty"`
}

// defaultTimeout is Maestro's default for step and workflow timeouts.
const defaultTimeout = 10 * 24 * time.Hour

// node is a plan step with its run-time bookkeeping.
type node struct {
	plan  *translator.Node
	state *StepState
	index int

	pending    int  // parents not yet finished
	preds      int  // parents in this run's DAG (fewer than the plan's in a restart)
	blocked    bool // a parent finished without completing
	edgeTrue   bool // some incoming edge evaluated true
	finished   bool // terminal for join purposes (including never created)
	cancel     workflow.CancelFunc
	children   []*node
	evaluating map[string]bool         // params under evaluation (cycle detection)
	rollup     map[string][]*sel.Value // foreach: collected inner params
	child      *State                  // subworkflow: the child run's final state

	// The event-driven engine's bookkeeping (engine_step.go).
	m       machine
	timeout time.Duration
	policy  *translator.RetryValues // shared by the steps with the default policy
	permit  *permitWaiter           // the tree-cap permit asked for, while WAITING_FOR_PERMITS
	// dynSignals are the signal outputs the step type returned with its
	// latest successful attempt (signal_outputs.go).
	dynSignals []activities.OutputSignal
	act        stepActions // step actions and breakpoints (actions.go)
	gen        uint32      // bumped when a step action ends an attempt: its futures are then ignored
	loan       uint32      // the local attempt in flight holds the run's kept scope (engine_scope.go)
}

// run is one execution of the interpreter.
type run struct {
	ctx      workflow.Context
	times    []time.Time // what timeOf hands out
	plan     *translator.Plan
	info     *workflow.Info
	state    *State
	nodes    []*node
	byID     map[string]*node
	wfParams map[string]sel.Value
	// wfPending are workflow params not yet evaluated (evaluated lazily, in
	// dependency order, during start-up).
	wfPending map[string]*translator.Param
	rand      *rand.Rand
	metrics   *stepMetrics     // shared by the runs of one workflow
	signal    *SignalInitiator // the signal trigger that started the run, if any
	depth     int
	env       *sel.Env      // the Env of every SEL evaluation of this run
	restart   *Restart      // set in a restarted run
	id        string        // instance id: prefixes child workflow and activity ids
	inline    bool          // an iteration run inside a loop workflow
	tree      *permitClient // the tree cap's permits, nil without one
	bps       []Breakpoint  // breakpoints that may pause this run's steps

	done     workflow.Channel // legacy engine: indices of nodes whose coroutine ended
	running  int
	queue    []*node // ready nodes waiting for a concurrency slot
	halted   bool
	haltWith StepStatus // status of steps cut short by the halt
	haltWhy  string

	// The event-driven engine (nil in the legacy engine): the workflow's
	// event loop, the scope of this run's leaf attempts and timers (halt
	// cancels it), and what to do when the run ends.
	eng         *engine
	scope       workflow.Context
	cancelScope workflow.CancelFunc
	onEnd       func()
	ended       bool
	moved       bool                // a step moved since the observer last looked
	stopTimer   workflow.CancelFunc // cancels the workflow timeout's timer
	// lean: the run has ChangeLeanStart; deferredTimeout starts the
	// workflow timeout's timer at the end of the first round of events
	// (armTimeout).
	lean            bool
	deferredTimeout func() bool
	// leanLocal: the steps' local attempts ask for no result when they
	// return nothing, and the timeout's timer waits for a round with no
	// local attempt in flight (LeanLocalInput).
	leanLocal bool
	// timeoutPoll: the poll of armPastLocals is set; timeoutPolled: it
	// found the deadline passed.
	timeoutPoll, timeoutPolled bool

	// stepParams override step params in an iteration of a foreach
	// restarted with them (RunInput.StepParams, restart_step.go).
	stepParams map[string]map[string]*translator.Param

	// Built once per run rather than once per step: the default retry
	// policy's values (retryPolicy) and the scope with a local activity's
	// options (localScope).
	defaultRetry *translator.RetryValues
	// Reused per step rather than allocated: the children a finished step
	// readied (finish), the records of attempts in flight
	// (engine_attempt.go), a settled attempt's output (activityOutcome).
	work     []*node
	attempts []*attempt
	output   activities.Output
	local    struct {
		ctx, parent workflow.Context
		timeout     time.Duration
		kept        keptScope // lent to one local attempt at a time (engine_scope.go)
	}
}

// Run is the generic interpreter workflow: it runs any plan with Maestro's
// semantics and returns the run's final State. The instance status is in
// the State; the workflow itself fails only on a malformed plan.
func Run(ctx workflow.Context, in RunInput) (*State, error) {
	if in.Plan == nil {
		return nil, errors.New("baton: run input has no plan")
	}
	if in.Plan.FormatVersion != translator.FormatVersion {
		return nil, fmt.Errorf("baton: plan format version %d is not supported by this worker (want %d)", in.Plan.FormatVersion, translator.FormatVersion)
	}
	if in.AwaitAdmission != nil {
		if st := awaitAdmission(ctx, &in); st != nil {
			return st, nil
		}
	}
	info := workflow.GetInfo(ctx)
	r, err := newRun(ctx, in, info.WorkflowExecution.ID, false)
	if err != nil {
		return nil, err
	}
	r.state.compact, r.state.leanParams = in.Compact, in.LeanResult
	r.state.chained = in.ResultFormat >= ChainedStateFormat
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (*State, error) { return r.state, nil }); err != nil {
		return nil, err
	}
	if err := setStepActionHandler(ctx, r); err != nil {
		return nil, err
	}
	versions := startVersions(ctx, in)
	r.lean, r.leanLocal = versions.lean, versions.leanLocal
	obs := observeRun(ctx, r, versions.events)
	if tc := treeCapFor(in, r.id); tc != nil && workflow.GetVersion(ctx, ChangeTreeCap, workflow.DefaultVersion, 1) == 1 {
		r.tree = newPermitClient(ctx, *tc, in.Tree == nil)
	}
	if versions.events {
		if versions.breakpoints && !(versions.input && in.BreakpointsRead) {
			r.loadBreakpoints(ctx, in.Breakpoints)
		}
		// The engine's loop, called from here rather than from a helper:
		// see engine.enter.
		eng := r.beginEvents(in.RunParams, obs.update)
		ectx, finished, collect, done := eng.enter(), false, eng.collect, r.isEnded
		for eng.round(ectx, done, &finished) { // engine.run, written out
			awaitBelow(ectx, collect, waitPad) // see awaitBelow
			eng.handleReady()
		}
		eng.exit(ectx, &finished)
	} else {
		obs.watch(ctx)
		r.runToEnd(in.RunParams)
	}
	if r.tree != nil {
		r.tree.leave(ctx)
	}
	obs.end(ctx)
	return r.state, nil
}

// newRun prepares an instance: id names it (the workflow id, or the
// workflow id plus the iteration for an inline iteration) and seeds its
// deterministic random source; inline instances listen to no signal.
func newRun(ctx workflow.Context, in RunInput, id string, inline bool) (*run, error) {
	info := workflow.GetInfo(ctx)
	seed := fnvString(info.WorkflowExecution.RunID + "/" + id)
	r := &run{
		ctx:     ctx,
		plan:    in.Plan,
		info:    info,
		id:      id,
		inline:  inline,
		byID:    make(map[string]*node, len(in.Plan.Steps)),
		rand:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		depth:   in.Depth,
		metrics: metricsFor(ctx),
		signal:  in.Signal,
	}
	r.stepParams = in.StepParams
	if !inline || in.Restart != nil && in.Restart.Policy == RestartFromSpecific {
		r.restart = in.Restart // an iteration only on a restart path
	}
	r.bps = in.Breakpoints
	r.env = &sel.Env{
		Now:    func() time.Time { return workflow.Now(ctx) },
		Random: r.rand.Float64,
		UUID:   r.uuid,
	}
	r.useParamsMap()
	r.state = &State{
		WorkflowID: in.Plan.WorkflowID,
		PlanHash:   in.Plan.Hash,
		Status:     InProgress,
		StartTime:  workflow.Now(ctx),
		Steps:      make([]*StepState, len(in.Plan.Steps)),
		Warnings:   in.Plan.Warnings,
		Run:        1,
		RunPolicy:  StartFreshNewRun,
	}
	if !inline {
		r.state.StartTime = instanceStartTime(ctx, info)
	}
	if r.restart != nil {
		r.state.Run, r.state.RunPolicy = r.restart.Run, r.restart.Policy
	}
	r.nodes = make([]*node, len(in.Plan.Steps))
	// The nodes and their states in two allocations, not two a step.
	nodes, states := make([]node, len(in.Plan.Steps)), make([]StepState, len(in.Plan.Steps))
	for i, pn := range in.Plan.Steps {
		st := &states[i]
		*st = StepState{ID: pn.ID, Type: pn.Type, Mode: string(pn.Mode), Status: NotCreated}
		if r.restart != nil {
			st.Run = r.restart.Run
		}
		n := &nodes[i]
		*n = node{plan: pn, state: st, index: i, pending: len(pn.Predecessors), preds: len(pn.Predecessors)}
		r.nodes[i], r.state.Steps[i] = n, st
		if _, dup := r.byID[pn.ID]; dup {
			return nil, fmt.Errorf("baton: plan has two steps with id %q", pn.ID)
		}
		r.byID[pn.ID] = n
	}
	// The children of all the nodes share one array.
	edges := 0
	for _, n := range r.nodes {
		edges += len(n.plan.Successors)
	}
	children := make([]*node, edges)
	for _, n := range r.nodes {
		k := len(n.plan.Successors)
		if k > 0 {
			n.children, children = children[:0:k], children[k:]
		}
		for _, e := range n.plan.Successors {
			child, ok := r.byID[e.To]
			if !ok {
				return nil, fmt.Errorf("baton: plan step %q has an edge to unknown step %q", n.plan.ID, e.To)
			}
			n.children = append(n.children, child)
		}
	}
	if r.restart != nil && r.restart.Policy == RestartFromIncomplete && r.restart.Previous != nil {
		r.seedRestart(r.restart)
	}
	if r.restart.restartsFromStep() {
		if err := r.seedRestartFrom(ctx, r.restart); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// ready is called once all of n's parents have finished: it runs n, makes
// it UNSATISFIED, or leaves it uncreated if a parent did not complete.
func (r *run) ready(n *node) {
	work := []*node{n}
	for len(work) > 0 {
		n, work = work[len(work)-1], work[:len(work)-1]
		switch {
		case n.blocked || r.halted:
			n.finished = true // never created
			r.move(n, evEnd)
			work = r.propagate(n, work)
		case n.preds > 0 && !n.edgeTrue:
			r.markInline(n, Unsatisfied, "")
			r.move(n, evEnd)
			work = r.propagate(n, work)
		case r.skipAtRestart(n):
			r.markInline(n, Skipped, "skipped by the restart")
			r.move(n, evEnd)
			work = r.propagate(n, work)
		case n.plan.Kind == "step" && n.plan.Type == "NoOp" && !r.pausesAt(n) && !hasSignals(n.plan):
			r.runNoOp(n)
			r.move(n, evEnd)
			work = r.propagate(n, work)
		default:
			r.launchOrQueue(n)
		}
	}
}

// finish handles a node whose coroutine ended.
func (r *run) finish(n *node) {
	// The run's buffer for the children readied, taken while in use (a
	// child readied may finish at once and come back here).
	work := r.propagate(n, r.work[:0])
	r.work = nil
	r.ready0(work)
	clear(work)
	r.work = work[:0]
	for !r.halted && len(r.queue) > 0 && r.slotFree() {
		next := r.queue[0]
		r.queue = r.queue[1:]
		r.launch(next)
	}
	if r.halted {
		for _, q := range r.queue {
			q.finished = true
			r.move(q, evEnd)
		}
		r.queue = nil
	}
}

func (r *run) ready0(work []*node) {
	for _, n := range work {
		r.ready(n)
	}
}

// propagate evaluates n's outgoing edges and returns the children that
// became ready, appended to work.
func (r *run) propagate(n *node, work []*node) []*node {
	n.finished = true
	complete := n.state.Status.Complete()
	if complete && n.state.Status != Unsatisfied && len(n.plan.Successors) > 0 {
		values, err := r.evalEdges(n)
		if err != nil {
			n.state.Status = InternallyFailed
			n.state.Error = err.Error()
			complete = false
		} else {
			for i, child := range n.children {
				if values[i] {
					child.edgeTrue = true
				}
			}
		}
	}
	r.metrics.stepFinished(n)
	for _, child := range n.children {
		if !complete {
			child.blocked = true
		}
		child.pending--
		if child.pending == 0 {
			work = append(work, child)
		}
	}
	return work
}

func (r *run) slotFree() bool {
	return r.plan.StepConcurrency <= 0 || int64(r.running) < r.plan.StepConcurrency
}

func (r *run) launchOrQueue(n *node) {
	if r.slotFree() {
		r.launch(n)
		return
	}
	r.move(n, evQueue)
	n.state.Status = Created
	r.queue = append(r.queue, n)
}

// launch starts n's lifecycle: in the event-driven engine as a state
// machine, else in its own coroutine.
func (r *run) launch(n *node) {
	if r.eng != nil {
		r.create(n)
		return
	}
	r.legacyLaunch(n)
}

// halt stops launching steps and cancels the running ones, which end with
// status `with` (STOPPED, TIMED_OUT or FATALLY_FAILED for a kill).
func (r *run) halt(with StepStatus, why string) {
	if r.halted {
		return
	}
	r.halted, r.haltWith, r.haltWhy = true, with, why
	if r.eng != nil {
		r.haltSteps()
	}
	for _, n := range r.nodes {
		if n.cancel != nil && !n.finished {
			n.cancel()
		}
	}
}

// markInline sets a status on a step that never ran an attempt.
func (r *run) markInline(n *node, status StepStatus, errText string) {
	now := workflow.Now(r.ctx)
	n.state.Status = status
	n.state.StartTime, n.state.EndTime = &now, &now
	n.state.Error = errText
}

// runNoOp runs a NoOp step inline: evaluate its params and succeed.
func (r *run) runNoOp(n *node) {
	now := workflow.Now(r.ctx)
	n.state.StartTime = &now
	n.state.Attempts = 1
	n.state.Status = Succeeded
	r.metrics.stepStarted(n)
	if n.plan.Timeout.Text != "" {
		// Maestro parses the timeout when the step is created, NoOp or not.
		if _, err := r.duration(n.plan.Timeout); err != nil {
			n.state.Status, n.state.Error = InternallyFailed, fmt.Sprintf("step timeout: %v", err)
		}
	}
	if n.state.Status == Succeeded {
		if err := r.evalStepParams(n); err != nil {
			n.state.Status, n.state.Error = InternallyFailed, err.Error()
		}
	}
	n.state.EndTime = &now
}
