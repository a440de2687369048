package bench

import (
	"encoding/json"
	"fmt"
)

// The user step types the benchmark registers. All three run the same
// NoOp Go function; they differ only in the mode the client gives them.
const (
	typeNoOp   = "NoOp"          // Baton's built-in, inline
	typeLocal  = "BenchLocal"    // user step type as a local activity
	typeRemote = "BenchActivity" // user step type as an activity
	typeNaive  = "BenchNaive"    // the naive design: every step an activity
)

// step is one step of a generated definition.
type step struct {
	id     string
	typ    string
	params map[string]any
	succ   []edge
}

type edge struct{ to, cond string }

// defJSON renders a Maestro JSON definition.
func defJSON(id string, wfParams map[string]any, steps []*step) []byte {
	list := make([]any, len(steps))
	for i, s := range steps {
		m := map[string]any{"id": s.id, "type": s.typ}
		if len(s.params) > 0 {
			m["params"] = s.params
		}
		if len(s.succ) > 0 {
			succ := map[string]string{}
			for _, e := range s.succ {
				succ[e.to] = e.cond
			}
			m["transition"] = map[string]any{"successors": succ}
		}
		list[i] = map[string]any{"step": m}
	}
	wf := map[string]any{"id": id, "steps": list}
	if len(wfParams) > 0 {
		wf["params"] = wfParams
	}
	b, err := json.Marshal(map[string]any{"workflow": wf})
	if err != nil {
		panic(err) // only maps of strings and numbers: cannot fail
	}
	return b
}

func stepID(i int) string { return fmt.Sprintf("s%d", i+1) }

// chainDef is a sequential chain of n steps of one type.
func chainDef(n int, typ string) []byte {
	steps := make([]*step, n)
	for i := range steps {
		steps[i] = &step{id: stepID(i), typ: typ}
		if i > 0 {
			steps[i-1].succ = []edge{{steps[i].id, "true"}}
		}
	}
	return defJSON(fmt.Sprintf("bench-chain-%d", n), nil, steps)
}

// dagWidth is the fan-out of the layered DAG.
const dagWidth = 10

// dagLayers splits n steps into layers of sizes 1, w, w, w, 1, w, w, w, ...
// (the last one cut short): a fork, three layers of w parallel chains, a
// join, and so on.
func dagLayers(n, w int) []int {
	var layers []int
	for i := 0; n > 0; i++ {
		size := w
		if i%4 == 0 {
			size = 1
		}
		size = min(size, n)
		layers = append(layers, size)
		n -= size
	}
	return layers
}

// dagDef is a layered DAG of n steps with fan-outs and joins. With sel set,
// the workflow has params, every step evaluates three SEL params (one of
// them reading its parent's param) and every edge has a SEL condition that
// holds.
func dagDef(n int, typ string, sel bool) []byte {
	var steps []*step
	var prev []*step
	for _, size := range dagLayers(n, dagWidth) {
		layer := make([]*step, size)
		for j := range layer {
			s := &step{id: stepID(len(steps)), typ: typ}
			layer[j] = s
			steps = append(steps, s)
		}
		for j, p := range prev {
			switch {
			case len(prev) == 1: // fork
				for _, c := range layer {
					p.succ = append(p.succ, edge{to: c.id})
				}
			default: // parallel chains, or a join when len(layer) == 1
				p.succ = append(p.succ, edge{to: layer[j%len(layer)].id})
			}
		}
		if sel {
			for _, s := range layer {
				s.params = map[string]any{
					"a": map[string]any{"expression": "base * 2 + 1", "type": "LONG"},
					"b": map[string]any{"expression": "env + '-" + s.id + "'", "type": "STRING"},
				}
			}
			for j, c := range layer {
				if len(prev) > 0 {
					parent := prev[min(j, len(prev)-1)].id
					c.params["c"] = map[string]any{"expression": "params.getFromStep('" + parent + "', 'a') + 1", "type": "LONG"}
				}
			}
		}
		prev = layer
	}
	name := "bench-dag"
	var wfParams map[string]any
	if sel {
		name = "bench-sel"
		wfParams = map[string]any{
			"base": map[string]any{"value": 20, "type": "LONG"},
			"env":  map[string]any{"value": "prod", "type": "STRING"},
		}
	}
	for _, s := range steps {
		for i := range s.succ {
			s.succ[i].cond = "true"
			if sel {
				s.succ[i].cond = "a > base && env == 'prod' && b.startsWith('prod')"
			}
		}
	}
	return defJSON(fmt.Sprintf("%s-%d", name, n), wfParams, steps)
}

// fiveStepDef is the throughput scenario's DAG: a fork, three parallel
// steps and a join.
func fiveStepDef(typ string) []byte {
	steps := []*step{
		{id: "start", typ: typ, succ: []edge{{"a", "true"}, {"b", "true"}, {"c", "true"}}},
		{id: "a", typ: typ, succ: []edge{{"end", "true"}}},
		{id: "b", typ: typ, succ: []edge{{"end", "true"}}},
		{id: "c", typ: typ, succ: []edge{{"end", "true"}}},
		{id: "end", typ: typ},
	}
	return defJSON("bench-five", nil, steps)
}

// foreachDef is a foreach of n iterations over a NoOp body.
func foreachDef(n int) []byte {
	return []byte(fmt.Sprintf(`{"workflow":{"id":"bench-foreach-%d","steps":[{"foreach":{"id":"loop",
		"params":{"loop_params":{"type":"MAP","value":{"i":{"expression":"Util.intsBetween(0, %d, 1)","type":"LONG_ARRAY"}}}},
		"steps":[{"step":{"id":"body","type":"NoOp"}}]}}]}}`, n, n))
}
