package definition

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/batonhq/baton/sel"
)

// EncodeYAML writes r in Maestro's YAML DSL: workflow params as keys of
// Workflow, step params as keys of their job, transitions as "job.2" and
// "IF <SEL> THEN job.4". What the DSL has no key for (retry policies,
// signals, triggers, params with validators or tags...) goes under
// ExtensionKey in JSON form, so DecodeYAML of the result gives back a
// request that compiles to the same plan. Template steps, which have no
// DSL form, are refused.
func EncodeYAML(r *Request) ([]byte, error) {
	js, err := Encode(r)
	if err != nil {
		return nil, err
	}
	root, err := parseTree(js)
	if err != nil {
		return nil, err
	}
	e := &yamlEnc{}
	wf := e.workflow(root)
	if e.err != nil {
		return nil, e.err
	}
	doc := mappingNode()
	addPair(doc, "Workflow", wf)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type yamlEnc struct{ err error }

func mappingNode() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func strNode(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func addPair(m *yaml.Node, k string, v *yaml.Node) { m.Content = append(m.Content, strNode(k), v) }

// toYAML converts a JSON node as it is.
func toYAML(n *node) *yaml.Node {
	switch n.kind {
	case kObject:
		m := mappingNode()
		for i, k := range n.keys {
			addPair(m, k, toYAML(n.vals[i]))
		}
		return m
	case kArray:
		s := &yaml.Node{Kind: yaml.SequenceNode}
		for _, e := range n.elems {
			s.Content = append(s.Content, toYAML(e))
		}
		return s
	case kString:
		return stringNode(n.str)
	case kNumber:
		if _, err := strconv.ParseInt(n.str, 10, 64); err == nil {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: n.str}
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: floatText(n.str)}
	case kBool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(n.b)}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}

// stringNode writes a multi-line string as a literal block.
func stringNode(s string) *yaml.Node {
	n := strNode(s)
	if strings.Contains(s, "\n") && !strings.ContainsAny(s, "\r\t") && strings.TrimRight(s, " \n") == strings.TrimRight(s, "\n") {
		n.Style = yaml.LiteralStyle
	}
	return n
}

// floatText makes a JSON number read back as a YAML float.
func floatText(s string) string {
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, ".eE") {
		return strconv.FormatFloat(f, 'f', -1, 64) + ".0"
	}
	return s
}

// extension collects the JSON fields the DSL cannot write, by path.
type extension struct{ root *node }

func (x *extension) set(path []string, v *node) {
	if x.root == nil {
		x.root = &node{kind: kObject}
	}
	n := x.root
	for _, k := range path[:len(path)-1] {
		next := n.get(k)
		if next == nil {
			next = &node{kind: kObject}
			putKey(n, k, next)
		}
		n = next
	}
	putKey(n, path[len(path)-1], v)
}

func (x *extension) addTo(m *yaml.Node) {
	if x.root != nil {
		addPair(m, ExtensionKey, toYAML(x.root))
	}
}

func (e *yamlEnc) workflow(root *node) *yaml.Node {
	out := mappingNode()
	x := &extension{}
	wf := root.get("workflow")
	simple := func(k string) {
		if v := wf.get(k); v != nil && (v.kind == kString || v.kind == kNumber) {
			addPair(out, k, toYAML(v))
		}
	}
	simple("id")
	simple("name")
	simple("description")
	for i, k := range root.keys {
		v := root.vals[i]
		switch k {
		case "workflow":
		case "properties":
			e.properties(v, out, x)
		default:
			x.set([]string{k}, v)
		}
	}
	var params, steps *node
	for i, k := range wf.keys {
		v := wf.vals[i]
		switch {
		case k == "id" || k == "name" || k == "description":
		case (k == "timeout" || k == "criticality") && (v.kind == kString || v.kind == kNumber):
			addPair(out, k, toYAML(v))
		case k == "tags" && tagNames(v) != nil:
			addPair(out, k, tagNames(v))
		case k == "params":
			params = v
		case k == "steps":
			steps = v
		default:
			x.set([]string{"workflow", k}, v)
		}
	}
	if params != nil {
		e.params(params, out, dslWorkflowKeys, func(name string, def *node) {
			x.set([]string{"workflow", "params", name}, def)
		})
	}
	if steps != nil {
		addPair(out, "jobs", e.jobs(steps))
	}
	x.addTo(out)
	return out
}

func (e *yamlEnc) properties(p *node, out *yaml.Node, x *extension) {
	for i, k := range p.keys {
		v := p.vals[i]
		switch {
		case k == "owner" && v.kind == kString:
			addPair(out, "owner", toYAML(v))
		case k == "run_strategy" && v.kind == kObject && len(v.keys) == 2 && v.get("rule") != nil && v.get("workflow_concurrency") != nil:
			rule := v.get("rule").str
			addPair(out, "run_strategy", strNode(strings.ToLower(rule)))
			if c := v.get("workflow_concurrency"); c.str != strconv.FormatInt(DefaultWorkflowConcurrency(RunStrategyRule(rule)), 10) {
				addPair(out, "workflow_concurrency", toYAML(c))
			}
		default:
			x.set([]string{"properties", k}, v)
		}
	}
}

