package workflows

import (
	"fmt"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/translator"
)

// What Temporal itself shows of a run, so that a FAILED Maestro instance is
// not a green COMPLETED anywhere:
//
//   - Search attributes: BatonStatus (the instance status) is kept current,
//     beside BatonWorkflowId and BatonVersion (set at start). The client
//     sets all three when it starts a run on a namespace that has them
//     registered; only such runs upsert, so a namespace without them never
//     sees an upsert it would refuse. Such a run gives them to its
//     subworkflow child runs. BatonStatus changes once, from
//     IN_PROGRESS to the final status, so a run upserts once (in its last
//     workflow task), however many steps or iterations it has.
//   - Current details (workflow.SetCurrentDetails, shown by the Temporal UI
//     and CLI): the status and a short step table, rebuilt at most once per
//     round of events of the event-driven engine (by its loop, before it
//     waits; while a step's local activity is in flight, at most once a
//     second: observer.update), on the legacy engine by a coroutine woken by
//     the SDK after each round of workflow code; not once per step update.
//   - The loop workflows answer QueryLoop with their progress and show it
//     as their current details.
//
// The Temporal workflow itself still completes for every instance status:
// its result is the State (what client.Run.Wait, a restart and a parent's
// subworkflow step read), and a failed workflow carries no result.

// Baton's custom search attributes. A namespace needs them registered
// (baton dev does it; see the README for a real cluster).
var (
	SearchAttributeStatus     = temporal.NewSearchAttributeKeyKeyword("BatonStatus")
	SearchAttributeWorkflowID = temporal.NewSearchAttributeKeyKeyword("BatonWorkflowId")
	SearchAttributeVersion    = temporal.NewSearchAttributeKeyInt64("BatonVersion")
)

// SearchAttributeKeys lists Baton's custom search attributes.
func SearchAttributeKeys() []temporal.SearchAttributeKey {
	return []temporal.SearchAttributeKey{SearchAttributeStatus, SearchAttributeWorkflowID, SearchAttributeVersion}
}

// ChangeObserveStatus gates the status upsert of runs that carry Baton's
// search attributes.
const ChangeObserveStatus = "observe-status"

// childSearchAttributes are the search attributes a subworkflow's child
// run starts with: Baton's, for the child's workflow id, when this
// workflow carries them (so its namespace has them); none otherwise (then
// the child's start command is as before the change).
func childSearchAttributes(ctx workflow.Context, child *translator.Plan, lean bool) temporal.SearchAttributes {
	if _, ok := workflow.GetTypedSearchAttributes(ctx).GetKeyword(SearchAttributeStatus); !ok || child == nil ||
		observeStatusVersion(ctx, lean) != 1 {
		return temporal.SearchAttributes{}
	}
	return temporal.NewSearchAttributes(SearchAttributeStatus.ValueSet(string(InProgress)), SearchAttributeWorkflowID.ValueSet(child.WorkflowID))
}

// QueryLoop is the query a loop workflow answers with its LoopProgress.
const QueryLoop = "baton.loop"

// detailRows bounds the step table of the current details.
const detailRows = 12

// observer keeps a run's current details and BatonStatus up to date.
type observer struct {
	r      *run
	upsert bool           // the run carries BatonStatus: upsert its changes
	status InstanceStatus // BatonStatus as last set
	// The step statuses and attempts the details show.
	shown    []StepStatus
	attempts []int
	rendered time.Time // workflow time of the last render
}

// observeRun starts observing a (non-inline) run. On the event-driven
// engine (events) the first details are rendered by the first round that
// ends with the run still going (update, which the run's moved flag asks
// to render) or by end, whichever comes first: nothing reads them while
// the first workflow task runs, and a run that ends in it (a one-step
// NoOp run) renders once instead of twice.
func observeRun(ctx workflow.Context, r *run, events bool) *observer {
	o := &observer{r: r}
	if !events { // the legacy engine's watch compares with what was shown
		o.shown, o.attempts = make([]StepStatus, len(r.state.Steps)), make([]int, len(r.state.Steps))
	}
	if s, ok := workflow.GetTypedSearchAttributes(ctx).GetKeyword(SearchAttributeStatus); ok &&
		observeStatusVersion(ctx, r.lean) == 1 {
		o.upsert, o.status = true, InstanceStatus(s)
	}
	if events {
		r.moved = true
	} else {
		o.refresh()
	}
	return o
}

