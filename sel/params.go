package sel

import (
	"fmt"
	"strings"
)

// paramsCall implements the methods of the `params` object.
func (st *state) paramsCall(pos int, name string, args []any) (any, error) {
	strs := make([]string, len(args))
	for i, a := range args {
		s, ok := a.(string)
		if n, isLong := a.(int64); isLong && name == "getFromSignalDependency" && i == 0 {
			s, ok = javaString(n), true
		}
		if name == "getFromSignalOrDefault" && i == 2 {
			continue
		}
		if !ok {
			return nil, errAt(pos, "params.%s: argument %d must be a String, got %s", name, i+1, typeName(a))
		}
		strs[i] = s
	}
	p := st.env.Params
	if p == nil {
		return nil, errAt(pos, "params.%s is not available: no params", name)
	}
	var v any
	var err error
	switch {
	case name == "get" && len(args) == 1 && st.env.WorkflowParams != nil:
		return st.workflowParam(pos, strs[0])
	case name == "containsKey" && len(args) == 1 && st.env.WorkflowParams != nil:
		_, ok := st.env.WorkflowParams(strs[0])
		return ok, nil
	case name == "get" && len(args) == 1:
		return st.lookup(pos, strs[0])
	case name == "containsKey" && len(args) == 1:
		_, ok := p.Lookup(strs[0])
		return ok, nil
	case name == "getFromStep" && len(args) == 1:
		v, err = p.GetFromStep("", strs[0])
	case name == "getFromStep" && len(args) == 2:
		v, err = p.GetFromStep(strs[0], strs[1])
	case name == "getFromInstance" && len(args) == 1:
		v, err = p.GetFromInstance(strs[0])
	case name == "getFromForeach" && len(args) == 3:
		v, err = p.GetFromForeach(strs[0], strs[1], strs[2])
	case name == "getFromSubworkflow" && len(args) == 3:
		v, err = p.GetFromSubworkflow(strs[0], strs[1], strs[2])
	case name == "getFromSignal" && len(args) == 1:
		v, err = p.GetFromSignal("", strs[0])
	case name == "getFromSignal" && len(args) == 2:
		v, err = p.GetFromSignal(strs[0], strs[1])
	case name == "getFromSignalOrDefault" && len(args) == 3:
		v, err = p.GetFromSignal(strs[0], strs[1])
		if err != nil || v == nil {
			return args[2], nil
		}
	case name == "getFromSignalDependency" && len(args) == 2:
		v, err = p.GetFromSignalDependency(strs[0], strs[1])
	case name == "nextUniqueId" && len(args) == 0:
		v, err = p.NextUniqueID()
	default:
		return nil, argErr(pos, "params."+name, args)
	}
	if err != nil {
		return nil, errAt(pos, "params.%s: %v", name, err)
	}
	nv, ok := normalize(v)
	if !ok {
		return nil, errAt(pos, "params.%s returned unsupported Go type %T", name, v)
	}
	return st.own(pos, "params."+name+"("+strings.Join(strs, "\x00")+")", nv)
}

// workflowParam reads params['name'] through Env.WorkflowParams: a name
// that is not a workflow param is NULL.
func (st *state) workflowParam(pos int, name string) (any, error) {
	v, ok := st.env.WorkflowParams(name)
	if !ok || v == nil {
		return nil, nil
	}
	nv, ok := normalize(v)
	if !ok {
		return nil, errAt(pos, "param %s has unsupported Go type %T", name, v)
	}
	return nv, nil
}

// nullOp is Maestro's NULL on the left of an operator: < and > are false,
// + concatenates "null"; ok is false for the others (== and != compare as
// usual, the rest are errors).
func nullOp(op string, r any) (any, bool) {
	switch op {
	case "<", ">":
		return false, true
	case "+":
		if r == nil {
			return "nullnull", true
		}
		if s, ok := r.(string); ok {
			return "null" + s, true
		}
		return "null" + javaString(r), true
	}
	return nil, false
}

// MapParams is a Params backed by a map. Its extension methods
// (getFromStep, ...) are unavailable and return an error saying so; it is
// meant for tools (baton eval) and tests.
type MapParams map[string]any

// Lookup returns m[name].
func (m MapParams) Lookup(name string) (any, bool) {
	v, ok := m[name]
	return v, ok
}

func unavailable(name string) error {
	return fmt.Errorf("params.%s is not available here", name)
}

// GetFromStep is unavailable.
func (MapParams) GetFromStep(string, string) (any, error) { return nil, unavailable("getFromStep") }

// GetFromInstance is unavailable.
func (MapParams) GetFromInstance(string) (any, error) { return nil, unavailable("getFromInstance") }

// GetFromForeach is unavailable.
func (MapParams) GetFromForeach(string, string, string) (any, error) {
	return nil, unavailable("getFromForeach")
}

// GetFromSubworkflow is unavailable.
func (MapParams) GetFromSubworkflow(string, string, string) (any, error) {
	return nil, unavailable("getFromSubworkflow")
}

// GetFromSignal is unavailable.
func (MapParams) GetFromSignal(string, string) (any, error) { return nil, unavailable("getFromSignal") }

// GetFromSignalDependency is unavailable.
func (MapParams) GetFromSignalDependency(string, string) (any, error) {
	return nil, unavailable("getFromSignalDependency")
}

// NextUniqueID is unavailable.
func (MapParams) NextUniqueID() (any, error) { return nil, unavailable("nextUniqueId") }
