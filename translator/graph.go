package translator

// Index maps each step id to its position in p.Steps.
func (p *Plan) Index() map[string]int {
	m := make(map[string]int, len(p.Steps))
	for i, n := range p.Steps {
		m[n.ID] = i
	}
	return m
}

// Node returns the step with the given id, or nil.
func (p *Plan) Node(id string) *Node {
	for _, n := range p.Steps {
		if n.ID == id {
			return n
		}
	}
	return nil
}

// Roots returns the steps without predecessors, in plan order. They start
// when the run starts.
func (p *Plan) Roots() []*Node {
	var out []*Node
	for _, n := range p.Steps {
		if len(n.Predecessors) == 0 {
			out = append(out, n)
		}
	}
	return out
}

// Leaves returns the steps without successors, in plan order.
func (p *Plan) Leaves() []*Node {
	var out []*Node
	for _, n := range p.Steps {
		if len(n.Successors) == 0 {
			out = append(out, n)
		}
	}
	return out
}

// IsUnconditional reports whether the edge always holds.
func (e Edge) IsUnconditional() bool { return e.Condition == "true" }
