package translator

import (
	"strings"

	"github.com/batonhq/baton/sel"
)

// TypeHTTP is Maestro's Http step type, run as a user step type (an
// activity: see activities/httpstep, registered on workers that set
// worker.Options.HTTP).
const TypeHTTP = "Http"

// HTTPDefaultStateExpr is the state_expr Maestro gives Http steps
// (default-http-step-params.yaml): 2xx DONE, 4xx FATAL_ERROR, anything
// else USER_ERROR.
const HTTPDefaultStateExpr = `if (status_code >= 200 && status_code < 300) return "DONE";
else if (status_code >= 400 && status_code < 500) return "FATAL_ERROR";
else return "USER_ERROR";`

// applyTypeDefaults adds the params a step type declares by default (for
// Maestro's step types, its defaultparams), so that their outputs are
// declared params of the step. Params the definition declares are kept as
// written.
func applyTypeDefaults(n *Node) {
	if strings.EqualFold(strings.TrimSpace(n.Type), TypeHTTP) {
		n.Type = TypeHTTP
		httpDefaults(n)
	}
}

// httpDefaults: the outputs status_code (LONG, 200 until the step runs, as
// in Maestro) and response_body (STRING) as MUTABLE params, state_expr,
// and method GET and JSON headers inside a literal http MAP that lacks
// them.
func httpDefaults(n *Node) {
	if n.Params == nil {
		n.Params = map[string]*Param{}
	}
	add := func(name string, p *Param) {
		if _, ok := n.Params[name]; !ok {
			n.Params[name] = p
		}
	}
	add("status_code", &Param{Type: sel.Long, Literal: int64(200), Mode: "MUTABLE"})
	add("response_body", &Param{Type: sel.String, Literal: "", Mode: "MUTABLE"})
	add("state_expr", &Param{Type: sel.String, Literal: HTTPDefaultStateExpr, Mode: DefaultParamMode})
	h, ok := n.Params["http"]
	if !ok || h.IsExpr || h.Type != sel.Map {
		return
	}
	m, ok := h.Literal.(map[string]*Param)
	if !ok {
		return
	}
	if _, ok := m["method"]; !ok {
		m["method"] = &Param{Type: sel.String, Literal: "GET", Mode: DefaultParamMode}
		h.Keys = appendKey(h.Keys, "method")
	}
	if _, ok := m["headers"]; !ok {
		m["headers"] = &Param{Type: sel.StringMap, Literal: map[string]string{
			"Content-Type": "application/json",
			"Accept":       "application/json",
		}, Mode: DefaultParamMode}
		h.Keys = appendKey(h.Keys, "headers")
	}
}

// appendKey adds a new entry's name to a MAP literal's Keys, if it has
// any (nil Keys means name order, which covers the new entry too).
func appendKey(keys []string, name string) []string {
	if keys == nil {
		return nil
	}
	return append(keys, name)
}
