package translator

import (
	"encoding/json"

	"github.com/batonhq/baton/internal/jsonfast"
	"github.com/batonhq/baton/sel"
)

// The plan's hand-written decoder. A run decodes its plan once, at its
// start, and encoding/json's reflection took about a millisecond for a
// 300-step chain (twice what the steps' own bookkeeping costs). The scan
// fills the Plan that json.Unmarshal and expandNodes (compact) or
// json.Unmarshal alone (canonical) make of the same bytes, and only for
// the JSON it reads exactly as encoding/json does (see package jsonfast);
// for anything else the caller decodes with encoding/json, as before.
// TestCompactScanMatchesReflection holds the two to the same result.
//
// The scan writes the nodes in place, defaults first: the compact nodes
// that encoding/json fills (compactNode, 448 bytes against a Node's 344)
// and the "next" lists as strings were 40 KB more of a 300-step chain's
// decode, each copied into the Node the run keeps.

// unmarshalCompact fills p from the compact plan b, by the scan or else by
// encoding/json (its format version is the caller's to check).
func unmarshalCompact(b []byte, p *Plan) error {
	if scanPlan(b, p, true) {
		return nil
	}
	*p = Plan{}
	return unmarshalCompactReflect(b, p)
}

// unmarshalCompactReflect is the compact plan's decoding by encoding/json:
// the scan's reference.
func unmarshalCompactReflect(b []byte, p *Plan) error {
	var c compactPlan
	if err := json.Unmarshal(b, &c); err != nil {
		return err
	}
	*p = Plan(c.planFields)
	p.Steps = expandNodes(c.Steps, &c.Defaults)
	return nil
}

// scanPlan fills p from b and reports whether the scan read all of it:
// with compact, as unmarshalCompactReflect does (defaults, derived
// predecessors, "next"), else as json.Unmarshal does.
func scanPlan(b []byte, p *Plan, compact bool) bool {
	ps := planScan{s: jsonfast.NewScanner(b), compact: compact}
	ps.plan(p)
	return ps.s.End()
}

