package workflows

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBreakpointMatches(t *testing.T) {
	const wf, inst = "w", "w/abc"
	tests := []struct {
		name string
		b    Breakpoint
		// the step: instance, version, run, step id, attempt
		instance string
		version  int64
		run      int
		step     string
		attempt  int
		want     bool
	}{
		{"wildcards match any", Breakpoint{WorkflowID: wf, StepID: "s"}, inst, 3, 2, "s", 4, true},
		{"another step", Breakpoint{WorkflowID: wf, StepID: "s"}, inst, 3, 2, "t", 1, false},
		{"another workflow", Breakpoint{WorkflowID: "x", StepID: "s"}, inst, 3, 2, "s", 1, false},
		{"version", Breakpoint{WorkflowID: wf, StepID: "s", Version: 3}, inst, 3, 1, "s", 1, true},
		{"another version", Breakpoint{WorkflowID: wf, StepID: "s", Version: 2}, inst, 3, 1, "s", 1, false},
		{"instance", Breakpoint{WorkflowID: wf, StepID: "s", Instance: inst}, inst, 0, 1, "s", 1, true},
		{"the instance's foreach iteration", Breakpoint{WorkflowID: wf, StepID: "s", Instance: inst}, inst + "/loop/3", 0, 1, "s", 1, true},
		{"another instance with the id as prefix", Breakpoint{WorkflowID: wf, StepID: "s", Instance: inst}, inst + "d", 0, 1, "s", 1, false},
		{"run", Breakpoint{WorkflowID: wf, StepID: "s", Run: 2}, inst, 0, 2, "s", 1, true},
		{"another run", Breakpoint{WorkflowID: wf, StepID: "s", Run: 2}, inst, 0, 1, "s", 1, false},
		{"attempt", Breakpoint{WorkflowID: wf, StepID: "s", Attempt: 2}, inst, 0, 1, "s", 2, true},
		{"another attempt", Breakpoint{WorkflowID: wf, StepID: "s", Attempt: 2}, inst, 0, 1, "s", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.b.matches(wf, tt.instance, tt.version, tt.run, tt.step, tt.attempt))
		})
	}
}

func TestBreakpointCheck(t *testing.T) {
	require.NoError(t, (&Breakpoint{WorkflowID: "w", StepID: "s"}).Check("w"))
	require.ErrorContains(t, (&Breakpoint{WorkflowID: "w"}).Check("w"), "step_id is empty")
	require.ErrorContains(t, (&Breakpoint{WorkflowID: "w", StepID: "s", Run: -1}).Check("w"), "must be 0 (any) or positive")
	require.ErrorContains(t, (&Breakpoint{WorkflowID: "x", StepID: "s"}).Check("w"), "does not match")
}
