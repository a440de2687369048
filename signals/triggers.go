package signals

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Names of the signal-trigger subscription: the store's update and the
// activity a store runs when a sent instance may fire a trigger (the
// scheduler package registers it: it admits the instance through the run
// strategy).
const (
	UpdateTriggers      = "triggers"
	FireActivityName    = "baton.signals.FireTrigger"
	MaxTriggersPerStore = 1000
)

// TriggerDef is one signal of a trigger: the conditions an instance of it
// must meet and its join keys (positionally equal across the trigger's
// signals).
type TriggerDef struct {
	Match    []MatchParam `json:"match,omitempty"`
	JoinKeys []string     `json:"join_keys,omitempty"`
}

// Trigger is one signal trigger of one version of a workflow, as every
// store it names keeps it.
type Trigger struct {
	WorkflowID string                `json:"workflow_id"`
	Version    int                   `json:"version"`
	Index      int                   `json:"index"` // in workflow.signal_triggers
	TaskQueue  string                `json:"task_queue"`
	Defs       map[string]TriggerDef `json:"defs"` // by signal name
}

// TriggersRequest replaces the triggers of WorkflowID that a store keeps
// (none: forget them).
type TriggersRequest struct {
	WorkflowID string     `json:"workflow_id"`
	Triggers   []*Trigger `json:"triggers,omitempty"`
}

// FireRequest is the fire activity's input: a trigger and the instance of
// one of its signals that was just stored and meets its conditions.
type FireRequest struct {
	Trigger  *Trigger  `json:"trigger"`
	Instance *Instance `json:"instance"`
}

func (s *store) setTriggers(req TriggersRequest) error {
	kept := s.Triggers[:0:0]
	for _, t := range s.Triggers {
		if t.WorkflowID != req.WorkflowID {
			kept = append(kept, t)
		}
	}
	for _, t := range req.Triggers {
		if _, ok := t.Defs[s.Name]; ok {
			kept = append(kept, t)
		}
	}
	if len(kept) > MaxTriggersPerStore {
		return fmt.Errorf("signal %q: %d triggers, more than %d", truncate(s.Name), len(kept), MaxTriggersPerStore)
	}
	s.Triggers = kept
	return nil
}

// fire starts the fire activity for every trigger whose conditions on
// this name the new instance meets; the activity offers the instance to
// the trigger's entity. Since version serialOffersVersion, one trigger's
// offers from this store run one at a time, in Seq order, so its entity
// sees them oldest first, as Maestro's queue partitioned by trigger does
// (runs before started them all at once). Store waits for them before it
// continues as new.
func (s *store) fire(ctx workflow.Context, in *Instance) {
	for _, t := range s.Triggers {
		if !in.Matches(t.Defs[s.Name].Match) {
			continue
		}
		req := FireRequest{Trigger: t, Instance: in}
		s.notifying++
		if workflow.GetVersion(ctx, serialOffersChange, workflow.DefaultVersion, serialOffersVersion) == workflow.DefaultVersion {
			f := s.startFire(ctx, req)
			workflow.Go(ctx, func(ctx workflow.Context) {
				_ = f.Get(ctx, nil) // a refused start is the activity's to report
				s.notifying--
			})
			continue
		}
		key := TriggerWorkflowID(t)
		if s.offers == nil {
			s.offers = map[string][]FireRequest{}
		}
		queued, busy := s.offers[key]
		s.offers[key] = append(queued, req)
		if busy {
			continue // the running chain takes it
		}
		workflow.Go(ctx, func(ctx workflow.Context) {
			for len(s.offers[key]) > 0 {
				next := s.offers[key][0]
				_ = s.startFire(ctx, next).Get(ctx, nil) // a refused offer is the activity's to report
				s.offers[key] = s.offers[key][1:]
				s.notifying--
			}
			delete(s.offers, key)
		})
	}
}

// serialOffers: the GetVersion change of one trigger's offers running in
// order.
const (
	serialOffersChange  = "signal-trigger-serial-offers"
	serialOffersVersion = 1
)

func (s *store) startFire(ctx workflow.Context, req FireRequest) workflow.Future {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              req.Trigger.TaskQueue,
		StartToCloseTimeout:    time.Minute,
		ScheduleToCloseTimeout: time.Hour,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	return workflow.ExecuteActivity(actx, FireActivityName, req)
}

// SetTriggers replaces the triggers of req.WorkflowID that name's store
// keeps, starting the store if needed.
func (c *Client) SetTriggers(ctx context.Context, name string, req TriggersRequest) error {
	if err := CheckName(name); err != nil {
		return &refusedError{err}
	}
	var none any
	return c.update(ctx, name, UpdateTriggers, req, &none)
}
