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
	if longRunningType(n.Type) {
		kubernetesDefaults(n)
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

// The step types of Maestro's maestro-kubernetes module, run by a worker
// that registers them (module github.com/batonhq/baton/steps/kubernetes).
const (
	TypeKubernetes = "Kubernetes"
	TypeNotebook   = "Notebook"
)

// The params the translator declares on Kubernetes and Notebook steps for
// what Maestro keeps in the step's KUBERNETES artifact: where the job ran
// and the tail of its log.
const (
	KubernetesJobParam    = "kubernetes_job"
	KubernetesOutputParam = "kubernetes_execution_output"
)

// canonicalWorkerType spells the worker-run built-in types as Maestro
// names them ("kubernetes" is Kubernetes); other names are kept.
func canonicalWorkerType(name string) string {
	for _, t := range []string{TypeKubernetes, TypeNotebook} {
		if strings.EqualFold(strings.TrimSpace(name), t) {
			return t
		}
	}
	return name
}

// longRunningType: steps of these types run pods and notebooks, so they
// run as activities (heartbeating, on any worker) unless told otherwise.
func longRunningType(name string) bool {
	return name == TypeKubernetes || name == TypeNotebook
}

// kubernetesDefaults declares the artifact params, and for Notebook steps
// the entries of a literal notebook MAP that Maestro's
// default-notebook-step-params.yaml provides.
func kubernetesDefaults(n *Node) {
	if n.Params == nil {
		n.Params = map[string]*Param{}
	}
	for _, name := range []string{KubernetesJobParam, KubernetesOutputParam} {
		if _, ok := n.Params[name]; !ok {
			n.Params[name] = &Param{Type: sel.String, Literal: "", Mode: "MUTABLE"}
		}
	}
	if n.Type != TypeNotebook {
		return
	}
	nb, ok := n.Params["notebook"]
	if !ok || nb.IsExpr || nb.Type != sel.Map {
		return
	}
	m, ok := nb.Literal.(map[string]*Param)
	if !ok {
		return
	}
	if _, ok := m["init_command"]; !ok {
		m["init_command"] = &Param{Type: sel.String, Literal: "", Mode: DefaultParamMode}
		nb.Keys = appendKey(nb.Keys, "init_command")
	}
	for _, e := range []struct{ name, expr string }{
		{"output_path", NotebookOutputPathExpr},
		{"run_id", NotebookRunIDExpr},
	} {
		if _, ok := m[e.name]; !ok {
			m[e.name] = &Param{Type: sel.String, Expr: e.expr, IsExpr: true, Mode: DefaultParamMode}
			nb.Keys = appendKey(nb.Keys, e.name)
		}
	}
}

// NotebookOutputPathExpr and NotebookRunIDExpr are the expressions of
// Maestro's default-notebook-step-params.yaml.
const (
	NotebookOutputPathExpr = `DateTimeFormatter dateTimeFormatter = DateTimeFormat.forPattern("yyyyMMddHHmmss").withZone(DateTimeZone.forID("UTC"));
return String.format("%s_%s__%s_%s_%s.%s", "maestro-output", dateTimeFormatter.print(RUN_TS), params.getFromInstance("workflow_instance_id"), params.getFromStep("step_instance_id"), params.getFromStep("step_instance_uuid"), "ipynb");`
	NotebookRunIDExpr = `return String.format("%s_%d_%d_%s_%d", params.getFromInstance("workflow_id"), params.getFromInstance("workflow_instance_id"), params.getFromInstance("workflow_run_id"), params.getFromStep("step_id"), params.getFromStep("step_attempt_id"));`
)
