package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Names of the permits workflow and its signals.
const (
	PermitsWorkflowName = "baton.Permits"
	// SignalPermitsRequest carries a PermitRequest to the permits workflow.
	SignalPermitsRequest = "baton.permits.request"
	// SignalPermitsGrant carries a PermitGrant to a requester.
	SignalPermitsGrant = "baton.permits.grant"
)

// Tunables of the permits workflow; tests lower them.
var (
	// permitsProbeInterval is how long the permits workflow waits without
	// any request, return or grant before it probes the runs it depends on
	// (see Permits); the wait doubles while nothing happens, up to
	// permitsProbeMax.
	permitsProbeInterval = 5 * time.Minute
	permitsProbeMax      = time.Hour
	// permitsHistoryBudget is the history length past which the permits
	// workflow stops granting, waits for its grants to be delivered and
	// continues as new. It also keeps a run well under the server's limit
	// of 10,000 signals per execution (each event is at most one signal).
	permitsHistoryBudget = 4000
)

// PermitHolder names one workflow run that asks for permits.
type PermitHolder struct {
	ID    string `json:"id"`
	RunID string `json:"run_id"`
}

// PermitRequest is what a requester sends the permits workflow: permits
// it asks for, permits it gives back, or that it leaves (gives back all it
// holds and withdraws what it asked for: sent when the run ends, or before
// a loop continues as new).
type PermitRequest struct {
	From PermitHolder `json:"from"`
	// Seq numbers the requester's messages (the request token echoed in
	// grants).
	Seq    int64 `json:"seq,omitempty"`
	Ask    int   `json:"ask,omitempty"`
	Return int   `json:"return,omitempty"`
	// Limit is a stricter cap for this requester's asks (a subworkflow's own
	// instance_step_concurrency inside a capped tree): they are granted only
	// while fewer than Limit permits of the tree are held.
	Limit int  `json:"limit,omitempty"`
	Leave bool `json:"leave,omitempty"`
}

// PermitGrant is what the permits workflow sends a requester: N permits
// for its asks, oldest first, and whether asks of other runs wait. While
// none wait, a requester may pass a permit from a step that ends straight
// to one that starts in the same workflow task, instead of returning it and
// asking again; when some start waiting, its holders are told (N == 0,
// Waiting). N == 0 is also a probe: delivering it tells the permits
// workflow that the run is still open.
type PermitGrant struct {
	N       int   `json:"n"`
	Seq     int64 `json:"seq,omitempty"` // the last request (partly) granted
	Waiting bool  `json:"waiting,omitempty"`
	// Stamp orders the messages to one requester: signals sent at once
	// can arrive in any order, and only the latest Waiting counts.
	Stamp int64 `json:"stamp"`
}

// PermitCount is how many permits a run holds.
type PermitCount struct {
	PermitHolder
	N int `json:"n"`
	// Free: the run was last told that no other run waits.
	Free bool `json:"free,omitempty"`
}

// PermitAsk is an ask waiting in the permits workflow's queue.
type PermitAsk struct {
	From  PermitHolder `json:"from"`
	N     int          `json:"n"`
	Limit int          `json:"limit,omitempty"`
	Seq   int64        `json:"seq,omitempty"`
}

// PermitsInput is the permits workflow's input and the compact state it
// carries through continue-as-new.
type PermitsInput struct {
	Cap int `json:"cap"`
	// Owner is the run that started this permits workflow; once it has left
	// (or is found closed), the workflow ends as soon as no permit is held
	// or asked for.
	Owner     PermitHolder  `json:"owner"`
	OwnerDone bool          `json:"owner_done,omitempty"`
	Holders   []PermitCount `json:"holders,omitempty"`
	Queue     []PermitAsk   `json:"queue,omitempty"` // FIFO
	// Quiet counts probes in a row with nothing happening in between (it
	// backs the probe interval off).
	Quiet int `json:"quiet,omitempty"`
	// Stamp is the last message stamp; a new run (not a continuation)
	// starts from the workflow clock, so stamps grow across restarts too.
	Stamp int64 `json:"stamp,omitempty"`
}

