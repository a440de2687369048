package translator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/batonhq/baton/sel"
)

// CompactFormatVersion is the format_version of the compact encoding of a
// plan (EncodeCompact), the form a run's input carries on the wire. It
// describes the same Plan as the canonical encoding (Encode, version
// FormatVersion) with what can be derived left out:
//
//   - "defaults" holds the most common kind, type, mode, failure_mode and
//     timeout of the plan's steps; a step leaves out each one it shares;
//   - "predecessors" is left out where it is the sorted list of the steps
//     whose edges lead to the step (what Compile writes);
//   - "next" lists the targets of a step's edges when every condition is
//     "true" (else "successors" has them, in order, as in Encode).
//
// The encoding is lossless: DecodeCompact returns a plan whose Encode is
// byte for byte that of the plan given to EncodeCompact, Hash included (it
// stays the hash of the canonical encoding). A worker that knows only
// FormatVersion refuses a compact plan by its version.
const CompactFormatVersion = 2

type planFields Plan // Plan without its methods

type nodeFields Node

// compactPlan is the compact encoding: the plan's own fields, with Steps
// shadowed by compact nodes.
type compactPlan struct {
	planFields
	Defaults nodeDefaults   `json:"defaults"`
	Steps    []*compactNode `json:"steps"`
}

// nodeDefaults are the values a compact node leaves out.
type nodeDefaults struct {
	Kind        string `json:"kind,omitempty"`
	Type        string `json:"type,omitempty"`
	Mode        Mode   `json:"mode,omitempty"`
	FailureMode string `json:"failure_mode,omitempty"`
	Timeout     Number `json:"timeout"`
}

// compactNode shadows the node fields that the compact encoding leaves out
// or writes differently; nil means "the default" or "derived".
type compactNode struct {
	nodeFields
	Kind         *string      `json:"kind,omitempty"`
	Type         *string      `json:"type,omitempty"`
	Mode         *Mode        `json:"mode,omitempty"`
	FailureMode  *string      `json:"failure_mode,omitempty"`
	Timeout      *Number      `json:"timeout,omitempty"`
	Predecessors *[]string    `json:"predecessors,omitempty"`
	Successors   []Edge       `json:"successors,omitempty"`
	Next         []string     `json:"next,omitempty"`
	Body         *compactBody `json:"body,omitempty"`
}

type compactBody struct {
	Steps []*compactNode `json:"steps"`
}

// EncodeCompact writes p in the compact encoding (CompactFormatVersion).
func EncodeCompact(p *Plan) ([]byte, error) {
	if p == nil {
		return nil, fmt.Errorf("nil plan")
	}
	return AppendCompact(make([]byte, 0, 512+48*len(p.Steps)), p)
}

// AppendCompact appends to b what EncodeCompact writes (a caller that
// writes the plan into a larger document saves a copy of it).
func AppendCompact(b []byte, p *Plan) ([]byte, error) {
	if p == nil {
		return nil, fmt.Errorf("nil plan")
	}
	if p.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("compact encoding of a plan of format version %d: this build writes version %d", p.FormatVersion, FormatVersion)
	}
	d := chooseDefaults(p.Steps)
	if out, err := appendCompactPlan(b, p, &d); err == nil {
		return out, nil
	}
	c, err := marshalCompactReflect(p, d)
	if err != nil {
		return nil, err
	}
	return append(b, c...), nil
}

// marshalCompactReflect is the compact encoding by encoding/json: the
// writer's reference (compact_write.go), and what reports an error.
func marshalCompactReflect(p *Plan, d nodeDefaults) ([]byte, error) {
	c := compactPlan{planFields: planFields(*p)}
	c.FormatVersion = CompactFormatVersion
	c.Defaults = d
	c.Steps = compactNodes(p.Steps, &c.Defaults)
	c.planFields.Steps = nil
	return json.Marshal(&c)
}

// DecodeCompact reads what EncodeCompact wrote: the plan in memory is the
// canonical one (FormatVersion).
func DecodeCompact(b []byte) (*Plan, error) {
	if d := sel.JSONDepth(b); d > 5*sel.MaxValueDepth+4*MaxBodyDepth+16 {
		return nil, fmt.Errorf("decoding compact plan: nested %d levels deep", d)
	}
	p := new(Plan)
	if err := unmarshalCompact(b, p); err != nil {
		return nil, fmt.Errorf("decoding compact plan: %w", err)
	}
	if p.FormatVersion != CompactFormatVersion {
		return nil, fmt.Errorf("compact plan format version %d: this build reads version %d", p.FormatVersion, CompactFormatVersion)
	}
	p.FormatVersion = FormatVersion
	return p, nil
}

// chooseDefaults picks, for each field, the value most of the plan's
// nodes (bodies included) have; ties go to the smallest value, so the
// encoding is a function of the plan.
func chooseDefaults(steps []*Node) nodeDefaults {
	kinds, types, modes, fms, timeouts := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[Number]int{}
	var walk func([]*Node)
	walk = func(ns []*Node) {
		for _, n := range ns {
			kinds[n.Kind]++
			types[n.Type]++
			modes[string(n.Mode)]++
			fms[n.FailureMode]++
			timeouts[n.Timeout]++
			if n.Body != nil {
				walk(n.Body.Steps)
			}
		}
	}
	walk(steps)
	return nodeDefaults{
		Kind:        mostCommon(kinds, cmp.Compare[string]),
		Type:        mostCommon(types, cmp.Compare[string]),
		Mode:        Mode(mostCommon(modes, cmp.Compare[string])),
		FailureMode: mostCommon(fms, cmp.Compare[string]),
		Timeout: mostCommon(timeouts, func(a, b Number) int {
			return cmp.Or(cmp.Compare(a.Value, b.Value), cmp.Compare(a.Text, b.Text))
		}),
	}
}

