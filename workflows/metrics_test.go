package workflows_test

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/batonhq/baton/worker"
	"github.com/batonhq/baton/workflows"
)

// countingHandler records what a workflow emits: counter sums by metric
// and tags, and how many tagged handlers were built.
type countingHandler struct {
	mu       *sync.Mutex
	tags     map[string]string
	sums     map[string]int64
	withTags *int
}

func newCountingHandler() *countingHandler {
	return &countingHandler{mu: &sync.Mutex{}, sums: map[string]int64{}, withTags: new(int)}
}

func (h *countingHandler) WithTags(tags map[string]string) client.MetricsHandler {
	h.mu.Lock()
	defer h.mu.Unlock()
	if tags["step_type"] != "" || tags["loop_kind"] != "" {
		*h.withTags++ // Baton's, not the SDK's own
	}
	merged := map[string]string{}
	for k, v := range h.tags {
		merged[k] = v
	}
	for k, v := range tags {
		merged[k] = v
	}
	return &countingHandler{mu: h.mu, tags: merged, sums: h.sums, withTags: h.withTags}
}

// key is the metric with its Baton tags, sorted ("baton_step_started step_type=NoOp").
func (h *countingHandler) key(name string) string {
	var parts []string
	for k, v := range h.tags {
		if k == "step_type" || k == "status" || k == "retry_class" || k == "loop_kind" {
			parts = append(parts, k+"="+v)
		}
	}
	sort.Strings(parts)
	return strings.TrimSpace(name + " " + strings.Join(parts, " "))
}

func (h *countingHandler) Counter(name string) client.MetricsCounter {
	k := h.key(name)
	return counterFunc(func(d int64) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.sums[k] += d
	})
}

func (h *countingHandler) Gauge(string) client.MetricsGauge {
	return gaugeFunc(func(float64) {})
}

func (h *countingHandler) Timer(name string) client.MetricsTimer {
	k := h.key(name) + " (count)"
	return timerFunc(func(time.Duration) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.sums[k]++
	})
}

type counterFunc func(int64)

func (f counterFunc) Inc(d int64) { f(d) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(time.Duration)

func (f timerFunc) Record(d time.Duration) { f(d) }

// TestStepMetricsBuiltOncePerTagSet: a run's step events are all counted,
// and the tagged instruments are built once per tag set, not once per
// event (a chain of 40 NoOp steps and a foreach of 30 iterations).
func TestStepMetricsBuiltOncePerTagSet(t *testing.T) {
	var steps []string
	for i := range 40 {
		next := ""
		if i < 39 {
			next = fmt.Sprintf(`,"transition":{"successors":{"s%d":"true"}}`, i+2)
		}
		steps = append(steps, fmt.Sprintf(`{"step":{"id":"s%d","type":"NoOp"%s}}`, i+1, next))
	}
	chain := `{"workflow":{"id":"chain","steps":[` + strings.Join(steps, ",") + `]}}`
	loop := `{"workflow":{"id":"loop","steps":[{"foreach":{"id":"each","concurrency":5,
		"params":{"loop_params":{"type":"MAP","value":{"i":{"expression":"Util.intsBetween(0, 30, 1)","type":"LONG_ARRAY"}}}},
		"steps":[{"step":{"id":"a","type":"NoOp"}}]}}]}}`
	tests := []struct {
		name     string
		def      string
		want     map[string]int64
		maxBuilt int
	}{
		{"chain", chain, map[string]int64{
			"baton_step_started step_type=NoOp":                          40,
			"baton_step_finished status=SUCCEEDED step_type=NoOp":        40,
			"baton_step_latency status=SUCCEEDED step_type=NoOp (count)": 40,
		}, 3},
		{"foreach", loop, map[string]int64{
			"baton_step_started step_type=NoOp":                        30,
			"baton_step_finished status=SUCCEEDED step_type=NoOp":      30,
			"baton_loop_iterations loop_kind=foreach status=SUCCEEDED": 30,
			"baton_step_started step_type=foreach":                     1,
			"baton_step_finished status=SUCCEEDED step_type=foreach":   1,
		}, 4 + 3}, // the loop workflow's NoOp steps and iterations; the parent's foreach step
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counting := newCountingHandler()
			h := &harness{}
			h.suite.SetMetricsHandler(counting)
			h.env = h.suite.NewTestWorkflowEnvironment()
			worker.RegisterWorkflows(h.env)
			st := h.run(t, compileJSON(t, tt.def, nil), nil)
			require.Equal(t, workflows.InstanceSucceeded, st.Status, st.Error)
			for k, v := range tt.want {
				require.Equal(t, v, counting.sums[k], k)
			}
			require.LessOrEqual(t, *counting.withTags, tt.maxBuilt)
		})
	}
}
