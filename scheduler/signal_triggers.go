package scheduler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/signals"
	"github.com/batonhq/baton/workflows"
)

// InitiatorSignal is Maestro's initiator type of instances started by a
// signal trigger.
const InitiatorSignal = "SIGNAL"

// signalTriggers turns a version's signal_triggers into subscriptions.
// Match values must be literals (STRING or LONG), as in Maestro's trigger
// definitions.
func signalTriggers(workflowID string, version int, taskQueue string, def *definition.Request) ([]*signals.Trigger, error) {
	var out []*signals.Trigger
	for i, t := range def.Workflow.SignalTriggers {
		if t == nil {
			continue
		}
		st := &signals.Trigger{WorkflowID: workflowID, Version: version, Index: i, TaskQueue: taskQueue, Defs: map[string]signals.TriggerDef{}}
		for name, d := range t.Definitions {
			if d == nil {
				continue
			}
			td := signals.TriggerDef{JoinKeys: d.JoinKeys}
			for _, p := range slices.Sorted(maps.Keys(d.MatchParams)) {
				mp := d.MatchParams[p]
				if mp == nil || mp.Param == nil || mp.Param.HasExpression {
					return nil, fmt.Errorf("signal_triggers[%d].definitions[%q].match_params[%q]: want a literal value", i, name, p)
				}
				var v signals.Value
				switch x := mp.Param.Value.(type) {
				case int64:
					v = signals.Long(x)
				case string:
					v = signals.String(x)
				default:
					return nil, fmt.Errorf("signal_triggers[%d].definitions[%q].match_params[%q]: a signal param is STRING or LONG, got %v", i, name, p, mp.Param.Type)
				}
				op := signals.Operator(mp.Operator)
				if op == "" {
					op = signals.Equal
				}
				td.Match = append(td.Match, signals.MatchParam{Name: p, Operator: op, Value: v})
			}
			st.Defs[name] = td
		}
		out = append(out, st)
	}
	return out, nil
}

