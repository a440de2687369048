package workflows

import (
	"go.temporal.io/sdk/workflow"
)

// ChangeEventEngine selects the event-driven engine (engine.go, machine.go,
// engine_step.go, engine_loops.go) for a run of baton.Run, baton.Foreach or
// baton.While: new runs get version 1; runs started before replay through
// the coroutine-per-step engine in the legacy_*.go files.
const ChangeEventEngine = "event-engine"

// useEventEngine reports whether this workflow run uses the event-driven
// engine. Call it once, at the start of the workflow.
func useEventEngine(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, ChangeEventEngine, workflow.DefaultVersion, 1) == 1
}

// engine is the one event loop of a workflow run: every step of every run
// of the interpreter in it (a loop workflow's iterations too) registers the
// future it waits on, and the loop handles each future as it settles, in
// the workflow's main coroutine or, in a wide run, in one it moved to
// (engine_hop.go). No step has a coroutine of its own.
//
// Why not a workflow.Selector: its Select registers a callback on every
// pending case and removes them all again, so each event costs O(pending)
// (measured in selector_bench_test.go: 3,000 parallel activities take 10 s
// with one Selector against 1.4 s hand-written). And a coroutine per step
// costs more still: the SDK's dispatcher resumes every coroutine on each of
// its passes (1.6 s for 300). The engine instead blocks in one
// workflow.Await whose condition checks IsReady of the pending futures, a
// field read each, and hands the ready ones to their handlers in a
// deterministic order (1.7 s for 3,000, linear).
type engine struct {
	ctx   workflow.Context
	waits []pendingFuture // futures not settled yet
	ready []pendingFuture // settled, not handled yet
	queue []event         // events raised by handlers, run in order
	// polls are conditions outside futures (a signal, a cancellation): each
	// returns true when it has raised an event.
	polls []func() bool
	// idle, if set, runs each time the loop has handled every event and is
	// about to wait: once per round of events, in the loop's own coroutine
	// (an observer there costs nothing on the SDK's other dispatcher passes).
	idle func()
	// sigs routes the signal store's SignalMatched signals to the steps
	// waiting in this workflow (signal_deps.go); nil until a step waits.
	sigs *signalWaits
	// locals counts the steps' local-activity attempts in flight. While
	// one is, the SDK keeps the workflow task open (it completes a task
	// only once no local activity is pending, or heartbeats it), so nothing
	// outside the workflow can read what the run shows (observer.update).
	locals int
	// holds counts work the workflow must finish before it returns, which
	// no step waits for (a subworkflow attempt taking its child out of the
	// queue after a step action ended the step).
	holds int
	// The loop's moves to a coroutine behind the local activities'
	// (engine_hop.go): epoch counts them, behind counts the steps' local
	// attempts in flight started since the last one; hops is whether the
	// run's version of ChangeEngineHop allows them, once hopAsked.
	epoch, behind  int
	hopAsked, hops bool
}

// pendingFuture is a future and what handles it: on, or, for a step's
// attempt of an activity mode, the attempt's record (engine_attempt.go),
// which needs no closure of its own.
type pendingFuture struct {
	f  workflow.Future
	on func(workflow.Future)
	a  *attempt
}

// handle hands p's settled future to its handler.
func (p pendingFuture) handle() {
	if p.a != nil {
		p.a.settle(p.f)
		return
	}
	p.on(p.f)
}

// event is what the loop runs next: fn, or the end of step n of run r
// (run.stepEnded), which needs no closure of its own.
type event struct {
	fn func()
	r  *run
	n  *node
}

// fire runs ev.
func (ev event) fire() {
	if ev.fn != nil {
		ev.fn()
		return
	}
	ev.r.stepEnded(ev.n)
}

func newEngine(ctx workflow.Context) *engine {
	return &engine{ctx: ctx}
}

// await calls on(f) from the event loop once f has settled.
func (e *engine) await(f workflow.Future, on func(workflow.Future)) {
	e.waits = append(e.waits, pendingFuture{f: f, on: on})
}

// awaitAttempt calls a.settle(f) from the event loop once f has settled
// (await without a closure).
func (e *engine) awaitAttempt(f workflow.Future, a *attempt) {
	e.waits = append(e.waits, pendingFuture{f: f, a: a})
}

// post runs fn from the event loop, after the events raised before it.
func (e *engine) post(fn func()) {
	e.queue = append(e.queue, event{fn: fn})
}

// postStepEnd runs r.stepEnded(n) from the event loop, after the events
// raised before it (post without a closure).
func (e *engine) postStepEnd(r *run, n *node) {
	e.queue = append(e.queue, event{r: r, n: n})
}

// poll adds a condition the loop checks on every pass.
func (e *engine) poll(fn func() bool) {
	e.polls = append(e.polls, fn)
}

// hold keeps the loop from ending until a matching release.
func (e *engine) hold() { e.holds++ }

// release ends a hold and wakes the loop, which may end now.
func (e *engine) release() {
	e.holds--
	e.post(func() {})
}

