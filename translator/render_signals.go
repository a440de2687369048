package translator

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// signalEdge is a step's signal dependency (signal -> step) or output
// (step -> signal) in a rendering.
type signalEdge struct {
	signal string
	step   string // the step's name in the rendering
	out    bool
	label  string
}

// signalEdges lists the signal edges of steps, inner steps too; name gives
// a step's name in the rendering from its position.
func signalEdges(steps []*Node, prefix string, name func(prefix string, i int, n *Node) string) []signalEdge {
	var out []signalEdge
	for i, n := range steps {
		sn := name(prefix, i, n)
		for _, d := range n.SignalDependencies {
			conds := make([]string, 0, len(d.Match))
			for _, m := range d.Match {
				conds = append(conds, m.Param+" "+m.Operator+" "+paramText(m.Value))
			}
			out = append(out, signalEdge{signal: d.Name, step: sn, label: clip(strings.Join(conds, ", "))})
		}
		for _, o := range n.SignalOutputs {
			keys := make([]string, 0, len(o.Params))
			for k := range o.Params {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			params := make([]string, 0, len(keys))
			for _, k := range keys {
				params = append(params, k+"="+paramText(o.Params[k]))
			}
			out = append(out, signalEdge{signal: o.Name, step: sn, out: true, label: clip(strings.Join(params, ", "))})
		}
		if n.Body != nil {
			out = append(out, signalEdges(n.Body.Steps, sn+"_", name)...)
		}
	}
	return out
}

// paramText is a param as written: its literal, or its expression.
func paramText(p *Param) string {
	if p == nil {
		return ""
	}
	if p.IsExpr {
		return p.Expr
	}
	if s, ok := p.Literal.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(p.Literal)
}

// clip keeps an edge label readable.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 60
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// mermaidSignals draws each signal name once, as a stadium node (g0, g1,
// … in order of first use), with dotted edges: a dependency into its step
// labelled with its conditions, an output out of its step labelled with
// its params. A name both sent and awaited links the two steps.
func mermaidSignals(sb *strings.Builder, steps []*Node) {
	edges := signalEdges(steps, "s", func(prefix string, i int, _ *Node) string { return prefix + strconv.Itoa(i) })
	ids := map[string]string{}
	for _, e := range edges {
		if _, ok := ids[e.signal]; !ok {
			ids[e.signal] = "g" + strconv.Itoa(len(ids))
			fmt.Fprintf(sb, "  %s([\"signal %s\"])\n", ids[e.signal], mermaidEscape(e.signal))
		}
	}
	for _, e := range edges {
		from, to := ids[e.signal], e.step
		if e.out {
			from, to = to, from
		}
		if e.label == "" {
			fmt.Fprintf(sb, "  %s -.-> %s\n", from, to)
		} else {
			fmt.Fprintf(sb, "  %s -.->|\"%s\"| %s\n", from, mermaidEscape(e.label), to)
		}
	}
}

// dotSignals draws each signal name once, as an ellipse named
// "signal:<name>", with dotted edges as mermaidSignals.
func dotSignals(sb *strings.Builder, steps []*Node) {
	edges := signalEdges(steps, "", func(_ string, _ int, n *Node) string { return n.ID })
	seen := map[string]bool{}
	for _, e := range edges {
		if !seen[e.signal] {
			seen[e.signal] = true
			fmt.Fprintf(sb, "  %s [shape=ellipse, style=dashed, label=%s];\n", dotQuote("signal:"+e.signal), dotQuote("signal\n"+e.signal))
		}
	}
	for _, e := range edges {
		from, to := dotQuote("signal:"+e.signal), dotQuote(e.step)
		if e.out {
			from, to = to, from
		}
		fmt.Fprintf(sb, "  %s -> %s [style=dotted, label=%s];\n", from, to, dotQuote(e.label))
	}
}