// tagNames is a tag list of plain names as a YAML list, or nil.
func tagNames(v *node) *yaml.Node {
	if v.kind != kArray {
		return nil
	}
	s := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, t := range v.elems {
		name := t.get("name")
		if t.kind != kObject || len(t.keys) != 1 || name == nil || name.kind != kString {
			return nil
		}
		s.Content = append(s.Content, strNode(name.str))
	}
	return s
}

// params writes each param as a DSL key of out, or hands it to ext.
func (e *yamlEnc) params(ps *node, out *yaml.Node, reserved map[string]bool, ext func(string, *node)) {
	for i, name := range ps.keys {
		k, v, ok := paramYAML(name, ps.vals[i])
		if !ok || reserved[name] {
			ext(name, ps.vals[i])
			continue
		}
		addPair(out, k, v)
	}
}

var typeHints = map[sel.Type]string{
	sel.String: "string", sel.Long: "long", sel.Double: "double", sel.Boolean: "boolean",
	sel.StringArray: "array<string>", sel.LongArray: "array<long>", sel.DoubleArray: "array<double>",
	sel.BooleanArray: "array<boolean>", sel.StringMap: "map", sel.Map: "pmap",
}

// paramYAML writes one param definition as a DSL key and value; ok is
// false when the DSL cannot express it (extra fields, an empty STRING_MAP,
// a name the key syntax would misread).
func paramYAML(name string, def *node) (string, *yaml.Node, bool) {
	if name == "" || strings.TrimSpace(name) != name || strings.HasPrefix(name, "!") || strings.ContainsAny(name, "<>()") || def.kind != kObject {
		return "", nil, false
	}
	var typ sel.Type
	var value, expr, mode *node
	for i, k := range def.keys {
		v := def.vals[i]
		switch k {
		case "type":
			t, err := sel.ParseType(v.str)
			if err != nil {
				return "", nil, false
			}
			typ = t
		case "value":
			value = v
		case "expression":
			expr = v
		case "mode":
			mode = v
		default:
			return "", nil, false
		}
	}
	suffix := ""
	if mode != nil {
		suffix = "(" + strings.ToLower(mode.str) + ")"
	}
	if expr != nil {
		if value != nil || expr.kind != kString {
			return "", nil, false
		}
		hint := ""
		if typ != sel.String {
			hint = "<" + typeHints[typ] + ">"
		}
		return "!" + name + hint + suffix, stringNode(expr.str), true
	}
	if value == nil {
		return "", nil, false
	}
	v, ok := literalYAML(typ, value)
	if !ok {
		return "", nil, false
	}
	implied, _ := impliedType(v)
	hint := ""
	switch {
	case implied == typ, implied == sel.Invalid && typ == sel.StringArray:
	case implied == sel.Invalid || implied == sel.StringMap && typ == sel.Map:
		hint = "<" + typeHints[typ] + ">"
	case implied != typ:
		return "", nil, false
	}
	return name + hint + suffix, v, true
}

// literalYAML writes a literal so its YAML type is the param's type.
func literalYAML(typ sel.Type, v *node) (*yaml.Node, bool) {
	scalar := func(t sel.Type, n *node) (*yaml.Node, bool) {
		switch {
		case t == sel.String && n.kind == kString:
			return stringNode(n.str), true
		case t == sel.Long && n.kind == kNumber:
			if _, err := strconv.ParseInt(n.str, 10, 64); err == nil {
				return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: n.str}, true
			}
		case t == sel.Double && n.kind == kNumber:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: floatText(n.str)}, true
		case t == sel.Boolean && n.kind == kBool:
			return toYAML(n), true
		}
		return nil, false
	}
	switch typ {
	case sel.String, sel.Long, sel.Double, sel.Boolean:
		return scalar(typ, v)
	case sel.StringArray, sel.LongArray, sel.DoubleArray, sel.BooleanArray:
		if v.kind != kArray {
			return nil, false
		}
		elem := map[sel.Type]sel.Type{sel.StringArray: sel.String, sel.LongArray: sel.Long, sel.DoubleArray: sel.Double, sel.BooleanArray: sel.Boolean}[typ]
		s := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, e := range v.elems {
			y, ok := scalar(elem, e)
			if !ok {
				return nil, false
			}
			s.Content = append(s.Content, y)
		}
		return s, true
	case sel.StringMap:
		if v.kind != kObject || len(v.keys) == 0 {
			return nil, false
		}
		m := mappingNode()
		for i, k := range v.keys {
			y, ok := scalar(sel.String, v.vals[i])
			if !ok {
				return nil, false
			}
			addPair(m, k, y)
		}
		return m, true
	case sel.Map:
		if v.kind != kObject {
			return nil, false
		}
		m := mappingNode()
		for i, k := range v.keys {
			key, y, ok := paramYAML(k, v.vals[i])
			if !ok {
				return nil, false
			}
			addPair(m, key, y)
		}
		return m, true
	}
	return nil, false
}

