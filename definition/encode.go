package definition

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/batonhq/baton/sel"
)

// Encode writes r as Maestro create-request JSON (indented). Decoding the
// result gives back an equal Request.
func Encode(r *Request) ([]byte, error) {
	o, err := encodeRequest(r)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(o, "", "  ")
}

// MarshalJSON writes the request as Maestro JSON.
func (r *Request) MarshalJSON() ([]byte, error) {
	o, err := encodeRequest(r)
	if err != nil {
		return nil, err
	}
	return json.Marshal(o)
}

// UnmarshalJSON reads Maestro JSON, as Decode.
func (r *Request) UnmarshalJSON(data []byte) error {
	v, err := Decode(data)
	if err != nil {
		return err
	}
	*r = *v
	return nil
}

// MarshalJSON writes the step as its wrapper object {"<kind>": {...}}.
func (s *Step) MarshalJSON() ([]byte, error) {
	o, err := encodeStep(s)
	if err != nil {
		return nil, err
	}
	return json.Marshal(o)
}

// obj is a JSON object that keeps its keys in insertion order.
type obj struct {
	keys []string
	vals []any
}

func (o *obj) set(k string, v any) { o.keys = append(o.keys, k); o.vals = append(o.vals, v) }

func (o *obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[i])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Helpers that add a field only when it is set.
func (o *obj) str(k, v string) {
	if v != "" {
		o.set(k, v)
	}
}

func (o *obj) boolp(k string, v *bool) {
	if v != nil {
		o.set(k, *v)
	}
}

func (o *obj) int64p(k string, v *int64) {
	if v != nil {
		o.set(k, *v)
	}
}

func (o *obj) long(k string, v *ParsableLong) {
	if v == nil {
		return
	}
	if v.Literal != nil {
		o.set(k, *v.Literal)
	} else {
		o.set(k, v.Text)
	}
}

func (o *obj) plainMap(k string, m map[string]any) {
	if m != nil {
		o.set(k, m)
	}
}

func (o *obj) extra(m map[string]any) {
	for _, k := range sortedKeys(m) {
		o.set(k, m[k])
	}
}

func encodeRequest(r *Request) (*obj, error) {
	o := &obj{}
	if r.Properties != nil {
		o.set("properties", encodeProperties(r.Properties))
	}
	o.boolp("is_active", r.IsActive)
	o.plainMap("git_info", r.GitInfo)
	o.extra(r.Extra)
	if r.Workflow != nil {
		w, err := encodeWorkflow(r.Workflow)
		if err != nil {
			return nil, err
		}
		o.set("workflow", w)
	}
	return o, nil
}

func encodeProperties(p *Properties) *obj {
	o := &obj{}
	if p.Owner != nil {
		if p.Owner.Extra == nil {
			o.set("owner", p.Owner.Name)
		} else {
			u := &obj{}
			u.set("name", p.Owner.Name)
			u.extra(p.Owner.Extra)
			o.set("owner", u)
		}
	}
	o.plainMap("access_control", p.AccessControl)
	if rs := p.RunStrategy; rs != nil {
		s := &obj{}
		s.set("rule", string(rs.Rule))
		s.set("workflow_concurrency", rs.WorkflowConcurrency)
		o.set("run_strategy", s)
	}
	o.int64p("step_concurrency", p.StepConcurrency)
	o.plainMap("alerting", p.Alerting)
	o.boolp("alerting_disabled", p.AlertingDisabled)
	o.boolp("signal_trigger_disabled", p.SignalTriggerDisabled)
	o.boolp("time_trigger_disabled", p.TimeTriggerDisabled)
	o.str("description", p.Description)
	encodeTags(o, p.Tags)
	return o
}

func encodeTags(o *obj, tags TagList) {
	if tags == nil {
		return
	}
	out := make([]any, 0, len(tags))
	for _, t := range tags {
		if t.Namespace == "" && t.Attributes == nil {
			out = append(out, t.Name)
			continue
		}
		to := &obj{}
		to.set("name", t.Name)
		to.str("namespace", t.Namespace)
		to.extra(t.Attributes)
		out = append(out, to)
	}
	o.set("tags", out)
}

func encodeWorkflow(w *Workflow) (*obj, error) {
	o := &obj{}
	o.str("id", w.ID)
	o.str("name", w.Name)
	o.str("description", w.Description)
	encodeTags(o, w.Tags)
	o.long("timeout", w.Timeout)
	if w.TimeTriggers != nil {
		tts := make([]any, 0, len(w.TimeTriggers))
		for _, t := range w.TimeTriggers {
			tts = append(tts, encodeTimeTrigger(t))
		}
		o.set("time_triggers", tts)
	}
	if w.SignalTriggers != nil {
		sts := make([]any, 0, len(w.SignalTriggers))
		for _, t := range w.SignalTriggers {
			st, err := encodeSignalTrigger(t)
			if err != nil {
				return nil, err
			}
			sts = append(sts, st)
		}
		o.set("signal_triggers", sts)
	}
	o.str("criticality", w.Criticality)
	o.int64p("instance_step_concurrency", w.InstanceStepConcurrency)
	if err := encodeParamsField(o, "params", w.Params); err != nil {
		return nil, err
	}
	if err := encodeSteps(o, w.Steps); err != nil {
		return nil, err
	}
	return o, nil
}