// planScan is the scan of one plan: its nodes come from one slab, the
// edges of their "next" lists from shared arrays.
type planScan struct {
	s        *jsonfast.Scanner
	compact  bool
	defaults nodeDefaults
	nodes    jsonfast.Slab[Node]
	edges    []Edge // what edgeList hands out slices of
	scratch  []Edge // one "next" list as it is read
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

func (ps *planScan) plan(p *Plan) {
	s := ps.s
	stepsRead := false
	s.Object(planKeys, func(k string) {
		switch k {
		case "format_version":
			p.FormatVersion = s.Int()
		case "hash":
			p.Hash = s.Str()
		case "workflow_id":
			p.WorkflowID = s.Str()
		case "name":
			p.Name = s.Str()
		case "owner":
			p.Owner = s.Str()
		case "timeout":
			p.Timeout = scanNumber(s)
		case "step_concurrency":
			p.StepConcurrency = s.Int64()
		case "instance_step_concurrency":
			p.InstanceStepConcurrency = s.Int64()
		case "run_strategy":
			p.RunStrategy = s.Str()
		case "workflow_concurrency":
			v := s.Int64()
			p.WorkflowConcurrency = &v
		case "params":
			s.Decode(&p.Params)
		case "warnings":
			p.Warnings = s.Strings()
		case "defaults":
			scanDefaults(s, &ps.defaults)
			if ps.compact && stepsRead {
				s.Fail() // the nodes took the defaults as they were read
			}
		case "steps":
			p.Steps = ps.nodeList()
			stepsRead = true
		}
	})
	if ps.compact && p.Steps == nil {
		p.Steps = []*Node{} // what expandNodes makes of no steps
	}
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

// nodeList reads an array of nodes (not null: a plan's bodies nest at
// most as deep as sel.JSONDepth let through); compact, it derives the
// predecessors of the nodes that do not list them.
func (ps *planScan) nodeList() []*Node {
	s := ps.s
	if !s.Open('[') {
		return nil
	}
	out := []*Node{}
	var listed []int // the compact nodes that list their predecessors
	for first := true; s.Elem(first); first = false {
		n := ps.nodes.New()
		if ps.compact {
			d := &ps.defaults
			n.Kind, n.Type, n.Mode, n.FailureMode, n.Timeout = d.Kind, d.Type, d.Mode, d.FailureMode, d.Timeout
		}
		edges := 0 // "successors" and "next" read: encoding/json gives "next" precedence
		s.Object(nodeKeys, func(k string) {
			switch k {
			case "successors", "next":
				edges++
			case "predecessors":
				listed = append(listed, len(out))
			}
			ps.nodeField(n, k)
		})
		if edges > 1 {
			s.Fail()
		}
		out = append(out, n)
	}
	if s.Failed() || !ps.compact {
		return out
	}
	preds := derivePredecessors(out)
	for i, n := range out {
		if len(listed) > 0 && listed[0] == i {
			listed = listed[1:]
			continue
		}
		n.Predecessors = preds.of(n.ID)
	}
	return out
}

func (ps *planScan) nodeField(n *Node, k string) {
	s := ps.s
	switch k {
	case "id":
		n.ID = s.Str()
	case "name":
		n.Name = s.Str()
	case "kind":
		n.Kind = s.Str()
	case "type":
		n.Type = s.Str()
	case "sub_type":
		n.SubType = s.Str()
	case "mode":
		n.Mode = Mode(s.Str())
	case "task_queue":
		n.TaskQueue = s.Str()
	case "predecessors":
		n.Predecessors = s.Strings()
		if ps.compact && len(n.Predecessors) == 0 {
			n.Predecessors = nil // what expandNodes keeps of an empty list
		}
	case "successors":
		n.Successors = scanEdges(s)
	case "next":
		if !ps.compact {
			s.Fail() // a canonical Node has no "next": encoding/json skips it
			return
		}
		n.Successors = ps.next()
	case "params":
		s.Decode(&n.Params)
	case "failure_mode":
		n.FailureMode = s.Str()
	case "timeout":
		n.Timeout = scanNumber(s)
	case "retry":
		s.Decode(&n.Retry)
	case "heartbeat_timeout":
		n.HeartbeatTimeout = s.Int64()
	case "signal_dependencies":
		s.Decode(&n.SignalDependencies)
	case "signal_outputs":
		s.Decode(&n.SignalOutputs)
	case "body":
		n.Body = &Body{}
		s.Object(bodyKeys, func(string) { n.Body.Steps = ps.nodeList() })
		if ps.compact && n.Body.Steps == nil {
			n.Body.Steps = []*Node{} // what expandNodes makes of no steps
		}
	case "condition":
		n.Condition = s.Str()
	case "concurrency":
		n.Concurrency = s.Int64()
	case "strict_ordering":
		n.StrictOrdering = s.Bool()
	case "collect":
		n.Collect = s.Strings()
	case "sync":
		n.Sync = s.Bool()
	case "explicit_params":
		n.ExplicitParams = s.Bool()
	}
}

// next reads a compact node's "next" list (not null) as its unconditional
// edges, a full-capacity slice of an array the lists share.
func (ps *planScan) next() []Edge {
	s := ps.s
	if !s.Open('[') {
		return nil
	}
	ps.scratch = ps.scratch[:0]
	for first := true; s.Elem(first); first = false {
		ps.scratch = append(ps.scratch, Edge{To: s.Str(), Condition: "true"})
	}
	if s.Failed() {
		return nil
	}
	n := len(ps.scratch)
	if n == 0 {
		return []Edge{} // what expandNodes makes of an empty list
	}
	if n > cap(ps.edges)-len(ps.edges) {
		// a new array, doubling from 2 up to 64 edges (or the list's own
		// length): the slices handed out keep the old one
		ps.edges = make([]Edge, 0, max(n, min(max(2*cap(ps.edges), 2), 64)))
	}
	start := len(ps.edges)
	ps.edges = append(ps.edges, ps.scratch...)
	return ps.edges[start:len(ps.edges):len(ps.edges)]
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
		var q Plan
		if scanPlan(b, &q, false) {
			*p = q
			return nil
		}
	}
	return json.Unmarshal(b, p)
}
