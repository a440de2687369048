package definition

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/batonhq/baton/sel"
)

// ExtensionKey is Baton's one addition to the YAML DSL: under it, a
// workflow or a job holds, in JSON form, the fields Maestro's DSL has no
// key for (retry_policy, signal_dependencies, instance_step_concurrency,
// properties other than owner and run_strategy...), merged into the create
// request the DSL compiles to. It contains the step param separator "__",
// so it can never be the name of a Maestro param.
const ExtensionKey = "__json"

// Reserved keys of the DSL (Maestro's DslWorkflow, BaseJob and job kinds);
// every other key is a param.
var (
	dslWorkflowKeys = keySet("id", "name", "description", "owner", "run_strategy", "workflow_concurrency",
		"tags", "timeout", "jobs", "criticality", "workflow_params", "dag", ExtensionKey)
	dslJobKeys  = keySet("id", "name", "description", "failure_mode", "tags", "timeout", "transition", "job_params", ExtensionKey)
	dslKindKeys = map[string]map[string]bool{
		"job":         keySet("type", "type_version"),
		"foreach":     keySet("concurrency", "job_concurrency", "loop_params", "params", "ranges", "jobs", "dag"),
		"while":       keySet("loop_params", "params", "condition", "jobs", "dag"),
		"subworkflow": keySet("workflow_id", "subworkflow_id", "version", "subworkflow_version", "sync", "explicit_params"),
	}
	// dslStepKinds maps a DSL job kind to the JSON step kind.
	dslStepKinds = map[string]StepKind{"job": KindStep, "foreach": KindForeach, "while": KindWhile, "subworkflow": KindSubworkflow}
)