// syncSignalTriggers subscribes the active version's signal triggers in
// the stores of the signals they name (replacing this workflow id's
// earlier ones there). A store keeps a trigger of an older version until
// it is replaced; firing checks the active version, so a deactivated
// workflow or a replaced version never starts from it.
func syncSignalTriggers(ctx context.Context, sc *signals.Client, workflowID string, triggers []*signals.Trigger) error {
	names := map[string]bool{}
	for _, t := range triggers {
		for name := range t.Defs {
			names[name] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		if err := sc.SetTriggers(ctx, name, signals.TriggersRequest{WorkflowID: workflowID, Triggers: triggers}); err != nil {
			return err
		}
	}
	return nil
}

// FireSignalTrigger is the activity a signal store runs when a stored
// instance meets a trigger's conditions on its name: if the trigger's
// version is still the active one, it offers the instance to the
// trigger's entity (signals.TriggerEntity, started if needed), which owns
// the trigger's checkpoints and joins its signals. Offering twice (a
// retry) is harmless: the entity keeps an instance once.
func FireSignalTrigger(ctx context.Context, req signals.FireRequest) (*Admission, error) {
	tc := activity.GetClient(ctx)
	t := req.Trigger
	_, active, err := activeTrigger(ctx, registry.New(tc, registry.Options{TaskQueue: t.TaskQueue}), t)
	if err != nil || !active {
		return nil, err // deactivated, or another version is active: its own triggers apply
	}
	id := signals.TriggerWorkflowID(t)
	_, err = tc.SignalWithStartWorkflow(ctx, id, signals.SignalOffer, req.Instance,
		client.StartWorkflowOptions{ID: id, TaskQueue: t.TaskQueue}, signals.TriggerWorkflowName, signals.TriggerState{Trigger: t})
	if err != nil {
		return nil, fmt.Errorf("signal trigger %d of %s: offer %s: %w", t.Index, t.WorkflowID, req.Instance.ID(), err)
	}
	return nil, nil
}

// AdmitSignalTrigger is the activity a trigger entity runs for a firing
// (the instances it joined, its checkpoints already moved): if the
// trigger's version is still the active one, it evaluates the params,
// the condition and dedup_expr, and admits an instance through the run
// strategy (with no instances, it only reports whether the version is
// still active). Its request id is dedup_expr's value, or by default one per
// set of matched instances, so a repeated activity starts nothing twice.
func AdmitSignalTrigger(ctx context.Context, req signals.AdmitRequest) (*signals.AdmitResult, error) {
	tc := activity.GetClient(ctx)
	t := req.Trigger
	reg := registry.New(tc, registry.Options{TaskQueue: t.TaskQueue})
	def, active, err := activeTrigger(ctx, reg, t)
	if err != nil {
		return nil, err
	}
	if !active {
		return &signals.AdmitResult{Inactive: true}, nil
	}
	if len(req.Matched) == 0 {
		return &signals.AdmitResult{}, nil // an idle entity's check: still active
	}
	trig := def.Workflow.SignalTriggers[t.Index]
	matched := req.Matched
	env := triggerEnv(matched)
	if c := strings.TrimSpace(trig.Condition); c != "" {
		ok, err := evalTrigger(env, c)
		if err != nil {
			return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("signal trigger %d of %s: condition: %v", t.Index, t.WorkflowID, err), "baton.scheduler.Invalid", nil)
		}
		if b, _ := ok.(bool); !b {
			return &signals.AdmitResult{}, nil // as Maestro: the instances stay used
		}
	}
	reqID := triggerRequestID(env, t.Index, trig.DedupExpr, matched)
	plan, err := reg.Check(def)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "baton.scheduler.Invalid", nil)
	}
	params, err := triggerRunParams(env, trig.Params)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("signal trigger %d of %s: %v", t.Index, t.WorkflowID, err), "baton.scheduler.Invalid", nil)
	}
	if _, err := workflows.MergeRunParams(plan, params); err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "baton.scheduler.Invalid", nil)
	}
	ids := make([]string, 0, len(matched))
	initiator := &workflows.SignalInitiator{Params: params, Signals: map[string]map[string]signals.Value{}}
	for _, name := range slices.Sorted(maps.Keys(matched)) {
		ids = append(ids, matched[name].ID())
		initiator.Signals[name] = matched[name].Params
	}
	_, err = New(tc, Options{TaskQueue: t.TaskQueue}).Admit(ctx, StartRequest{
		InstanceID: plan.WorkflowID + "/" + reqID, RequestID: reqID, Plan: plan, RunParams: params,
		Initiator: InitiatorSignal, Version: t.Version, TaskQueue: t.TaskQueue, Signal: initiator,
		Summary: fmt.Sprintf("Maestro %s v%d, signal trigger %d: %s", plan.WorkflowID, t.Version, t.Index, strings.Join(ids, ", ")),
	})
	if err != nil {
		return nil, err
	}
	return &signals.AdmitResult{}, nil
}

// activeTrigger answers the active definition when t's version is still
// the active one. Only the registry's "not found" (no such workflow, no
// active version) means inactive: any other error is returned, so the
// activity retries rather than dropping an offer or ending an entity.
func activeTrigger(ctx context.Context, reg *registry.Registry, t *signals.Trigger) (*definition.Request, bool, error) {
	def, v, err := reg.Get(ctx, t.WorkflowID, "active")
	switch {
	case registry.IsNotFound(err):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("signal trigger %d of %s: %w", t.Index, t.WorkflowID, err)
	}
	return def, v.Version == t.Version && t.Index < len(def.Workflow.SignalTriggers), nil
}

