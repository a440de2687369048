package workflows

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
)

// startParams builds the workflow params once, at start: system params,
// then the definition's params (run params override those that may change
// at start), evaluated in dependency order.
func (r *run) startParams(runParams map[string]sel.Value) error {
	if r.restart != nil {
		if err := r.restartParamsAtStart(r.restart); err != nil {
			return err
		}
		return r.evalPendingParams()
	}
	r.wfParams = r.systemParams()
	r.wfPending = make(map[string]*translator.Param, len(r.plan.Params))
	for name, p := range r.plan.Params {
		r.wfPending[name] = p
	}
	overrides, err := MergeRunParams(r.plan, runParams)
	if err != nil {
		return err
	}
	for name, v := range overrides {
		delete(r.wfPending, name)
		r.wfParams[name] = v
	}
	set := func(name string) bool {
		_, over := overrides[name]
		return over || r.plan.Params[name] != nil
	}
	// GetVersion only where the chain changes anything: a run that sets no
	// system param records no marker.
	if !r.inline && setsChainParam(set) && workflow.GetVersion(r.ctx, ChangeSystemParamChain, workflow.DefaultVersion, 1) == 1 {
		r.chainSystemParams(set)
	}
	return r.evalPendingParams()
}

// evalPendingParams evaluates the pending workflow params in dependency
// order and checks the params' size.
func (r *run) evalPendingParams() error {
	s := &scope{r: r}
	for _, name := range sortedKeys(r.wfPending) {
		p, ok := r.wfPending[name]
		if !ok {
			continue // evaluated already, as a dependency of an earlier one
		}
		if _, err := s.evalWorkflowParam(name, p); err != nil {
			return err
		}
	}
	r.state.Params = r.wfParams
	return checkParamsSize("the workflow's", r.wfParams)
}

// MergeRunParams checks run params against a plan's workflow params: a run
// param may override a declared param only if its mode allows a change at
// start, and must convert to the declared type. Undeclared run params are
// added as new workflow params. It returns the values to use.
func MergeRunParams(plan *translator.Plan, runParams map[string]sel.Value) (map[string]sel.Value, error) {
	out := make(map[string]sel.Value, len(runParams))
	for _, name := range sortedKeys(runParams) {
		v := runParams[name]
		decl, ok := plan.Params[name]
		if !ok {
			out[name] = v
			continue
		}
		switch decl.Mode {
		case "CONSTANT", "IMMUTABLE":
			return nil, fmt.Errorf("run param %q: workflow param %q has mode %s and cannot be changed at start", name, name, decl.Mode)
		}
		cv, err := sel.Coerce(v.Value, decl.Type)
		if err != nil {
			return nil, fmt.Errorf("run param %q: %w", name, err)
		}
		out[name] = sel.Value{Type: decl.Type, Value: cv}
	}
	return out, nil
}

// scope resolves names for one evaluation: the workflow's params (n == nil)
// or a step's (MAESTRO.md §4.14).
type scope struct {
	r   *run
	n   *node
	err error // the first error of a nested evaluation
}

var _ sel.Params = (*scope)(nil)

// evalProgram evaluates a program in this scope with the run's one Env
// (built once per run: evaluations never yield, so they nest strictly and
// swapping Params around each one is safe).
func (s *scope) evalProgram(prog *sel.Program) (any, error) {
	env := s.r.env
	prev := env.Params
	env.Params = s
	v, err := prog.Eval(env)
	env.Params = prev
	return v, err
}

// evalWorkflowParam evaluates a pending workflow param and records it.
func (s *scope) evalWorkflowParam(name string, p *translator.Param) (sel.Value, error) {
	delete(s.r.wfPending, name)
	v, err := s.eval(p)
	if err != nil {
		return v, fmt.Errorf("workflow param %q: %w", name, err)
	}
	s.r.wfParams[name] = v
	return v, nil
}

