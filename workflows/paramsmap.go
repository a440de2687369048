package workflows

import (
	"regexp"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/translator"
)

// ChangeParamsMap makes SEL's params object Maestro's map of the workflow
// params alone, where a name that is not there reads as NULL
// (sel.Env.WorkflowParams). Runs started before it resolve params['x'] as
// a bare x and fail on a missing name. GetVersion is called only for a
// plan with an expression that reads params as a map.
const ChangeParamsMap = "params-map"

// paramsMapUse matches params['x'], params.get('x') and
// params.containsKey('x').
var paramsMapUse = regexp.MustCompile(`\bparams\s*(\[|\.\s*(get|containsKey)\s*\()`)

// useParamsMap sets the run's SEL env to Maestro's params map when the
// plan reads it and the run started under ChangeParamsMap.
func (r *run) useParamsMap() {
	if !planUsesParamsMap(r.plan.Params, r.plan.Steps) ||
		workflow.GetVersion(r.ctx, ChangeParamsMap, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	r.env.WorkflowParams = func(name string) (any, bool) {
		s, ok := r.env.Params.(*scope)
		if !ok {
			s = &scope{r: r}
		}
		return s.workflowParam(name)
	}
}

// workflowParam reads a workflow param only, evaluating it if pending.
func (s *scope) workflowParam(name string) (any, bool) {
	r := s.r
	if v, ok := r.wfParams[name]; ok {
		return v.Value, true
	}
	if p, ok := r.wfPending[name]; ok {
		v, err := (&scope{r: r}).evalWorkflowParam(name, p)
		if err != nil {
			s.setErr(err)
			return nil, false
		}
		return v.Value, true
	}
	return nil, false
}

func planUsesParamsMap(params map[string]*translator.Param, steps []*translator.Node) bool {
	for _, p := range params {
		if paramUsesParamsMap(p) {
			return true
		}
	}
	for _, n := range steps {
		if usesParamsMap(n.Condition) || planUsesParamsMap(n.Params, nil) {
			return true
		}
		for _, e := range n.Successors {
			if usesParamsMap(e.Condition) {
				return true
			}
		}
		if n.Body != nil && planUsesParamsMap(nil, n.Body.Steps) {
			return true
		}
	}
	return false
}

func usesParamsMap(expr string) bool {
	return strings.Contains(expr, "params") && paramsMapUse.MatchString(expr)
}

func paramUsesParamsMap(p *translator.Param) bool {
	if p == nil {
		return false
	}
	if p.IsExpr {
		return usesParamsMap(p.Expr)
	}
	if nested, ok := p.Literal.(map[string]*translator.Param); ok {
		for _, np := range nested {
			if paramUsesParamsMap(np) {
				return true
			}
		}
	}
	return false
}
