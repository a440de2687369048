package translator

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
)

// SignalDependency is one entry of a step's signal_dependencies: the step
// waits (WAITING_FOR_SIGNALS) until a stored instance of Name matches every
// condition of Match. Name and the match values are interpolated and
// evaluated with workflow and upstream params, not the step's own.
type SignalDependency struct {
	Name  string        `json:"name"`
	Match []SignalMatch `json:"match,omitempty"` // by param name
}

// SignalMatch is one condition: the instance's Param <Operator> Value.
type SignalMatch struct {
	Param    string `json:"param"`
	Operator string `json:"operator"`
	Value    *Param `json:"value"` // STRING or LONG
}

// SignalOutput is one entry of a step's signal_outputs, sent when the
// step succeeds; its params are evaluated in the step's scope.
type SignalOutput struct {
	Name    string            `json:"name"`
	Params  map[string]*Param `json:"params,omitempty"`
	Payload map[string]*Param `json:"payload,omitempty"`
}

// signals compiles a step's signal_dependencies and signal_outputs (the
// validator has checked names, operators and types already).
func (c *compiler) signals(n *Node, s *definition.Step, path string) {
	for i, sd := range s.SignalDependencies {
		dp := fmt.Sprintf("%s.signal_dependencies[%d]", path, i)
		if sd == nil {
			c.errs.add(dp, "nil signal dependency")
			continue
		}
		dep := &SignalDependency{Name: sd.Name}
		names := make([]string, 0, len(sd.MatchParams))
		for name := range sd.MatchParams {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			mp := sd.MatchParams[name]
			mpath := fmt.Sprintf("%s.match_params[%s]", dp, strconv.Quote(name))
			if mp == nil || mp.Param == nil {
				c.errs.add(mpath, "needs a param")
				continue
			}
			p := c.param(mp.Param, mpath+".param")
			if p == nil {
				continue
			}
			if p.Type != sel.String && p.Type != sel.Long {
				c.errs.add(mpath+".param.type", fmt.Sprintf("must be STRING or LONG, got %v", p.Type))
				continue
			}
			op := mp.Operator
			if op == "" {
				op = "="
			}
			dep.Match = append(dep.Match, SignalMatch{Param: name, Operator: op, Value: p})
		}
		n.SignalDependencies = append(n.SignalDependencies, dep)
	}
	for i, so := range s.SignalOutputs {
		op := fmt.Sprintf("%s.signal_outputs[%d]", path, i)
		if so == nil {
			c.errs.add(op, "nil signal output")
			continue
		}
		n.SignalOutputs = append(n.SignalOutputs, &SignalOutput{
			Name:    so.Name,
			Params:  c.params(so.Params, op+".params"),
			Payload: c.params(so.Payload, op+".payload"),
		})
	}
}