func encodeSteps(o *obj, steps []*Step) error {
	if steps == nil {
		return nil
	}
	out := make([]any, 0, len(steps))
	for i, s := range steps {
		so, err := encodeStep(s)
		if err != nil {
			return fmt.Errorf("steps[%d]: %w", i, err)
		}
		out = append(out, so)
	}
	o.set("steps", out)
	return nil
}

func encodeStep(s *Step) (*obj, error) {
	if s == nil {
		return nil, fmt.Errorf("nil step")
	}
	o := &obj{}
	o.str("id", s.ID)
	o.str("name", s.Name)
	o.str("description", s.Description)
	switch s.Kind {
	case KindStep:
		o.str("type", s.Type)
		o.str("sub_type", s.SubType)
		o.str("sub_type_version", s.SubTypeVersion)
	case KindTemplate:
		o.str("sub_type", s.SubType)
	case KindForeach:
		o.int64p("concurrency", s.Concurrency)
		o.boolp("strict_ordering", s.StrictOrdering)
	case KindWhile:
		o.str("condition", s.Condition)
	case KindSubworkflow:
		o.boolp("sync", s.Sync)
		o.boolp("explicit_params", s.ExplicitParams)
	default:
		return nil, fmt.Errorf("step %q: unknown kind %q", s.ID, s.Kind)
	}
	if t := s.Transition; t.Predecessors != nil || t.Successors != nil {
		to := &obj{}
		if t.Predecessors != nil {
			to.set("predecessors", t.Predecessors)
		}
		if t.Successors != nil {
			so := &obj{}
			for _, e := range t.Successors {
				so.set(e.To, e.Condition)
			}
			to.set("successors", so)
		}
		o.set("transition", to)
	}
	o.str("failure_mode", string(s.FailureMode))
	encodeTags(o, s.Tags)
	o.long("timeout", s.Timeout)
	if s.Kind == KindStep && s.RetryPolicy != nil {
		o.set("retry_policy", encodeRetryPolicy(s.RetryPolicy))
	}
	if err := encodeParamsField(o, "params", s.Params); err != nil {
		return nil, fmt.Errorf("step %q: %w", s.ID, err)
	}
	if s.SignalDependencies != nil {
		deps := make([]any, 0, len(s.SignalDependencies))
		for _, sd := range s.SignalDependencies {
			do := &obj{}
			do.str("name", sd.Name)
			mps, err := encodeMatchParams(sd.MatchParams, false)
			if err != nil {
				return nil, err
			}
			if mps != nil {
				do.set("match_params", mps)
			}
			deps = append(deps, do)
		}
		o.set("signal_dependencies", deps)
	}
	if s.SignalOutputs != nil {
		outs := make([]any, 0, len(s.SignalOutputs))
		for _, so := range s.SignalOutputs {
			oo := &obj{}
			oo.str("name", so.Name)
			if err := encodeParamsField(oo, "params", so.Params); err != nil {
				return nil, err
			}
			if err := encodeParamsField(oo, "payload", so.Payload); err != nil {
				return nil, err
			}
			outs = append(outs, oo)
		}
		o.set("signal_outputs", outs)
	}
	if s.Kind == KindForeach || s.Kind == KindWhile {
		if err := encodeSteps(o, s.Steps); err != nil {
			return nil, fmt.Errorf("step %q: %w", s.ID, err)
		}
	}
	w := &obj{}
	w.set(string(s.Kind), o)
	return w, nil
}

// EncodeRetryPolicy writes a retry policy as Maestro JSON.
func EncodeRetryPolicy(rp *RetryPolicy) ([]byte, error) {
	return json.MarshalIndent(encodeRetryPolicy(rp), "", "  ")
}

func encodeRetryPolicy(rp *RetryPolicy) *obj {
	o := &obj{}
	o.long("error_retry_limit", rp.ErrorRetryLimit)
	o.long("platform_retry_limit", rp.PlatformRetryLimit)
	o.long("timeout_retry_limit", rp.TimeoutRetryLimit)
	if b := rp.Backoff; b != nil {
		bo := &obj{}
		bo.str("type", string(b.Type))
		for _, f := range b.fields() {
			bo.long(f.name, *f.ptr)
		}
		o.set("backoff", bo)
	}
	return o
}

