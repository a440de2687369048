package definition_test

import (
	"encoding/json"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	D "github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
)

var maestroSamples = filepath.Join("..", "..", "shared", "maestro-samples")

// utcMonth is the workflow param of several samples.
const utcMonth = "new DateTime(1569018000000).withZone(DateTimeZone.forID('UTC')).monthOfYear().getAsText();"

// sampleBuilders write Maestro's sample definitions with the builder.
var sampleBuilders = map[string]func() *D.WorkflowBuilder{
	"server__sample-dag-test-1.json": func() *D.WorkflowBuilder {
		return D.NewWorkflow("sample-dag-test-1").Name("Test workflow 01").
			Description("Long description about this workflow").
			Owner("tester").RunStrategy(D.Sequential).
			Param("foo", D.Expr(sel.String, utcMonth)).
			Steps(
				D.NoOp("job.1").Next("job.5", "job.2"),
				D.NoOp("job.2").Next("job.3", "job.6"),
				D.NoOp("job.3").Next("job.4"),
				D.NoOp("job.4"),
				D.NoOp("job.5").Next("job.3"),
				D.NoOp("job.6").Next("job.4"),
			)
	},
	"server__sample-dag-test-2.json": func() *D.WorkflowBuilder {
		uuid := "return UUID.randomUUID().toString();"
		return D.NewWorkflow("sample-dag-test-2").Name("Test workflow 02").
			Description("Long description about this workflow").
			Owner("tester").RunStrategy(D.Parallel).
			Param("param1", D.Expr(sel.String, uuid).Mode(D.Constant)).
			Param("param2", D.Expr(sel.String, uuid).Mode(D.Immutable)).
			Steps(
				D.NoOp("job.1").Next("job.2", "job.3"),
				D.Sleep("job.2", 30).TimeoutText("100s").
					Retry(D.Retries().TimeoutLimit(3).Exponential().TimeoutBackoff(5)).
					Next("job.4"),
				D.Sleep("job.3", 100).Next("job.4"),
				D.NoOp("job.4").Next("job.5"),
				D.NoOp("job.5"),
			)
	},
	"server__sample-dag-test-3.json": func() *D.WorkflowBuilder {
		retry := func() *D.RetryBuilder {
			return D.Retries().ErrorLimit(10).PlatformLimit(10).Fixed().ErrorBackoff(1).PlatformBackoff(1)
		}
		return D.NewWorkflow("sample-dag-test-3").Name("Test workflow 03").
			Description("Long description about this workflow").
			Owner("tester").RunStrategy(D.Parallel).StepConcurrency(20).
			Alerting(map[string]any{
				"emails": []string{"test+alertconfig_default1@netflix.com", "${foo}+alertconfig_default2@netflix.com"},
				"tct":    map[string]any{"completed_by_hour": 1, "tz": "UTC"},
			}).
			Tag(D.Tag{Name: "tester", Namespace: "system"}).Tags("test", "foo").
			Param("foo", D.Expr(sel.String, "'bar1';")).
			Steps(
				D.Sleep("job1", 15).Next("job.2", "job3").
					Tag(D.Tag{Name: "Sleep", Namespace: "system"}).Tags("job1").
					FailureMode("ignore_failure").Retry(retry()),
				D.NewStep("job.2", "Sleep").Next("job4").
					Param("param1", D.Expr(sel.String, "sleep_seconds + '1';")).
					Param("param2", D.String("${job1__sleep_seconds} + 1")).
					Param("vtts_ts", D.Expr(sel.Long, "Util.dateIntHourToTs(TARGET_RUN_DATE, TARGET_RUN_HOUR, 'UTC', 0, 0)/1000")).
					Param("sleep_seconds", D.Expr(sel.Long, "job3__sleep_seconds + 1;")).
					FailureMode(D.FailAfterRunning).Retry(retry()),
				D.Sleep("job3", 15).Next("job4", "job.2").FailureMode(D.FailImmediately).Retry(retry()),
				D.Sleep("job4", 15),
			)
	},
	"server__sample-dag-test-4.json": func() *D.WorkflowBuilder {
		return D.NewWorkflow("sample-dag-test-4").Name("Test workflow 04").
			Description("Long description about this workflow").
			Owner("tester").RunStrategy(D.StrictSequential).StepConcurrency(20).
			Steps(
				D.NoOp("job.1").Next("job.2", "job.3", "job.4"),
				D.NoOp("job.2").Next("job.5"),
				D.NoOp("job.3").Next("job.6"),
				D.NoOp("job.4").Next("job.7"),
				D.NoOp("job.5").Next("job.6"),
				D.NoOp("job.6").Next("job.7"),
				D.NoOp("job.7"),
			)
	},
	"server__sample-dag-test-6.json": func() *D.WorkflowBuilder {
		return D.NewWorkflow("sample-dag-test-6").Name("Test workflow 06").
			Description("Long description about this workflow").
			Owner("tester").RunStrategy("last_only").StepConcurrency(20).
			Steps(
				D.NoOp("job.1").Next("job.2", "job.3", "job.4", "job.5"),
				D.NoOp("job.2").Next("job.6"),
				D.NoOp("job.3").Next("job.6"),
				D.NoOp("job.4").Next("job.7"),
				D.NoOp("job.5").Next("job.7"),
				D.NoOp("job.6").Next("job.8"),
				D.NoOp("job.7").Next("job.8"),
				D.NoOp("job.8"),
			)
	},
	"server__sample-dag-test-7.json": func() *D.WorkflowBuilder {
		step := func(id string) *D.StepBuilder { return D.NoOp(id).Param("sleep_seconds", D.Long(15)) }
		return D.NewWorkflow("sample-dag-test-7").Name("Test workflow 07").
			Description("Long description about this workflow").
			Owner("tester").RunStrategy(D.StrictSequential).StepConcurrency(20).
			Steps(
				step("job.1").Next("job.2", "job.3"),
				step("job.2").Next("job.4"),
				step("job.3").Next("job.5"),
				step("job.4").Next("job.6"),
				step("job.5").Next("job.6"),
				step("job.6"),
				D.NoOp("job.7").Next("job.8"),
				D.NoOp("job.8"),
			)
	},
	"server__sample-dag-test-8.json": func() *D.WorkflowBuilder {
		return D.NewWorkflow("sample-dag-test-8").Name("Test workflow 08").
			Description("Long description about this workflow").
			Owner("tester").RunStrategy(D.Parallel).WorkflowConcurrency(5).StepConcurrency(20).
			Param("x", D.Long(5)).
			Param("base_workflow_timeout", D.String("20 minutes")).
			Steps(
				D.NoOp("job.1").TimeoutText("${base_workflow_timeout}").Then("job.3", "x > 10").Then("job.4", "x > 10"),
				D.NoOp("job.2").Then("job.4", "x > 3"),
				D.NoOp("job.3").Then("job.4", "x > 10"),
				D.NoOp("job.4").Next("job.5"),
				D.NoOp("job.5"),
			)
	},
	"server__sample-dag-test-9.json": func() *D.WorkflowBuilder {
		return D.NewWorkflow("sample-dag-test-9").Name("Test workflow 09").
			Description("Long description about this workflow").
			Owner("tester").RunStrategy(D.LastOnly).WorkflowConcurrency(1).StepConcurrency(20).
			GitInfo(map[string]any{"branch": "foo"}).
			Steps(
				D.NoOp("job.1").Name("a").Description("b").Next("job.2", "job.3"),
				D.NoOp("job.2").Next("job.4", "job.5", "job.6"),
				D.NoOp("job.3").Next("job.8"),
				D.NoOp("job.4").Next("job.7"),
				D.NoOp("job.5").Next("job.7"),
				D.NoOp("job.6").Next("job.7"),
				D.NoOp("job.7").Next("job.9"),
				D.NoOp("job.8").Next("job.9"),
				D.NoOp("job.9"),
			)
	},
	"server__sample-conditional-wf.json": func() *D.WorkflowBuilder {
		return D.NewWorkflow("sample-conditional-wf").Name("Test conditional workflow").
			Description("Long description about this workflow").
			Owner("tester").RunStrategy(D.Parallel).StepConcurrency(20).
			Param("param0", D.Long(15)).
			Steps(
				D.NoOp("job.1").Next("job.2"),
				D.NoOp("job.2").Next("job.3"),
				D.NoOp("job.3").Param("param1", D.Long(15)).Param("param2", D.Long(15)).
					Then("job.4", "param2 < 0").Then("job.6", "param2 >= 0"),
				D.NoOp("job.4").Param("param3", D.Long(15)).
					Then("job.5", "params.getFromStep('job.3', 'param2') > 0"),
				D.NoOp("job.5").Param("param4", D.Long(15)).
					Then("job.6", "params.getFromStep('job.4', 'param3') > 0"),
				D.NoOp("job.6").Next("job.7"),
				D.NoOp("job.7").Param("param5", D.Expr(sel.Long, "params.get('param0')")),
			)
	},
	"server__sample-foreach-wf.json": func() *D.WorkflowBuilder {
		return D.NewWorkflow("sample-foreach-wf").Name("Test foreach workflow").
			Description("Long description about this workflow").
			Owner("tester").RunStrategy(D.Sequential).
			Param("foo", D.Expr(sel.String, utcMonth)).
			Steps(D.Foreach("foreach-job").
				Loop("i", D.Expr(sel.LongArray, "Util.dateIntsBetween(20200101, 20200110, 1);")).
				Steps(
					D.NoOp("job.1").Next("job.5", "job.2"),
					D.NoOp("job.2").Next("job.3", "job.6"),
					D.NoOp("job.3").Next("job.4"),
					D.NoOp("job.4"),
					D.NoOp("job.5").Next("job.3"),
					D.NoOp("job.6").Next("job.4"),
				))
	},
	"server__sample-while-wf.json": func() *D.WorkflowBuilder {
		return D.NewWorkflow("sample-while-wf").Name("Test while loop workflow").
			Description("Long description about this workflow").
			Owner("tester").RunStrategy(D.Sequential).
			Param("foo", D.Expr(sel.String, utcMonth)).
			Steps(D.While("while-job", "i <= 20200105").
				Loop("i", D.Long(20200101)).
				Steps(D.NoOp("job.1").Param("i", D.Expr(sel.Long, "i+1"))))
	},
	"server__sample-subworkflow-wf.json": func() *D.WorkflowBuilder {
		sub := func(id string) *D.StepBuilder {
			return D.Subworkflow(id, "sample-dag-test-3").
				Param("subworkflow_version", D.String("latest")).
				Param("param1", D.StringMap(map[string]string{"foo": "bar"}))
		}
		return D.NewWorkflow("sample-subworkflow-wf").Owner("tester").Active(true).InstanceStepConcurrency(3).
			Steps(sub("job1"), sub("job2").Sync(true), sub("job3").Sync(false),
				sub("job4").Sync(true).ExplicitParams(false), sub("job5").Sync(true).ExplicitParams(true),
				sub("job6").Sync(true))
	},
}

