package sel

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testParams is a Params with canned answers for the extension methods.
type testParams struct {
	vals     map[string]any
	step     map[string]any            // own step fields
	steps    map[string]map[string]any // stepID → param
	instance map[string]any
	signals  map[string]map[string]any // "" = the default signal
	deps     map[string]map[string]any
}

func (p *testParams) Lookup(n string) (any, bool) { v, ok := p.vals[n]; return v, ok }
func (p *testParams) GetFromStep(id, name string) (any, error) {
	if id == "" {
		v, ok := p.step[name]
		if !ok {
			return nil, fmt.Errorf("no step field %s", name)
		}
		return v, nil
	}
	v, ok := p.steps[id][name]
	if !ok {
		return nil, fmt.Errorf("no param %s in step %s", name, id)
	}
	return v, nil
}
func (p *testParams) GetFromInstance(f string) (any, error) { return p.instance[f], nil }
func (p *testParams) GetFromForeach(a, b, c string) (any, error) {
	return []int64{1, 2}, nil
}
func (p *testParams) GetFromSubworkflow(a, b, c string) (any, error) {
	return a + "/" + b + "/" + c, nil
}
func (p *testParams) GetFromSignal(s, n string) (any, error) {
	v, ok := p.signals[s][n]
	if !ok {
		return nil, errors.New("no such signal param")
	}
	return v, nil
}
func (p *testParams) GetFromSignalDependency(i, n string) (any, error) { return p.deps[i][n], nil }
func (p *testParams) NextUniqueID() (any, error)                       { return int64(7), nil }

// 2020-03-08T10:30:00Z: 03:30 PDT, half an hour after US DST started.
const runTS = int64(1583663400000)

func sampleEnv(vals map[string]any) *Env {
	p := &testParams{
		vals: vals,
		step: map[string]any{"step_instance_uuid": "uuid-1", "step_attempt_id": int64(1), "step_id": "job1",
			"MAESTRO_STEP_ERROR_RETRIES": int64(2)},
		steps: map[string]map[string]any{"job.3": {"param2": int64(15)}, "job.4": {"param3": int64(15)}},
		instance: map[string]any{"workflow_instance_id": int64(12), "owner": "tester", "workflow_id": "wf1",
			"RUN_POLICY": "START_FRESH_NEW_RUN", "INITIATOR_TIMEZONE": nil, "FIRST_TIME_TRIGGER_TIMEZONE": nil},
		signals: map[string]map[string]any{"": {"foo": "bar"}, "signal_a": {"watermark": int64(20200101)}},
		deps:    map[string]map[string]any{"0": {"vtts_utc_dateint": int64(20200102)}},
	}
	return &Env{
		Params: p,
		Now:    func() time.Time { return time.UnixMilli(runTS) },
		Random: func() float64 { return 0.25 },
		UUID:   func() string { return "123e4567-e89b-12d3-a456-426614174000" },
	}
}

type ctest struct {
	name string
	src  string
	vals map[string]any
	want any
}