func keySet(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// document converts the whole file: one key, Workflow or workflow.
func (c *dslConv) document(doc *yaml.Node) *node {
	entries, ok := c.mapping(doc, "", "a YAML definition")
	if !ok {
		return nil
	}
	var wf *yamlEntry
	for i, e := range entries {
		if e.key != "workflow" && e.key != "Workflow" {
			c.fail(e.keyNode, "", "unknown top-level key %q: a YAML definition has one key, Workflow", e.key)
			continue
		}
		if wf != nil {
			c.fail(e.keyNode, "", "both Workflow and workflow are set")
			continue
		}
		wf = &entries[i]
	}
	if wf == nil {
		if len(c.errs.errs) == 0 {
			c.fail(doc, "", "no Workflow: key")
		}
		return nil
	}
	return c.workflow(wf.val)
}

// workflow converts the Workflow mapping into {properties, workflow}.
func (c *dslConv) workflow(n *yaml.Node) *node {
	const path = "workflow"
	entries, ok := c.mapping(n, path, "Workflow")
	if !ok {
		return nil
	}
	c.src.set(path, c.resolve(n, path))
	props, wf, params := &node{kind: kObject}, &node{kind: kObject}, &node{kind: kObject}
	var jobs, dag, ext *yaml.Node
	var rule, conc *node
	for _, e := range entries {
		p := pathKey(path, e.key)
		switch e.key {
		case "id", "name", "description", "timeout", "criticality":
			c.textField(wf, e, p)
		case "owner":
			c.textField(props, e, "properties.owner")
		case "run_strategy":
			if s, ok := c.text(e.val, p, e.key); ok {
				rule = c.at(&node{kind: kString, str: s}, "properties.run_strategy.rule", e.val)
			}
		case "workflow_concurrency":
			conc = c.plain(e.val, "properties.run_strategy.workflow_concurrency", 1)
		case "tags":
			putKey(wf, "tags", c.tags(e.val, p))
		case "jobs":
			jobs = e.val
		case "dag":
			dag = e.val
		case ExtensionKey:
			ext = e.val
		case "workflow_params":
			c.fail(e.keyNode, p, "reserved key: write each workflow param as a key of Workflow")
		default:
			c.param(params, e, pathKey(path, "params"), 0)
		}
	}
	if rule != nil {
		rs := &node{kind: kObject}
		putKey(rs, "rule", rule)
		if conc != nil {
			putKey(rs, "workflow_concurrency", conc)
		}
		putKey(props, "run_strategy", rs)
	}
	if len(params.keys) > 0 {
		putKey(wf, "params", params)
	}
	if jobs != nil {
		putKey(wf, "steps", c.jobs(jobs, dag, pathKey(path, "steps"), 1))
	} else if dag != nil {
		c.fail(dag, pathKey(path, "dag"), "dag without jobs")
	}
	root := &node{kind: kObject}
	if len(props.keys) > 0 {
		putKey(root, "properties", props)
	}
	putKey(root, "workflow", wf)
	if ext != nil {
		c.merge(root, c.plain(ext, "", 1), "", ext)
	}
	return root
}

func putKey(n *node, k string, v *node) {
	n.keys = append(n.keys, k)
	n.vals = append(n.vals, v)
}

// at records v's source position at path and returns v.
func (c *dslConv) at(v *node, path string, n *yaml.Node) *node {
	c.src.set(path, n)
	return v
}

func (c *dslConv) textField(obj *node, e yamlEntry, path string) {
	if s, ok := c.text(e.val, path, e.key); ok {
		k := path[strings.LastIndexByte(path, '.')+1:]
		putKey(obj, k, c.at(&node{kind: kString, str: s}, path, c.resolve(e.val, path)))
	}
}

// tags reads a DSL tag list: tag names.
func (c *dslConv) tags(n *yaml.Node, path string) *node {
	n = c.resolve(n, path)
	out := &node{kind: kArray, elems: []*node{}}
	if n == nil || isNull(n) {
		return out
	}
	c.src.set(path, n)
	if n.Kind != yaml.SequenceNode {
		c.fail(n, path, "tags must be a list of tag names, got %s", yamlKind(n))
		return out
	}
	for i, e := range n.Content {
		if s, ok := c.text(e, pathIndex(path, i), "a tag"); ok {
			out.elems = append(out.elems, c.at(&node{kind: kString, str: s}, pathIndex(path, i), e))
		}
	}
	return out
}

// merge adds src's keys to dst, descending into objects both have; a
// field set both ways is an error.
func (c *dslConv) merge(dst, src *node, path string, at *yaml.Node) {
	if src.kind == kNull {
		return
	}
	if src.kind != kObject {
		c.fail(at, path, "%s must be a mapping of JSON fields, got %s", ExtensionKey, src.kind)
		return
	}
	for i, k := range src.keys {
		v, p := src.vals[i], pathKey(path, k)
		if cur := dst.get(k); cur != nil {
			if cur.kind == kObject && v.kind == kObject {
				c.merge(cur, v, p, at)
				continue
			}
			c.fail(at, p, "set both by the DSL and under %s", ExtensionKey)
			continue
		}
		putKey(dst, k, v)
	}
}

// dslJob is one converted job before its transitions are set.
type dslJob struct {
	id         string
	body       *node
	path       string
	transition *yaml.Node // nil or an empty list: none
}

// jobs converts a job list, applies dag, then every job's transitions.
func (c *dslConv) jobs(n *yaml.Node, dag *yaml.Node, path string, depth int) *node {
	n = c.resolve(n, path)
	out := &node{kind: kArray, elems: []*node{}}
	if n == nil || isNull(n) {
		return out
	}
	c.src.set(path, n)
	if depth > MaxYAMLDepth {
		c.fail(n, path, "nested deeper than %d levels", MaxYAMLDepth)
		return out
	}
	if n.Kind != yaml.SequenceNode {
		c.fail(n, path, "jobs must be a list, got %s", yamlKind(n))
		return out
	}
	jobs := make([]*dslJob, 0, len(n.Content))
	for i, item := range n.Content {
		p := pathIndex(path, i)
		wrapper, job := c.job(item, p, depth)
		if job == nil {
			continue
		}
		out.elems = append(out.elems, wrapper)
		jobs = append(jobs, job)
	}
	if dag != nil {
		c.applyDag(jobs, dag, strings.TrimSuffix(path, ".steps")+".dag")
	}
	for _, j := range jobs {
		c.transition(j)
	}
	return out
}

// job converts one {kind: {...}} list item.
func (c *dslConv) job(item *yaml.Node, path string, depth int) (*node, *dslJob) {
	entries, ok := c.mapping(item, path, "a job")
	if !ok {
		return nil, nil
	}
	if len(entries) != 1 || dslStepKinds[entries[0].key] == "" {
		c.fail(c.resolve(item, path), path, "a job is one key, job, foreach, while or subworkflow, holding its fields")
		return nil, nil
	}
	kindKey := entries[0].key
	kind := dslStepKinds[kindKey]
	p := pathKey(path, string(kind))
	c.src.set(path, entries[0].keyNode)
	fields, ok := c.mapping(entries[0].val, p, kindKey)
	if !ok {
		return nil, nil
	}
	c.src.set(p, c.resolve(entries[0].val, p))
	body, params := &node{kind: kObject}, &node{kind: kObject}
	j := &dslJob{body: body, path: p}
	var jobs, dag, ext, loopParams, ranges, wfID, version *yaml.Node
	seen := map[string]*yaml.Node{}
	alias := func(e yamlEntry, canonical string) bool {
		if prev := seen[canonical]; prev != nil {
			c.fail(e.keyNode, pathKey(p, e.key), "%s is set twice (it is also written at line %d)", canonical, prev.Line)
			return false
		}
		seen[canonical] = e.keyNode
		return true
	}
	for _, e := range fields {
		fp := pathKey(p, e.key)
		kindKeys := dslKindKeys[kindKey]
		switch {
		case e.key == "id":
			if s, ok := c.text(e.val, fp, "id"); ok {
				j.id = s
				putKey(body, "id", c.at(&node{kind: kString, str: s}, fp, e.val))
			}
		case e.key == "name" || e.key == "description" || e.key == "failure_mode" || e.key == "timeout":
			c.textField(body, e, fp)
		case e.key == "tags":
			putKey(body, "tags", c.tags(e.val, fp))
		case e.key == "transition":
			j.transition = e.val
		case e.key == ExtensionKey:
			ext = e.val
		case e.key == "job_params":
			c.fail(e.keyNode, fp, "reserved key: write each param as a key of the job")
		case !kindKeys[e.key]:
			c.param(params, e, pathKey(p, "params"), 0)
		case e.key == "type" || e.key == "condition":
			c.textField(body, e, fp)
		case e.key == "type_version":
			if s, ok := c.text(e.val, fp, e.key); ok {
				putKey(body, "sub_type_version", c.at(&node{kind: kString, str: s}, pathKey(p, "sub_type_version"), e.val))
			}
		case e.key == "concurrency" || e.key == "job_concurrency":
			if alias(e, "concurrency") {
				putKey(body, "concurrency", c.plain(e.val, pathKey(p, "concurrency"), depth))
			}
		case e.key == "sync" || e.key == "explicit_params":
			putKey(body, e.key, c.plain(e.val, fp, depth))
		case e.key == "loop_params" || e.key == "params":
			if alias(e, "loop_params") {
				loopParams = e.val
			}
		case e.key == "ranges":
			ranges = e.val
		case e.key == "jobs":
			jobs = e.val
		case e.key == "dag":
			dag = e.val
		case e.key == "workflow_id" || e.key == "subworkflow_id":
			if alias(e, "workflow_id") {
				wfID = e.val
			}
		case e.key == "version" || e.key == "subworkflow_version":
			if alias(e, "version") {
				version = e.val
			}
		}
	}
	var extNode *node
	if ext != nil {
		extNode = c.plain(ext, p, depth)
	}
	extParam := func(name string) bool { return extNode.get("params").get(name) != nil }
	paramsPath := pathKey(p, "params")
	switch kind {
	case KindStep:
		if body.get("type") == nil && (extNode == nil || extNode.get("type") == nil) {
			c.fail(entries[0].keyNode, pathKey(p, "type"), "required")
		}
	case KindForeach, KindWhile:
		if jobs != nil {
			putKey(body, "steps", c.jobs(jobs, dag, pathKey(p, "steps"), depth+1))
		} else if dag != nil {
			c.fail(dag, pathKey(p, "dag"), "dag without jobs")
		}
		given := loopParams != nil || ranges != nil
		if given || kind == KindForeach && !extParam("loop_params") {
			c.loopParams(params, loopParams, ranges, paramsPath, entries[0].keyNode)
		}
	case KindSubworkflow:
		if wfID != nil || !extParam("subworkflow_id") {
			id, idNode := j.id, entries[0].keyNode
			if wfID != nil {
				id, _ = c.text(wfID, pathName(paramsPath, "subworkflow_id"), "workflow_id")
				idNode = wfID
			}
			c.reservedParam(params, "subworkflow_id", &node{kind: kString, str: id}, paramsPath, idNode)
		}
		if version != nil {
			v, _ := c.text(version, pathName(paramsPath, "subworkflow_version"), "version")
			c.reservedParam(params, "subworkflow_version", &node{kind: kString, str: v}, paramsPath, version)
		}
	}
	if len(params.keys) > 0 {
		putKey(body, "params", params)
	}
	if extNode != nil {
		c.merge(body, extNode, p, ext)
	}
	wrapper := &node{kind: kObject}
	putKey(wrapper, string(kind), body)
	return wrapper, j
}

// reservedParam adds a param the DSL derives from a job key.
func (c *dslConv) reservedParam(params *node, name string, value *node, path string, at *yaml.Node) {
	p := pathName(path, name)
	if params.get(name) != nil {
		c.fail(at, p, "param %s is set by the job's own key", name)
		return
	}
	typ := sel.String
	if value.kind == kObject {
		typ = sel.Map
	}
	def := &node{kind: kObject}
	putKey(def, "type", &node{kind: kString, str: typ.String()})
	putKey(def, "value", value)
	putKey(params, name, c.at(def, p, at))
}

// loopParams builds the loop_params MAP param from loop_params (alias
// params) and ranges: {name: {from, to, increment}} becomes the LONG_ARRAY
// expression Util.intsBetween(from, to, increment), as Maestro's parser.
func (c *dslConv) loopParams(params *node, loop, ranges *yaml.Node, path string, at *yaml.Node) {
	value := &node{kind: kObject}
	lp := pathKey(pathName(path, "loop_params"), "value")
	if loop != nil {
		entries, _ := c.mapping(loop, lp, "loop_params")
		for _, e := range entries {
			c.param(value, e, lp, 1)
		}
	}
	if ranges != nil {
		entries, _ := c.mapping(ranges, lp, "ranges")
		for _, e := range entries {
			expr, ok := c.rangeExpr(e, pathName(lp, e.key))
			if !ok {
				continue
			}
			def := &node{kind: kObject}
			putKey(def, "type", &node{kind: kString, str: sel.LongArray.String()})
			putKey(def, "expression", &node{kind: kString, str: expr})
			if i := indexOf(value, e.key); i >= 0 {
				value.vals[i] = def // a range replaces a loop param of that name in place
			} else {
				putKey(value, e.key, def)
			}
			c.src.set(pathName(lp, e.key), e.keyNode)
		}
	}
	c.reservedParam(params, "loop_params", value, path, at)
}

func indexOf(n *node, key string) int {
	for i, k := range n.keys {
		if k == key {
			return i
		}
	}
	return -1
}

// rangeExpr reads {from (default 0), to, increment (default 1)}.
func (c *dslConv) rangeExpr(e yamlEntry, path string) (string, bool) {
	fields, ok := c.mapping(e.val, path, "a range")
	if !ok {
		return "", false
	}
	vals := map[string]string{"from": "0", "to": "", "increment": "1"}
	for _, f := range fields {
		fp := pathKey(path, f.key)
		if _, known := vals[f.key]; !known {
			c.fail(f.keyNode, fp, "unknown field of a range (want from, to, increment)")
			ok = false
			continue
		}
		v := c.resolve(f.val, fp)
		if v == nil || v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" {
			c.fail(f.keyNode, fp, "must be an integer")
			ok = false
			continue
		}
		vals[f.key] = c.scalar(v, fp).str
	}
	if vals["to"] == "" {
		c.fail(e.keyNode, pathKey(path, "to"), "required")
		return "", false
	}
	return "Util.intsBetween(" + vals["from"] + ", " + vals["to"] + ", " + vals["increment"] + ");", ok
}

