package integration

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	W "github.com/batonhq/baton/workflows"
)

// TestRecordRestartFromStepHistories records, as TestRecordHistories does,
// the histories of restarts from a step (workflows.ChangeRestartFromStep):
// a root run with step params and a skip, a foreach restarted along a path
// into iteration 2, the same foreach restarted from its inline root with
// an inner step's params replaced, a while continued from iteration 2, and
// a subworkflow's child restarted from its step.
// Recorded only when asked:
//
//	cd cmd/baton && BATON_RECORD_HISTORIES=1 go test ./internal/integration -run TestRecordRestartFromStepHistories
func TestRecordRestartFromStepHistories(t *testing.T) {
	recording(t)
	ctx := testContext(t, 2*time.Minute)
	suffix := time.Now().UnixNano()
	restartWait := func(id string, opts client.StepRestartOptions) *client.Run {
		t.Helper()
		run, err := env.baton.RestartFromStep(ctx, id, opts)
		require.NoError(t, err)
		st, err := run.Wait(ctx)
		require.NoError(t, err)
		require.Equal(t, W.RestartFromSpecific, st.RunPolicy)
		return run
	}

	req, err := definition.Decode([]byte(fmt.Sprintf(restartFromStepDef, suffix)))
	require.NoError(t, err)
	run, _ := startAndWait(t, req, nil, time.Minute)
	again := restartWait(run.ID(), client.StepRestartOptions{Step: "b", StepParams: longParam(100), SkipSteps: []string{"c"}})
	writeHistory(ctx, t, "restart-from-step", again.ID(), again.RunID())

	req, err = definition.Decode([]byte(fmt.Sprintf(`{"workflow":{"id":"rec-rfs-loop-%d","steps":[
	  {"foreach":{"id":"loop","concurrency":2,"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2,3]}}}},
	    "steps":[{"step":{"id":"p","type":"Tick","transition":{"successors":{"q":"true"}}}},
	             {"step":{"id":"q","type":"Tick","params":{"v":{"type":"LONG","expression":"i + 1"}}}}],
	    "transition":{"successors":{"after":"true"}}}},
	  {"step":{"id":"after","type":"NoOp"}}]}}`, suffix)))
	require.NoError(t, err)
	run, _ = startAndWait(t, req, nil, time.Minute)
	again = restartWait(run.ID(), client.StepRestartOptions{Step: "loop/2/q",
		StepParams: map[string]*translator.Param{"v": {Type: sel.Long, Literal: int64(9)}}})
	writeHistory(ctx, t, "restart-from-step-foreach", again.ID(), again.RunID())
	writeHistory(ctx, t, "restart-from-step-foreach-loop", again.ID()+"/loop", "")
	inline, err := env.baton.RestartFromStep(ctx, run.ID(), client.StepRestartOptions{Step: "loop/1/q", UpstreamMode: client.RestartFromInlineRoot,
		Policy: W.RestartFromBeginning, StepParams: map[string]*translator.Param{"v": {Type: sel.Long, Literal: int64(5)}}})
	require.NoError(t, err)
	_, err = inline.Wait(ctx)
	require.NoError(t, err)
	writeHistory(ctx, t, "restart-inline-root-foreach", inline.ID(), inline.RunID())
	writeHistory(ctx, t, "restart-inline-root-foreach-loop", inline.ID()+"/loop", "")

	req, err = definition.Decode([]byte(fmt.Sprintf(`{"workflow":{"id":"rec-rfs-while-%d","steps":[{"while":{"id":"loop","condition":"k < 3",
	  "params":{"loop_params":{"type":"MAP","value":{"k":{"type":"LONG","value":0}}}},
	  "steps":[{"step":{"id":"bump","type":"NoOp","params":{"k":{"type":"LONG","expression":"k + 1"}},"transition":{"successors":{"t":"true"}}}},
	           {"step":{"id":"t","type":"Tick"}}]}}]}}`, suffix)))
	require.NoError(t, err)
	run, _ = startAndWait(t, req, nil, time.Minute)
	again = restartWait(run.ID(), client.StepRestartOptions{Step: "loop/2/t"})
	writeHistory(ctx, t, "restart-from-step-while", again.ID(), again.RunID())
	writeHistory(ctx, t, "restart-from-step-while-loop", again.ID()+"/loop", "")

	childWF := fmt.Sprintf("rec-rfs-child-%d", suffix)
	child, err := definition.Decode([]byte(fmt.Sprintf(`{"properties":{"owner":{"name":"tester"}},"workflow":{"id":%q,"steps":[
	  {"step":{"id":"a","type":"Tick","transition":{"successors":{"b":"true"}}}},{"step":{"id":"b","type":"Tick"}}]}}`, childWF)))
	require.NoError(t, err)
	_, err = registry.New(env.tc, registry.Options{}).Push(ctx, child)
	require.NoError(t, err)
	parent, err := definition.Decode([]byte(fmt.Sprintf(`{"workflow":{"id":"rec-rfs-parent-%d","steps":[
	  {"subworkflow":{"id":"sub","sync":true,"params":{"subworkflow_id":{"type":"STRING","value":%q}}}}]}}`, suffix, childWF)))
	require.NoError(t, err)
	run, _ = startAndWait(t, parent, nil, time.Minute)
	again = restartWait(run.ID(), client.StepRestartOptions{Step: "sub/b"})
	writeHistory(ctx, t, "restart-from-step-subworkflow", again.ID(), again.RunID())
	writeHistory(ctx, t, "restart-from-step-subworkflow-child", again.ID()+"/sub", "")
}