// Every SEL expression in ../shared/maestro-samples, with the value
// Maestro computes for the given params.
var sampleTests = []ctest{
	{"start-request", "1 + 1;", nil, int64(2)},
	{"output-signals 1+1", "1+1", nil, int64(2)},
	{"output-signals foo string", "foo + 1;", map[string]any{"foo": "bar"}, "bar1"},
	{"output-signals foo long", "foo + 1;", map[string]any{"foo": int64(10)}, int64(11)},
	{"output-signals auu", "auu+1", map[string]any{"auu": int64(123)}, int64(124)},
	{"output-signals cond", "1 > 0;", nil, true},
	{"signal-deps param1", "param1", map[string]any{"param1": "v"}, "v"},
	{"signal-deps dotted id", "params['job' + '.' +'2__param1']", map[string]any{"job.2__param1": int64(5)}, int64(5)},
	{"signal trigger condition", "245 > 123", nil, true},
	{"foreach validator", "param!=null && param.size() > 2", map[string]any{"param": []string{"a", "b", "c"}}, true},
	{"foreach param1", "param1;", map[string]any{"param1": []string{"a", "b", "c"}}, []string{"a", "b", "c"}},
	{"foreach i + j", "i + j;", map[string]any{"i": int64(1), "j": "x"}, "1x"},
	{"foreach i + j longs", "i + j;", map[string]any{"i": int64(1), "j": int64(2)}, int64(3)},
	{"foreach i * 10", "i * 10;", map[string]any{"i": int64(3)}, int64(30)},
	{"while condition", "i <= 20200105", map[string]any{"i": int64(20200105)}, true},
	{"while condition false", "i <= 20200105", map[string]any{"i": int64(20200106)}, false},
	{"while i+1", "i+1", map[string]any{"i": int64(20200101)}, int64(20200102)},
	{"conditional param0", "params.get('param0')", map[string]any{"param0": int64(15)}, int64(15)},
	{"month text", "new DateTime(1569018000000).withZone(DateTimeZone.forID('UTC')).monthOfYear().getAsText();", nil, "September"},
	{"return 100", "return 100;", nil, int64(100)},
	{"quoted 1800", "'1800'", nil, "1800"},
	{"sleep_seconds + '1'", "sleep_seconds + '1';", map[string]any{"sleep_seconds": int64(10)}, "101"},
	{"job3__sleep_seconds + 1", "job3__sleep_seconds + 1;", map[string]any{"job3__sleep_seconds": int64(5)}, int64(6)},
	{"uuid", "return UUID.randomUUID().toString();", nil, "123e4567-e89b-12d3-a456-426614174000"},
	{"bar1", "'bar1';", nil, "bar1"},
	{"vtts_ts", "Util.dateIntHourToTs(TARGET_RUN_DATE, TARGET_RUN_HOUR, 'UTC', 0, 0)/1000",
		map[string]any{"TARGET_RUN_DATE": "20200101", "TARGET_RUN_HOUR": "05"}, int64(1577854800)},
	{"run policy", `WORKFLOW_RUN_POLICY = params.getFromInstance('RUN_POLICY'); if (WORKFLOW_RUN_POLICY == "START_FRESH_NEW_RUN") return "run"; else if (WORKFLOW_RUN_POLICY == "RESTART_FROM_INCOMPLETE") return "resume"; else if (WORKFLOW_RUN_POLICY == "RESTART_FROM_START") return "run"; else throw "Unsupported restart mode: " + WORKFLOW_RUN_POLICY;`, nil, "run"},
	{"error retries", "params.getFromStep('MAESTRO_STEP_ERROR_RETRIES')", nil, int64(2)},
	{"dateIntsBetween 10 days", "Util.dateIntsBetween(20200101, 20200110, 1);", nil,
		[]int64{20200101, 20200102, 20200103, 20200104, 20200105, 20200106, 20200107, 20200108, 20200109}},
	{"nested i + 2", "i + 2;", map[string]any{"i": int64(1)}, int64(3)},
	{"intsBetween", "Util.intsBetween(1, i, 1);", map[string]any{"i": int64(4)}, []int64{1, 2, 3}},
	{"x * 5", "x * 5;", map[string]any{"x": int64(2)}, int64(10)},
	{"1 * 1", "1 * 1;", nil, int64(1)},
	{"getFromSignal", "params.getFromSignal('foo')", nil, "bar"},
	{"getFromSignal 2", "params.getFromSignal('signal_a', 'watermark')", nil, int64(20200101)},
	{"getFromSignalDependency", "params.getFromSignalDependency('0', 'vtts_utc_dateint')", nil, int64(20200102)},
	{"signal trigger yyyyMMdd", "\nDateTimeFormatter tz_dateint_hour_formatter = DateTimeFormat\n    .forPattern(\"yyyyMMddHH\")\n    .withZone(DateTimeZone.forID(\"UTC\"));\n\nDateTime dt = tz_dateint_hour_formatter\n    .parseDateTime(TARGET_RUN_DATE + \"00\")\n    .minusDays(0)\n    .minusHours(0);\n\ndt.withZone(DateTimeZone.forID(\"UTC\")).toString(\"yyyyMMdd\");\n",
		map[string]any{"TARGET_RUN_DATE": "20200101"}, "20200101"},
	{"signal trigger HH", "\nDateTimeFormatter tz_dateint_hour_formatter = DateTimeFormat\n    .forPattern(\"yyyyMMddHH\")\n    .withZone(DateTimeZone.forID(\"UTC\"));\n\nDateTime dt = tz_dateint_hour_formatter\n    .parseDateTime(TARGET_RUN_DATE + \"00\")\n    .minusDays(0)\n    .minusHours(0);\n\ndt.withZone(DateTimeZone.forID(\"UTC\")).toString(\"HH\");\n",
		map[string]any{"TARGET_RUN_DATE": "20200101"}, "00"},
	// default step / workflow params (YAML)
	{"workflow_instance_id", `return params.getFromInstance("workflow_instance_id");`, nil, int64(12)},
	{"step_instance_uuid", `return params.getFromStep("step_instance_uuid");`, nil, "uuid-1"},
	{"step_attempt_id", `return params.getFromStep("step_attempt_id");`, nil, int64(1)},
	{"step_id", `return params.getFromStep("step_id");`, nil, "job1"},
	{"owner", `return params.getFromInstance("owner");`, nil, "tester"},
	{"workflow_id", `return params.getFromInstance("workflow_id");`, nil, "wf1"},
	{"DSL_DEFAULT_TZ", ` String timezone = params.getFromInstance("FIRST_TIME_TRIGGER_TIMEZONE"); return timezone != null && !timezone.isEmpty() ? timezone : "UTC";  `, nil, "UTC"},
	{"WORKFLOW_CRON_TIMEZONE", ` String INITIATOR_TIMEZONE = params.getFromInstance("INITIATOR_TIMEZONE"); return INITIATOR_TIMEZONE != null && !INITIATOR_TIMEZONE.isEmpty() ? INITIATOR_TIMEZONE : DSL_DEFAULT_TZ; `,
		map[string]any{"DSL_DEFAULT_TZ": "America/Los_Angeles"}, "America/Los_Angeles"},
	{"RUN_TS", "System.currentTimeMillis();", nil, runTS},
	// state_expr (http step default and sample)
	{"http state_expr 200", "if (status_code >= 200 && status_code < 300) return \"DONE\"; \nelse if (status_code >= 400 && status_code < 500) return \"FATAL_ERROR\"; \nelse return \"USER_ERROR\";\n", map[string]any{"status_code": int64(200)}, "DONE"},
	{"http state_expr 404", "if (status_code >= 200 && status_code < 300) return \"DONE\"; \nelse if (status_code >= 400 && status_code < 500) return \"FATAL_ERROR\"; \nelse return \"USER_ERROR\";\n", map[string]any{"status_code": int64(404)}, "FATAL_ERROR"},
	{"http state_expr 503", "if (status_code >= 200 && status_code < 300) return \"DONE\"; \nelse if (status_code >= 400 && status_code < 500) return \"FATAL_ERROR\"; \nelse return \"USER_ERROR\";\n", map[string]any{"status_code": int64(503)}, "USER_ERROR"},
	{"http sample job.5", "if (status_code == 404) return \"DONE\";\nelse return \"FATAL_ERROR\";\n", map[string]any{"status_code": int64(404)}, "DONE"},
	// conditional-wf YAML edges
	{"yaml param2 < 0", "param2 < 0", map[string]any{"param2": int64(15)}, false},
	{"yaml getFromStep job.3", "params.getFromStep('job.3', 'param2') > 0", nil, true},
	{"yaml getFromStep job.4", "params.getFromStep('job.4', 'param3') > 0", nil, true},
}

