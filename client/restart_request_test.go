package client

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/workflows"
)

var samplesDir = filepath.Join("..", "..", "shared", "maestro-samples")

func decodeSample(t *testing.T, name string) any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(samplesDir, name))
	require.NoError(t, err)
	doc, err := definition.DecodeSample(data)
	require.NoError(t, err)
	return doc
}

// TestStepRestartOptionsFromMaestro reads Maestro's two restart fixtures
// as the options of a restart from a step.
func TestStepRestartOptionsFromMaestro(t *testing.T) {
	req, ok := decodeSample(t, "common__api__sample-step-restart-request-from-root.json").(*definition.StepRestartRequest)
	require.True(t, ok)
	opts, err := StepRestartOptionsFromRequest("loop/2/job", req)
	require.NoError(t, err)
	require.Equal(t, "loop/2/job", opts.Step)
	require.Equal(t, RestartFromInlineRoot, opts.UpstreamMode)
	require.Equal(t, workflows.RestartFromBeginning, opts.Policy)
	require.Equal(t, "97a57978-803f-403e-9f9b-376d34689723", opts.RequestID)
	require.Len(t, opts.StepParams, 4)
	require.Equal(t, "bar", opts.StepParams["foo"].Literal)
	require.Equal(t, int64(123), opts.StepParams["auu"].Literal)
	require.True(t, opts.StepParams["bbb"].IsExpr)
	require.Equal(t, "MUTABLE_ON_START", opts.StepParams["bbb"].Mode)

	cfg, ok := decodeSample(t, "common__instances__sample-restart-config-skip-steps.json").(*definition.RestartConfig)
	require.True(t, ok)
	opts, err = StepRestartOptionsFromConfig("", cfg)
	require.NoError(t, err)
	require.Equal(t, "bar", opts.Step, "the restart path's one node")
	require.Equal(t, RestartFromInlineRoot, opts.UpstreamMode, "restart_policy RESTART_FROM_INCOMPLETE restarts the run")
	require.Equal(t, workflows.RestartFromIncomplete, opts.Policy)
	require.Equal(t, []string{"step_3", "step_4"}, opts.SkipSteps)
	require.Equal(t, "foo", opts.OtherStepParams["step_1"]["param1"].Literal)
	require.Equal(t, "bar", opts.OtherStepParams["step_2"]["param2"].Literal)
	require.Equal(t, sel.Value{Type: sel.Long, Value: int64(2)}, opts.RunParams["bbb"], "1 + 1; evaluated")
	require.Equal(t, sel.Value{Type: sel.String, Value: "bar"}, opts.RunParams["foo"])

	cfg.RestartPolicy = definition.RestartFromSpecific
	opts, err = StepRestartOptionsFromConfig("sub/x", cfg)
	require.NoError(t, err)
	require.Equal(t, "sub/x", opts.Step, "a given step path wins over restart_path")
	require.Empty(t, opts.UpstreamMode)

	cfg.RestartPath = append(cfg.RestartPath, definition.RestartNode{WorkflowID: "up", InstanceID: 1, StepID: "s"})
	_, err = StepRestartOptionsFromConfig("", cfg)
	require.ErrorContains(t, err, "not supported yet: a path of 2 nodes")
	cfg.RestartPath = nil
	_, err = StepRestartOptionsFromConfig("", cfg)
	require.ErrorContains(t, err, "restart_path: empty")
}
