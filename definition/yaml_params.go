package definition

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/batonhq/baton/sel"
)

// dslParamKey is a DSL param key taken apart: "!name<type>(mode)".
type dslParamKey struct {
	name string
	expr bool     // "!": the value is a SEL expression
	typ  sel.Type // sel.Invalid when no <type> hint
	mode string   // "" when no (mode)
}

// parseParamKey reads Maestro's ParamParser key syntax: a leading "!"
// marks an expression, a trailing "(mode)" the mode, "<type>" the type,
// where <map> is STRING_MAP, <pmap> a param MAP and <array<t>> an array.
func parseParamKey(key string) (dslParamKey, string) {
	k := dslParamKey{name: strings.TrimSpace(key)}
	if rest, ok := strings.CutPrefix(k.name, "!"); ok {
		k.expr, k.name = true, rest
	}
	if open, end := strings.LastIndexByte(k.name, '('), strings.LastIndexByte(k.name, ')'); open > 0 && end > open {
		mode := strings.ToUpper(strings.TrimSpace(k.name[open+1 : end]))
		if !contains(paramModes, mode) {
			return k, "invalid param mode " + quote(k.name[open+1:end]) + " (want one of " + strings.Join(paramModes, ", ") + ")"
		}
		k.mode, k.name = mode, strings.TrimSpace(k.name[:open])
	}
	if open, end := strings.IndexByte(k.name, '<'), strings.LastIndexByte(k.name, '>'); open > 0 && end > open {
		t, msg := parseTypeHint(strings.ToUpper(strings.TrimSpace(k.name[open+1 : end])))
		if msg != "" {
			return k, msg
		}
		k.typ, k.name = t, strings.TrimSpace(k.name[:open])
	}
	if k.name == "" {
		return k, "param name is empty after its type and mode are taken off"
	}
	return k, ""
}

func parseTypeHint(hint string) (sel.Type, string) {
	if elem, ok := strings.CutPrefix(hint, "ARRAY<"); ok && strings.HasSuffix(elem, ">") {
		switch strings.TrimSpace(strings.TrimSuffix(elem, ">")) {
		case "STRING":
			return sel.StringArray, ""
		case "LONG":
			return sel.LongArray, ""
		case "DOUBLE":
			return sel.DoubleArray, ""
		case "BOOLEAN":
			return sel.BooleanArray, ""
		}
		return sel.Invalid, "unsupported type " + quote(hint) + ": array elements are STRING, LONG, DOUBLE or BOOLEAN"
	}
	switch hint {
	case "PMAP":
		return sel.Map, ""
	case "MAP":
		return sel.StringMap, ""
	}
	t, err := sel.ParseType(hint)
	if err != nil {
		return sel.Invalid, "invalid param type " + quote(hint) + ": want string, long, double, boolean, array<t>, map or pmap"
	}
	return t, ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func quote(s string) string { return "\"" + s + "\"" }

// impliedType is the type Maestro's ParamParser infers from a literal:
// the scalar's type; a mapping of strings only is a STRING_MAP, any other
// mapping (or an empty one) a MAP; a list takes its first element's type
// (Invalid for an empty list, which becomes STRING_ARRAY).
func impliedType(n *yaml.Node) (sel.Type, bool) {
	switch n.Kind {
	case yaml.ScalarNode:
		return scalarType(n)
	case yaml.MappingNode:
		if len(n.Content) == 0 {
			return sel.Map, true
		}
		for i := 1; i < len(n.Content); i += 2 {
			if v := n.Content[i]; v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
				return sel.Map, true
			}
		}
		return sel.StringMap, true
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			return sel.Invalid, true
		}
		first := n.Content[0]
		if first.Kind == yaml.AliasNode {
			first = first.Alias
		}
		if first.Kind != yaml.ScalarNode {
			return sel.Invalid, false
		}
		t, ok := scalarType(first)
		switch t {
		case sel.String:
			return sel.StringArray, ok
		case sel.Long:
			return sel.LongArray, ok
		case sel.Double:
			return sel.DoubleArray, ok
		case sel.Boolean:
			return sel.BooleanArray, ok
		}
	}
	return sel.Invalid, false
}

func scalarType(n *yaml.Node) (sel.Type, bool) {
	switch n.ShortTag() {
	case "!!int":
		return sel.Long, true
	case "!!float":
		return sel.Double, true
	case "!!bool":
		return sel.Boolean, true
	case "!!null":
		return sel.Invalid, false
	}
	return sel.String, true
}

// param converts one DSL param (key and value) into a JSON param
// definition in params.
func (c *dslConv) param(params *node, e yamlEntry, path string, depth int) {
	k, msg := parseParamKey(e.key)
	p := pathName(path, k.name)
	if msg != "" {
		c.fail(e.keyNode, pathName(path, strings.TrimSpace(e.key)), "%s", msg)
		return
	}
	if depth > MaxYAMLDepth {
		c.fail(e.keyNode, p, "nested deeper than %d levels", MaxYAMLDepth)
		return
	}
	if params.get(k.name) != nil {
		c.fail(e.keyNode, p, "param %s is defined twice", k.name)
		return
	}
	c.src.set(p, e.keyNode)
	v := c.resolve(e.val, p)
	if v == nil {
		return
	}
	if isNull(v) {
		c.fail(v, p, "param %s has no value", k.name)
		return
	}
	def := &node{kind: kObject}
	typ := k.typ
	if k.expr {
		if typ == sel.Invalid {
			typ = sel.String
		}
		expr, ok := c.text(v, pathKey(p, "expression"), "an expression")
		if !ok {
			return
		}
		putKey(def, "type", &node{kind: kString, str: typ.String()})
		putKey(def, "expression", c.at(&node{kind: kString, str: expr}, pathKey(p, "expression"), v))
	} else {
		implied, ok := impliedType(v)
		if !ok {
			c.fail(v, p, "param %s: a literal must be a string, number, boolean, list of those or mapping, got %s", k.name, yamlKind(v))
			return
		}
		switch {
		case typ == sel.Invalid && implied == sel.Invalid:
			typ = sel.StringArray // an empty list
		case typ == sel.Invalid:
			typ = implied
		case implied != sel.Invalid && implied != typ && !(typ == sel.Map && implied == sel.StringMap):
			c.fail(e.keyNode, p, "type mismatch: the key says %v, the value is a %v", typ, implied)
			return
		}
		putKey(def, "type", &node{kind: kString, str: typ.String()})
		vp := pathKey(p, "value")
		if typ == sel.Map && v.Kind == yaml.MappingNode {
			nested := &node{kind: kObject}
			entries, _ := c.mapping(v, vp, "a MAP param")
			c.src.set(vp, v)
			for _, ne := range entries {
				c.param(nested, ne, vp, depth+1)
			}
			putKey(def, "value", nested)
		} else {
			putKey(def, "value", c.plain(v, vp, depth+1))
		}
	}
	if k.mode != "" {
		putKey(def, "mode", &node{kind: kString, str: k.mode})
	}
	putKey(params, k.name, def)
}