// The system workflow params of default-workflow-params.yaml, evaluated in
// dependency order at RUN_TS (2020-03-08T10:30Z = 03:30 PDT) with
// WORKFLOW_CRON_TIMEZONE America/Los_Angeles.
var workflowDefaults = []struct{ name, src string }{
	{"RUN_TS", `System.currentTimeMillis();`},
	{"TARGET_RUN_DATE", ` DateTime utcNow = new DateTime(RUN_TS); DateTime localNow = utcNow.withZone(DateTimeZone.forID(WORKFLOW_CRON_TIMEZONE)); localNow.toString("yyyyMMdd"); `},
	{"TARGET_RUN_HOUR", ` DateTime utcNow = new DateTime(RUN_TS); DateTime localNow = utcNow.withZone(DateTimeZone.forID(WORKFLOW_CRON_TIMEZONE)); localNow.toString("HH"); `},
	{"DERIVED_RUN_TS", ` DateTimeFormatter tz_dateint_hour_formatter = DateTimeFormat.forPattern("yyyyMMddHH") .withZone(DateTimeZone.forID(WORKFLOW_CRON_TIMEZONE)); DateTime dt = tz_dateint_hour_formatter.parseDateTime(TARGET_RUN_DATE + TARGET_RUN_HOUR); dt.getMillis(); `},
	{"DERIVED_RUN_DATE_US_PACIFIC", ` DateTime utcNow = new DateTime(DERIVED_RUN_TS); DateTime localNow = utcNow.withZone(DateTimeZone.forID("America/Los_Angeles")); localNow.toString("yyyyMMdd"); `},
	{"DERIVED_RUN_DATE_US_PACIFIC_MINUS_ONE", ` DateTime utcNow = new DateTime(DERIVED_RUN_TS); DateTime localNow = utcNow.withZone(DateTimeZone.forID("America/Los_Angeles")); localNow.minusDays(1).toString("yyyyMMdd"); `},
	{"DERIVED_RUN_DATE_UTC", ` DateTime utcNow = new DateTime(DERIVED_RUN_TS); DateTime localNow = utcNow.withZone(DateTimeZone.forID("UTC")); localNow.toString("yyyyMMdd"); `},
	{"DERIVED_RUN_DATE_UTC_MINUS_ONE", ` DateTime utcNow = new DateTime(DERIVED_RUN_TS); DateTime localNow = utcNow.withZone(DateTimeZone.forID("UTC")); localNow.minusDays(1).toString("yyyyMMdd"); `},
	{"DERIVED_RUN_DATE_UTC_PLUS_ONE", ` DateTime utcNow = new DateTime(DERIVED_RUN_TS); DateTime localNow = utcNow.withZone(DateTimeZone.forID("UTC")); localNow.plusDays(1).toString("yyyyMMdd"); `},
	{"DERIVED_RUN_DATE_UTC_MINUS_ONE_HOUR", ` DateTime utcNow = new DateTime(DERIVED_RUN_TS); DateTime localNow = utcNow.withZone(DateTimeZone.forID("UTC")); localNow.minusHours(1).toString("yyyyMMdd"); `},
	{"DERIVED_RUN_DATE_UTC_PLUS_ONE_HOUR", ` DateTime utcNow = new DateTime(DERIVED_RUN_TS); DateTime localNow = utcNow.withZone(DateTimeZone.forID("UTC")); localNow.plusHours(1).toString("yyyyMMdd"); `},
	{"DERIVED_RUN_HOUR_US_PACIFIC", ` DateTime utcNow = new DateTime(DERIVED_RUN_TS); DateTime localNow = utcNow.withZone(DateTimeZone.forID("America/Los_Angeles")); localNow.toString("HH"); `},
	{"DERIVED_RUN_HOUR_UTC", ` DateTime utcNow = new DateTime(DERIVED_RUN_TS); DateTime localNow = utcNow.withZone(DateTimeZone.forID("UTC")); localNow.toString("HH"); `},
	{"DERIVED_RUN_HOUR_UTC_MINUS_ONE_HOUR", ` DateTime utcNow = new DateTime(DERIVED_RUN_TS); DateTime localNow = utcNow.withZone(DateTimeZone.forID("UTC")); localNow.minusHours(1).toString("HH"); `},
	{"DERIVED_RUN_HOUR_UTC_PLUS_ONE_HOUR", ` DateTime utcNow = new DateTime(DERIVED_RUN_TS); DateTime localNow = utcNow.withZone(DateTimeZone.forID("UTC")); localNow.plusHours(1).toString("HH"); `},
	{"LOCAL_RUN_DATE", `DateTime utcNow = new DateTime(RUN_TS); DateTime localNow = utcNow.withZone(DateTimeZone.forID(WORKFLOW_CRON_TIMEZONE)); localNow.toString("yyyyMMdd"); `},
	{"RUN_DATE", ` DateTime utcNow = new DateTime(RUN_TS); DateTime localNow = utcNow.withZone(DateTimeZone.forID("UTC")); localNow.toString("yyyyMMdd"); `},
	{"RUN_DATE_MINUS_1", ` DateTime utcNow = new DateTime(RUN_TS).minusDays(1); DateTime localNow = utcNow.withZone(DateTimeZone.forID("UTC")); localNow.toString("yyyyMMdd"); `},
	{"RUN_DATE_MINUS_7", ` DateTime utcNow = new DateTime(RUN_TS).minusDays(7); DateTime localNow = utcNow.withZone(DateTimeZone.forID("UTC")); localNow.toString("yyyyMMdd"); `},
}

