package definition

import (
	"fmt"
	"strings"
	"sync"

	"github.com/batonhq/baton/sel"
)

// paramScope says where a param map sits, which decides its reserved names.
type paramScope uint8

const (
	scopeWorkflow paramScope = iota
	scopeStep
	scopeForeach
	scopeWhile
	scopeNested // MAP entries, signal params, run params: no reserved names
)

func stepScope(k StepKind) paramScope {
	switch k {
	case KindForeach:
		return scopeForeach
	case KindWhile:
		return scopeWhile
	}
	return scopeStep
}

// reservedParamNames may never be user params (MAESTRO.md §3.9).
var reservedParamNames = map[string]bool{
	"maestro": true, "Maestro": true, "MAESTRO": true,
	"scheduler": true, "Scheduler": true, "SCHEDULER": true,
	"util": true, "Util": true, "UTIL": true,
	"params": true, "Params": true, "PARAMS": true,
	"AUTH_BLOB": true, "AUTH_DATA": true, "AUTH_ACTING_ON_BEHALF_OF_BLOB": true,
	"AUTH_TRIGGERING_ON_BEHALF_OF_BLOB": true, "AUTHORIZED_MANAGERS": true,
}

// systemParamNames are the RESERVED system params of each scope (the
// default-param YAMLs): set by Maestro, never by a definition.
var systemParamNames = map[paramScope][]string{
	scopeWorkflow: {"owner", "workflow_id"},
	scopeStep:     {"workflow_instance_id", "step_instance_uuid", "step_attempt_id", "step_id"},
	scopeForeach:  {"workflow_instance_id", "step_instance_uuid", "step_attempt_id", "step_id", "loop_index"},
	scopeWhile:    {"workflow_instance_id", "step_instance_uuid", "step_attempt_id", "step_id", "loop_index", "condition"},
}

func reservedName(name string, scope paramScope) bool {
	if reservedParamNames[name] {
		return true
	}
	for _, n := range systemParamNames[scope] {
		if n == name {
			return true
		}
	}
	return false
}

// ValidateParams checks a map of param definitions outside a workflow,
// such as the run params of a start or restart request.
func ValidateParams(ps Params, path string) error {
	v := newValidator()
	v.params(ps, path, scopeNested)
	return v.err()
}

// Validate checks the run params of a start request.
func (r *StartRequest) Validate() error { return ValidateParams(r.RunParams, "run_params") }

// Validate checks the run params of a restart request.
func (r *RestartRequest) Validate() error { return ValidateParams(r.RunParams, "run_params") }

// Validate checks the step run params of a step restart request.
func (r *StepRestartRequest) Validate() error {
	return ValidateParams(r.StepRunParams, "step_run_params")
}

// Validate checks the params of a restart config.
func (r *RestartConfig) Validate() error {
	v := newValidator()
	v.params(r.RestartParams, "restart_params", scopeNested)
	for _, step := range sortedKeys(r.StepRestartParams) {
		v.params(r.StepRestartParams[step], pathName("step_restart_params", step), scopeNested)
	}
	return v.err()
}

// params checks every param of a map, in name order.
func (v *validator) params(ps Params, path string, scope paramScope) {
	for _, name := range sortedKeys(ps) {
		pp := pathName(path, name)
		if msg := referenceIDProblem("param name", name); msg != "" {
			v.add(pp, "%s", msg)
		}
		if scope != scopeNested && reservedName(name, scope) {
			v.add(pp, "reserved param name")
		}
		v.param(ps[name], pp)
	}
}