func mostCommon[K comparable](counts map[K]int, compare func(a, b K) int) K {
	keys := make([]K, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b K) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), compare(a, b)) })
	var zero K
	if len(keys) == 0 {
		return zero
	}
	return keys[0]
}

// derivedPreds holds, by step id, the sorted ids of the steps whose edges
// lead to it: what Compile writes as a step's predecessors.
type derivedPreds struct {
	index map[string]int
	offs  []int    // list i is ids[offs[i]:offs[i+1]]
	ids   []string // the lists, one after the other
}

// of returns the derived predecessors of the step id (nil: none), capped
// at its length, so an append to one copies it.
func (p derivedPreds) of(id string) []string {
	if i, ok := p.index[id]; ok {
		return p.ids[p.offs[i]:p.offs[i+1]:p.offs[i+1]]
	}
	return nil
}

// derivePredecessors derives the predecessors of the steps of ns. The
// lists share one array, found by their offsets in it (a slice header a
// list was 7 KB of a 300-step chain's, built at every encode and decode).
func derivePredecessors(ns []*Node) derivedPreds {
	index := make(map[string]int, len(ns))
	offs := make([]int, 1, len(ns)+1) // offs[i+1]: list i's length
	for _, n := range ns {
		for _, e := range n.Successors {
			i, ok := index[e.To]
			if !ok {
				i = len(offs) - 1
				index[e.To] = i
				offs = append(offs, 0)
			}
			offs[i+1]++
		}
	}
	for i := 1; i < len(offs); i++ {
		offs[i] += offs[i-1] // offs[i]: where list i starts
	}
	ids := make([]string, offs[len(offs)-1])
	for _, n := range ns {
		for _, e := range n.Successors {
			i := index[e.To]
			ids[offs[i]] = n.ID
			offs[i]++ // then where list i ends
		}
	}
	copy(offs[1:], offs[:len(offs)-1])
	offs[0] = 0
	p := derivedPreds{index: index, offs: offs, ids: ids}
	for i := range len(offs) - 1 {
		sort.Strings(ids[offs[i]:offs[i+1]])
	}
	return p
}

func compactNodes(ns []*Node, d *nodeDefaults) []*compactNode {
	preds := derivePredecessors(ns)
	out := make([]*compactNode, len(ns))
	for i, n := range ns {
		c := &compactNode{nodeFields: nodeFields(*n)}
		c.Kind = unlessDefault(n.Kind, d.Kind)
		c.Type = unlessDefault(n.Type, d.Type)
		c.Mode = unlessDefault(n.Mode, d.Mode)
		c.FailureMode = unlessDefault(n.FailureMode, d.FailureMode)
		c.Timeout = unlessDefault(n.Timeout, d.Timeout)
		if !slices.Equal(n.Predecessors, preds.of(n.ID)) {
			p := slices.Clone(n.Predecessors)
			if p == nil {
				p = []string{}
			}
			c.Predecessors = &p
		}
		if allTrue(n.Successors) {
			for _, e := range n.Successors {
				c.Next = append(c.Next, e.To)
			}
		} else {
			c.Successors = n.Successors
		}
		if n.Body != nil {
			c.Body = &compactBody{Steps: compactNodes(n.Body.Steps, d)}
		}
		c.nodeFields.Predecessors, c.nodeFields.Successors, c.nodeFields.Body = nil, nil, nil
		out[i] = c
	}
	return out
}

func expandNodes(cs []*compactNode, d *nodeDefaults) []*Node {
	out := make([]*Node, len(cs))
	// The unconditional edges of all the nodes share one array.
	edges := 0
	for _, c := range cs {
		edges += len(c.Next)
	}
	backing := make([]Edge, edges)
	for i, c := range cs {
		// The node is the compact node's own fields, in place: the decoder
		// allocated them already (a copy was one more allocation a node).
		n := (*Node)(&c.nodeFields)
		n.Kind = orDefault(c.Kind, d.Kind)
		n.Type = orDefault(c.Type, d.Type)
		n.Mode = orDefault(c.Mode, d.Mode)
		n.FailureMode = orDefault(c.FailureMode, d.FailureMode)
		n.Timeout = orDefault(c.Timeout, d.Timeout)
		n.Successors = c.Successors
		if c.Next != nil {
			n.Successors, backing = backing[:len(c.Next):len(c.Next)], backing[len(c.Next):]
			for j, to := range c.Next {
				n.Successors[j] = Edge{To: to, Condition: "true"}
			}
		}
		if c.Body != nil {
			n.Body = &Body{Steps: expandNodes(c.Body.Steps, d)}
		}
		out[i] = n
	}
	preds := derivePredecessors(out)
	for i, c := range cs {
		switch {
		case c.Predecessors == nil:
			out[i].Predecessors = preds.of(out[i].ID)
		case len(*c.Predecessors) > 0:
			out[i].Predecessors = *c.Predecessors
		}
	}
	return out
}

func allTrue(es []Edge) bool {
	for _, e := range es {
		if e.Condition != "true" {
			return false
		}
	}
	return len(es) > 0
}

func unlessDefault[T comparable](v, def T) *T {
	if v == def {
		return nil
	}
	return &v
}

func orDefault[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
