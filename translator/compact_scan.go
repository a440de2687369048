package translator

import (
	"encoding/json"

	"github.com/batonhq/baton/internal/jsonfast"
	"github.com/batonhq/baton/sel"
)

// The compact plan's hand-written decoder. A run decodes its plan once, at
// its start, and encoding/json's reflection took about a millisecond for
// a 300-step chain (twice what the steps' own bookkeeping costs). The scan
// fills the same compactPlan that json.Unmarshal fills, and only for the
// JSON it reads exactly as encoding/json does (see package jsonfast); for
// anything else DecodeCompact decodes with json.Unmarshal, as before.
// TestCompactScanMatchesReflection holds the two to the same result.

// unmarshalCompact fills c from b, by the scan or else by encoding/json.
func unmarshalCompact(b []byte, c *compactPlan) error {
	if scanCompact(b, c) {
		return nil
	}
	*c = compactPlan{}
	return json.Unmarshal(b, c)
}

// scanCompact fills c from b and reports whether the scan read all of it.
func scanCompact(b []byte, c *compactPlan) bool {
	ps := planScan{s: jsonfast.NewScanner(b)}
	ps.plan(c)
	return ps.s.End()
}

// planScan is the scan of one plan: its nodes come from one slab.
type planScan struct {
	s     *jsonfast.Scanner
	nodes jsonfast.Slab[compactNode]
}

var (
	planKeys = []string{"format_version", "hash", "workflow_id", "name", "owner", "timeout",
		"step_concurrency", "instance_step_concurrency", "run_strategy", "workflow_concurrency",
		"params", "warnings", "defaults", "steps"}
	numberKeys   = []string{"value", "text"}
	defaultsKeys = []string{"kind", "type", "mode", "failure_mode", "timeout"}
	nodeKeys     = []string{"id", "name", "kind", "type", "sub_type", "mode", "task_queue",
		"predecessors", "successors", "next", "params", "failure_mode", "timeout", "retry",
		"heartbeat_timeout", "signal_dependencies", "signal_outputs", "body", "condition",
		"concurrency", "strict_ordering", "collect", "sync", "explicit_params"}
	bodyKeys = []string{"steps"}
	edgeKeys = []string{"to", "condition"}
)

func (ps *planScan) plan(c *compactPlan) {
	s := ps.s
	s.Object(planKeys, func(k string) {
		switch k {
		case "format_version":
			c.FormatVersion = s.Int()
		case "hash":
			c.Hash = s.Str()
		case "workflow_id":
			c.WorkflowID = s.Str()
		case "name":
			c.Name = s.Str()
		case "owner":
			c.Owner = s.Str()
		case "timeout":
			c.Timeout = scanNumber(s)
		case "step_concurrency":
			c.StepConcurrency = s.Int64()
		case "instance_step_concurrency":
			c.InstanceStepConcurrency = s.Int64()
		case "run_strategy":
			c.RunStrategy = s.Str()
		case "workflow_concurrency":
			v := s.Int64()
			c.WorkflowConcurrency = &v
		case "params":
			s.Decode(&c.Params)
		case "warnings":
			c.Warnings = s.Strings()
		case "defaults":
			scanDefaults(s, &c.Defaults)
		case "steps":
			c.Steps = ps.nodeList()
		}
	})
}

func scanNumber(s *jsonfast.Scanner) Number {
	var n Number
	s.Object(numberKeys, func(k string) {
		if k == "value" {
			n.Value = s.Int64()
		} else {
			n.Text = s.Str()
		}
	})
	return n
}

func scanDefaults(s *jsonfast.Scanner, d *nodeDefaults) {
	s.Object(defaultsKeys, func(k string) {
		switch k {
		case "kind":
			d.Kind = s.Str()
		case "type":
			d.Type = s.Str()
		case "mode":
			d.Mode = Mode(s.Str())
		case "failure_mode":
			d.FailureMode = s.Str()
		case "timeout":
			d.Timeout = scanNumber(s)
		}
	})
}

