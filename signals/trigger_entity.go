package signals

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Names of the per-trigger entity: its workflow type, the signal a store's
// fire activity offers it an instance with, its state query and the
// activity it admits a firing with (the scheduler package registers it).
const (
	TriggerWorkflowName = "baton.SignalTrigger"
	SignalOffer         = "offer"
	QueryTriggerState   = "state"
	AdmitActivityName   = "baton.signals.AdmitTrigger"
	triggerIDPrefix     = "baton-signal-trigger/"
)

// Bounds of a trigger entity's state (see TriggerState).
const (
	// MaxCandidates unused instances are kept per signal; the oldest go
	// first.
	MaxCandidates = 1000
	// maxCandidateBytes bounds all candidates' estimated size, so the
	// continue-as-new input stays well under Temporal's 2 MB limit.
	maxCandidateBytes = 1 << 20
	// offersPerRun: offers a run takes before it continues as new.
	offersPerRun = 1000
)

// TriggerWorkflowID is the id of the entity owning t's checkpoints: one
// per workflow id, version and trigger index (Maestro's trigger uuid).
func TriggerWorkflowID(t *Trigger) string {
	return fmt.Sprintf("%s%s/v%d/%d", triggerIDPrefix, t.WorkflowID, t.Version, t.Index)
}

// TriggerState is a trigger entity's state, carried across
// continue-as-new: Maestro's checkpoint per signal (the sequence id of the
// last instance of it a firing used; an instance at or before it never
// takes part again) and the instances offered since, not yet used.
type TriggerState struct {
	Trigger     *Trigger               `json:"trigger"`
	Checkpoints map[string]int64       `json:"checkpoints,omitempty"`
	Candidates  map[string][]*Instance `json:"candidates,omitempty"` // by name, Seq order, each after its checkpoint
	// Fired counts firings (admit activities started), for observers.
	Fired int64 `json:"fired,omitempty"`
	// OffersPerRun is how many offers a run takes before it continues as
	// new. Default 1,000.
	OffersPerRun int `json:"offers_per_run,omitempty"`
	// IdleCheck: after this long without an offer the entity checks that
	// its version is still active (the admit activity with no instances),
	// and ends if not. Default 24 hours.
	IdleCheck time.Duration `json:"idle_check,omitempty"`
}

// AdmitRequest is the admit activity's input: one firing, the instance
// of each of the trigger's signals it joined; none: only check that the
// trigger's version is still active.
type AdmitRequest struct {
	Trigger *Trigger             `json:"trigger"`
	Matched map[string]*Instance `json:"matched"`
}

// AdmitResult is the admit activity's answer. Inactive: the trigger's
// version is no longer the active one, so the entity ends.
type AdmitResult struct {
	Inactive bool `json:"inactive,omitempty"`
}

// TriggerEntity is the workflow owning one trigger's checkpoints. Stores
// offer it each instance meeting the trigger's conditions on its name
// (signal-with-start from the fire activity); it joins them as Maestro's
// tryExecuteTrigger does, one offer at a time, so a join and its
// checkpoint update are atomic: the offered instance with, for every
// other signal, the OLDEST unused instance after that signal's checkpoint
// with equal join-key values; a firing moves every checkpoint to the
// instances it used and starts the admit activity (version check,
// condition, dedup_expr, params, run strategy). As in Maestro, the
// checkpoints move before the condition is evaluated: instances joined
// under a false condition are used up.
func TriggerEntity(ctx workflow.Context, st TriggerState) error {
	if st.Trigger == nil || len(st.Trigger.Defs) == 0 {
		return temporal.NewNonRetryableApplicationError("signal trigger entity: no trigger", "baton.signals.Invalid", nil)
	}
	if st.Checkpoints == nil {
		st.Checkpoints = map[string]int64{}
	}
	if st.IdleCheck <= 0 {
		st.IdleCheck = 24 * time.Hour
	}
	if st.OffersPerRun <= 0 {
		st.OffersPerRun = offersPerRun
	}
	if st.Candidates == nil {
		st.Candidates = map[string][]*Instance{}
	}
	e := &triggerEntity{TriggerState: st}
	if err := workflow.SetQueryHandler(ctx, QueryTriggerState, func() (TriggerState, error) { return e.TriggerState, nil }); err != nil {
		return err
	}
	ch := workflow.GetSignalChannel(ctx, SignalOffer)
	take := func() bool {
		var in Instance
		if !ch.ReceiveAsync(&in) {
			return false
		}
		if matched := e.offer(&in); matched != nil {
			e.admit(ctx, matched)
		}
		return true
	}
	for offers := 0; offers < e.OffersPerRun && !e.inactive && !workflow.GetInfo(ctx).GetContinueAsNewSuggested(); {
		got, err := workflow.AwaitWithTimeout(ctx, e.IdleCheck, func() bool { return ch.Len() > 0 || e.inactive })
		if err != nil {
			return err
		}
		if got {
			if take() {
				offers++
			}
			continue
		}
		// Idle: a replaced or deactivated version's trigger gets no more
		// offers, so the entity asks whether its version is still active.
		e.admit(ctx, nil)
		if err := workflow.Await(ctx, func() bool { return e.admitting == 0 }); err != nil {
			return err
		}
	}
	for { // nothing offered is dropped at the hand-over
		for take() {
		}
		if err := workflow.Await(ctx, func() bool { return e.admitting == 0 }); err != nil {
			return err
		}
		if ch.Len() == 0 {
			break
		}
	}
	if e.inactive {
		return nil // the version is no longer active: its checkpoints go with it
	}
	return workflow.NewContinueAsNewError(ctx, TriggerWorkflowName, e.TriggerState)
}

