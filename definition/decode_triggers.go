package definition

import (
	"github.com/batonhq/baton/sel"
)

// DecodeTimeTrigger reads one time trigger object.
func DecodeTimeTrigger(data []byte) (*TimeTrigger, error) {
	return decodeWith(data, (*dec).timeTrigger)
}

// DecodeSignalTrigger reads one signal trigger object.
func DecodeSignalTrigger(data []byte) (*SignalTrigger, error) {
	return decodeWith(data, (*dec).signalTrigger)
}

// decodeWith parses data and converts it with f, collecting errors.
func decodeWith[T any](data []byte, f func(*dec, *node, string) T) (T, error) {
	var zero T
	root, err := parseTree(data)
	if err != nil {
		return zero, Errors{AsErrors(err)[0]}
	}
	d := &dec{}
	v := f(d, root, "")
	if err := d.err(); err != nil {
		return zero, err
	}
	return v, nil
}

// The time trigger types.
const (
	TriggerCron       = "CRON"
	TriggerPredefined = "PREDEFINED"
	TriggerInterval   = "INTERVAL"
)

func (d *dec) timeTrigger(n *node, path string) *TimeTrigger {
	t := &TimeTrigger{}
	if !d.object(n, path) {
		return t
	}
	for i, k := range n.keys {
		v, p := n.vals[i], pathKey(path, k)
		switch k {
		case "type":
			t.Type = d.enum(v, p, TriggerCron, TriggerPredefined, TriggerInterval)
		case "cron":
			t.Cron = d.str(v, p)
		case "expression":
			t.Expression = d.str(v, p)
		case "timezone":
			t.Timezone = d.str(v, p)
		case "interval":
			t.Interval = d.str(v, p)
		case "start":
			t.Start = d.str(v, p)
		case "fuzzy_max_delay":
			t.FuzzyMaxDelay = d.parsableLong(v, p)
		default:
			if t.Extra == nil {
				t.Extra = map[string]any{}
			}
			t.Extra[k] = v.plain()
		}
	}
	return t
}

func (d *dec) signalTrigger(n *node, path string) *SignalTrigger {
	t := &SignalTrigger{}
	d.each(n, path, func(k string, v *node, p string) bool {
		switch k {
		case "definitions":
			if v.kind == kNull || !d.object(v, p) {
				return true
			}
			t.Definitions = make(map[string]*SignalTriggerDefinition, len(v.keys))
			for i, name := range v.keys {
				t.Definitions[name] = d.signalTriggerDefinition(v.vals[i], pathName(p, name))
			}
		case "condition":
			t.Condition = d.str(v, p)
		case "dedup_expr":
			t.DedupExpr = d.str(v, p)
		case "params":
			t.Params = d.params(v, p)
		default:
			return false
		}
		return true
	})
	return t
}

func (d *dec) signalTriggerDefinition(n *node, path string) *SignalTriggerDefinition {
	def := &SignalTriggerDefinition{}
	d.each(n, path, func(k string, v *node, p string) bool {
		switch k {
		case "match_params":
			def.MatchParams = d.matchParams(v, p)
		case "join_keys":
			def.JoinKeys = d.strList(v, p)
		default:
			return false
		}
		return true
	})
	return def
}

func (d *dec) matchParams(n *node, path string) map[string]*SignalMatchParam {
	if n.kind == kNull || !d.object(n, path) {
		return nil
	}
	out := make(map[string]*SignalMatchParam, len(n.keys))
	for i, k := range n.keys {
		if mp := d.matchParam(n.vals[i], pathName(path, k)); mp != nil {
			out[k] = mp
		}
	}
	return out
}

// SignalOperators are the comparison operators of signal match params.
var SignalOperators = []string{"=", ">", ">=", "<", "<="}

// matchParam reads {"param": {<param definition>}, "operator": "="} (step
// dependencies) or the short trigger form {"value": <scalar>, "type"?,
// "operator": "="}, where the type defaults to that of the JSON value.
func (d *dec) matchParam(n *node, path string) *SignalMatchParam {
	if !d.object(n, path) {
		return nil
	}
	mp := &SignalMatchParam{}
	var short *Param
	for i, k := range n.keys {
		v, p := n.vals[i], pathKey(path, k)
		switch k {
		case "param":
			mp.Param = d.param(v, p)
		case "operator":
			mp.Operator = d.enum(v, p, SignalOperators...)
		case "value", "type":
			if short == nil {
				short = d.shortParam(n, path)
			}
		default:
			d.add(p, "unknown field")
		}
	}
	if short != nil {
		if mp.Param != nil {
			d.add(pathKey(path, "param"), "give either param or value, not both")
		}
		mp.Param = short
	}
	if mp.Param == nil {
		d.add(pathKey(path, "param"), "required")
	}
	if mp.Operator == "" && n.get("operator") == nil {
		d.add(pathKey(path, "operator"), "required")
	}
	return mp
}

// shortParam reads the {"value", "type"?} trigger form of a match param.
func (d *dec) shortParam(n *node, path string) *Param {
	v := n.get("value")
	p := &Param{}
	if tn := n.get("type"); tn != nil {
		t, err := sel.ParseType(d.str(tn, pathKey(path, "type")))
		if err != nil {
			d.add(pathKey(path, "type"), "%v", err)
			return p
		}
		p.Type = t
	} else if v != nil {
		switch v.kind {
		case kString:
			p.Type = sel.String
		case kBool:
			p.Type = sel.Boolean
		case kNumber:
			p.Type = sel.Long
			if _, ok := parseLong(v.str); !ok {
				p.Type = sel.Double
			}
		}
	}
	if v == nil || v.kind == kNull {
		d.add(pathKey(path, "value"), "required")
		return p
	}
	if p.Type == sel.Invalid {
		d.add(pathKey(path, "value"), "must be a string, number or boolean, got %s", describe(v))
		return p
	}
	d.literal(p, v, pathKey(path, "value"))
	return p
}

func (d *dec) signalDependency(n *node, path string) *SignalDependency {
	sd := &SignalDependency{}
	d.each(n, path, func(k string, v *node, p string) bool {
		switch k {
		case "name":
			sd.Name = d.str(v, p)
		case "match_params":
			sd.MatchParams = d.matchParams(v, p)
		default:
			return false
		}
		return true
	})
	return sd
}

func (d *dec) signalOutput(n *node, path string) *SignalOutput {
	so := &SignalOutput{}
	d.each(n, path, func(k string, v *node, p string) bool {
		switch k {
		case "name":
			so.Name = d.str(v, p)
		case "params":
			so.Params = d.params(v, p)
		case "payload":
			so.Payload = d.params(v, p)
		default:
			return false
		}
		return true
	})
	return so
}