func (v *validator) param(p *Param, path string) {
	if p == nil {
		v.add(path, "nil param definition")
		return
	}
	if p.Type == sel.Invalid {
		v.add(pathKey(path, "type"), "required")
	}
	hasValue := p.Value != nil
	if hasValue == p.HasExpression {
		v.add(path, "must have exactly one of value or expression")
	}
	if p.HasExpression {
		v.sel(p.Expression, pathKey(path, "expression"))
	}
	if p.Keys != nil && (!hasValue || p.Type != sel.Map) {
		v.add(path, "Keys orders the entries of a MAP literal; this param is not one")
	}
	if !hasValue || p.Type == sel.Invalid {
		return
	}
	vp := pathKey(path, "value")
	if p.Type == sel.Map {
		entries, ok := p.Value.(Params)
		if !ok {
			v.add(vp, "a MAP value must be definition.Params, got %T", p.Value)
			return
		}
		if len(entries) > MaxMapParamEntries {
			v.add(vp, "too many entries: %d (a MAP param has at most %d)", len(entries), MaxMapParamEntries)
		}
		if msg := checkKeys(entries, p.Keys); msg != "" {
			v.add(vp, "%s", msg)
		}
		v.params(entries, vp, scopeNested)
		return
	}
	if t, ok := sel.TypeOf(p.Value); !ok || t != p.Type {
		v.add(vp, "a %v value must have Go type of %v, got %T", p.Type, p.Type, p.Value)
	}
}

// selState records whether the sel package can parse yet: while it
// answers "not implemented", expressions are not checked.
var selState struct {
	once  sync.Once
	ready bool
}

func selReady() bool {
	selState.once.Do(func() {
		err := sel.Check("1 + 1")
		selState.ready = err == nil || !strings.Contains(err.Error(), "not implemented")
	})
	return selState.ready
}

// checkSEL reports a syntax error in src; nil while sel is not there yet.
// Tests replace it.
var checkSEL = func(src string) error {
	if !selReady() {
		return nil
	}
	return sel.Check(src)
}

// sel checks that src parses as SEL; the error carries sel's position.
func (v *validator) sel(src, path string) {
	if strings.TrimSpace(src) == "" {
		v.add(path, "empty SEL expression")
		return
	}
	if err := checkSEL(src); err != nil {
		v.add(path, "invalid SEL expression: %v", err)
	}
}

func (v *validator) timeTrigger(t *TimeTrigger, path string) {
	if t == nil {
		v.add(path, "nil trigger")
		return
	}
	switch t.Type {
	case "":
		v.add(pathKey(path, "type"), "required (CRON, PREDEFINED or INTERVAL)")
	case TriggerCron, TriggerPredefined:
		v.cronTrigger(t, path)
	case TriggerInterval:
		d, err := ParseDuration(t.Interval)
		if err != nil {
			v.add(pathKey(path, "interval"), "%v", err)
		} else if d < MinTriggerInterval {
			v.add(pathKey(path, "interval"), "must be at least 2 minutes, got %v", d)
		}
		if t.Start != "" {
			if _, err := ParseTriggerStart(t.Start); err != nil {
				v.add(pathKey(path, "start"), "%v", err)
			}
		}
	}
	if f := t.FuzzyMaxDelay; f != nil {
		fp := pathKey(path, "fuzzy_max_delay")
		if d, ok := v.seconds(f, fp); ok && d < 0 {
			v.add(fp, "must not be negative, got %s", f)
		}
	}
}

// cronTrigger checks a CRON or PREDEFINED trigger with Maestro's messages
// (CronConstraint, TimeZoneConstraint, TimeTriggerConstraint).
func (v *validator) cronTrigger(t *TimeTrigger, path string) {
	if t.Timezone != "" {
		if _, err := t.Location(); err != nil {
			v.add(pathKey(path, "timezone"), "[timezone expression] is not valid: %v", err)
		}
	}
	expr, ok := t.CronOf()
	switch {
	case t.Type == TriggerPredefined && !ok:
		v.add(pathKey(path, "expression"), "must be one of @hourly, @daily, @weekly, @monthly, @yearly, got %q", t.Expression)
		return
	case strings.TrimSpace(expr) == "":
		v.add(pathKey(path, "cron"), "[cron expression] cannot be null or empty")
		return
	}
	spec, err := ParseCron(expr)
	if err != nil {
		v.add(pathKey(path, "cron"), "[cron expression] is not valid - rejected value is [%s] - error: [%v]", expr, err)
		return
	}
	if spec.MinGap() < int(MinTriggerInterval.Seconds()) {
		v.add(path, "[time-trigger] the interval between time triggers is less than the minimal value [%d] millis", MinTriggerInterval.Milliseconds())
	}
}

