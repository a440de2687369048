package workflows

import (
	"fmt"
	"math"
	"strings"
)

// phase is where a step is in its lifecycle in the event-driven engine
// (MAESTRO.md §4.3). The step's observable StepStatus follows from it; the
// phase is what the engine uses to decide what an event means.
type phase uint8

// The step phases; stepTransitions lists the events that move between them.
const (
	phaseWaiting phase = iota // NOT_CREATED: parents not all finished
	phaseQueued               // CREATED: ready, waiting for a step_concurrency slot
	phaseParams               // EVALUATING_PARAMS
	phasePermit               // WAITING_FOR_PERMITS: a tree-cap permit for the next attempt
	phaseRunning              // RUNNING: an attempt is in flight
	phaseBackoff              // *_FAILED: waiting out a retry delay
	phaseDone                 // terminal (including never created)
	phasePaused               // PAUSED: stopped before creation by PAUSE or a breakpoint (actions.go)
	phaseSignals              // WAITING_FOR_SIGNALS: created, its signal dependencies not all matched (signal_deps.go)
)

var phaseNames = [...]string{"WAITING", "QUEUED", "EVALUATING_PARAMS", "WAITING_FOR_PERMITS", "RUNNING", "BACKOFF", "DONE", "PAUSED", "WAITING_FOR_SIGNALS"}

func (p phase) String() string { return phaseNames[p] }

// stepEvent is what moves a step from one phase to another.
type stepEvent uint8

// The step events.
const (
	evQueue       stepEvent = iota // ready, but no slot free
	evCreate                       // a slot is free: the step is created and evaluates its params
	evAsk                          // ask the tree cap for a permit for the next attempt
	evAttempt                      // start an attempt
	evRetry                        // an attempt failed and will be retried after a delay
	evEnd                          // the step ended (succeeded, failed, cut short, skipped)
	evPause                        // PAUSE or a breakpoint: wait for RESUME before creation
	evRestart                      // the RESTART step action: an ended step waits to be created again
	evWaitSignals                  // a slot is free and the step has signal dependencies: it waits for them
	evBypass                       // BYPASS_STEP_DEPENDENCIES: the step stops waiting for its signals
)

var eventNames = [...]string{"queue", "create", "ask-permit", "attempt", "retry", "end", "pause", "restart", "wait-signals", "bypass"}

func (e stepEvent) String() string { return eventNames[e] }

// stepTransitions is the step lifecycle: for each phase, the events it
// accepts and the phase each leads to. It is the one place that says how a
// step moves; a new feature (a step action, a signal wait, a breakpoint) is
// a new phase or event here.
//
//	WAITING             --queue-->      QUEUED
//	WAITING, QUEUED     --create-->     EVALUATING_PARAMS
//	EVALUATING_PARAMS,
//	  BACKOFF           --ask-permit--> WAITING_FOR_PERMITS
//	EVALUATING_PARAMS,
//	  WAITING_FOR_PERMITS,
//	  BACKOFF           --attempt-->    RUNNING
//	RUNNING             --retry-->      BACKOFF
//	any but DONE        --end-->        DONE
//	WAITING, QUEUED     --pause-->      PAUSED (PAUSE action or breakpoint)
//	PAUSED              --create-->     EVALUATING_PARAMS (RESUME)
//	BACKOFF             --pause-->      PAUSED (a breakpoint on the retry's attempt)
//	PAUSED              --ask-permit/attempt--> (RESUME of a paused retry)
//	DONE                --restart-->    WAITING (RESTART action, run in progress)
//	WAITING, QUEUED     --wait-signals--> WAITING_FOR_SIGNALS
//	PAUSED              --wait-signals--> WAITING_FOR_SIGNALS (RESUME of a step with signal dependencies)
//	WAITING_FOR_SIGNALS --create-->     EVALUATING_PARAMS (every dependency matched)
//	WAITING_FOR_SIGNALS --bypass-->     EVALUATING_PARAMS
var stepTransitions = [...]map[stepEvent]phase{
	phaseWaiting: {evQueue: phaseQueued, evCreate: phaseParams, evEnd: phaseDone, evPause: phasePaused, evWaitSignals: phaseSignals},
	phaseQueued:  {evCreate: phaseParams, evEnd: phaseDone, evPause: phasePaused, evWaitSignals: phaseSignals},
	phaseParams:  {evAsk: phasePermit, evAttempt: phaseRunning, evEnd: phaseDone},
	phasePermit:  {evAttempt: phaseRunning, evEnd: phaseDone},
	phaseRunning: {evRetry: phaseBackoff, evEnd: phaseDone},
	phaseBackoff: {evAsk: phasePermit, evAttempt: phaseRunning, evEnd: phaseDone, evPause: phasePaused},
	phaseDone:    {evRestart: phaseWaiting},
	phasePaused:  {evCreate: phaseParams, evWaitSignals: phaseSignals, evEnd: phaseDone, evAsk: phasePermit, evAttempt: phaseRunning},
	phaseSignals: {evCreate: phaseParams, evBypass: phaseParams, evEnd: phaseDone},
}

// phaseNone marks an event a phase does not accept in nextPhase.
const phaseNone phase = 255

// nextPhase is stepTransitions as a table indexed by phase and event, so a
// move costs no map lookup.
var nextPhase = func() (t [len(phaseNames)][len(eventNames)]phase) {
	for p := range t {
		for e := range t[p] {
			t[p][e] = phaseNone
		}
		for e, to := range stepTransitions[p] {
			t[p][e] = to
		}
	}
	return t
}()

// transition is one recorded move of a step.
type transition struct {
	from, to phase
	ev       stepEvent
	attempt  int32 // 8 bytes a move, not 16: the ring is in every step's node
}

// maxTransitionHistory bounds the moves a step remembers for errors.
const maxTransitionHistory = 8

// machine is a step's state machine: its phase and its latest moves (a
// ring, so recording a move allocates nothing).
type machine struct {
	phase   phase
	moves   int // moves made in all
	history [maxTransitionHistory]transition
}

// invalidTransitionError says which event arrived in a phase that does not
// accept it, with the step's recent moves.
type invalidTransitionError struct {
	step    string
	ev      stepEvent
	phase   phase
	history []transition
}

func (e *invalidTransitionError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "baton: step %q: event %s in phase %s, which does not accept it; latest moves:", e.step, e.ev, e.phase)
	for _, t := range e.history {
		fmt.Fprintf(&b, " %s-(%s, attempt %d)->%s", t.from, t.ev, t.attempt, t.to)
	}
	return b.String()
}

// move applies an event: it records the transition, or returns an error if
// the step's phase does not accept the event.
func (m *machine) move(step string, ev stepEvent, attempt int) error {
	to := nextPhase[m.phase][ev]
	if to == phaseNone {
		return &invalidTransitionError{step: step, ev: ev, phase: m.phase, history: m.recent()}
	}
	m.history[m.moves%maxTransitionHistory] = transition{from: m.phase, to: to, ev: ev, attempt: int32(min(attempt, math.MaxInt32))}
	m.moves++
	m.phase = to
	return nil
}

// recent lists the remembered moves, oldest first.
func (m *machine) recent() []transition {
	n := min(m.moves, maxTransitionHistory)
	out := make([]transition, 0, n)
	for i := m.moves - n; i < m.moves; i++ {
		out = append(out, m.history[i%maxTransitionHistory])
	}
	return out
}