// Permits is the semaphore of one tree cap (instance_step_concurrency,
// MAESTRO.md §4.10): the runs of the tree (the root run, its loop
// workflows, its subworkflow runs at any depth, sync or not) ask it for a
// permit before each attempt of a leaf step and give it back after.
// Workflows cannot call each other, so it is all signals: a requester
// signals a PermitRequest to this workflow by id (whatever its current run);
// grants are signalled back to the requester's run (workflow id and run id),
// FIFO, at most Cap held at once (or a request's stricter Limit). A grant
// that cannot be delivered (the requester's run has closed) takes back
// everything that run held.
//
// Runs normally give their permits back and leave when they end, even when
// cancelled. A run that is terminated or times out cannot: after
// permitsProbeInterval with nothing happening, the workflow probes the runs
// it depends on (an empty grant; delivery fails for a closed run) and
// takes back what closed runs held: the owner while it has not left, and
// the holders when asks are waiting or the owner is done.
//
// It ends once its owner has left and no permit is held or asked for; a
// run of the tree that asks later (an async subworkflow outliving its
// parent) finds it gone and starts it again. It continues as new past
// permitsHistoryBudget events. Cancelling it has no effect.
func Permits(ctx workflow.Context, in PermitsInput) error {
	if in.Cap <= 0 {
		return errors.New("baton: the permits workflow needs a cap")
	}
	// Grants must reach the tree even if someone cancels this workflow.
	ctx, _ = workflow.NewDisconnectedContext(ctx)
	s := &permits{PermitsInput: in}
	s.Stamp = max(s.Stamp, workflow.Now(ctx).UnixNano())
	for _, h := range in.Holders {
		s.used += h.N
	}
	requests := workflow.GetSignalChannel(ctx, SignalPermitsRequest)
	results := workflow.NewChannel(ctx)
	var timer workflow.Future
	for {
		full := historyLength(ctx) >= permitsHistoryBudget
		if !full {
			s.grant(ctx, results)
			s.recall(ctx, results)
		}
		if s.pending == 0 && (full || s.done()) {
			if s.drain(requests) {
				continue // a request came in meanwhile: serve it first
			}
			if s.done() {
				return nil
			}
			s.Quiet = 0
			return workflow.NewContinueAsNewError(ctx, PermitsWorkflowName, s.PermitsInput)
		}
		if timer == nil {
			timer = workflow.NewTimer(ctx, s.probeDelay())
			s.active = false
		}
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(requests, func(c workflow.ReceiveChannel, _ bool) {
			var m PermitRequest
			c.Receive(ctx, &m)
			s.apply(m)
		})
		sel.AddReceive(results, func(c workflow.ReceiveChannel, _ bool) {
			var r signalResult
			c.Receive(ctx, &r)
			s.delivered(r)
		})
		sel.AddFuture(timer, func(workflow.Future) {
			timer = nil
			s.tick(ctx, results)
		})
		sel.Select(ctx)
	}
}

// permits is the permits workflow's state.
type permits struct {
	PermitsInput
	used    int  // permits held, the sum of Holders
	pending int  // grants and probes signalled, not yet delivered
	active  bool // something happened since the probe timer started
}

// signalResult is the outcome of a grant (N > 0) or probe signal.
type signalResult struct {
	To  PermitHolder
	N   int
	Err error
}

func (s *permits) done() bool {
	return s.OwnerDone && s.used == 0 && len(s.Queue) == 0 && s.pending == 0
}

// drain applies the requests already received, before the workflow ends
// or continues as new; it reports whether there were any.
func (s *permits) drain(requests workflow.ReceiveChannel) bool {
	got := false
	for {
		var m PermitRequest
		if !requests.ReceiveAsync(&m) {
			return got
		}
		s.apply(m)
		got = true
	}
}

// apply takes a requester's message.
func (s *permits) apply(m PermitRequest) {
	s.active = true
	if m.Leave {
		s.forget(m.From)
		return
	}
	if m.Return > 0 {
		s.add(m.From, -m.Return)
	}
	if m.Ask > 0 {
		s.Queue = append(s.Queue, PermitAsk{From: m.From, N: m.Ask, Limit: m.Limit, Seq: m.Seq})
	}
}

// grant hands out free permits to the queue, oldest ask first; an ask that
// cannot be served whole blocks the ones behind it. Each requester gets one
// signal for all it is granted at once.
func (s *permits) grant(ctx workflow.Context, results workflow.Channel) {
	var grants []PermitAsk // per requester, in the order of their oldest ask
	for len(s.Queue) > 0 {
		a := &s.Queue[0]
		limit := s.Cap
		if a.Limit > 0 && a.Limit < limit {
			limit = a.Limit
		}
		n := min(limit-s.used, a.N)
		if n <= 0 {
			break
		}
		s.add(a.From, n)
		i := 0
		for i < len(grants) && grants[i].From != a.From {
			i++
		}
		if i == len(grants) {
			grants = append(grants, PermitAsk{From: a.From})
		}
		grants[i].N += n
		grants[i].Seq = a.Seq
		if a.N -= n; a.N > 0 {
			break
		}
		s.Queue = s.Queue[1:]
	}
	for _, g := range grants {
		s.active = true
		s.signal(ctx, results, g.From, PermitGrant{N: g.N, Seq: g.Seq})
	}
}