// TestBuilderMatchesSamples: the builder gives the Request the decoder
// gives for each sample, and builder -> Encode -> Decode round-trips.
func TestBuilderMatchesSamples(t *testing.T) {
	for name, build := range sampleBuilders {
		t.Run(name, func(t *testing.T) {
			want, err := D.DecodeFile(filepath.Join(maestroSamples, name))
			require.NoError(t, err)
			got, err := build().Build()
			require.NoError(t, err)
			require.Equal(t, want, got)
			requireRoundTrip(t, got)
		})
	}
}

func requireRoundTrip(t *testing.T, r *D.Request) {
	t.Helper()
	data, err := D.Encode(r)
	require.NoError(t, err)
	back, err := D.Decode(data)
	require.NoError(t, err, string(data))
	require.Equal(t, r, back)
	require.NoError(t, back.Validate())
}

// TestBuilderStepSamples writes the standalone step and retry policy
// fixtures.
func TestBuilderStepSamples(t *testing.T) {
	step, err := D.NewStep("job1", "sleep").Next("job.2", "job3").TimeoutText("10 minutes").
		Retry(D.Retries().Set("error_retry_limit", "$foo").Set("platform_retry_limit", "$bar").
			Set("timeout_retry_limit", "$bat").Exponential().
			Set("error_retry_backoff_in_secs", "${far}").Set("error_retry_exponent", "${bat}").
			Set("error_retry_limit_in_secs", "${baz}").
			Set("platform_retry_backoff_in_secs", "${far}").Set("platform_retry_exponent", "${bat}").
			Set("platform_retry_limit_in_secs", "${baz}").
			Set("timeout_retry_backoff_in_secs", "${far}").Set("timeout_retry_exponent", "${bat}").
			Set("timeout_retry_limit_in_secs", "${baz}")).
		Build()
	require.NoError(t, err)
	want, err := D.DecodeSampleFile(filepath.Join(maestroSamples, "common__typedsteps__sample-step-with-param-retries.json"))
	require.NoError(t, err)
	require.Equal(t, want, step)

	rp, err := D.DecodeSampleFile(filepath.Join(maestroSamples, "common__retry_policy__sample-retries.json"))
	require.NoError(t, err)
	built := D.NewStep("s", "T").Retry(D.Retries().ErrorLimit(1).Set("platform_retry_limit", "2").TimeoutLimit(3).
		ErrorBackoff(1).ErrorExponent(2).ErrorMaxBackoff(3).
		PlatformBackoff(4).PlatformExponent(5).PlatformMaxBackoff(6).
		TimeoutBackoff(7).TimeoutExponent(8).TimeoutMaxBackoff(9))
	s, err := built.Build()
	require.NoError(t, err)
	require.Equal(t, rp, s.RetryPolicy)
}

