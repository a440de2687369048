package bench

import (
	"context"
	"encoding/json"
	"strings"
)

// ScenarioStrategy measures start-to-result of a one-step run that goes
// through its workflow id's run strategy (the queue entity admits it, and
// the client starts it), one row per rule, interleaved with a bare start
// of the same definition.
const ScenarioStrategy = "strategy"

// strategyRules are the rules measured, in Maestro's order.
var strategyRules = []string{"SEQUENTIAL", "STRICT_SEQUENTIAL", "FIRST_ONLY", "LAST_ONLY", "PARALLEL", "SERIAL_LATEST_ONLY"}

// strategyDef is chainDef(1) under a run strategy, with its own workflow
// id per rule (each rule its own queue).
func strategyDef(rule string) []byte {
	var m map[string]any
	if err := json.Unmarshal(chainDef(1, typeNoOp), &m); err != nil {
		panic(err) // chainDef renders valid JSON
	}
	m["workflow"].(map[string]any)["id"] = "bench-strategy-" + strings.ToLower(rule)
	m["properties"] = map[string]any{"owner": "bench", "run_strategy": rule}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

func (b *bench) strategy(ctx context.Context) {
	if b.naivePhase {
		return
	}
	vs := []variant{b.planVariant(b.baton, Row{Scenario: ScenarioStrategy, Mode: "bare", N: 1}, chainDef(1, typeNoOp))}
	for _, rule := range strategyRules {
		vs = append(vs, b.planVariant(b.baton, Row{Scenario: ScenarioStrategy, Mode: strings.ToLower(rule), N: 1}, strategyDef(rule)))
	}
	b.measure(ctx, vs...)
}
