package registry

import (
	"encoding/json"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/definition"
)

// Names of the entity workflow and its handlers.
const (
	// WorkflowName is the entity workflow's type name.
	WorkflowName = "baton.registry.Entity"
	// EntityIDPrefix prefixes the entity's Temporal workflow id:
	// "baton-registry/<Maestro workflow id>".
	EntityIDPrefix = "baton-registry/"

	UpdatePush     = "push"     // PushInput -> Version
	UpdateActivate = "activate" // int -> Version
	// UpdateDeactivate leaves the workflow without an active version.
	UpdateDeactivate = "deactivate" // -> nothing
	QueryVersions    = "versions"   // -> []Version
	QueryGet         = "get"        // selector string -> GetResult
)

// Error types of the application errors the registry returns.
const (
	// ErrorTypeNotFound: no such workflow id, version, or active version,
	// or an invalid selector. Never retryable.
	ErrorTypeNotFound = "baton.registry.NotFound"
	// ErrorTypeInvalid: a push the entity refuses (malformed definition,
	// wrong workflow id, too large).
	ErrorTypeInvalid = "baton.registry.Invalid"
)

// Continue-as-new thresholds of the entity's run.
const (
	DefaultMaxUpdates = 250     // updates accepted in one run
	maxHistoryEvents  = 2000    // far below the 10,240-event warning
	maxHistoryBytes   = 4 << 20 // far below the 10 MiB warning
)

// EntityID is the Temporal workflow id of workflowID's registry entity.
func EntityID(workflowID string) string { return EntityIDPrefix + workflowID }

// EntityInput starts (or continues) an entity.
type EntityInput struct {
	State State `json:"state"`
	// MaxUpdates accepted before continuing as new; 0 means
	// DefaultMaxUpdates. The run also continues as new past 2,000 history
	// events or 4 MiB of history, or when the server suggests it.
	MaxUpdates int `json:"max_updates,omitempty"`
}

// PushInput is the push update's argument.
type PushInput struct {
	Definition  json.RawMessage `json:"definition"` // definition.Encode output
	PlanHash    string          `json:"plan_hash"`
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	Activate    bool            `json:"activate"`
	// Schedules, when set, makes the entity keep the workflow id's run
	// strategy and schedules in step with its active version (see
	// ScheduleSync); the update answers once they are.
	Schedules *ScheduleSync `json:"schedules,omitempty"`
}

// GetResult is the get query's result: a version, or why there is none.
type GetResult struct {
	Version    Version         `json:"version"`
	Definition json.RawMessage `json:"definition,omitempty"`
	NotFound   string          `json:"not_found,omitempty"`
}