func (v *validator) signalTrigger(t *SignalTrigger, path string) {
	if t == nil {
		v.add(path, "nil trigger")
		return
	}
	dp := pathKey(path, "definitions")
	switch n := len(t.Definitions); {
	case n == 0:
		v.add(dp, "must name at least one signal")
	case n > MaxSignalsPerTrigger:
		v.add(dp, "too many signals: %d (at most %d)", n, MaxSignalsPerTrigger)
	}
	joinKeys := -1
	for _, name := range sortedKeys(t.Definitions) {
		def, np := t.Definitions[name], pathName(dp, name)
		if def == nil {
			v.add(np, "nil signal definition")
			continue
		}
		if joinKeys >= 0 && len(def.JoinKeys) != joinKeys {
			v.add(pathKey(np, "join_keys"), "every signal needs the same number of join keys (%d), got %d", joinKeys, len(def.JoinKeys))
		}
		if joinKeys < 0 {
			joinKeys = len(def.JoinKeys)
		}
		v.matchParams(def.MatchParams, pathKey(np, "match_params"))
	}
	if t.Condition != "" {
		v.sel(t.Condition, pathKey(path, "condition"))
	}
	if t.DedupExpr != "" {
		v.sel(t.DedupExpr, pathKey(path, "dedup_expr"))
	}
	v.params(t.Params, pathKey(path, "params"), scopeNested)
}

func (v *validator) matchParams(mps map[string]*SignalMatchParam, path string) {
	for _, name := range sortedKeys(mps) {
		mp, p := mps[name], pathName(path, name)
		if mp == nil || mp.Param == nil {
			v.add(pathKey(p, "param"), "required")
			continue
		}
		if mp.Operator == "" {
			v.add(pathKey(p, "operator"), "required")
		}
		v.param(mp.Param, pathKey(p, "param"))
	}
}

func (v *validator) signalDependency(sd *SignalDependency, path string) {
	if sd == nil {
		v.add(path, "nil signal dependency")
		return
	}
	if sd.Name == "" {
		v.add(pathKey(path, "name"), "required")
	}
	v.matchParams(sd.MatchParams, pathKey(path, "match_params"))
	for _, name := range sortedKeys(sd.MatchParams) {
		if mp := sd.MatchParams[name]; mp != nil && mp.Param != nil && mp.Param.Type != sel.String && mp.Param.Type != sel.Long {
			v.add(pathKey(pathName(pathKey(path, "match_params"), name), "param.type"), "must be STRING or LONG, got %v", mp.Param.Type)
		}
	}
}

func (v *validator) signalOutput(so *SignalOutput, path string) {
	if so == nil {
		v.add(path, "nil signal output")
		return
	}
	if so.Name == "" {
		v.add(pathKey(path, "name"), "required")
	}
	v.params(so.Params, pathKey(path, "params"), scopeNested)
	for _, name := range sortedKeys(so.Params) {
		if p := so.Params[name]; p != nil && p.Type != sel.String && p.Type != sel.Long && p.Type != sel.Invalid {
			v.add(pathKey(pathName(pathKey(path, "params"), name), "type"), "a signal param must be STRING or LONG, got %v", p.Type)
		}
	}
	v.params(so.Payload, pathKey(path, "payload"), scopeNested)
}

// checkKeys says why keys is not an order of entries ("" if it is, or if
// keys is nil: sorted by name).
func checkKeys(entries Params, keys []string) string {
	if keys == nil {
		return ""
	}
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if _, ok := entries[k]; !ok {
			return fmt.Sprintf("Keys lists %q, which is not an entry", k)
		}
		if seen[k] {
			return fmt.Sprintf("Keys lists %q twice", k)
		}
		seen[k] = true
	}
	for _, k := range sortedKeys(entries) {
		if !seen[k] {
			return fmt.Sprintf("Keys does not list the entry %q", k)
		}
	}
	return ""
}

// keyOrder is the order to write a MAP literal's entries in: keys, or the
// names sorted when keys is nil. keys must pass checkKeys.
func keyOrder(entries Params, keys []string) []string {
	if keys == nil {
		return sortedKeys(entries)
	}
	return keys
}