// TestBuilderParams covers every literal type, expressions, modes and
// metadata against the decoder.
func TestBuilderParams(t *testing.T) {
	got, err := D.NewWorkflow("params").
		Param("s", D.String("x").Mode("mutable_on_start")).
		Param("l", D.Long(-3).Validator("l > -5").Tags("a", "b")).
		Param("d", D.Double(1.5).Meta("note", 7)).
		Param("b", D.Boolean(true).Mode(D.MutableOnStartRestart)).
		Param("sm", D.StringMap(map[string]string{"k": "v"})).
		Param("sa", D.StringArray("a", "b")).
		Param("la", D.LongArray()).
		Param("da", D.DoubleArray(0.5, 2)).
		Param("ba", D.BooleanArray(true, false)).
		Param("m", D.Map(nil).Entry("inner", D.Long(1)).Entry("e", D.Expr(sel.String, "s + 'y'"))).
		Param("e", D.Expr(sel.LongArray, "Util.dateIntsBetween(20200101, 20200103, 1)").Mode(D.Immutable)).
		Steps(D.NoOp("a")).Build()
	require.NoError(t, err)
	want, err := D.Decode([]byte(`{"workflow":{"id":"params","params":{
		"s":{"type":"string","value":"x","mode":"mutable_on_start"},
		"l":{"type":"LONG","value":-3,"validator":"l > -5","tags":["a","b"]},
		"d":{"type":"DOUBLE","value":1.5,"note":7},
		"b":{"type":"BOOLEAN","value":true,"mode":"MUTABLE_ON_START_RESTART"},
		"sm":{"type":"STRING_MAP","value":{"k":"v"}},
		"sa":{"type":"STRING_ARRAY","value":["a","b"]},
		"la":{"type":"LONG_ARRAY","value":[]},
		"da":{"type":"DOUBLE_ARRAY","value":[0.5,2]},
		"ba":{"type":"BOOLEAN_ARRAY","value":[true,false]},
		"m":{"type":"MAP","value":{"inner":{"type":"LONG","value":1},"e":{"type":"STRING","expression":"s + 'y'"}}},
		"e":{"type":"LONG_ARRAY","expression":"Util.dateIntsBetween(20200101, 20200103, 1)","mode":"IMMUTABLE"}},
		"steps":[{"step":{"id":"a","type":"noop"}}]}}`))
	require.NoError(t, err)
	require.Equal(t, want, got)
	requireRoundTrip(t, got)
}

