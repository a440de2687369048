package definition

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var samplesDir = filepath.Join("..", "..", "shared", "maestro-samples")

// sampleKinds is the expected outcome for every file of the corpus: the
// Go type it decodes to, or the refusal it gets. A new file without an
// entry fails the test.
var sampleKinds = map[string]string{
	"common__api__sample-step-restart-request-from-root.json":                    "*definition.StepRestartRequest",
	"common__api__sample-workflow-restart-request.json":                          "*definition.RestartRequest",
	"common__api__sample-workflow-start-request.json":                            "*definition.StartRequest",
	"common__definition__sample-active-wf-with-time-triggers.json":               "*definition.WorkflowDefinition",
	"common__definition__sample-minimal-wf-run-strategy-serial-latest-only.json": "*definition.WorkflowDefinition",
	"common__instances__sample-restart-config-skip-steps.json":                   "*definition.RestartConfig",
	"common__request__sample-active-wf-with-output-signals.json":                 "*definition.Request",
	"common__request__sample-active-wf-with-step-signal-dependencies.json":       "*definition.Request",
	"common__request__sample-single-node-wf.json":                                "*definition.Request",
	"common__retry_policy__sample-retries.json":                                  "*definition.RetryPolicy",
	"common__retry_policy__sample-retry-fixed-delay-policy.json":                 "*definition.RetryPolicy",
	"common__signal_triggers__signal_trigger_simple.json":                        "*definition.SignalTrigger",
	"common__time_triggers__sample-interval-time-trigger.json":                   "*definition.TimeTrigger",
	"common__typedsteps__sample-foreach-step.json":                               "*definition.Step",
	"common__typedsteps__sample-step-with-param-retries.json":                    "*definition.Step",
	"common__typedsteps__sample-typed-step.json":                                 "*definition.Step",
	"common__typedsteps__sample-while-step.json":                                 "*definition.Step",
	"engine__defaultparams__default-foreach-step-params.yaml":                    "not supported yet: YAML default-param files",
	"engine__defaultparams__default-step-params.yaml":                            "not supported yet: YAML default-param files",
	"engine__defaultparams__default-subworkflow-step-params.yaml":                "not supported yet: YAML default-param files",
	"engine__defaultparams__default-while-step-params.yaml":                      "not supported yet: YAML default-param files",
	"engine__defaultparams__default-workflow-params.yaml":                        "not supported yet: YAML default-param files",
	"http__defaultparams__default-http-step-params.yaml":                         "not supported yet: YAML default-param files",
	"kubernetes__defaultparams__default-kubernetes-step-params.yaml":             "not supported yet: YAML default-param files",
	"server__sample-conditional-wf.json":                                         "*definition.Request",
	"server__sample-dag-test-1.json":                                             "*definition.Request",
	"server__sample-dag-test-10.json":                                            "*definition.Request",
	"server__sample-dag-test-2.json":                                             "*definition.Request",
	"server__sample-dag-test-3.json":                                             "*definition.Request",
	"server__sample-dag-test-4.json":                                             "*definition.Request",
	"server__sample-dag-test-5.json":                                             "*definition.Request",
	"server__sample-dag-test-6.json":                                             "*definition.Request",
	"server__sample-dag-test-7.json":                                             "*definition.Request",
	"server__sample-dag-test-8.json":                                             "*definition.Request",
	"server__sample-dag-test-9.json":                                             "*definition.Request",
	"server__sample-foreach-wf.json":                                             "*definition.Request",
	"server__sample-kubernetes-env-wf.json":                                      "*definition.Request",
	"server__sample-kubernetes-nonretryable-wf.json":                             "*definition.Request",
	"server__sample-kubernetes-output-wf.json":                                   "*definition.Request",
	"server__sample-kubernetes-wf.json":                                          "*definition.Request",
	"server__sample-large-foreach-wf.json":                                       "*definition.Request",
	"server__sample-mixed-wf.json":                                               "*definition.Request",
	"server__sample-nested-foreach-subworkflow-wf.json":                          "*definition.Request",
	"server__sample-nested-foreach-wf.json":                                      "*definition.Request",
	"server__sample-nested-subworkflow-foreach-wf.json":                          "*definition.Request",
	"server__sample-notebook-wf.json":                                            "*definition.Request",
	"server__sample-signal-trigger-wf.json":                                      "*definition.Request",
	"server__sample-subworkflow-wf.json":                                         "*definition.Request",
	"server__sample-time-trigger-wf.json":                                        "*definition.Request",
	"server__sample-while-wf.json":                                               "*definition.Request",
	"server__yaml__sample-conditional-wf.yaml":                                   "*definition.Request",
	"server__yaml__sample-http-wf.yaml":                                          "*definition.Request",
}

