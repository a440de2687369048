package translator

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
)

var paramModes = map[string]bool{
	string(definition.Mutable):               true,
	string(definition.MutableOnStart):        true,
	string(definition.MutableOnStartRestart): true,
	string(definition.Immutable):             true,
	string(definition.Constant):              true,
}

// params converts a map of param definitions; nil for an empty map.
func (c *compiler) params(ps definition.Params, path string) map[string]*Param {
	if len(ps) == 0 {
		return nil
	}
	names := make([]string, 0, len(ps))
	for name := range ps {
		names = append(names, name)
	}
	sort.Strings(names) // errors in a stable order
	out := make(map[string]*Param, len(ps))
	for _, name := range names {
		if p := c.param(ps[name], fmt.Sprintf("%s[%s]", path, strconv.Quote(name))); p != nil {
			out[name] = p
		}
	}
	return out
}

func (c *compiler) param(dp *definition.Param, path string) *Param {
	if dp == nil {
		c.errs.add(path, "empty param definition")
		return nil
	}
	p := &Param{Type: dp.Type, Mode: strings.ToUpper(strings.TrimSpace(string(dp.Mode)))}
	if p.Mode == "" {
		p.Mode = DefaultParamMode
	} else if !paramModes[p.Mode] {
		c.errs.add(path+".mode", fmt.Sprintf("unknown param mode %q", string(dp.Mode)))
	}
	if dp.Type == sel.Invalid || dp.Type > sel.Map {
		c.errs.add(path+".type", "missing or unknown param type")
		return nil
	}
	if dp.HasExpression {
		p.IsExpr, p.Expr = true, dp.Expression
		return p
	}
	if dp.Type == sel.Map {
		p.Literal = c.mapLiteral(dp.Value, path+".value")
		p.Keys = c.mapKeys(dp.Value, dp.Keys, path+".value")
		return p
	}
	if dp.Value == nil {
		c.errs.add(path, "needs a value or an expression")
		return nil
	}
	if t, ok := sel.TypeOf(dp.Value); !ok || t != dp.Type {
		c.errs.add(path+".value", fmt.Sprintf("a %v literal cannot hold a Go %T", dp.Type, dp.Value))
		return nil
	}
	p.Literal = dp.Value
	return p
}

// mapLiteral converts a MAP literal: nested definitions (definition.Params,
// as decoded) or, from Go code, plain values in sel's representation.
func (c *compiler) mapLiteral(v any, path string) map[string]*Param {
	out := map[string]*Param{}
	switch m := v.(type) {
	case nil:
	case definition.Params:
		for k, p := range c.params(m, path) {
			out[k] = p
		}
	case map[string]*definition.Param:
		for k, p := range c.params(definition.Params(m), path) {
			out[k] = p
		}
	case map[string]any:
		for k, e := range m {
			t, ok := sel.TypeOf(e)
			if !ok {
				c.errs.add(fmt.Sprintf("%s[%s]", path, strconv.Quote(k)), fmt.Sprintf("unsupported Go type %T", e))
				continue
			}
			if t == sel.Map {
				out[k] = &Param{Type: t, Literal: c.mapLiteral(e, fmt.Sprintf("%s[%s]", path, strconv.Quote(k))), Mode: DefaultParamMode}
				continue
			}
			out[k] = &Param{Type: t, Literal: e, Mode: DefaultParamMode}
		}
	default:
		c.errs.add(path, fmt.Sprintf("a MAP literal cannot hold a Go %T", v))
	}
	return out
}

// mapKeys is the plan's Keys for a MAP literal value whose entries were
// written in the order keys (definition.Param.Keys): nil when that is name
// order, which is what a plan without Keys means, so the plans of
// definitions whose order does not matter stay as they were.
func (c *compiler) mapKeys(value any, keys []string, path string) []string {
	if keys == nil {
		return nil
	}
	var err error
	switch m := value.(type) {
	case definition.Params:
		err = checkKeys(m, keys)
	case map[string]*definition.Param:
		err = checkKeys(m, keys)
	case map[string]any:
		err = checkKeys(m, keys)
	default:
		return nil // mapLiteral reported it
	}
	if err != nil {
		c.errs.add(path, err.Error())
		return nil
	}
	if sort.StringsAreSorted(keys) {
		return nil
	}
	return append([]string{}, keys...)
}

// CompileParams converts param definitions outside a workflow (a restart
// request's run or step params), with every error and its path under path.
func CompileParams(ps definition.Params, path string) (map[string]*Param, error) {
	c := &compiler{}
	out := c.params(ps, path)
	if len(c.errs.errs) > 0 {
		return nil, c.errs.errs
	}
	return out, nil
}
