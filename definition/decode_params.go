package definition

import (
	"github.com/batonhq/baton/sel"
)

var paramModes = []string{
	string(Mutable), string(MutableOnStart), string(MutableOnStartRestart), string(Immutable), string(Constant),
}

// params reads a map of name -> param definition.
func (d *dec) params(n *node, path string) Params {
	ps, _ := d.orderedParams(n, path)
	return ps
}

// orderedParams reads a map of name -> param definition and the names in
// the order they are written (those that decoded).
func (d *dec) orderedParams(n *node, path string) (Params, []string) {
	if n.kind == kNull {
		return nil, nil
	}
	if !d.object(n, path) {
		return nil, nil
	}
	ps := make(Params, len(n.keys))
	keys := make([]string, 0, len(n.keys))
	for i, k := range n.keys {
		if p := d.param(n.vals[i], pathName(path, k)); p != nil {
			ps[k] = p
			keys = append(keys, k)
		}
	}
	return ps, keys
}

// param reads one param definition. The value is decoded per the declared
// type, so "type" is required.
func (d *dec) param(n *node, path string) *Param {
	if !d.object(n, path) {
		return nil
	}
	p := &Param{}
	var value *node
	typeNode := n.get("type")
	if typeNode == nil {
		d.add(pathKey(path, "type"), "required")
	} else if typeNode.kind != kString {
		d.add(pathKey(path, "type"), "must be a string, got %s", describe(typeNode))
	} else if t, err := sel.ParseType(typeNode.str); err != nil {
		d.add(pathKey(path, "type"), "%v", err)
	} else {
		p.Type = t
	}
	for i, k := range n.keys {
		v, kp := n.vals[i], pathKey(path, k)
		switch k {
		case "type":
		case "value":
			if v.kind != kNull {
				value = v
			}
		case "expression":
			if v.kind != kNull {
				p.Expression = d.str(v, kp)
				p.HasExpression = true
			}
		case "mode":
			p.Mode = ParamMode(d.enum(v, kp, paramModes...))
		case "validator":
			p.Validator = d.str(v, kp)
		case "tags":
			p.Tags = d.tags(v, kp)
		case "internal_mode":
			d.add(kp, "is set by Maestro only; a definition may not set it")
		default:
			if p.Meta == nil {
				p.Meta = map[string]any{}
			}
			p.Meta[k] = v.plain()
		}
	}
	if value != nil && p.Type != sel.Invalid {
		d.literal(p, value, pathKey(path, "value"))
	}
	return p
}

// literal sets p.Value from n per p.Type: a MAP literal becomes Params,
// with its names in the order written in p.Keys; any other type as value
// decodes it.
func (d *dec) literal(p *Param, n *node, path string) {
	if p.Type == sel.Map && n.kind == kObject {
		if d.mapDepth >= sel.MaxValueDepth {
			d.add(path, "MAP value nests more than %d levels deep", sel.MaxValueDepth)
			return
		}
		d.mapDepth++
		p.Value, p.Keys = d.orderedParams(n, path)
		d.mapDepth--
		return
	}
	p.Value = d.value(p.Type, n, path)
}

// value decodes a literal of type t into sel's Go representation (MAP
// literals are read by literal). It returns nil after recording an error.
func (d *dec) value(t sel.Type, n *node, path string) any {
	switch t {
	case sel.String:
		if s, ok := scalarString(n); ok {
			return s
		}
	case sel.Long:
		if n.kind == kNumber || n.kind == kString {
			if v, ok := parseLong(n.str); ok {
				return v
			}
		}
	case sel.Double:
		if n.kind == kNumber || n.kind == kString {
			if v, ok := parseDouble(n.str); ok {
				return v
			}
		}
	case sel.Boolean:
		if b := (&dec{}).boolp(n, path); b != nil {
			return *b
		}
	case sel.StringMap:
		if n.kind == kObject {
			m := make(map[string]string, len(n.keys))
			for i, k := range n.keys {
				s, ok := scalarString(n.vals[i])
				if !ok {
					d.add(pathName(path, k), "must be a string, got %s", describe(n.vals[i]))
				}
				m[k] = s
			}
			return m
		}
	case sel.StringArray, sel.LongArray, sel.DoubleArray, sel.BooleanArray:
		if n.kind == kArray {
			return d.array(t, n, path)
		}
	}
	d.add(path, "must be a %v value, got %s", t, describe(n))
	return nil
}

// array decodes an array literal element by element.
func (d *dec) array(t sel.Type, n *node, path string) any {
	var elem sel.Type
	switch t {
	case sel.StringArray:
		elem = sel.String
	case sel.LongArray:
		elem = sel.Long
	case sel.DoubleArray:
		elem = sel.Double
	default:
		elem = sel.Boolean
	}
	ss, ls, ds, bs := []string{}, []int64{}, []float64{}, []bool{}
	for i, e := range n.elems {
		v := d.value(elem, e, pathIndex(path, i))
		switch x := v.(type) {
		case string:
			ss = append(ss, x)
		case int64:
			ls = append(ls, x)
		case float64:
			ds = append(ds, x)
		case bool:
			bs = append(bs, x)
		}
	}
	switch t {
	case sel.StringArray:
		return ss
	case sel.LongArray:
		return ls
	case sel.DoubleArray:
		return ds
	}
	return bs
}

// scalarString reads a STRING literal; like Jackson, numbers and booleans
// are taken as their text.
func scalarString(n *node) (string, bool) {
	switch n.kind {
	case kString, kNumber:
		return n.str, true
	case kBool:
		return describe(n), true
	}
	return "", false
}