var workflowDefaultsWant = map[string]any{
	"RUN_TS":                                runTS,
	"TARGET_RUN_DATE":                       "20200308",
	"TARGET_RUN_HOUR":                       "03",
	"DERIVED_RUN_TS":                        int64(1583661600000), // 03:00 PDT = 10:00Z
	"DERIVED_RUN_DATE_US_PACIFIC":           "20200308",
	"DERIVED_RUN_DATE_US_PACIFIC_MINUS_ONE": "20200307",
	"DERIVED_RUN_DATE_UTC":                  "20200308",
	"DERIVED_RUN_DATE_UTC_MINUS_ONE":        "20200307",
	"DERIVED_RUN_DATE_UTC_PLUS_ONE":         "20200309",
	"DERIVED_RUN_DATE_UTC_MINUS_ONE_HOUR":   "20200308",
	"DERIVED_RUN_DATE_UTC_PLUS_ONE_HOUR":    "20200308",
	"DERIVED_RUN_HOUR_US_PACIFIC":           "03",
	"DERIVED_RUN_HOUR_UTC":                  "10",
	"DERIVED_RUN_HOUR_UTC_MINUS_ONE_HOUR":   "09",
	"DERIVED_RUN_HOUR_UTC_PLUS_ONE_HOUR":    "11",
	"LOCAL_RUN_DATE":                        "20200308",
	"RUN_DATE":                              "20200308",
	"RUN_DATE_MINUS_1":                      "20200307",
	"RUN_DATE_MINUS_7":                      "20200301",
}

