package definition

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Decode reads Maestro's workflow create request JSON. Problems are
// returned together as Errors, each with its JSON path. Decode checks
// shapes and enum names; Validate checks the rules of MAESTRO.md §3.
func Decode(data []byte) (*Request, error) {
	root, err := parseTree(data)
	if err != nil {
		return nil, Errors{AsErrors(err)[0]}
	}
	d := &dec{}
	r := d.request(root, "")
	if err := d.err(); err != nil {
		return nil, err
	}
	return r, nil
}

// DecodeFile reads a create request from a file: JSON, or Maestro's YAML
// DSL (by extension, else by content; see IsYAML), whose errors carry
// the file name, line and column.
func DecodeFile(path string) (*Request, error) {
	data, err := readDefinitionFile(path)
	if err != nil {
		return nil, err
	}
	r, err := decodeAny(path, data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

func isYAMLPath(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".yaml" || ext == ".yml"
}

// reservedExtraKeys may not appear at the top level of a create request.
var reservedExtraKeys = map[string]bool{
	"workflow_id": true, "workflow_version_id": true, "version_author": true, "create_time": true,
}

func (d *dec) request(n *node, path string) *Request {
	r := &Request{}
	if !d.object(n, path) {
		return r
	}
	for i, k := range n.keys {
		v, p := n.vals[i], pathKey(path, k)
		switch k {
		case "properties":
			r.Properties = d.properties(v, p)
		case "workflow":
			r.Workflow = d.workflow(v, p)
		case "is_active":
			r.IsActive = d.boolp(v, p)
		case "git_info":
			r.GitInfo = d.plainMap(v, p)
		default:
			if reservedExtraKeys[k] {
				d.add(p, "reserved key, set by Maestro itself")
				continue
			}
			if r.Extra == nil {
				r.Extra = map[string]any{}
			}
			r.Extra[k] = v.plain()
		}
	}
	if r.Workflow == nil {
		d.add(pathKey(path, "workflow"), "required")
	}
	return r
}

func (d *dec) properties(n *node, path string) *Properties {
	if n.kind == kNull {
		return nil
	}
	p := &Properties{}
	d.each(n, path, func(k string, v *node, vp string) bool {
		switch k {
		case "owner":
			p.Owner = d.user(v, vp)
		case "access_control":
			p.AccessControl = d.plainMap(v, vp)
		case "run_strategy":
			p.RunStrategy = d.runStrategy(v, vp)
		case "step_concurrency":
			p.StepConcurrency = d.int64p(v, vp)
		case "alerting":
			p.Alerting = d.plainMap(v, vp)
		case "alerting_disabled":
			p.AlertingDisabled = d.boolp(v, vp)
		case "signal_trigger_disabled":
			p.SignalTriggerDisabled = d.boolp(v, vp)
		case "time_trigger_disabled":
			p.TimeTriggerDisabled = d.boolp(v, vp)
		case "description":
			p.Description = d.str(v, vp)
		case "tags":
			p.Tags = d.tags(v, vp)
		default:
			return false
		}
		return true
	})
	return p
}

func (d *dec) user(n *node, path string) *User {
	switch n.kind {
	case kNull:
		return nil
	case kString:
		return &User{Name: n.str}
	case kObject:
		u := &User{}
		for i, k := range n.keys {
			if k == "name" {
				u.Name = d.str(n.vals[i], pathKey(path, k))
				continue
			}
			if u.Extra == nil {
				u.Extra = map[string]any{}
			}
			u.Extra[k] = n.vals[i].plain()
		}
		return u
	}
	d.add(path, "must be a string or an object with a name, got %s", describe(n))
	return nil
}

var runStrategyRules = []string{
	string(Sequential), string(StrictSequential), string(FirstOnly),
	string(LastOnly), string(Parallel), string(SerialLatestOnly),
}

// DefaultWorkflowConcurrency is the workflow_concurrency a run strategy gets
// when none is given: 20 for PARALLEL, 1 otherwise (Maestro's RunStrategy).
func DefaultWorkflowConcurrency(rule RunStrategyRule) int64 {
	if rule == Parallel {
		return 20
	}
	return 1
}

// runStrategy reads the string, number or object form. A missing
// workflow_concurrency takes the rule's default, as Maestro does, so an
// explicit 0 (paused) stays distinguishable.
func (d *dec) runStrategy(n *node, path string) *RunStrategy {
	switch n.kind {
	case kNull:
		return nil
	case kString:
		rule := RunStrategyRule(d.enum(n, path, runStrategyRules...))
		return &RunStrategy{Rule: rule, WorkflowConcurrency: DefaultWorkflowConcurrency(rule)}
	case kNumber:
		c := d.int64p(n, path)
		if c == nil {
			return nil
		}
		return &RunStrategy{Rule: Parallel, WorkflowConcurrency: *c}
	case kObject:
		rs := &RunStrategy{Rule: Sequential}
		var conc *int64
		d.each(n, path, func(k string, v *node, p string) bool {
			switch k {
			case "rule":
				if r := d.enum(v, p, runStrategyRules...); r != "" {
					rs.Rule = RunStrategyRule(r)
				}
			case "workflow_concurrency":
				conc = d.int64p(v, p)
			default:
				return false
			}
			return true
		})
		rs.WorkflowConcurrency = DefaultWorkflowConcurrency(rs.Rule)
		if conc != nil {
			rs.WorkflowConcurrency = *conc
		}
		return rs
	}
	d.add(path, "must be a rule name, a number or an object {rule, workflow_concurrency}, got %s", describe(n))
	return nil
}

var criticalities = []string{"CRITICAL", "HIGH", "MEDIUM", "LOW"}

func (d *dec) workflow(n *node, path string) *Workflow {
	if n.kind == kNull {
		return nil
	}
	w := &Workflow{}
	d.each(n, path, func(k string, v *node, p string) bool {
		switch k {
		case "id":
			w.ID = d.str(v, p)
		case "name":
			w.Name = d.str(v, p)
		case "description":
			w.Description = d.str(v, p)
		case "tags":
			w.Tags = d.tags(v, p)
		case "timeout":
			w.Timeout = d.parsableLong(v, p)
		case "time_triggers":
			w.TimeTriggers = listOf(d, v, p, d.timeTrigger)
		case "signal_triggers":
			w.SignalTriggers = listOf(d, v, p, d.signalTrigger)
		case "criticality":
			w.Criticality = d.enum(v, p, criticalities...)
		case "instance_step_concurrency":
			w.InstanceStepConcurrency = d.int64p(v, p)
		case "params":
			w.Params = d.params(v, p)
		case "steps":
			w.Steps = d.steps(v, p)
		default:
			return false
		}
		return true
	})
	return w
}

// listOf decodes a JSON array with f, one element per entry.
func listOf[T any](d *dec, n *node, path string, f func(*node, string) T) []T {
	if n.kind == kNull {
		return nil
	}
	if n.kind != kArray {
		d.add(path, "must be an array, got %s", n.kind)
		return nil
	}
	out := make([]T, 0, len(n.elems))
	for i, e := range n.elems {
		out = append(out, f(e, pathIndex(path, i)))
	}
	return out
}

var namespaces = []string{"SYSTEM", "RUNTIME", "JOB_TEMPLATE", "NOTEBOOK_TEMPLATE", "USER_DEFINED", "PLATFORM"}

func (d *dec) tags(n *node, path string) TagList {
	if n.kind == kNull {
		return nil
	}
	if n.kind != kArray {
		d.add(path, "must be an array of tags, got %s", n.kind)
		return nil
	}
	out := make(TagList, 0, len(n.elems))
	for i, e := range n.elems {
		p := pathIndex(path, i)
		switch e.kind {
		case kString:
			out = append(out, Tag{Name: e.str})
		case kObject:
			t := Tag{}
			for j, k := range e.keys {
				v, kp := e.vals[j], pathKey(p, k)
				switch k {
				case "name":
					t.Name = d.str(v, kp)
				case "namespace":
					t.Namespace = d.enum(v, kp, namespaces...)
				default:
					if t.Attributes == nil {
						t.Attributes = map[string]any{}
					}
					t.Attributes[k] = v.plain()
				}
			}
			out = append(out, t)
		default:
			d.add(p, "a tag must be a string or an object, got %s", describe(e))
		}
	}
	return out
}
