package signals

import (
	"encoding/json"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"
)

// Names of the store's workflow type, update and queries.
const (
	WorkflowName     = "baton.SignalStore"
	UpdateSend       = "send"
	QueryList        = "list"
	QueryMatch       = "match"
	workflowIDPrefix = "baton-signal/"
)

// WorkflowID is the id of the entity workflow that stores name.
func WorkflowID(name string) string { return workflowIDPrefix + name }

// Options bound a store's state (see the package doc, Retention and cost).
type Options struct {
	// MaxInstances kept; the oldest go first. Default 10,000.
	MaxInstances int `json:"max_instances,omitempty"`
	// KeepNewest instances are kept whatever their age. Default 100.
	KeepNewest int `json:"keep_newest,omitempty"`
	// Retention drops older instances (but the KeepNewest). Default 7 days.
	Retention time.Duration `json:"retention,omitempty"`
	// MaxStateBytes bounds the kept instances' estimated encoded size
	// (see Instance.size), so the continue-as-new input stays under
	// Temporal's 2 MB payload limit; the oldest go first, whatever
	// KeepNewest says. Default 1 MiB.
	MaxStateBytes int `json:"max_state_bytes,omitempty"`
	// SendsPerRun is how many sends a run takes before it continues as
	// new. Default 1,000.
	SendsPerRun int `json:"sends_per_run,omitempty"`
}

func (o Options) withDefaults() Options {
	if o.MaxInstances <= 0 {
		o.MaxInstances = 10000
	}
	if o.KeepNewest <= 0 {
		o.KeepNewest = 100
	}
	if o.KeepNewest > o.MaxInstances {
		o.KeepNewest = o.MaxInstances
	}
	if o.Retention <= 0 {
		o.Retention = 7 * 24 * time.Hour
	}
	if o.SendsPerRun <= 0 {
		o.SendsPerRun = 1000
	}
	if o.MaxStateBytes <= 0 {
		o.MaxStateBytes = 1 << 20
	}
	return o
}

// State is the store's state, carried across continue-as-new.
type State struct {
	Name    string  `json:"name"`
	Options Options `json:"options"`
	// LastSeq is the last sequence id given; it never goes back.
	LastSeq int64 `json:"last_seq"`
	// Instances in Seq order, oldest first.
	Instances []*Instance `json:"instances,omitempty"`
	// Waiters are the runs waiting for a matching instance (wait.go).
	Waiters []*Waiter `json:"waiters,omitempty"`
	// Triggers are the signal triggers naming this signal (triggers.go).
	Triggers []*Trigger `json:"triggers,omitempty"`
}

// SendRequest is the update's argument.
type SendRequest struct {
	Params  map[string]Value `json:"params,omitempty"`
	Payload json.RawMessage  `json:"payload,omitempty"`
	// RequestID de-duplicates: a second send with it stores nothing.
	RequestID string `json:"request_id,omitempty"`
}

// SendResult is the update's answer.
type SendResult struct {
	Instance *Instance `json:"instance"`
	// Duplicate is set when RequestID was already stored.
	Duplicate bool `json:"duplicate,omitempty"`
}

// ListRequest is the list query's argument.
type ListRequest struct {
	Match []MatchParam `json:"match,omitempty"`
	// AfterSeq keeps instances with Seq > AfterSeq only.
	AfterSeq int64 `json:"after_seq,omitempty"`
	// Limit on the instances returned, newest first; 0 means 100.
	Limit int `json:"limit,omitempty"`
}

// MatchRequest is the match query's argument.
type MatchRequest struct {
	Match    []MatchParam `json:"match,omitempty"`
	AfterSeq int64        `json:"after_seq,omitempty"`
}

// maxListLimit bounds one list answer.
const maxListLimit = 1000

