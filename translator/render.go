package translator

import (
	"fmt"
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
// s1, … in plan order, so ids with dots or quotes are safe; labels show the
// id, type and mode; conditional edges are labelled with their condition.
func Mermaid(p *Plan) string {
	var sb strings.Builder
	sb.WriteString("flowchart TD\n")
	if p == nil {
		return sb.String()
	}
	idx := p.Index()
	for i, n := range p.Steps {
		id, detail := nodeLabel(n)
		fmt.Fprintf(&sb, "  s%d[\"%s<br/>%s\"]\n", i, mermaidEscape(id), mermaidEscape(detail))
	}
	for i, n := range p.Steps {
		for _, e := range n.Successors {
			j, ok := idx[e.To]
			if !ok {
				continue
			}
			if e.IsUnconditional() {
				fmt.Fprintf(&sb, "  s%d --> s%d\n", i, j)
			} else {
				fmt.Fprintf(&sb, "  s%d -->|\"%s\"| s%d\n", i, mermaidEscape(e.Condition), j)
			}
		}
	}
	return sb.String()
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
// condition.
func DOT(p *Plan) string {
	var sb strings.Builder
	name := ""
	if p != nil {
		name = p.WorkflowID
	}
	fmt.Fprintf(&sb, "digraph %s {\n", dotQuote(name))
	sb.WriteString("  node [shape=box];\n")
	if p == nil {
		sb.WriteString("}\n")
		return sb.String()
	}
	for _, n := range p.Steps {
		id, detail := nodeLabel(n)
		fmt.Fprintf(&sb, "  %s [label=%s];\n", dotQuote(n.ID), dotQuote(id+"\n"+detail))
	}
	for _, n := range p.Steps {
		for _, e := range n.Successors {
			if e.IsUnconditional() {
				fmt.Fprintf(&sb, "  %s -> %s;\n", dotQuote(n.ID), dotQuote(e.To))
			} else {
				fmt.Fprintf(&sb, "  %s -> %s [label=%s];\n", dotQuote(n.ID), dotQuote(e.To), dotQuote(e.Condition))
			}
		}
	}
	sb.WriteString("}\n")
	return sb.String()
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