// eval evaluates one param definition in this scope.
func (s *scope) eval(p *translator.Param) (sel.Value, error) {
	if p.IsExpr {
		prog, err := sel.Compile(p.Expr)
		if err != nil {
			return sel.Value{}, err
		}
		v, err := s.evalProgram(prog)
		if s.err != nil {
			return sel.Value{}, s.err
		}
		if err != nil {
			return sel.Value{}, err
		}
		cv, err := sel.Coerce(v, p.Type)
		if err != nil {
			return sel.Value{}, err
		}
		return sel.Value{Type: p.Type, Value: cv}, nil
	}
	v, err := s.literal(p)
	if err != nil {
		return sel.Value{}, err
	}
	return sel.Value{Type: p.Type, Value: v}, nil
}

// literal renders a literal, interpolating $x and ${x} in strings.
func (s *scope) literal(p *translator.Param) (any, error) {
	switch p.Type {
	case sel.String:
		return s.interpolate(p.Literal.(string))
	case sel.StringArray:
		in := p.Literal.([]string)
		out := make([]string, len(in))
		for i, e := range in {
			var err error
			if out[i], err = s.interpolate(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case sel.StringMap:
		in := p.Literal.(map[string]string)
		out := make(map[string]string, len(in))
		for _, k := range sortedKeys(in) {
			ik, err := s.interpolate(k)
			if err != nil {
				return nil, err
			}
			if out[ik], err = s.interpolate(in[k]); err != nil {
				return nil, err
			}
		}
		return out, nil
	case sel.Map:
		in, _ := p.Literal.(map[string]*translator.Param)
		out := make(map[string]any, len(in))
		for _, k := range sortedKeys(in) {
			v, err := s.eval(in[k])
			if err != nil {
				return nil, fmt.Errorf("entry %q: %w", k, err)
			}
			out[k] = v.Value
		}
		return out, nil
	}
	return p.Literal, nil
}

func (s *scope) interpolate(text string) (string, error) {
	if strings.IndexByte(text, '$') < 0 {
		return text, nil
	}
	interpolate := sel.Interpolate
	if sel.InterpolationChanged(text) && workflow.GetVersion(s.r.ctx, ChangeInterpolation, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		interpolate = sel.InterpolateLegacy
	}
	out, err := interpolate(text, s)
	if s.err != nil {
		return "", s.err
	}
	return out, err
}

// Interpolate expands $name in text with this run's rule; it lets
// translator.Number.Resolve (retry limits, timeouts) follow it too.
func (s *scope) Interpolate(text string) (string, error) { return s.interpolate(text) }

// Lookup resolves a bare name in Maestro's order: stepId__param from a
// finished upstream step; "params"; the step's evaluated params; workflow
// params; then the step's own params not yet evaluated.
func (s *scope) Lookup(name string) (any, bool) {
	r := s.r
	if i := strings.Index(name, "__"); i > 0 {
		if up, ok := r.byID[name[:i]]; ok && up.finished && up.state.Status.Complete() {
			v, ok := up.state.Params[name[i+2:]]
			return v.Value, ok
		}
	}
	if name == "params" {
		m := make(map[string]any, len(r.wfParams))
		for k, v := range r.wfParams {
			m[k] = v.Value
		}
		return m, true
	}
	if s.n != nil {
		if v, ok := s.n.state.Params[name]; ok {
			return v.Value, true
		}
	}
	if v, ok := r.wfParams[name]; ok {
		return v.Value, true
	}
	if p, ok := r.wfPending[name]; ok && s.n == nil {
		v, err := s.evalWorkflowParam(name, p)
		if err != nil {
			s.setErr(err)
			return nil, false
		}
		return v.Value, true
	}
	if s.n != nil {
		if p, ok := s.n.plan.Params[name]; ok {
			v, err := s.evalStepParam(name, p)
			if err != nil {
				s.setErr(err)
				return nil, false
			}
			return v.Value, true
		}
		// Maestro injects these into every step (default-step-params).
		switch name {
		case "step_id", "step_instance_uuid", "step_attempt_id":
			v, err := s.ownField(name)
			return v, err == nil
		case "workflow_instance_id":
			v, err := s.GetFromInstance(name)
			return v, err == nil
		}
	}
	return nil, false
}

func (s *scope) setErr(err error) {
	if s.err == nil {
		s.err = err
	}
}

// GetFromStep reads an upstream step's param, or with stepID "" a field of
// the step itself.
func (s *scope) GetFromStep(stepID, param string) (any, error) {
	if stepID == "" {
		return s.ownField(param)
	}
	up, ok := s.r.byID[stepID]
	if !ok {
		return nil, fmt.Errorf("params.getFromStep: no step %q", stepID)
	}
	switch param {
	case "MAESTRO_STEP_STATUS":
		return string(up.state.Status), nil
	case "MAESTRO_STEP_END_TIME":
		if up.state.EndTime == nil {
			return nil, fmt.Errorf("params.getFromStep: step %q has not ended", stepID)
		}
		return up.state.EndTime.UnixMilli(), nil
	}
	v, ok := up.state.Params[param]
	if !ok {
		return nil, fmt.Errorf("params.getFromStep: step %q has no evaluated param %q", stepID, param)
	}
	return v.Value, nil
}

func (s *scope) ownField(field string) (any, error) {
	if s.n == nil {
		return nil, fmt.Errorf("params.getFromStep(%q): not inside a step", field)
	}
	st := s.n.state
	switch field {
	case "step_id":
		return s.n.plan.ID, nil
	case "step_instance_id":
		return int64(s.n.index + 1), nil
	case "step_instance_uuid":
		return s.r.stepUUID(s.n), nil
	case "step_attempt_id":
		return int64(max(st.Attempts, 1)), nil
	case "step_type_info":
		return s.n.plan.Type, nil
	case "MAESTRO_STEP_ERROR_RETRIES":
		return int64(st.Retries.Error), nil
	}
	return nil, fmt.Errorf("params.getFromStep(%q): unknown step field", field)
}

// GetFromInstance reads a field of the workflow instance.
func (s *scope) GetFromInstance(field string) (any, error) {
	r := s.r
	switch field {
	case "workflow_id":
		return r.plan.WorkflowID, nil
	case "workflow_instance_id":
		return int64(1), nil
	case "workflow_run_id":
		return int64(max(r.state.Run, 1)), nil
	case "INITIATOR_TYPE":
		return "MANUAL", nil
	case "RUN_POLICY":
		if r.state.RunPolicy == "" {
			return StartFreshNewRun, nil
		}
		return r.state.RunPolicy, nil
	case "owner":
		return r.plan.Owner, nil
	case "INITIATOR_TIMEZONE", "FIRST_TIME_TRIGGER_TIMEZONE", "INITIATOR_RUNNER_NAME":
		return nil, nil
	}
	return nil, fmt.Errorf("params.getFromInstance(%q): unknown instance field", field)
}

// GetFromForeach returns an inner step's param of a finished foreach
// step, as an array indexed by iteration.
func (s *scope) GetFromForeach(foreachStepID, stepID, param string) (any, error) {
	return s.r.foreachArray(foreachStepID, stepID, param)
}

// GetFromSubworkflow reads a param of a step of a subworkflow step's child run.
func (s *scope) GetFromSubworkflow(stepID, childStepID, param string) (any, error) {
	return s.r.subworkflowParam(stepID, childStepID, param)
}

// GetFromSignal reads a param of the signal trigger that started the run
// (signal == ""), or of the matched instance of signal
// (signal_trigger_params.go).
func (s *scope) GetFromSignal(signal, param string) (any, error) {
	return s.r.fromSignal(signal, param)
}

// GetFromSignalDependency reads a param of the signal instance that
// matched one of the step's signal dependencies (signal_deps.go).
func (s *scope) GetFromSignalDependency(index, param string) (any, error) {
	return s.signalDependencyParam(index, param)
}

// NextUniqueID returns a unique id from the run's deterministic source.
func (s *scope) NextUniqueID() (any, error) {
	return int64(s.r.rand.Uint64() >> 1), nil
}

// evalStepParams evaluates all of a step's params, in dependency order.
func (r *run) evalStepParams(n *node) error {
	if len(n.plan.Params) == 0 && !r.hasRestartStepParams(n) {
		return nil
	}
	n.state.Params = make(map[string]sel.Value, len(n.plan.Params))
	s := &scope{r: r, n: n}
	if err := r.restartStepParams(n, s); err != nil {
		return err
	}
	for _, name := range sortedKeys(n.plan.Params) {
		if _, done := n.state.Params[name]; done {
			continue
		}
		if _, err := s.evalStepParam(name, n.plan.Params[name]); err != nil {
			return err
		}
	}
	return checkParamsSize(fmt.Sprintf("step %q", n.plan.ID), n.state.Params)
}

func (s *scope) evalStepParam(name string, p *translator.Param) (sel.Value, error) {
	n := s.n
	if n.evaluating == nil {
		n.evaluating = map[string]bool{}
	}
	if n.evaluating[name] {
		return sel.Value{}, fmt.Errorf("param %q of step %q refers to itself", name, n.plan.ID)
	}
	n.evaluating[name] = true
	defer delete(n.evaluating, name)
	v, err := s.eval(p)
	if err != nil {
		return v, fmt.Errorf("param %q: %w", name, err)
	}
	n.state.Params[name] = v
	return v, nil
}

// evalEdges evaluates a finished step's edge conditions in its own scope.
func (r *run) evalEdges(n *node) ([]bool, error) {
	out := make([]bool, len(n.plan.Successors))
	var s *scope
	for i, e := range n.plan.Successors {
		switch strings.TrimSpace(e.Condition) {
		case "", "true":
			out[i] = true
			continue
		case "false":
			continue
		}
		if s == nil {
			s = &scope{r: r, n: n}
		}
		prog, err := sel.Compile(e.Condition)
		if err != nil {
			return nil, fmt.Errorf("edge to %q: %w", e.To, err)
		}
		v, err := s.evalProgram(prog)
		if s.err != nil {
			err = s.err
		}
		if err != nil {
			return nil, fmt.Errorf("edge to %q: %w", e.To, err)
		}
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("edge to %q: condition %q gave %T, want a boolean", e.To, e.Condition, v)
		}
		out[i] = b
	}
	return out, nil
}

// duration resolves a plan number of seconds (or a duration string) with
// workflow params.
func (r *run) duration(n translator.Number) (time.Duration, error) {
	if n.Text == "" {
		return time.Duration(n.Value) * time.Second, nil
	}
	secs, err := n.Resolve(&scope{r: r}, translator.Seconds)
	if err != nil {
		return 0, err
	}
	return time.Duration(secs) * time.Second, nil
}

// warn records a problem that did not stop the run (Maestro logs these).
func (r *run) warn(msg string) {
	r.state.Warnings = append(r.state.Warnings, msg)
}

// uuid returns a version-4 UUID from the run's deterministic source.
func (r *run) uuid() string {
	return formatUUID(r.rand.Uint64(), r.rand.Uint64())
}

// stepUUID is a step's stable step_instance_uuid, derived from the run id
// and the step id so that it needs no state.
func (r *run) stepUUID(n *node) string {
	h1 := fnvString(r.info.WorkflowExecution.RunID + "/" + r.id + "/" + n.plan.ID)
	h2 := fnvString(n.plan.ID + "/" + r.info.WorkflowExecution.RunID)
	return formatUUID(h1, h2)
}

func formatUUID(hi, lo uint64) string {
	hi = hi&^(0xf<<12) | 4<<12 // version 4
	lo = lo&^(0x3<<62) | 2<<62 // RFC 4122 variant
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, (hi>>16)&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
}

func fnvString(s string) uint64 {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// sortedKeys returns a map's keys in sorted order: workflow code never
// iterates a map in Go's random order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