// nodeList reads an array of compact nodes (not null: a plan's bodies
// nest at most as deep as sel.JSONDepth let through).
func (ps *planScan) nodeList() []*compactNode {
	s := ps.s
	if !s.Open('[') {
		return nil
	}
	out := []*compactNode{}
	for first := true; s.Elem(first); first = false {
		c := ps.nodes.New()
		s.Object(nodeKeys, func(k string) { ps.nodeField(c, k) })
		out = append(out, c)
	}
	return out
}

func (ps *planScan) nodeField(c *compactNode, k string) {
	s := ps.s
	switch k {
	case "id":
		c.ID = s.Str()
	case "name":
		c.Name = s.Str()
	case "kind":
		v := s.Str()
		c.Kind = &v
	case "type":
		v := s.Str()
		c.Type = &v
	case "sub_type":
		c.SubType = s.Str()
	case "mode":
		v := Mode(s.Str())
		c.Mode = &v
	case "task_queue":
		c.TaskQueue = s.Str()
	case "predecessors":
		v := s.Strings()
		c.Predecessors = &v
	case "successors":
		c.Successors = scanEdges(s)
	case "next":
		c.Next = s.Strings()
	case "params":
		s.Decode(&c.Params)
	case "failure_mode":
		v := s.Str()
		c.FailureMode = &v
	case "timeout":
		v := scanNumber(s)
		c.Timeout = &v
	case "retry":
		s.Decode(&c.Retry)
	case "heartbeat_timeout":
		c.HeartbeatTimeout = s.Int64()
	case "signal_dependencies":
		s.Decode(&c.SignalDependencies)
	case "signal_outputs":
		s.Decode(&c.SignalOutputs)
	case "body":
		c.Body = &compactBody{}
		s.Object(bodyKeys, func(string) { c.Body.Steps = ps.nodeList() })
	case "condition":
		c.Condition = s.Str()
	case "concurrency":
		c.Concurrency = s.Int64()
	case "strict_ordering":
		c.StrictOrdering = s.Bool()
	case "collect":
		c.Collect = s.Strings()
	case "sync":
		c.Sync = s.Bool()
	case "explicit_params":
		c.ExplicitParams = s.Bool()
	}
}

func scanEdges(s *jsonfast.Scanner) []Edge {
	if !s.Open('[') {
		return nil
	}
	out := []Edge{}
	for first := true; s.Elem(first); first = false {
		var e Edge
		s.Object(edgeKeys, func(k string) {
			if k == "to" {
				e.To = s.Str()
			} else {
				e.Condition = s.Str()
			}
		})
		out = append(out, e)
	}
	return out
}

// UnmarshalPlan does what json.Unmarshal(b, p) does for a plan in the
// canonical encoding (what Encode writes): a document the scan reads (see
// jsonfast; no deeper than Decode allows) is read by it, any other by
// encoding/json. A run decodes a canonical plan (from the scheduler, an
// older client, an old history) at its start.
func UnmarshalPlan(b []byte, p *Plan) error {
	if sel.JSONDepth(b) <= 5*sel.MaxValueDepth+4*MaxBodyDepth+16 {
		var c compactPlan
		if scanCompact(b, &c) {
			*p = Plan(c.planFields)
			p.Steps = canonicalNodes(c.Steps)
			return nil
		}
	}
	return json.Unmarshal(b, p)
}

// canonicalNodes turns scanned nodes into the nodes json.Unmarshal reads
// from the same JSON: a field left out is its zero value (no defaults, no
// derived predecessors) and "next", which Node does not have, is ignored.
func canonicalNodes(cs []*compactNode) []*Node {
	if cs == nil {
		return nil
	}
	out := make([]*Node, len(cs))
	for i, c := range cs {
		n := (*Node)(&c.nodeFields)
		n.Kind = orDefault(c.Kind, "")
		n.Type = orDefault(c.Type, "")
		n.Mode = orDefault(c.Mode, "")
		n.FailureMode = orDefault(c.FailureMode, "")
		n.Timeout = orDefault(c.Timeout, Number{})
		n.Predecessors = orDefault(c.Predecessors, nil)
		n.Successors = c.Successors
		if c.Body != nil {
			n.Body = &Body{Steps: canonicalNodes(c.Body.Steps)}
		}
		out[i] = n
	}
	return out
}
