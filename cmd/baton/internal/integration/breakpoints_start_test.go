package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
	W "github.com/batonhq/baton/workflows"
)

// TestBreakpointSetBeforeEveryStartPath: a breakpoint set before a run
// starts pauses that run's step, whichever way the run starts: a bare
// start, a registered version started through the run strategy (the
// caller starts it) and a queued start the queue starts later (when the
// instance before it ends). The client reads the breakpoints for the
// starts it makes itself (the run reads none); a run the queue starts
// reads them itself, as does a speculative start that waited (the wait
// for its admission is a local activity too, not counted).
func TestBreakpointSetBeforeEveryStartPath(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	wf := fmt.Sprintf("breakpoints-start-%d", time.Now().UnixNano())
	req, err := definition.NewWorkflow(wf).Owner("tester").Steps(definition.NoOp("a").Next("b"), definition.NoOp("b")).Build()
	require.NoError(t, err)
	_, err = registry.New(env.tc, registry.Options{}).Push(ctx, req)
	require.NoError(t, err)
	_, err = env.baton.SetBreakpoint(ctx, W.Breakpoint{WorkflowID: wf, StepID: "b"})
	require.NoError(t, err)

	bare, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{Bare: true})
	require.NoError(t, err)
	registered, _, _, err := env.baton.StartRegistered(ctx, wf, "", client.StartOptions{})
	require.NoError(t, err)
	eventuallyStatus(ctx, t, registered, "b", W.Paused)
	// SEQUENTIAL: the queue holds this one while the registered run is paused.
	later, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{Queued: true})
	require.NoError(t, err)

	tests := []struct {
		name  string
		run   *client.Run
		reads int // breakpoint reads the run makes itself
	}{
		{name: "bare", run: bare},
		{name: "registered", run: registered},
		{name: "started-by-queue", run: later, reads: 1},
	}
	for _, tt := range tests { // in order: resuming one lets the queue start the next
		t.Run(tt.name, func(t *testing.T) {
			eventuallyStatus(ctx, t, tt.run, "b", W.Paused)
			res, err := env.baton.StepAction(ctx, tt.run.ID(), W.ActionResume, "b", "")
			require.NoError(t, err)
			require.Equal(t, W.Running, res.Status)
			st, err := tt.run.Wait(ctx)
			require.NoError(t, err)
			require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
			reads := 0
			for _, ev := range history(ctx, t, tt.run.ID(), "") {
				if ev.GetEventType() == enumspb.EVENT_TYPE_MARKER_RECORDED && ev.GetMarkerRecordedEventAttributes().GetMarkerName() != "Version" &&
					!strings.Contains(ev.GetMarkerRecordedEventAttributes().GetDetails()["data"].String(), W.AdmissionActivityName) {
					reads++
				}
			}
			require.Equal(t, tt.reads, reads, "local activities (breakpoint reads) in the run's history")
		})
	}
}