// triggerRunParams evaluates a trigger's params. Maestro evaluates them
// as workflow params with no other params defined (literals, and
// expressions over functions only); Baton's env also answers
// params.getFromSignal(name, param) with the firing's instances, as the
// condition's does.
func triggerRunParams(env *sel.Env, defs definition.Params) (map[string]sel.Value, error) {
	params := map[string]sel.Value{}
	for _, name := range slices.Sorted(maps.Keys(defs)) {
		p := defs[name]
		if p == nil {
			return nil, fmt.Errorf("param %q: no definition", name)
		}
		if !p.HasExpression {
			params[name] = sel.Value{Type: p.Type, Value: p.Value}
			continue
		}
		v, err := evalTrigger(env, p.Expression)
		if err != nil {
			return nil, fmt.Errorf("param %q: %w", name, err)
		}
		if v, err = sel.Coerce(v, p.Type); err != nil {
			return nil, fmt.Errorf("param %q: %w", name, err)
		}
		params[name] = sel.Value{Type: p.Type, Value: v}
	}
	return params, nil
}

// triggerRequestID is dedup_expr's value as a request id; without
// dedup_expr, or when it fails (Maestro then falls back too), one per set
// of matched instances.
func triggerRequestID(env *sel.Env, index int, dedupExpr string, matched map[string]*signals.Instance) string {
	if d := strings.TrimSpace(dedupExpr); d != "" {
		if v, err := evalTrigger(env, d); err == nil {
			return fmt.Sprintf("signal-%d-%v", index, v)
		}
	}
	return defaultTriggerRequestID(index, matched)
}

// defaultTriggerRequestID names a set of matched instances.
func defaultTriggerRequestID(index int, matched map[string]*signals.Instance) string {
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(matched)) {
		fmt.Fprintf(h, "%s\x00", matched[name].ID())
	}
	return fmt.Sprintf("signal-%d-%s", index, hex.EncodeToString(h.Sum(nil))[:32])
}

// triggerEnv evaluates a trigger's condition and dedup_expr: the matched
// signals' params are read with params.getFromSignal(name, param).
func triggerEnv(matched map[string]*signals.Instance) *sel.Env {
	return &sel.Env{
		Params: triggerParams(matched),
		Now:    time.Now,
		Random: rand.Float64,
		UUID:   func() string { return fmt.Sprintf("%016x%016x", rand.Uint64(), rand.Uint64()) },
	}
}

func evalTrigger(env *sel.Env, expr string) (any, error) {
	prog, err := sel.Compile(expr)
	if err != nil {
		return nil, err
	}
	return prog.Eval(env)
}

// triggerParams gives SEL the matched signals, nothing else.
type triggerParams map[string]*signals.Instance

func (triggerParams) Lookup(string) (any, bool) { return nil, false }
func (triggerParams) GetFromStep(string, string) (any, error) {
	return nil, fmt.Errorf("params.getFromStep: not in a signal trigger")
}
func (triggerParams) GetFromInstance(string) (any, error) {
	return nil, fmt.Errorf("params.getFromInstance: not in a signal trigger")
}
func (triggerParams) GetFromForeach(string, string, string) (any, error) {
	return nil, fmt.Errorf("params.getFromForeach: not in a signal trigger")
}
func (triggerParams) GetFromSubworkflow(string, string, string) (any, error) {
	return nil, fmt.Errorf("params.getFromSubworkflow: not in a signal trigger")
}
func (triggerParams) GetFromSignalDependency(string, string) (any, error) {
	return nil, fmt.Errorf("params.getFromSignalDependency: not in a signal trigger")
}
func (triggerParams) NextUniqueID() (any, error) { return int64(rand.Uint64() >> 1), nil }

func (m triggerParams) GetFromSignal(name, param string) (any, error) {
	in, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("params.getFromSignal(%q, %q): the trigger matched no signal %q", name, param, name)
	}
	v, ok := in.Params[param]
	if !ok {
		return nil, fmt.Errorf("params.getFromSignal(%q, %q): signal %s has no param %q", name, param, in.ID(), param)
	}
	if v.IsLong() {
		return v.Int(), nil
	}
	return v.Str(), nil
}