// Store is the entity workflow of one signal name.
func Store(ctx workflow.Context, st State) error {
	if err := CheckName(st.Name); err != nil {
		return err
	}
	st.Options = st.Options.withDefaults()
	s := &store{State: st}
	for _, in := range s.Instances {
		s.bytes += in.size()
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateSend,
		func(ctx workflow.Context, req SendRequest) (SendResult, error) { return s.send(ctx, req), nil },
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, req SendRequest) error {
			return checkSend(s.Name, req)
		}},
	); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateWait,
		func(_ workflow.Context, req WaitRequest) (*Instance, error) { return s.wait(req) },
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, req WaitRequest) error {
			if req.Name != s.Name {
				return fmt.Errorf("wait for signal %q sent to the store of %q", truncate(req.Name), truncate(s.Name))
			}
			return checkWait(s.Name, req)
		}},
	); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateTriggers,
		func(_ workflow.Context, req TriggersRequest) error { return s.setTriggers(req) },
	); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryList, s.list); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryMatch, s.match); err != nil {
		return err
	}
	if err := workflow.Await(ctx, func() bool {
		return s.sends >= s.Options.SendsPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
	}); err != nil {
		return err
	}
	// Accepted updates finish, and waiters are told, before the state is
	// handed over.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && s.notifying == 0 }); err != nil {
		return err
	}
	return workflow.NewContinueAsNewError(ctx, WorkflowName, s.State)
}

type store struct {
	State
	sends     int
	bytes     int // the sum of the kept instances' sizes
	notifying int // SignalMatched signals and trigger offers not yet delivered
	// offers queued per trigger entity, the first one running (triggers.go)
	offers map[string][]FireRequest
}

func (s *store) send(ctx workflow.Context, req SendRequest) SendResult {
	if req.RequestID != "" {
		for _, in := range s.Instances {
			if in.RequestID == req.RequestID {
				return SendResult{Instance: in, Duplicate: true}
			}
		}
	}
	s.sends++
	s.LastSeq++
	in := &Instance{
		Name: s.Name, Seq: s.LastSeq, Params: req.Params, Payload: req.Payload,
		RequestID: req.RequestID, CreateTime: workflow.Now(ctx).UTC(),
	}
	s.Instances = append(s.Instances, in)
	s.bytes += in.size()
	s.evict(in.CreateTime)
	s.notify(ctx, in)
	s.fire(ctx, in)
	return SendResult{Instance: in}
}

// evict applies the retention policy; Instances are oldest first.
func (s *store) evict(now time.Time) {
	n := len(s.Instances)
	cutoff := now.Add(-s.Options.Retention)
	drop := 0
	for drop < n-1 && (n-drop > s.Options.MaxInstances || s.bytes > s.Options.MaxStateBytes ||
		n-drop > s.Options.KeepNewest && s.Instances[drop].CreateTime.Before(cutoff)) {
		s.bytes -= s.Instances[drop].size()
		drop++
	}
	if drop > 0 {
		s.Instances = append(s.Instances[:0:0], s.Instances[drop:]...)
	}
}

func (s *store) list(req ListRequest) ([]*Instance, error) {
	if err := CheckMatch(req.Match); err != nil {
		return nil, err
	}
	limit := req.Limit
	switch {
	case limit < 0 || limit > maxListLimit:
		return nil, fmt.Errorf("list limit %d: want 0 to %d", limit, maxListLimit)
	case limit == 0:
		limit = 100
	}
	var out []*Instance
	for i := len(s.Instances) - 1; i >= 0 && len(out) < limit; i-- {
		in := s.Instances[i]
		if in.Seq <= req.AfterSeq {
			break
		}
		if in.Matches(req.Match) {
			out = append(out, in)
		}
	}
	return out, nil
}

// match answers the oldest instance with Seq > AfterSeq matching every
// condition, as Maestro's "seq_id > checkpoint ORDER BY seq_id LIMIT 1";
// nil when none does.
func (s *store) match(req MatchRequest) (*Instance, error) {
	if err := CheckMatch(req.Match); err != nil {
		return nil, err
	}
	for _, in := range s.Instances {
		if in.Seq > req.AfterSeq && in.Matches(req.Match) {
			return in, nil
		}
	}
	return nil, nil
}
