package translator

import (
	"regexp"
	"sort"
)

// getFromForeachCall matches params.getFromForeach calls whose three
// arguments are string literals.
var getFromForeachCall = regexp.MustCompile(`getFromForeach\s*\(\s*(?:'([^']*)'|"([^"]*)")\s*,\s*(?:'([^']*)'|"([^"]*)")\s*,\s*(?:'([^']*)'|"([^"]*)")\s*\)`)

// collectForeachReads sets Collect on every foreach node that some
// expression of the plan reads with params.getFromForeach, so the loop keeps
// only those params per iteration instead of every iteration's state.
func collectForeachReads(p *Plan) {
	reads := map[string]map[string]bool{} // foreach id -> "step/param"
	var exprs []string
	var walkParams func(map[string]*Param)
	walkParams = func(ps map[string]*Param) {
		for _, prm := range ps {
			if prm.IsExpr {
				exprs = append(exprs, prm.Expr)
			} else if m, ok := prm.Literal.(map[string]*Param); ok {
				walkParams(m)
			}
		}
	}
	foreach := map[string]*Node{}
	var walk func([]*Node)
	walk = func(nodes []*Node) {
		for _, n := range nodes {
			walkParams(n.Params)
			for _, e := range n.Successors {
				exprs = append(exprs, e.Condition)
			}
			if n.Condition != "" {
				exprs = append(exprs, n.Condition)
			}
			if n.Kind == "foreach" {
				foreach[n.ID] = n
			}
			if n.Body != nil {
				walk(n.Body.Steps)
			}
		}
	}
	walkParams(p.Params)
	walk(p.Steps)
	for _, e := range exprs {
		for _, m := range getFromForeachCall.FindAllStringSubmatch(e, -1) {
			fe, step, param := m[1]+m[2], m[3]+m[4], m[5]+m[6]
			if foreach[fe] == nil {
				continue
			}
			if reads[fe] == nil {
				reads[fe] = map[string]bool{}
			}
			reads[fe][step+"/"+param] = true
		}
	}
	for id, set := range reads {
		n := foreach[id]
		n.Collect = n.Collect[:0]
		for k := range set {
			n.Collect = append(n.Collect, k)
		}
		sort.Strings(n.Collect)
	}
}
