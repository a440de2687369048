package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

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
