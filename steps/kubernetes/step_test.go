package kubernetes

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/sel"
)

func testStep(k8sParam map[string]any) *activities.Step {
	s := &activities.Step{WorkflowID: "wf", InstanceID: "wf/1", RunID: "run", StepID: "job1", Type: TypeName, Attempt: 1,
		Params: map[string]sel.Value{}}
	if k8sParam != nil {
		s.Params[ParamKubernetes] = sel.Value{Type: sel.Map, Value: k8sParam}
	}
	return s
}

// runStep runs a step type through the activities Runner, so errors come
// back classified as the interpreter sees them.
func runStep(t *testing.T, st activities.StepType, step *activities.Step) (*activities.Output, error) {
	t.Helper()
	r := activities.NewRunner(map[string]activities.StepType{step.Type: st})
	return r.RunStep(context.Background(), activities.Input{Step: *step})
}

// funcExecutor is an Executor made of a function, for the outcome table.
type funcExecutor func(ctx context.Context, job *Job) (*JobResult, error)

func (f funcExecutor) Run(ctx context.Context, job *Job) (*JobResult, error) { return f(ctx, job) }

const outputJSON = `{"params":{"foo": {"value":"bar","type":"STRING","evaluated_result":"bar","evaluated_time":1625871404000}},` +
	`"artifacts":{"maestro_dynamic_output": {"signal_outputs":[{"value":{"name":{"value":"demo_table","type":"STRING"}},"type":"MAP","evaluated_result":{"name":"demo_table"},"evaluated_time": 1625871404000}],"type":"DYNAMIC_OUTPUT"}}}`

func TestStepOutcome(t *testing.T) {
	out := func(js string) string { return OutputStartToken + js + OutputEndToken }
	tests := []struct {
		name    string
		res     *JobResult
		err     error
		class   string
		errText string
		outputs map[string]sel.Value
	}{
		{name: "success with output params", res: &JobResult{Where: "pod d/p", Log: []byte("hello world\n" + out(outputJSON) + "\n")},
			outputs: map[string]sel.Value{
				"foo":           {Type: sel.String, Value: "bar"},
				jobParam:        {Type: sel.String, Value: "pod d/p"},
				execOutputParam: {Type: sel.String, Value: "hello world\n" + out(outputJSON) + "\n"}}},
		{name: "the last output wins, value when no evaluated_result", res: &JobResult{Where: "w", Log: []byte(out(`{"params":{"n":{"type":"LONG","value":1}}}`) + out(`{"params":{"n":{"type":"LONG","value":2},"m":{"type":"MAP","value":{"a":{"type":"LONG_ARRAY","value":[1,2]}}}}}`))},
			outputs: map[string]sel.Value{"n": {Type: sel.Long, Value: int64(2)}, "m": {Type: sel.Map, Value: map[string]any{"a": []int64{1, 2}}}}},
		{name: "a MAP's evaluated_result is plain JSON", res: &JobResult{Where: "w", Log: []byte(out(`{"params":{"m":{"type":"MAP","evaluated_result":{"a":[1,2.5],"b":{"c":"d"},"e":true}}}}`))},
			outputs: map[string]sel.Value{"m": {Type: sel.Map, Value: map[string]any{"a": []float64{1, 2.5}, "b": map[string]any{"c": "d"}, "e": true}}}},
		{name: "success without output", res: &JobResult{Where: "w", Log: []byte("hi")}, outputs: map[string]sel.Value{}},
		{name: "exit code is a user error", res: &JobResult{Where: "pod d/p", ExitCode: 2, Reason: "Error", Log: []byte("no such file\n")},
			class: activities.ErrorTypeUser, errText: "kubernetes step: pod d/p exited with code 2 (Error); log: no such file"},
		{name: "non-retryable output is fatal", res: &JobResult{Where: "w", ExitCode: 1, Log: []byte(out(`{"artifacts":{"maestro_retry":{"type":"RETRY","retryable":false}}}`))},
			class: activities.ErrorTypeFatal, errText: "its output data marks it non-retryable (maestro_retry)"},
		{name: "retryable output stays a user error", res: &JobResult{Where: "w", ExitCode: 1, Log: []byte(out(`{"artifacts":{"maestro_retry":{"type":"RETRY","retryable":true}}}`))},
			class: activities.ErrorTypeUser, errText: "exited with code 1"},
		{name: "bad output data", res: &JobResult{Where: "w", Log: []byte(out(`{"params":`))},
			class: activities.ErrorTypeUser, errText: "output data: unexpected EOF"},
		{name: "output param of unknown type", res: &JobResult{Where: "w", Log: []byte(out(`{"params":{"x":{"type":"TABLE","value":1}}}`))},
			class: activities.ErrorTypeUser, errText: `output data: params["x"].type`},
		{name: "output cut by the log bound", res: &JobResult{Where: "w", Truncated: true, Log: []byte(`"}}}` + OutputEndToken)},
			class: activities.ErrorTypeUser, errText: "does not fit in the last"},
		{name: "output may not set the artifact params", res: &JobResult{Where: "w", Log: []byte(out(`{"params":{"kubernetes_job":{"type":"STRING","value":"x"}}}`))},
			class: activities.ErrorTypeUser, errText: `output data sets "kubernetes_job"`},
		{name: "executor failure is a platform error", err: errors.New("connection refused"),
			class: activities.ErrorTypePlatform, errText: "connection refused"},
		{name: "executor refusal is fatal", err: &Refusal{Reason: "not enabled"},
			class: activities.ErrorTypeFatal, errText: "kubernetes step: not enabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *Job
			st := New(Options{Executor: funcExecutor(func(_ context.Context, job *Job) (*JobResult, error) {
				got = job
				return tt.res, tt.err
			})})
			o, err := runStep(t, st, testStep(map[string]any{"image": "busybox", "env": map[string]string{"A": "1"}}))
			require.Equal(t, map[string]string{"A": "1", OutputStartEnv: OutputStartToken, OutputEndEnv: OutputEndToken}, got.Env)
			if tt.class != "" {
				require.Error(t, err)
				require.Equal(t, tt.class, activities.ErrorClass(err), err.Error())
				require.Contains(t, err.Error(), tt.errText)
				return
			}
			require.NoError(t, err)
			for k, v := range tt.outputs {
				require.Equal(t, v, o.Outputs[k], k)
			}
		})
	}
}