type triggerEntity struct {
	TriggerState
	admitting int
	inactive  bool
}

// offer keeps in as a candidate and answers the instances of a firing it
// completes (nil: none), moving the checkpoints.
func (e *triggerEntity) offer(in *Instance) map[string]*Instance {
	def, ok := e.Trigger.Defs[in.Name]
	if !ok || in.Seq <= e.Checkpoints[in.Name] {
		return nil // not this trigger's, or already used (a repeated offer)
	}
	e.keep(in)
	join := make([]Value, 0, len(def.JoinKeys))
	for _, k := range def.JoinKeys {
		v, ok := in.Params[k]
		if !ok {
			return nil // no value to join on
		}
		join = append(join, v)
	}
	matched := map[string]*Instance{in.Name: in}
	for _, name := range slices.Sorted(maps.Keys(e.Trigger.Defs)) {
		if name == in.Name {
			continue
		}
		od := e.Trigger.Defs[name]
		if len(od.JoinKeys) > 0 && len(od.JoinKeys) != len(join) {
			return nil // as Maestro: join keys of different lengths never join
		}
		var cond []MatchParam
		for i, k := range od.JoinKeys {
			cond = append(cond, MatchParam{Name: k, Operator: Equal, Value: join[i]})
		}
		var found *Instance
		for _, c := range e.Candidates[name] { // oldest first
			if c.Seq > e.Checkpoints[name] && c.Matches(cond) {
				found = c
				break
			}
		}
		if found == nil {
			return nil // a later offer may complete it
		}
		matched[name] = found
	}
	for name, m := range matched {
		e.Checkpoints[name] = m.Seq
		kept := e.Candidates[name][:0:0]
		for _, c := range e.Candidates[name] {
			if c.Seq > m.Seq {
				kept = append(kept, c)
			}
		}
		if len(kept) == 0 {
			delete(e.Candidates, name)
		} else {
			e.Candidates[name] = kept
		}
	}
	return matched
}

// keep inserts in (without its payload, which no join reads) in Seq
// order, once, and applies the bounds: the oldest candidates go first.
func (e *triggerEntity) keep(in *Instance) {
	c := *in
	c.Payload = nil
	list := e.Candidates[in.Name]
	i, found := slices.BinarySearchFunc(list, c.Seq, func(x *Instance, seq int64) int { return cmp.Compare(x.Seq, seq) })
	if found {
		return
	}
	list = slices.Insert(list, i, &c)
	if len(list) > MaxCandidates {
		list = list[len(list)-MaxCandidates:]
	}
	e.Candidates[in.Name] = list
	total := 0
	for _, l := range e.Candidates {
		for _, x := range l {
			total += x.size()
		}
	}
	for total > maxCandidateBytes {
		// Drop the oldest candidate of the longest list.
		var longest string
		for _, name := range slices.Sorted(maps.Keys(e.Candidates)) {
			if len(e.Candidates[name]) > len(e.Candidates[longest]) {
				longest = name
			}
		}
		l := e.Candidates[longest]
		total -= l[0].size()
		e.Candidates[longest] = append(l[:0:0], l[1:]...)
	}
}

// admit starts the admit activity for one firing (nil: an idle check);
// the entity waits for it before it continues as new.
func (e *triggerEntity) admit(ctx workflow.Context, matched map[string]*Instance) {
	if matched != nil {
		e.Fired++
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              e.Trigger.TaskQueue,
		StartToCloseTimeout:    time.Minute,
		ScheduleToCloseTimeout: time.Hour,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	f := workflow.ExecuteActivity(actx, AdmitActivityName, AdmitRequest{Trigger: e.Trigger, Matched: matched})
	e.admitting++
	workflow.Go(ctx, func(ctx workflow.Context) {
		var res AdmitResult
		if err := f.Get(ctx, &res); err == nil && res.Inactive {
			e.inactive = true
		} // a refused start is the activity's to report
		e.admitting--
	})
}
