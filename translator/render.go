package translator

import (
	"fmt"
	"strconv"
	"strings"
)

// nodeLabel is the text of a step in a rendering: its id, then its type
// (or kind) and mode.
func nodeLabel(n *Node) (id, detail string) {
	what := n.Type
	if what == "" {
		what = n.Kind
	}
	if n.SubType != "" {
		what += "/" + n.SubType
	}
	detail = what
	if n.Mode != "" {
		detail += " (" + string(n.Mode) + ")"
	}
	if n.TaskQueue != "" {
		detail += " @" + n.TaskQueue
	}
	return n.ID, detail
}

// Mermaid renders the plan as a Mermaid flowchart. Nodes are named s0,
// s1, … in plan order (s1_0, s1_1, … inside step s1), so ids with dots or
// quotes are safe; labels show the id, type and mode; conditional edges
// are labelled with their condition. A foreach or while step is a
// subgraph holding its inner DAG, which edges enter and leave as a whole.
func Mermaid(p *Plan) string {
	var sb strings.Builder
	sb.WriteString("flowchart TD\n")
	if p == nil {
		return sb.String()
	}
	mermaidSteps(&sb, p.Steps, "s", "  ")
	mermaidSignals(&sb, p.Steps)
	return sb.String()
}

func mermaidSteps(sb *strings.Builder, steps []*Node, prefix, indent string) {
	idx := make(map[string]int, len(steps))
	for i, n := range steps {
		idx[n.ID] = i
	}
	for i, n := range steps {
		id, detail := nodeLabel(n)
		name := prefix + strconv.Itoa(i)
		if n.Body == nil {
			fmt.Fprintf(sb, "%s%s[\"%s<br/>%s\"]\n", indent, name, mermaidEscape(id), mermaidEscape(detail))
			continue
		}
		fmt.Fprintf(sb, "%ssubgraph %s [\"%s<br/>%s\"]\n", indent, name, mermaidEscape(id), mermaidEscape(detail))
		fmt.Fprintf(sb, "%s  direction TB\n", indent)
		mermaidSteps(sb, n.Body.Steps, name+"_", indent+"  ")
		fmt.Fprintf(sb, "%send\n", indent)
	}
	for i, n := range steps {
		for _, e := range n.Successors {
			j, ok := idx[e.To]
			if !ok {
				continue
			}
			if e.IsUnconditional() {
				fmt.Fprintf(sb, "%s%s%d --> %s%d\n", indent, prefix, i, prefix, j)
			} else {
				fmt.Fprintf(sb, "%s%s%d -->|\"%s\"| %s%d\n", indent, prefix, i, mermaidEscape(e.Condition), prefix, j)
			}
		}
	}
}

// mermaidEscape makes text safe inside a quoted Mermaid label, using
// Mermaid's #entity; codes.
func mermaidEscape(s string) string {
	var sb strings.Builder
	for _, r := range s {
		switch r {
		case '#':
			sb.WriteString("#35;")
		case '"':
			sb.WriteString("#quot;")
		case '<':
			sb.WriteString("#lt;")
		case '>':
			sb.WriteString("#gt;")
		case '&':
			sb.WriteString("#amp;")
		case '|':
			sb.WriteString("#124;")
		case '\n', '\r', '\t':
			sb.WriteByte(' ')
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// DOT renders the plan as a Graphviz digraph. Step ids are quoted, labels
// show the id, type and mode; conditional edges are labelled with their
// condition. A foreach or while step is a node followed, on a dashed
// "each iteration" edge, by a cluster holding its inner DAG.
func DOT(p *Plan) string {
	var sb strings.Builder
	name := ""
	if p != nil {
		name = p.WorkflowID
	}
	fmt.Fprintf(&sb, "digraph %s {\n", dotQuote(name))
	sb.WriteString("  node [shape=box];\n")
	if p != nil {
		dotSteps(&sb, p.Steps, "  ")
		dotSignals(&sb, p.Steps)
	}
	sb.WriteString("}\n")
	return sb.String()
}

func dotSteps(sb *strings.Builder, steps []*Node, indent string) {
	for _, n := range steps {
		id, detail := nodeLabel(n)
		fmt.Fprintf(sb, "%s%s [label=%s];\n", indent, dotQuote(n.ID), dotQuote(id+"\n"+detail))
		if n.Body == nil {
			continue
		}
		fmt.Fprintf(sb, "%ssubgraph %s {\n", indent, dotQuote("cluster_"+n.ID))
		fmt.Fprintf(sb, "%s  label=%s;\n%s  style=dashed;\n", indent, dotQuote(n.ID+" ("+n.Kind+")"), indent)
		dotSteps(sb, n.Body.Steps, indent+"  ")
		fmt.Fprintf(sb, "%s}\n", indent)
		for _, inner := range n.Body.Steps {
			if len(inner.Predecessors) == 0 {
				fmt.Fprintf(sb, "%s%s -> %s [style=dashed, label=\"each iteration\"];\n", indent, dotQuote(n.ID), dotQuote(inner.ID))
			}
		}
	}
	for _, n := range steps {
		for _, e := range n.Successors {
			if e.IsUnconditional() {
				fmt.Fprintf(sb, "%s%s -> %s;\n", indent, dotQuote(n.ID), dotQuote(e.To))
			} else {
				fmt.Fprintf(sb, "%s%s -> %s [label=%s];\n", indent, dotQuote(n.ID), dotQuote(e.To), dotQuote(e.Condition))
			}
		}
	}
}

// dotQuote writes s as a DOT double-quoted string: backslashes and quotes
// escaped, newlines as \n (a centred line break in labels).
func dotQuote(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			sb.WriteString(`\"`)
		case '\\':
			sb.WriteString(`\\`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}
