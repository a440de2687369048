package ui

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/goccy/go-graphviz"

	"github.com/batonhq/baton/translator"
)

// maxGraphSteps bounds the steps of a DAG laid out at once, so one huge plan
// cannot hold the layout engine for long.
const maxGraphSteps = 2000

// layout lays DOT out with Graphviz (compiled to WebAssembly: no cgo, no
// system Graphviz) and renders SVG. go-graphviz parses with one global
// WebAssembly instance, so every use is serialized.
type layout struct {
	mu sync.Mutex
	gv *graphviz.Graphviz
}

func newLayout(ctx context.Context) (*layout, error) {
	gv, err := graphviz.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("ui: graphviz: %w", err)
	}
	return &layout{gv: gv}, nil
}

func (l *layout) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.gv.Close()
}

// svg renders a DAG of steps as SVG. Each step is a node whose <title> is
// its step id, which the page uses to colour it.
func (l *layout) svg(ctx context.Context, name string, steps []*translator.Node) ([]byte, error) {
	if len(steps) > maxGraphSteps {
		return nil, fmt.Errorf("the DAG has %d steps; the page draws at most %d", len(steps), maxGraphSteps)
	}
	dot := translator.DOT(&translator.Plan{WorkflowID: name, Steps: steps})
	l.mu.Lock()
	defer l.mu.Unlock()
	g, err := graphviz.ParseBytes([]byte(dot))
	if err != nil {
		return nil, fmt.Errorf("parse DOT: %w", err)
	}
	defer g.Close()
	var buf bytes.Buffer
	if err := l.gv.Render(ctx, g, graphviz.SVG, &buf); err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	return buf.Bytes(), nil
}