func (e *yamlEnc) jobs(steps *node) *yaml.Node {
	out := &yaml.Node{Kind: yaml.SequenceNode}
	for _, w := range steps.elems {
		if w.kind != kObject || len(w.keys) != 1 {
			continue
		}
		kind, body := StepKind(w.keys[0]), w.vals[0]
		dslKind := ""
		for k, sk := range dslStepKinds {
			if sk == kind {
				dslKind = k
			}
		}
		if dslKind == "" {
			id := body.get("id")
			e.err = fmt.Errorf("step %q is a %s step: the YAML DSL has no form for it", id.str, kind)
			return out
		}
		item := mappingNode()
		addPair(item, dslKind, e.job(dslKind, body))
		out.Content = append(out.Content, item)
	}
	return out
}

// job writes one step's fields as a DSL job.
func (e *yamlEnc) job(kind string, body *node) *yaml.Node {
	out := mappingNode()
	x := &extension{}
	reserved := map[string]bool{}
	for k := range dslJobKeys {
		reserved[k] = true
	}
	for k := range dslKindKeys[kind] {
		reserved[k] = true
	}
	var params *node
	var jobs *yaml.Node
	for i, k := range body.keys {
		v := body.vals[i]
		switch {
		case (k == "id" || k == "name" || k == "description" || k == "failure_mode" || k == "timeout" || k == "type" || k == "condition") && (v.kind == kString || v.kind == kNumber):
			addPair(out, k, toYAML(v))
		case k == "sub_type_version" && kind == "job" && v.kind == kString:
			addPair(out, "type_version", toYAML(v))
		case (k == "concurrency" && kind == "foreach" || (k == "sync" || k == "explicit_params") && kind == "subworkflow") && v.kind != kNull:
			addPair(out, k, toYAML(v))
		case k == "tags" && tagNames(v) != nil:
			addPair(out, k, tagNames(v))
		case k == "transition":
			if list, rest := transitionYAML(v); list != nil {
				addPair(out, "transition", list)
				if rest != nil {
					x.set([]string{"transition", "predecessors"}, rest)
				}
			} else {
				x.set([]string{"transition"}, v)
			}
		case k == "params":
			params = v
		case k == "steps" && (kind == "foreach" || kind == "while"):
			jobs = e.jobs(v)
		default:
			x.set([]string{k}, v)
		}
	}
	if params != nil {
		special := map[string]string{}
		switch kind {
		case "foreach", "while":
			special["loop_params"] = "loop_params"
		case "subworkflow":
			special["subworkflow_id"], special["subworkflow_version"] = "workflow_id", "version"
		}
		for i, name := range params.keys {
			key := special[name]
			if key == "" {
				continue
			}
			def := params.vals[i]
			if y, ok := specialParamYAML(name, def); ok {
				addPair(out, key, y)
			} else {
				x.set([]string{"params", name}, def)
			}
		}
		e.params(params, out, reserved, func(name string, def *node) {
			if special[name] == "" {
				x.set([]string{"params", name}, def)
			}
		})
	}
	if jobs != nil {
		addPair(out, "jobs", jobs)
	}
	x.addTo(out)
	return out
}

// specialParamYAML writes loop_params (a literal MAP) or a subworkflow's
// id and version (literal STRINGs) as their job keys.
func specialParamYAML(name string, def *node) (*yaml.Node, bool) {
	if len(def.keys) != 2 || def.get("type") == nil || def.get("value") == nil {
		return nil, false
	}
	t, v := def.get("type").str, def.get("value")
	if name == "loop_params" {
		if t != sel.Map.String() {
			return nil, false
		}
		return literalYAML(sel.Map, v)
	}
	if t != sel.String.String() || v.kind != kString {
		return nil, false
	}
	return strNode(v.str), true
}

// transitionYAML writes successors as DSL transition strings; the list is
// nil when one of them cannot be written so (then the whole transition
// goes under the extension key). rest is the predecessors, if any.
func transitionYAML(t *node) (*yaml.Node, *node) {
	if t.kind != kObject {
		return nil, nil
	}
	list := &yaml.Node{Kind: yaml.SequenceNode}
	var rest *node
	for i, k := range t.keys {
		v := t.vals[i]
		switch k {
		case "predecessors":
			rest = v
		case "successors":
			for j, to := range v.keys {
				c := v.vals[j]
				if c.kind != kString {
					return nil, nil
				}
				s := to
				if c.str != "true" {
					s = "IF " + c.str + " THEN " + to
					if m := ifTransition.FindStringSubmatch(s); m == nil || m[1] != c.str || m[2] != to {
						return nil, nil
					}
				} else if !simpleTransition.MatchString(to) || strings.TrimSpace(to) != to {
					return nil, nil
				}
				list.Content = append(list.Content, strNode(s))
			}
		default:
			return nil, nil
		}
	}
	if len(list.Content) == 0 {
		return nil, nil
	}
	return list, rest
}