// Entity is the registry workflow of one Maestro workflow id: it holds
// every version, takes pushes and activations as updates, answers
// queries, and continues as new with its compact state so its history
// stays bounded however many versions are pushed.
func Entity(ctx workflow.Context, in EntityInput) error {
	st := in.State
	if st.WorkflowID == "" {
		return temporal.NewNonRetryableApplicationError("registry entity started without a workflow id", ErrorTypeInvalid, nil)
	}
	maxUpdates := in.MaxUpdates
	if maxUpdates <= 0 {
		maxUpdates = DefaultMaxUpdates
	}
	updates := 0

	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdatePush,
		func(ctx workflow.Context, p PushInput) (Version, error) {
			updates++
			before := st.Active
			v, err := st.push(p, workflow.Now(ctx))
			if err != nil || p.Schedules == nil {
				return v, err
			}
			st.Sync = p.Schedules
			if st.Active == before {
				return v, nil // not activated: nothing to sync
			}
			return st.synced(ctx, v)
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, p PushInput) error {
			if st.metadataBytes(&p) > MaxMetadataBytes {
				return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
					"workflow %q has %d versions: the registry keeps at most %d bytes of version metadata per workflow id", st.WorkflowID, len(st.Versions), MaxMetadataBytes), ErrorTypeInvalid, nil)
			}
			return validatePush(st.WorkflowID, p)
		}},
	); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateActivate,
		func(ctx workflow.Context, n int) (Version, error) {
			updates++
			st.activate(n)
			return st.synced(ctx, st.version(n))
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, n int) error {
			if _, err := st.resolve(selector{number: n}); err != nil {
				return temporal.NewNonRetryableApplicationError(err.Error(), ErrorTypeNotFound, nil)
			}
			return nil
		}},
	); err != nil {
		return err
	}
	// Deactivate answers whether the entity synced (paused) the schedules.
	if err := workflow.SetUpdateHandler(ctx, UpdateDeactivate, func(ctx workflow.Context) (bool, error) {
		updates++
		st.Active = 0
		return st.requestSync(ctx)
	}); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryVersions, func() ([]Version, error) {
		return st.list(), nil
	}); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryGet, func(text string) (GetResult, error) {
		return st.get(text), nil
	}); err != nil {
		return err
	}

	for {
		canContinue := false
		err := workflow.Await(ctx, func() bool {
			info := workflow.GetInfo(ctx)
			due := updates >= maxUpdates ||
				info.GetCurrentHistoryLength() >= maxHistoryEvents ||
				info.GetCurrentHistorySize() >= maxHistoryBytes ||
				info.GetContinueAsNewSuggested()
			canContinue = due && workflow.AllHandlersFinished(ctx)
			return canContinue || st.syncDue()
		})
		if err != nil {
			return err // cancelled
		}
		if st.syncDue() {
			st.runSync(ctx) // a sync wanted before continuing as new: the handlers wait for it
			continue
		}
		if canContinue {
			return workflow.NewContinueAsNewError(ctx, WorkflowName, EntityInput{State: st, MaxUpdates: in.MaxUpdates})
		}
	}
}

// get answers the get query.
func (s *State) get(text string) GetResult {
	sel, err := parseSelector(text)
	if err != nil {
		return GetResult{NotFound: err.Error()}
	}
	v, err := s.resolve(sel)
	if err != nil {
		return GetResult{NotFound: err.Error()}
	}
	def, err := decompress(v.Definition)
	if err != nil {
		return GetResult{NotFound: fmt.Sprintf("workflow %q version %d: stored definition unreadable: %v", s.WorkflowID, v.Version.Version, err)}
	}
	return GetResult{Version: s.version(v.Version.Version), Definition: def}
}

// validatePush refuses a push before it is accepted (nothing reaches the
// entity's state or history): the definition must decode, validate and
// name the entity's workflow id.
func validatePush(workflowID string, p PushInput) error {
	invalid := func(msg string) error {
		return temporal.NewNonRetryableApplicationError(msg, ErrorTypeInvalid, nil)
	}
	if len(p.Definition) == 0 || string(p.Definition) == "null" {
		return invalid("push without a definition")
	}
	if len(p.Definition) > MaxDefinitionBytes {
		return invalid(fmt.Sprintf("definition is %d bytes; the limit is %d", len(p.Definition), MaxDefinitionBytes))
	}
	if p.PlanHash == "" {
		return invalid("push without a plan hash (compile the definition first)")
	}
	req, err := definition.Decode(p.Definition)
	if err != nil {
		return invalid("malformed definition: " + err.Error())
	}
	if err := req.Validate(); err != nil {
		return invalid("invalid definition: " + err.Error())
	}
	if req.Workflow == nil || req.Workflow.ID != workflowID {
		return invalid(fmt.Sprintf("definition is for workflow %q, not %q", workflowIDOf(req), workflowID))
	}
	return nil
}

func workflowIDOf(req *definition.Request) string {
	if req == nil || req.Workflow == nil {
		return ""
	}
	return req.Workflow.ID
}

// IsNotFound reports whether err says a workflow id, version or active
// version does not exist (a *NotFoundError, or an application error of
// type ErrorTypeNotFound, e.g. from the Resolve activity).
func IsNotFound(err error) bool {
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return true
	}
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && appErr.Type() == ErrorTypeNotFound
}

// NotFoundError is returned by the client API when the registry has no
// such workflow id, version or active version.
type NotFoundError struct {
	WorkflowID string
	Selector   string
	Reason     string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("registry: %s (workflow %q, version %q)", e.Reason, e.WorkflowID, e.Selector)
}