func encodeTimeTrigger(t *TimeTrigger) *obj {
	o := &obj{}
	o.str("type", t.Type)
	o.str("cron", t.Cron)
	o.str("expression", t.Expression)
	o.str("timezone", t.Timezone)
	o.str("interval", t.Interval)
	o.str("start", t.Start)
	o.long("fuzzy_max_delay", t.FuzzyMaxDelay)
	o.extra(t.Extra)
	return o
}

func encodeSignalTrigger(t *SignalTrigger) (*obj, error) {
	o := &obj{}
	if t.Definitions != nil {
		defs := &obj{}
		for _, name := range sortedKeys(t.Definitions) {
			def := t.Definitions[name]
			do := &obj{}
			if def != nil {
				mps, err := encodeMatchParams(def.MatchParams, true)
				if err != nil {
					return nil, err
				}
				if mps != nil {
					do.set("match_params", mps)
				}
				if def.JoinKeys != nil {
					do.set("join_keys", def.JoinKeys)
				}
			}
			defs.set(name, do)
		}
		o.set("definitions", defs)
	}
	o.str("condition", t.Condition)
	o.str("dedup_expr", t.DedupExpr)
	if err := encodeParamsField(o, "params", t.Params); err != nil {
		return nil, err
	}
	return o, nil
}

// encodeMatchParams writes match params in the trigger short form
// ({value, type, operator}) or the dependency form ({param, operator}).
func encodeMatchParams(mps map[string]*SignalMatchParam, short bool) (*obj, error) {
	if mps == nil {
		return nil, nil
	}
	o := &obj{}
	for _, k := range sortedKeys(mps) {
		mp := mps[k]
		mo := &obj{}
		if mp != nil && mp.Param != nil {
			pm := mp.Param
			if short && !pm.HasExpression && pm.Value != nil && pm.Mode == "" && pm.Validator == "" && pm.Tags == nil && pm.Meta == nil {
				v, err := encodeValue(mp.Param.Type, mp.Param.Value, mp.Param.Keys)
				if err != nil {
					return nil, err
				}
				mo.set("value", v)
				mo.set("type", mp.Param.Type.String())
			} else {
				p, err := encodeParam(mp.Param)
				if err != nil {
					return nil, err
				}
				mo.set("param", p)
			}
		}
		if mp != nil {
			mo.str("operator", mp.Operator)
		}
		o.set(k, mo)
	}
	return o, nil
}

func encodeParamsField(o *obj, key string, ps Params) error {
	if ps == nil {
		return nil
	}
	po, err := encodeParams(ps)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	o.set(key, po)
	return nil
}

// encodeParams writes params sorted by name.
func encodeParams(ps Params) (*obj, error) { return encodeOrderedParams(ps, nil) }

// encodeOrderedParams writes params in the order of keys (see
// Param.Keys), sorted by name when keys is nil.
func encodeOrderedParams(ps Params, keys []string) (*obj, error) {
	if msg := checkKeys(ps, keys); msg != "" {
		return nil, fmt.Errorf("%s", msg)
	}
	o := &obj{}
	for _, name := range keyOrder(ps, keys) {
		p, err := encodeParam(ps[name])
		if err != nil {
			return nil, fmt.Errorf("%q: %w", name, err)
		}
		o.set(name, p)
	}
	return o, nil
}

func encodeParam(p *Param) (*obj, error) {
	o := &obj{}
	if p == nil {
		return o, nil
	}
	if p.Value != nil {
		v, err := encodeValue(p.Type, p.Value, p.Keys)
		if err != nil {
			return nil, err
		}
		o.set("value", v)
	}
	if p.HasExpression {
		o.set("expression", p.Expression)
	}
	if p.Type != sel.Invalid {
		o.set("type", p.Type.String())
	}
	o.str("mode", string(p.Mode))
	o.str("validator", p.Validator)
	encodeTags(o, p.Tags)
	o.extra(p.Meta)
	return o, nil
}

// encodeValue checks that v has the Go type of t and returns what to
// marshal. MAP values must be Params, written in the order of keys.
func encodeValue(t sel.Type, v any, keys []string) (any, error) {
	if t == sel.Map {
		ps, ok := v.(Params)
		if !ok {
			return nil, fmt.Errorf("MAP value must be definition.Params, got %T", v)
		}
		return encodeOrderedParams(ps, keys)
	}
	got, ok := sel.TypeOf(v)
	if !ok || got != t {
		return nil, fmt.Errorf("%v value has Go type %T", t, v)
	}
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("DOUBLE value %v cannot be written as JSON", x)
		}
	case []float64:
		for _, f := range x {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("DOUBLE_ARRAY value %v cannot be written as JSON", f)
			}
		}
	}
	return v, nil
}