func runTable(t *testing.T, tests []ctest) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Eval(tc.src, sampleEnv(tc.vals))
			require.NoError(t, err, tc.src)
			require.Equal(t, tc.want, got, tc.src)
		})
	}
}

func TestSampleExpressions(t *testing.T) { runTable(t, sampleTests) }

func TestSampleWorkflowDefaults(t *testing.T) {
	vals := map[string]any{"WORKFLOW_CRON_TIMEZONE": "America/Los_Angeles"}
	for _, d := range workflowDefaults {
		got, err := Eval(d.src, sampleEnv(vals))
		require.NoError(t, err, d.name)
		require.Equal(t, workflowDefaultsWant[d.name], got, d.name)
		vals[d.name] = got
	}
}

func TestSampleRunPolicyThrow(t *testing.T) {
	src := sampleTests[26].src
	env := sampleEnv(nil)
	env.Params.(*testParams).instance["RUN_POLICY"] = "RESTART_FROM_INCOMPLETE"
	got, err := Eval(src, env)
	require.NoError(t, err)
	require.Equal(t, "resume", got)
	env.Params.(*testParams).instance["RUN_POLICY"] = "BOGUS"
	_, err = Eval(src, env)
	var se *Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, ThrowError, se.Kind)
	require.Contains(t, err.Error(), "Unsupported restart mode: BOGUS")
}

func TestSampleDefaultTZFromTrigger(t *testing.T) {
	env := sampleEnv(nil)
	env.Params.(*testParams).instance["FIRST_TIME_TRIGGER_TIMEZONE"] = "Europe/Paris"
	got, err := Eval(`String timezone = params.getFromInstance("FIRST_TIME_TRIGGER_TIMEZONE");
    return timezone != null && !timezone.isEmpty() ? timezone : "UTC";`, env)
	require.NoError(t, err)
	require.Equal(t, "Europe/Paris", got)
}

func TestSampleLargeForeach(t *testing.T) {
	got, err := Eval("Util.dateIntsBetween(20200101, 20210101, 1);", nil)
	require.NoError(t, err)
	a := got.([]int64)
	require.Len(t, a, 366) // 2020 is a leap year; end-exclusive
	require.Equal(t, int64(20200101), a[0])
	require.Equal(t, int64(20200229), a[59])
	require.Equal(t, int64(20201231), a[365])
}

func TestSampleInterpolation(t *testing.T) {
	p := MapParams{"foo": int64(3), "bar": int64(10), "bat": "2", "far": int64(100), "baz": "1800",
		"job1__sleep_seconds": int64(5), "DERIVED_RUN_DATE_UTC": "20200308", "base_workflow_timeout": "1 hour",
		"errorRetries": int64(2), "wf_body": "Workflow:\n  id: x\n", "fat": 1.5}
	cases := map[string]string{
		"$foo": "3", "$bar": "10", "$bat": "2", "${far}": "100", "${bat}": "2", "${baz}": "1800",
		"${job1__sleep_seconds} + 1": "5 + 1", "${bar}s": "10s", "${DERIVED_RUN_DATE_UTC}": "20200308",
		"${base_workflow_timeout}": "1 hour", "${errorRetries}": "2", "${wf_body}": "Workflow:\n  id: x\n",
		"${fat}": "1.5", "cost: $$5": "cost: $5", "a $ b": "a $ b",
	}
	for in, want := range cases {
		got, err := Interpolate(in, p)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	_, err := Interpolate("${missing}", p)
	require.ErrorContains(t, err, `"missing"`)
}