// applyDag adds the transitions dag: gives to jobs that have none.
func (c *dslConv) applyDag(jobs []*dslJob, dag *yaml.Node, path string) {
	dag = c.resolve(dag, path)
	if dag == nil || isNull(dag) {
		return
	}
	switch dag.Kind {
	case yaml.ScalarNode:
		switch strings.ToUpper(dag.Value) {
		case "SEQUENTIAL":
			for i := 0; i+1 < len(jobs); i++ {
				if !hasTransition(jobs[i].transition) {
					jobs[i].transition = &yaml.Node{Kind: yaml.SequenceNode, Line: dag.Line, Column: dag.Column,
						Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: jobs[i+1].id, Line: dag.Line, Column: dag.Column}}}
				}
			}
		case "PARALLEL":
		default:
			c.fail(dag, path, "invalid dag order %q: want sequential, parallel or a mapping of job id to transitions", dag.Value)
		}
	case yaml.MappingNode:
		entries, _ := c.mapping(dag, path, "dag")
		byID := make(map[string]*dslJob, len(jobs))
		for _, j := range jobs {
			byID[j.id] = j
		}
		for _, e := range entries {
			j := byID[e.key]
			if j == nil {
				c.fail(e.keyNode, pathName(path, e.key), "no job with this id")
				continue
			}
			if !hasTransition(j.transition) {
				j.transition = e.val
			}
		}
	default:
		c.fail(dag, path, "dag must be sequential, parallel or a mapping of job id to transitions, got %s", yamlKind(dag))
	}
}