// detailsLag bounds how stale the details may be, in workflow time, while
// a step's local activity is in flight (observer.update).
const detailsLag = time.Second

// update refreshes the details if a step moved (run.move), without
// looking at the steps otherwise. The event-driven engine calls it once per
// round of events, from its own loop. The render is a pass over every step,
// so once per round made a chain of N local-activity steps O(N²); but
// while a step's local activity is in flight the SDK keeps the workflow
// task open, and nothing outside the workflow reads the details before the
// task ends. So then it renders only if detailsLag of workflow time has
// passed since the last render (workflow.Now advances with each local
// activity's result; the SDK may heartbeat a long task, and a query
// answered then sees details at most that old); the round in which the
// last one settles, and the end of the run, render as before. The details
// are not in the history: this changes no command.
func (o *observer) update() {
	if !o.r.moved {
		return
	}
	if o.r.eng != nil && o.r.eng.locals > 0 && workflow.Now(o.r.ctx).Sub(o.rendered) < detailsLag {
		return // still moved: a later round renders
	}
	o.r.moved = false
	o.refresh()
}

// watch keeps the details current on the legacy engine, whose steps change
// in coroutines of their own: a coroutine the SDK wakes after each round of
// workflow code. It outlives a cancelled run (it only reads state).
func (o *observer) watch(ctx workflow.Context) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	workflow.Go(dctx, func(ctx workflow.Context) {
		for {
			if workflow.Await(ctx, o.changed) != nil {
				return
			}
			o.refresh()
		}
	})
}

// end shows the final state and upserts the final status.
func (o *observer) end(ctx workflow.Context) {
	o.refresh()
	if o.upsert && o.status != o.r.state.Status {
		o.status = o.r.state.Status
		dctx, _ := workflow.NewDisconnectedContext(ctx)
		if err := workflow.UpsertTypedSearchAttributes(dctx, SearchAttributeStatus.ValueSet(string(o.status))); err != nil {
			workflow.GetLogger(ctx).Warn("baton: upsert BatonStatus", "error", err)
		}
	}
}

// changed reports whether a step's status or attempt count changed since
// the details were built: a pass over every step (status strings are
// constants, so equal ones compare by pointer), for the legacy engine,
// whose steps do not move.
func (o *observer) changed() bool {
	for i, s := range o.r.state.Steps {
		if s.Status != o.shown[i] || s.Attempts != o.attempts[i] {
			return true
		}
	}
	return false
}

func (o *observer) refresh() {
	if o.shown != nil { // only the legacy engine's watch asks what changed
		for i, s := range o.r.state.Steps {
			o.shown[i], o.attempts[i] = s.Status, s.Attempts
		}
	}
	o.rendered = workflow.Now(o.r.ctx)
	if detailsRenders != nil {
		*detailsRenders++
	}
	workflow.SetCurrentDetails(o.r.ctx, StateDetails(o.r.state))
}

// detailsRenders, if set (by a test), counts the renders of the details.
var detailsRenders *int