// collect moves the settled futures to ready; it reports whether anything
// is to be handled.
func (e *engine) collect() bool {
	for i := 0; i < len(e.waits); {
		if e.waits[i].f.IsReady() {
			e.ready = append(e.ready, e.waits[i])
			last := len(e.waits) - 1
			e.waits[i] = e.waits[last]
			e.waits[last] = pendingFuture{}
			e.waits = e.waits[:last]
			continue
		}
		i++
	}
	raised := false
	for _, p := range e.polls {
		if p() {
			raised = true
		}
	}
	return raised || len(e.ready) > 0 || len(e.queue) > 0
}

// awaitFn is workflow.Await, called through a variable so that it is not
// inlined into awaitBelow: on every yield the SDK walks the coroutine's stack
// (isPanicking), and resolving a frame that was inlined allocates, 3
// allocations a step of a local-activity chain.
var awaitFn = workflow.Await

// loop handles events until done reports true. It may go on in another
// coroutine (engine_hop.go); it returns, in the caller's, once done.
func (e *engine) loop(done func() bool) {
	ctx := e.enter()
	finished := false
	e.run(ctx, ctx, done, &finished, waitPad)
	e.exit(ctx, &finished)
}

// enter is the context the loop waits in: its own wait must not end when
// the workflow is cancelled (a poll turns the cancellation into events).
// enter, run and exit are loop in three calls, for a caller that runs the
// loop closer to its coroutine's base (baton.Run, which also writes run's
// own loop out, so that it waits in workflow.Await called from its own
// frame): the SDK walks the coroutine's stack on every yield, three yields
// a step of a local-activity chain, and each frame of the walk costs
// (awaitBelow now keeps the walk above the caller's frames).
func (e *engine) enter() workflow.Context {
	dctx, _ := workflow.NewDisconnectedContext(e.ctx)
	return dctx
}

// exit returns once the loop has finished, in whichever coroutine it
// went on in.
func (e *engine) exit(ctx workflow.Context, finished *bool) {
	if !*finished {
		awaitBelow(ctx, func() bool { return *finished }, waitPad)
	}
}

// waitPad is how many frames of its own awaitBelow puts between the
// root coroutine's waits and the frames beneath them: enough that the
// SDK's walk of 20 frames on each yield (isPanicking, yield and the SDK's
// Await are 5 of them) ends inside them (TestAwaitBelowStack).
const waitPad = 16

// awaitBelow is workflow.Await called pad frames deeper. A coroutine
// blocked in a wait is called on every pass of the SDK's dispatcher, and
// each call walks up to 20 frames of its stack (isPanicking, on every
// yield). A wait of the workflow's root coroutine (baton.Run's loop, a
// loop workflow's, the root's wait in exit once the loop has moved to
// another coroutine: engine_hop.go) would walk the workflow function and
// the SDK's reflective call of it (reflect.Value.call, whose tables are
// long): about 5 µs a call against 1 µs for a local activity's coroutine
// (docs/performance.md, session 11: the root's walks in exit fell from 2-4%
// to 1% of a wide run's process CPU, the SDK's stack walks from 6-9% to
// 2-5% of a local-activity chain's). pad frames of this small function end
// the walk before them. A coroutine with few frames beneath its wait (one
// a hop started) walks fewer without a pad. A pure CPU matter: no command
// changes.
func awaitBelow(ctx workflow.Context, cond func() bool, pad int) {
	if pad > 0 {
		awaitBelow(ctx, cond, pad-1)
		return
	}
	_ = awaitFn(ctx, cond)
}

// run is the loop in the coroutine whose context is ctx; base is the
// loop's disconnected context, from which a hop starts the next coroutine.
// It sets finished once done. It waits pad frames deeper (awaitBelow):
// waitPad in the workflow's root coroutine, none in one a hop started,
// whose few frames beneath cost less to walk than a pad. baton.Run writes
// the same three lines out rather than calling it: one frame fewer for
// the SDK's stack walk on each of the loop's yields (see enter).
func (e *engine) run(ctx, base workflow.Context, done func() bool, finished *bool, pad int) {
	collect := e.collect // one func value, not one per wait
	for e.round(base, done, finished) {
		awaitBelow(ctx, collect, pad)
		e.handleReady()
	}
}

// round runs the queued events and reports whether the loop is to wait
// for more: false once done (finished is then set) or once the loop has
// moved to another coroutine (hop).
func (e *engine) round(base workflow.Context, done func() bool, finished *bool) bool {
	// Indexed, not re-sliced from the front, so the queue's array is
	// reused instead of reallocated as events are posted.
	for i := 0; i < len(e.queue); i++ {
		ev := e.queue[i]
		e.queue[i] = event{}
		ev.fire()
	}
	e.queue = e.queue[:0]
	if done() && e.holds == 0 {
		*finished = true
		return false
	}
	if e.hop(base, done, finished) {
		return false // the loop goes on in the coroutine hop started
	}
	if e.idle != nil {
		e.idle()
	}
	return true
}

// handleReady hands the futures collect found settled to their handlers.
func (e *engine) handleReady() {
	for i := 0; i < len(e.ready); i++ {
		p := e.ready[i]
		e.ready[i] = pendingFuture{}
		p.handle()
	}
	e.ready = e.ready[:0]
}
