package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	W "github.com/batonhq/baton/workflows"
)

// TestBreakpointReadByStarter: a run reads its breakpoints with the local
// activity unless its input asks for version 3 of ChangeLeanStart and
// says the starter read them (RunInput.BreakpointsRead); then the input's
// list is the run's, and a step it names pauses until RESUME.
func TestBreakpointReadByStarter(t *testing.T) {
	const def = `{"workflow":{"id":"w","steps":[{"step":{"id":"x","type":"NoOp"}}]}}`
	stored := []W.Breakpoint{{WorkflowID: "w", StepID: "x"}}
	tests := []struct {
		name   string
		in     W.RunInput
		reads  int
		paused bool
	}{
		{name: "session-4 input: the run reads", reads: 1, paused: true},
		{name: "version 3 not read by the starter: the run reads", in: W.RunInput{Lean: W.LeanStartInput}, reads: 1, paused: true},
		{name: "session-4 input read by the starter: the run reads", in: W.RunInput{BreakpointsRead: true}, reads: 1, paused: true},
		{name: "version 3 read by the starter, none", in: W.RunInput{Lean: W.LeanStartInput, BreakpointsRead: true}},
		{name: "version 3 read by the starter, one", in: W.RunInput{Lean: W.LeanStartInput, BreakpointsRead: true, Breakpoints: stored}, paused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			reads := 0
			h.env.OnActivity(W.LoadBreakpointsActivityName, mock.Anything, "w").Return(
				func(context.Context, string) ([]W.Breakpoint, error) { reads++; return stored, nil })
			var acts []*sentAction
			if tt.paused {
				acts = []*sentAction{{at: time.Minute, action: W.ActionResume, path: "x", status: W.Running}}
				sendActions(h, acts)
			}
			in := tt.in
			in.Plan = compileJSON(t, def, nil)
			st := h.runInput(t, in)
			require.Equal(t, tt.reads, reads, "breakpoint reads by the run")
			requireStatuses(t, st, map[string]W.StepStatus{"x": W.Succeeded})
			for _, a := range acts {
				require.True(t, a.answered)
				require.Empty(t, a.refused)
			}
			require.Equal(t, tt.paused, st.Step("x").EndTime.Sub(st.StartTime) >= time.Minute, "x waited for RESUME")
		})
	}
}