// StateDetails renders a run's status as Temporal markdown: the instance
// status, step counts by status, and a table of at most 12 steps (the
// unfinished and failed ones first when there are more). A running run
// renders it on every change, so it allocates little beyond its result.
func StateDetails(st *State) string {
	// The distinct statuses are few: a slice kept sorted by name beats a
	// map, and neighbouring steps mostly share a status, so the last one
	// found is tried first. One pass also picks the rows: the notable
	// steps, then the others, at most detailRows of each, in plan order.
	var countsBuf [16]statusCount
	counts := countsBuf[:0]
	var notableBuf, otherBuf [detailRows]*StepState
	notable, other := notableBuf[:0], otherBuf[:0]
	last := -1
	for _, s := range st.Steps {
		if last >= 0 && counts[last].status == s.Status {
			counts[last].n++
		} else {
			i := 0
			for i < len(counts) && counts[i].status < s.Status {
				i++
			}
			if i < len(counts) && counts[i].status == s.Status {
				counts[i].n++
			} else {
				counts = append(counts, statusCount{})
				copy(counts[i+1:], counts[i:])
				counts[i] = statusCount{status: s.Status, n: 1}
			}
			last = i
		}
		switch {
		case len(notable) < detailRows && notableStatus(s.Status):
			notable = append(notable, s)
		case len(other) < detailRows && !notableStatus(s.Status):
			other = append(other, s)
		}
	}
	rows := st.Steps
	if len(rows) > detailRows {
		rows = append(notable, other[:min(len(other), detailRows-len(notable))]...)
	}
	b := make([]byte, 0, 128+24*len(counts)+48*len(rows)+len(st.Error))
	b = append(append(append(b, "**"...), st.Status...), "** · "...)
	b = append(strconv.AppendInt(b, int64(len(st.Steps)), 10), " steps:"...)
	for i, c := range counts {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(strconv.AppendInt(append(b, ' '), int64(c.n), 10), ' ')
		b = append(b, c.status...)
	}
	b = append(b, "\n\n| step | status | attempts |\n|---|---|---|\n"...)
	for _, s := range rows {
		b = append(append(append(append(b, "| "...), s.ID...), " | "...), s.Status...)
		b = append(strconv.AppendInt(append(b, " | "...), int64(s.Attempts), 10), " |\n"...)
	}
	if more := len(st.Steps) - len(rows); more > 0 {
		b = append(strconv.AppendInt(append(b, "\n… and "...), int64(more), 10), " more steps\n"...)
	}
	if st.Error != "" {
		b = append(append(append(b, "\nreason: "...), truncate(st.Error, 300)...), '\n')
	}
	return string(b)
}

type statusCount struct {
	status StepStatus
	n      int
}

// notableStatus: a step a reader looks for first (running, or failed).
func notableStatus(s StepStatus) bool {
	switch s {
	case NotCreated, Succeeded, Unsatisfied, Skipped:
		return false
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// LoopProgress is a loop workflow's progress (QueryLoop).
type LoopProgress struct {
	// Total is a foreach's iteration count (0 for a while loop).
	Total int `json:"total,omitempty"`
	// Done counts finished iterations, over all runs of the loop workflow
	// (and, in a restarted foreach, the successes kept from before).
	Done    int        `json:"done"`
	Running int        `json:"running"`
	Counts  LoopCounts `json:"counts"`
	// Shards counts a wide foreach's shards (ShardID), whose progress adds
	// to this (AddShard).
	Shards int `json:"shards,omitempty"`
}

// observeLoop registers QueryLoop on a loop workflow and keeps its current
// details showing the progress. It issues no command, so it needs no
// version gate: a replay is unaffected.
func observeLoop(ctx workflow.Context, progress func() LoopProgress) {
	_ = workflow.SetQueryHandler(ctx, QueryLoop, func() (LoopProgress, error) { return progress(), nil })
	var last LoopProgress
	show := func() {
		last = progress()
		workflow.SetCurrentDetails(ctx, last.String())
	}
	show()
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	workflow.Go(dctx, func(ctx workflow.Context) {
		for {
			if workflow.Await(ctx, func() bool { return progress() != last }) != nil {
				return
			}
			show()
		}
	})
}

// String is the progress as one line: "3120/25000 done, 12 running, 2 failed".
func (p LoopProgress) String() string {
	s := fmt.Sprintf("%d done", p.Done)
	if p.Total > 0 {
		s = fmt.Sprintf("%d/%d done", p.Done, p.Total)
	}
	s += fmt.Sprintf(", %d running", p.Running)
	for _, c := range []struct {
		n    int
		what string
	}{{p.Counts.Failed, "failed"}, {p.Counts.TimedOut, "timed out"}, {p.Counts.Stopped, "stopped"}} {
		if c.n > 0 {
			s += fmt.Sprintf(", %d %s", c.n, c.what)
		}
	}
	return s
}

// foreachProgress is a foreach's LoopProgress.
func foreachProgress(in *ForeachInput, running map[int]workflow.CancelFunc) func() LoopProgress {
	return func() LoopProgress {
		c := in.Counts
		return LoopProgress{Total: in.Total, Done: in.Carried + c.Succeeded + c.Failed + c.TimedOut + c.Stopped, Running: len(running), Counts: c}
	}
}

// whileProgress is a while loop's LoopProgress: in.Next counts the
// iterations that ended; while the workflow runs, one iteration (or its
// condition) is in progress.
func whileProgress(in *WhileInput) func() LoopProgress {
	return func() LoopProgress {
		return LoopProgress{Done: in.Next, Running: 1, Counts: in.Counts}
	}
}
