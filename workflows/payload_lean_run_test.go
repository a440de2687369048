package workflows_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/workflows"
)

// TestLeanRunResult: a run whose input asks for the lean result writes
// its result and state query without the start params, and both decode
// with every param a run that was not asked (an old client, or a worker
// that does not know the field) returns; a run param that sets RUN_TS
// keeps the compact State with its params.
func TestLeanRunResult(t *testing.T) {
	plan := compileJSON(t, string(benchChain(1, "BenchLocal")), localMode("BenchLocal"))
	types := map[string]activities.StepType{"BenchLocal": benchNoOp}
	runTS := map[string]sel.Value{"RUN_TS": {Type: sel.Long, Value: int64(1796168000000)}}
	tests := []struct {
		name       string
		lean       bool
		params     map[string]sel.Value
		wantFormat string
	}{
		{"not asked", false, nil, `"format":2`},
		{"asked", true, nil, `"format":3`},
		{"asked, RUN_TS set by a run param", true, runTS, `"format":2`},
	}
	keys := map[string][]string{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, types)
			st := h.runInput(t, workflows.RunInput{Plan: plan, RunParams: tc.params, Compact: true, LeanResult: tc.lean})
			require.Equal(t, workflows.InstanceSucceeded, st.Status)
			var raw json.RawMessage // the result's payload as the run wrote it
			require.NoError(t, h.env.GetWorkflowResult(&raw))
			require.Contains(t, string(raw), tc.wantFormat)
			require.Equal(t, tc.wantFormat == `"format":2`, bytes.Contains(raw, []byte(`"DERIVED_RUN_DATE_UTC"`)), "%s", raw)

			q, err := h.env.QueryWorkflow(workflows.QueryState)
			require.NoError(t, err)
			var queried workflows.State
			require.NoError(t, q.Get(&queried))
			require.Equal(t, st.Params, queried.Params)

			ts := st.StartTime
			if tc.params != nil { // the chain derives the dates from RUN_TS
				ts = time.UnixMilli(tc.params["RUN_TS"].Value.(int64))
			}
			require.Equal(t, sel.Value{Type: sel.Long, Value: ts.UnixMilli()}, st.Params["RUN_TS"])
			require.Equal(t, sel.Value{Type: sel.String, Value: ts.UTC().Format("20060102")}, st.Params["RUN_DATE"])
			require.Equal(t, sel.Value{Type: sel.String, Value: plan.WorkflowID}, st.Params["workflow_id"])
			for k := range st.Params {
				keys[tc.name] = append(keys[tc.name], k)
			}
		})
	}
	require.ElementsMatch(t, keys["not asked"], keys["asked"], "the same params, derived or carried")
	require.Len(t, keys["asked"], 22)
}

// TestChainedRunResult: a run whose input asks for format 4 writes its
// result and state query with the times of its chained steps as durations
// alone, and both decode to the times of the run's steps; a run not asked
// writes format 3.
func TestChainedRunResult(t *testing.T) {
	plan := compileJSON(t, string(benchChain(3, "BenchLocal")), localMode("BenchLocal"))
	types := map[string]activities.StepType{"BenchLocal": benchNoOp}
	for _, format := range []int{0, workflows.ChainedStateFormat} {
		h := newHarness(t, types)
		st := h.runInput(t, workflows.RunInput{Plan: plan, Compact: true, LeanResult: true, ResultFormat: format})
		require.Equal(t, workflows.InstanceSucceeded, st.Status)
		var raw json.RawMessage
		require.NoError(t, h.env.GetWorkflowResult(&raw))
		if format == 0 {
			require.Contains(t, string(raw), `"format":3,`)
			require.Equal(t, 3, bytes.Count(raw, []byte(`"at":`)), "%s", raw)
			continue
		}
		require.Contains(t, string(raw), `"format":4,`)
		require.Equal(t, 1, bytes.Count(raw, []byte(`"at":`)), "only the first step has an offset: %s", raw)
		require.Equal(t, 3, bytes.Count(raw, []byte(`"dur":`)), "%s", raw)
		q, err := h.env.QueryWorkflow(workflows.QueryState)
		require.NoError(t, err)
		var queried workflows.State
		require.NoError(t, q.Get(&queried))
		require.Equal(t, st.Steps, queried.Steps)
		for i, s := range st.Steps {
			require.NotNil(t, s.StartTime, s.ID)
			require.NotNil(t, s.EndTime, s.ID)
			if i > 0 {
				require.Equal(t, *st.Steps[i-1].EndTime, *s.StartTime, s.ID)
			}
		}
	}
}