func sampleFiles(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir(samplesDir)
	require.NoError(t, err)
	var files []string
	for _, e := range entries {
		if !e.IsDir() && e.Name() != "MANIFEST.md" {
			files = append(files, e.Name())
		}
	}
	require.NotEmpty(t, files)
	return files
}

func TestSamples(t *testing.T) {
	files := sampleFiles(t)
	require.Len(t, files, len(sampleKinds), "every sample needs an entry in sampleKinds")
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			want, ok := sampleKinds[name]
			require.True(t, ok, "no expected outcome for %s", name)
			v, err := DecodeSampleFile(filepath.Join(samplesDir, name))
			if strings.HasPrefix(want, "not supported yet") {
				require.ErrorIs(t, err, ErrNotSupported)
				require.ErrorContains(t, err, want)
				return
			}
			require.NoError(t, err)
			require.Equal(t, want, typeName(v))
			if val, ok := v.(interface{ Validate() error }); ok {
				require.NoError(t, val.Validate())
			}
		})
	}
}

func typeName(v any) string {
	switch v.(type) {
	case *Request:
		return "*definition.Request"
	case *WorkflowDefinition:
		return "*definition.WorkflowDefinition"
	case *Step:
		return "*definition.Step"
	case *RetryPolicy:
		return "*definition.RetryPolicy"
	case *TimeTrigger:
		return "*definition.TimeTrigger"
	case *SignalTrigger:
		return "*definition.SignalTrigger"
	case *StartRequest:
		return "*definition.StartRequest"
	case *RestartRequest:
		return "*definition.RestartRequest"
	case *StepRestartRequest:
		return "*definition.StepRestartRequest"
	case *RestartConfig:
		return "*definition.RestartConfig"
	}
	return "?"
}

// TestRoundTrip encodes every decodable create request (and stored
// definition) and decodes it back to an equal value.
func TestRoundTrip(t *testing.T) {
	for _, name := range sampleFiles(t) {
		if !strings.HasSuffix(name, ".json") {
			continue
		}
		v, err := DecodeSampleFile(filepath.Join(samplesDir, name))
		require.NoError(t, err, name)
		var r *Request
		switch x := v.(type) {
		case *Request:
			r = x
		case *WorkflowDefinition:
			r = x.Request()
		case *Step:
			b, err := x.MarshalJSON()
			require.NoError(t, err, name)
			back, err := DecodeStep(b)
			require.NoError(t, err, name)
			require.Equal(t, x, back, name)
			continue
		case *RetryPolicy:
			b, err := EncodeRetryPolicy(x)
			require.NoError(t, err, name)
			back, err := DecodeRetryPolicy(b)
			require.NoError(t, err, name)
			require.Equal(t, x, back, name)
			continue
		default:
			continue
		}
		t.Run(name, func(t *testing.T) {
			b, err := Encode(r)
			require.NoError(t, err)
			back, err := Decode(b)
			require.NoError(t, err, string(b))
			require.Equal(t, r, back)
			b2, err := Encode(back)
			require.NoError(t, err)
			require.Equal(t, string(b), string(b2))
		})
	}
}