// TestBuilderEverything sets the rarer fields and checks the round trip.
func TestBuilderEverything(t *testing.T) {
	r, err := D.NewWorkflow("all").Name("n").Description("d").Tags("t").Timeout(2*time.Hour).
		Criticality("high").InstanceStepConcurrency(5).Owner("me").WorkflowConcurrency(3).
		Active(false).Extra("source", map[string]any{"n": 1.5}).
		TimeTrigger(&D.TimeTrigger{Type: "CRON", Cron: "0 * * * *", Timezone: "UTC"}).
		WithProperties(func(p *D.Properties) { p.Description = "props"; p.AlertingDisabled = new(bool) }).
		Steps(
			D.NewStep("load", "LoadTable").SubType("s").SubTypeVersion("1").Timeout(30*time.Second).
				ExecutionMode("local_activity").TaskQueue("gpu").Predecessors().
				Param("table", D.String("t")).Next("loop", "tpl", "sub"),
			D.Foreach("loop").Concurrency(4).StrictOrdering(true).
				Loop("day", D.LongArray(1, 2)).Steps(D.Sleep("nap", 1)),
			D.Template("tpl", "my_template"),
			D.Subworkflow("sub", "other").Sync(true).
				With(func(s *D.Step) { s.SignalOutputs = []*D.SignalOutput{{Name: "done"}} }),
		).Build()
	require.NoError(t, err)
	require.Equal(t, "HIGH", r.Workflow.Criticality)
	require.Equal(t, &D.RunStrategy{Rule: D.Parallel, WorkflowConcurrency: 3}, r.Properties.RunStrategy)
	require.Equal(t, int64(7200), *r.Workflow.Timeout.Literal)
	require.Equal(t, json.Number("1.5"), r.Extra["source"].(map[string]any)["n"])
	requireRoundTrip(t, r)
}