// recall tells holders that were told no other run waits that some now do:
// from now on they give back every permit their steps are done with.
func (s *permits) recall(ctx workflow.Context, results workflow.Channel) {
	if len(s.Queue) == 0 {
		return
	}
	for _, h := range s.Holders {
		if h.Free && s.waiting(h.PermitHolder) {
			s.signal(ctx, results, h.PermitHolder, PermitGrant{})
		}
	}
}

// waiting reports whether asks of runs other than to are queued.
func (s *permits) waiting(to PermitHolder) bool {
	for _, a := range s.Queue {
		if a.From != to {
			return true
		}
	}
	return false
}

// signal sends a grant or a probe (with Waiting set for the receiver) and
// reports its delivery on results.
func (s *permits) signal(ctx workflow.Context, results workflow.Channel, to PermitHolder, g PermitGrant) {
	g.Waiting = s.waiting(to)
	s.Stamp++
	g.Stamp = s.Stamp
	for i := range s.Holders {
		if s.Holders[i].PermitHolder == to {
			s.Holders[i].Free = !g.Waiting
		}
	}
	s.pending++
	f := workflow.SignalExternalWorkflow(ctx, to.ID, to.RunID, SignalPermitsGrant, g)
	workflow.Go(ctx, func(ctx workflow.Context) {
		err := f.Get(ctx, nil)
		results.Send(ctx, signalResult{To: to, N: g.N, Err: err})
	})
}

// delivered handles the outcome of a grant or probe: a run that is closed
// holds nothing any more, whatever it was granted.
func (s *permits) delivered(r signalResult) {
	s.pending--
	if r.Err == nil {
		return
	}
	var gone *temporal.UnknownExternalWorkflowExecutionError
	if !errors.As(r.Err, &gone) {
		// Not a closed run (a namespace problem?): keep the permits counted
		// as held; a later probe finds out.
		return
	}
	s.forget(r.To)
}

// tick runs when the probe timer fires: if nothing happened since it
// started, probe the runs whose end would change something.
func (s *permits) tick(ctx workflow.Context, results workflow.Channel) {
	if s.active {
		s.Quiet = 0
		return
	}
	s.Quiet++
	if !s.OwnerDone {
		s.signal(ctx, results, s.Owner, PermitGrant{})
	}
	if s.OwnerDone || len(s.Queue) > 0 {
		for _, h := range s.Holders {
			if h.PermitHolder != s.Owner || s.OwnerDone {
				s.signal(ctx, results, h.PermitHolder, PermitGrant{})
			}
		}
	}
}

// probeDelay backs the probe interval off while nothing happens.
func (s *permits) probeDelay() time.Duration {
	d := permitsProbeInterval
	for i := 0; i < s.Quiet && d < permitsProbeMax; i++ {
		d *= 2
	}
	return min(d, permitsProbeMax)
}

// add changes what a run holds by n (never below zero).
func (s *permits) add(from PermitHolder, n int) {
	for i := range s.Holders {
		h := &s.Holders[i]
		if h.PermitHolder != from {
			continue
		}
		n = max(n, -h.N)
		h.N += n
		s.used += n
		if h.N == 0 {
			s.Holders = append(s.Holders[:i], s.Holders[i+1:]...)
		}
		return
	}
	if n > 0 {
		s.Holders = append(s.Holders, PermitCount{PermitHolder: from, N: n})
		s.used += n
	}
}

// forget drops a run that left or closed: what it holds and what it asked.
func (s *permits) forget(from PermitHolder) {
	for i := range s.Holders {
		if s.Holders[i].PermitHolder == from {
			s.used -= s.Holders[i].N
			s.Holders = append(s.Holders[:i], s.Holders[i+1:]...)
			break
		}
	}
	q := s.Queue[:0]
	for _, a := range s.Queue {
		if a.From != from {
			q = append(q, a)
		}
	}
	s.Queue = q
	if from == s.Owner {
		s.OwnerDone = true
	}
}
