package workflows_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/sel"

	W "github.com/batonhq/baton/workflows"
)

func TestSystemParams(t *testing.T) {
	def := `{"properties":{"owner":"ann"},"workflow":{"id":"sys","steps":[{"step":{"id":"s","type":"NoOp","params":{
		"who":{"type":"STRING","expression":"owner + '/' + workflow_id + '/' + step_id + '/' + step_attempt_id"},
		"pst":{"type":"STRING","expression":"DERIVED_RUN_DATE_US_PACIFIC + ' ' + DERIVED_RUN_HOUR_US_PACIFIC"}}}}]}}`
	h := newHarness(t, nil)
	// 2026-03-08 10:30 UTC: the day US Pacific time springs forward (02:30 PDT).
	h.env.SetStartTime(time.Date(2026, 3, 8, 10, 30, 0, 0, time.UTC))
	st := h.run(t, compileJSON(t, def, nil), nil)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	p := st.Params
	require.Equal(t, "20260308", p["TARGET_RUN_DATE"].Value)
	require.Equal(t, "10", p["TARGET_RUN_HOUR"].Value)
	require.Equal(t, time.Date(2026, 3, 8, 10, 0, 0, 0, time.UTC).UnixMilli(), p["DERIVED_RUN_TS"].Value)
	require.Equal(t, "20260307", p["DERIVED_RUN_DATE_UTC_MINUS_ONE"].Value)
	require.Equal(t, "20260307", p["DERIVED_RUN_DATE_US_PACIFIC_MINUS_ONE"].Value)
	require.Equal(t, "09", p["DERIVED_RUN_HOUR_UTC_MINUS_ONE_HOUR"].Value)
	require.Equal(t, "20260301", p["RUN_DATE_MINUS_7"].Value)
	require.Equal(t, "ann/sys/s/1", st.Step("s").Params["who"].Value)
	require.Equal(t, "20260308 03", st.Step("s").Params["pst"].Value, "10:00 UTC is 03:00 PDT")
}

// TestSystemParamChain: a definition or run param that sets RUN_TS or
// TARGET_RUN_DATE moves every system param derived from it, as Maestro's
// default-workflow-params do; the others keep their start-time values.
func TestSystemParamChain(t *testing.T) {
	start := time.Date(2026, 3, 8, 10, 30, 0, 0, time.UTC)
	runTS := time.Date(2024, 2, 29, 23, 15, 0, 0, time.UTC).UnixMilli()
	for _, tc := range []struct {
		name      string
		params    string
		runParams map[string]sel.Value
		want      map[string]any
	}{
		{"none", ``, nil, map[string]any{
			"RUN_TS": start.UnixMilli(), "TARGET_RUN_DATE": "20260308", "DERIVED_RUN_DATE_UTC": "20260308", "RUN_DATE": "20260308",
		}},
		{"definition RUN_TS", `"RUN_TS":{"type":"LONG","value":` + itoa(runTS) + `}`, nil, map[string]any{
			"RUN_TS": runTS, "TARGET_RUN_DATE": "20240229", "TARGET_RUN_HOUR": "23",
			"DERIVED_RUN_TS":       time.Date(2024, 2, 29, 23, 0, 0, 0, time.UTC).UnixMilli(),
			"DERIVED_RUN_DATE_UTC": "20240229", "DERIVED_RUN_DATE_UTC_PLUS_ONE": "20240301",
			"DERIVED_RUN_DATE_US_PACIFIC": "20240229", "DERIVED_RUN_HOUR_US_PACIFIC": "15",
			"DERIVED_RUN_DATE_UTC_PLUS_ONE_HOUR": "20240301", "DERIVED_RUN_HOUR_UTC_PLUS_ONE_HOUR": "00",
			"LOCAL_RUN_DATE": "20240229", "RUN_DATE": "20240229", "RUN_DATE_MINUS_1": "20240228", "RUN_DATE_MINUS_7": "20240222",
		}},
		{"run param TARGET_RUN_DATE", ``, map[string]sel.Value{"TARGET_RUN_DATE": {Type: sel.String, Value: "20240101"}}, map[string]any{
			"RUN_TS": start.UnixMilli(), "TARGET_RUN_DATE": "20240101", "TARGET_RUN_HOUR": "10",
			"DERIVED_RUN_TS":       time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC).UnixMilli(),
			"DERIVED_RUN_DATE_UTC": "20240101", "DERIVED_RUN_DATE_UTC_MINUS_ONE": "20231231", "DERIVED_RUN_HOUR_US_PACIFIC": "02",
			"RUN_DATE": "20260308", "LOCAL_RUN_DATE": "20260308",
		}},
		{"definition expression over a user param", `"day":{"type":"STRING","value":"20230615"},"TARGET_RUN_DATE":{"type":"STRING","expression":"day"},"TARGET_RUN_HOUR":{"type":"STRING","value":"07"}`, nil, map[string]any{
			"TARGET_RUN_DATE": "20230615", "DERIVED_RUN_TS": time.Date(2023, 6, 15, 7, 0, 0, 0, time.UTC).UnixMilli(),
			"DERIVED_RUN_DATE_US_PACIFIC": "20230615", "DERIVED_RUN_HOUR_US_PACIFIC": "00", "RUN_DATE": "20260308",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			params := ""
			if tc.params != "" {
				params = `,"params":{` + tc.params + `}`
			}
			def := `{"workflow":{"id":"chain"` + params + `,"steps":[{"step":{"id":"s","type":"NoOp","params":{
				"seen":{"type":"STRING","expression":"DERIVED_RUN_DATE_UTC"}}}}]}}`
			h := newHarness(t, nil)
			h.env.SetStartTime(start)
			st := h.run(t, compileJSON(t, def, nil), tc.runParams)
			require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
			for name, want := range tc.want {
				require.Equal(t, want, st.Params[name].Value, name)
			}
			require.Equal(t, st.Params["DERIVED_RUN_DATE_UTC"].Value, st.Step("s").Params["seen"].Value)
		})
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