// TestBuilderErrors: misuse and validation problems come back together,
// with paths, and never panic.
func TestBuilderErrors(t *testing.T) {
	_, err := D.NewWorkflow("maestro_bad").RunStrategy("sometimes").
		Param("x", D.Double(math.NaN())).
		Steps(
			D.NoOp("a").Then("zzz", "x >").Concurrency(3).Timeout(1500*time.Millisecond),
			nil,
			D.While("w", "").Steps(D.NoOp("a")),
			D.Foreach("f").Loop("i", D.Long(1)).Steps(D.NoOp("in")).Retry(D.Retries().Set("nope", "1")),
		).Build()
	require.Error(t, err)
	var got []string
	for _, e := range D.AsErrors(err) {
		got = append(got, e.Error())
	}
	for _, want := range []string{
		`properties.run_strategy.rule: must be one of SEQUENTIAL, STRICT_SEQUENTIAL, FIRST_ONLY, LAST_ONLY, PARALLEL, SERIAL_LATEST_ONLY, got "sometimes"`,
		`workflow.params["x"]: DOUBLE value NaN cannot be written as JSON`,
		`workflow.steps[0].step.concurrency: not a field of a step step (only of foreach)`,
		`workflow.steps[0].step.timeout: must be a whole number of seconds, got 1.5s`,
		`workflow.steps[1]: nil step`,
		`workflow.steps[3].foreach.retry_policy: not a field of a foreach step (only of step)`,
		`workflow.id: invalid workflow id "maestro_bad": the prefix maestro_ is reserved`,
		`workflow.steps[0].step.transition.successors["zzz"]: no such step`,
		`workflow.steps[2].while.condition: required`,
		`workflow.steps[3].foreach.params["loop_params"].value["i"].type: a foreach loop param must be an array type, got LONG`,
	} {
		require.Contains(t, got, want)
	}
	require.Contains(t, err.Error(), `duplicate step id "a"`)
}

// TestBuilderReuse: Build can be called again and results do not share
// mutable state.
func TestBuilderReuse(t *testing.T) {
	b := D.NewWorkflow("w").Steps(D.NoOp("a").Next("b"), D.NoOp("b"))
	r1, err := b.Build()
	require.NoError(t, err)
	r1.Workflow.Steps[0].Transition.Successors[0].To = "changed"
	r2, err := b.Build()
	require.NoError(t, err)
	require.Equal(t, "b", r2.Workflow.Steps[0].Transition.Successors[0].To)
}