func TestStepParamErrors(t *testing.T) {
	never := funcExecutor(func(context.Context, *Job) (*JobResult, error) { panic("must not run") })
	tests := []struct {
		name   string
		params map[string]any
		want   string
	}{
		{"no kubernetes param", nil, `missing the "kubernetes" param`},
		{"no image", map[string]any{"command": []string{"echo"}}, "kubernetes.image is required"},
		{"bad args", map[string]any{"image": "i", "args": "echo"}, "kubernetes.args must be a STRING_ARRAY, got string"},
		{"bad env name", map[string]any{"image": "i", "env": map[string]string{"A B": "1"}}, `kubernetes.env["A B"]: not a valid environment variable name`},
		{"bad pre_stop", map[string]any{"image": "i", "pre_stop": map[string]any{"exec": map[string]any{"command": "x"}}}, "kubernetes.pre_stop.exec.command must be a STRING_ARRAY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runStep(t, New(Options{Executor: never}), testStep(tt.params))
			require.Equal(t, activities.ErrorTypeFatal, activities.ErrorClass(err))
			require.ErrorContains(t, err, tt.want)
		})
	}
	_, err := runStep(t, New(Options{}), testStep(map[string]any{"image": "i"}))
	require.ErrorContains(t, err, "no executor configured")
}

// TestEntrypointMigrates: the deprecated entrypoint becomes /bin/sh -c.
func TestEntrypointMigrates(t *testing.T) {
	cmd, err := decodeCommand(map[string]any{"image": "i", "entrypoint": "echo hi && exit 1", "command": []string{"x"}}, true)
	require.NoError(t, err)
	require.Equal(t, []string{"/bin/sh", "-c"}, cmd.Command)
	require.Equal(t, []string{"echo hi && exit 1"}, cmd.Args)
}

// TestStepOnFakeCluster runs the Kubernetes step through the client-go
// executor on the fake clientset, as server__sample-kubernetes-output-wf
// and -nonretryable-wf do: outputs from the log, a failed pod whose
// output says non-retryable is a fatal error.
func TestStepOnFakeCluster(t *testing.T) {
	for _, tt := range []struct {
		name  string
		phase corev1.PodPhase
		exit  int32
		log   string
		class string
	}{
		{"output", corev1.PodSucceeded, 0, "hello world\n" + OutputStartToken + outputJSON + OutputEndToken + "\n", ""},
		{"nonretryable", corev1.PodFailed, 1, OutputStartToken + `{"artifacts":{"maestro_retry":{"type":"RETRY","retryable":false}}}` + OutputEndToken + "\n", activities.ErrorTypeFatal},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cs := fake.NewClientset()
			st := New(Options{Executor: NewPodExecutor(cs, PodOptions{PollInterval: time.Millisecond, Logs: fixedLogs(tt.log)})})
			step := testStep(map[string]any{"image": "busybox", "command": []string{"/bin/sh"}, "args": []string{"-c", "echo"}})
			name, _ := jobName(step, &Command{})
			kubelet(t, cs, DefaultNamespace, name, tt.phase, tt.exit, "Error")
			o, err := runStep(t, st, step)
			if tt.class != "" {
				require.Equal(t, tt.class, activities.ErrorClass(err), fmt.Sprint(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, "bar", o.Outputs["foo"].Value)
			require.True(t, strings.HasPrefix(o.Outputs[jobParam].Value.(string), "pod default/baton-"))
		})
	}
}

func mapValue(m map[string]any) sel.Value { return sel.Value{Type: sel.Map, Value: m} }