func hasTransition(n *yaml.Node) bool {
	return n != nil && !(n.Kind == yaml.SequenceNode && len(n.Content) == 0) && !isNull(n)
}

// The transition forms of Maestro's TransitionParser (ids as step ids).
var (
	simpleTransition    = regexp.MustCompile(`^\s*([_a-zA-Z][.\-_a-zA-Z0-9]*)\s*$`)
	ifTransition        = regexp.MustCompile(`(?i)^\s*IF\s+(.+?)\s+THEN\s+([_a-zA-Z][.\-_a-zA-Z0-9]*)\s*$`)
	otherwiseTransition = regexp.MustCompile(`(?i)^\s*OTHERWISE\s+([_a-zA-Z][.\-_a-zA-Z0-9]*)\s*$`)
)

// transition converts a job's transition list into transition.successors:
// "job.2" (always), "IF <SEL> THEN job.4", and "OTHERWISE job.6", last,
// which is true when none of the IF conditions is: !((c1) || (c2)).
func (c *dslConv) transition(j *dslJob) {
	path := pathKey(j.path, "transition")
	n := c.resolve(j.transition, path)
	if n == nil || isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		c.fail(n, path, "transition must be a list of strings, got %s", yamlKind(n))
		return
	}
	succ := &node{kind: kObject}
	sp := pathKey(path, "successors")
	c.src.set(path, n)
	c.src.set(sp, n)
	var conds []string
	for i, item := range n.Content {
		s, ok := c.text(item, path, "a transition")
		if !ok || s == "" {
			continue
		}
		var to, cond string
		if m := simpleTransition.FindStringSubmatch(s); m != nil {
			to, cond = m[1], "true"
		} else if m := ifTransition.FindStringSubmatch(s); m != nil {
			to, cond = m[2], m[1]
			conds = append(conds, cond)
		} else if m := otherwiseTransition.FindStringSubmatch(s); m != nil {
			if i != len(n.Content)-1 {
				c.fail(item, path, "OTHERWISE must be the last transition")
				continue
			}
			to, cond = m[1], "true"
			if len(conds) > 0 {
				cond = "!((" + strings.Join(conds, ") || (") + "))"
			}
		} else {
			c.fail(item, path, "invalid transition %q: want \"job_id\", \"IF condition THEN job_id\" or \"OTHERWISE job_id\"", s)
			continue
		}
		if succ.get(to) != nil {
			c.fail(item, pathName(sp, to), "successor %s listed twice", to)
			continue
		}
		putKey(succ, to, c.at(&node{kind: kString, str: cond}, pathName(sp, to), item))
	}
	t := &node{kind: kObject}
	putKey(t, "successors", succ)
	putKey(j.body, "transition", t)
}
