package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/batonhq/baton/scheduler"
)

// ScenarioStrategy measures start-to-result of a one-step run that goes
// through its workflow id's run strategy (the queue entity admits it and
// its caller starts it), one row per rule, interleaved with a bare start
// of the same definition. Each rule's row also counts what a start cost
// its queue (Row.QueueCost).
const ScenarioStrategy = "strategy"

// strategyRules are the rules measured, in Maestro's order.
var strategyRules = []string{"SEQUENTIAL", "STRICT_SEQUENTIAL", "FIRST_ONLY", "LAST_ONLY", "PARALLEL", "SERIAL_LATEST_ONLY"}

// strategyWorkflowID is the workflow id (and so the queue) of rule's row.
func strategyWorkflowID(rule string) string { return "bench-strategy-" + strings.ToLower(rule) }

// strategyDef is chainDef(1) under a run strategy, with its own workflow
// id per rule (each rule its own queue).
func strategyDef(rule string) []byte { return strategyDefID(rule, strategyWorkflowID(rule)) }

// strategyDefID is strategyDef with workflow id id.
func strategyDefID(rule, id string) []byte {
	var m map[string]any
	if err := json.Unmarshal(chainDef(1, typeNoOp), &m); err != nil {
		panic(err) // chainDef renders valid JSON
	}
	m["workflow"].(map[string]any)["id"] = id
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
	starts := make([]*atomic.Int64, len(strategyRules))
	for i, rule := range strategyRules {
		v := b.planVariant(b.baton, Row{Scenario: ScenarioStrategy, Mode: strings.ToLower(rule), N: 1}, strategyDef(rule))
		if fn := v.fn; fn != nil {
			n := &atomic.Int64{}
			starts[i] = n
			v.fn = func(ctx context.Context) error { n.Add(1); return fn(ctx) }
		}
		vs = append(vs, v)
	}
	// The same start as the sequential row's without speculation, in the
	// same run (its own workflow id, so its own queue).
	plain := b.planVariant(b.baton, Row{Scenario: ScenarioStrategy, Mode: "sequential-plain", N: 1}, strategyDefID("SEQUENTIAL", strategyWorkflowID("SEQUENTIAL")+"-plain"))
	if plan, err := b.baton.compile(strategyDefID("SEQUENTIAL", strategyWorkflowID("SEQUENTIAL")+"-plain")); err == nil && plain.fn != nil {
		sys := b.baton
		plain.fn = func(ctx context.Context) error { _, err := sys.runPlanWith(ctx, sys.bcPlain, plan); return err }
	}
	b.measure(ctx, append(vs, plain)...)
	for i, rule := range strategyRules {
		if starts[i] == nil || starts[i].Load() == 0 || !vs[i+1].row.ok() {
			continue
		}
		cost, err := b.baton.queueCost(ctx, scheduler.QueueIDOn(taskQueue, strategyWorkflowID(rule)), starts[i].Load())
		if err != nil {
			cost = "? (" + err.Error() + ")"
		}
		vs[i+1].row.QueueCost = cost
	}
}

// queueCost counts the events of a queue's history, across its runs
// (continue-as-new), per start: all events, workflow tasks, activities
// scheduled (its watches) and cancelled, and markers (local activities;
// the first call of each GetVersion in a run also records one).
func (s *system) queueCost(ctx context.Context, queueID string, starts int64) (string, error) {
	var events, tasks, acts, cancels, locals int64
	d, err := s.tc.DescribeWorkflowExecution(ctx, queueID, "")
	if err != nil {
		return "", fmt.Errorf("describe %s: %w", queueID, err)
	}
	runID := d.GetWorkflowExecutionInfo().GetFirstRunId()
	for range 100 {
		it := s.tc.GetWorkflowHistory(ctx, queueID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		next := ""
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return "", fmt.Errorf("history of %s: %w", queueID, err)
			}
			events++
			switch ev.GetEventType() {
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
				tasks++
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
				acts++
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED:
				cancels++
			case enumspb.EVENT_TYPE_MARKER_RECORDED:
				locals++
			}
			if a := ev.GetWorkflowExecutionContinuedAsNewEventAttributes(); a != nil {
				next = a.GetNewExecutionRunId()
			}
		}
		if next == "" {
			break
		}
		runID = next
	}
	per := func(n int64) float64 { return float64(n) / float64(starts) }
	return fmt.Sprintf("%.1f events, %.2f wf tasks, %.2f watches (%.2f cancelled), %.2f local acts",
		per(events), per(tasks), per(acts), per(cancels), per(locals)), nil
}
