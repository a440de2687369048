package workflows

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStateDetails(t *testing.T) {
	st := &State{Status: InstanceFailed, Error: "step b failed", Steps: []*StepState{
		{ID: "a", Status: Succeeded, Attempts: 1},
		{ID: "b", Status: UserFailed, Attempts: 3},
		{ID: "c", Status: NotCreated},
	}}
	require.Equal(t, "**FAILED** · 3 steps: 1 NOT_CREATED, 1 SUCCEEDED, 1 USER_FAILED\n\n"+
		"| step | status | attempts |\n|---|---|---|\n| a | SUCCEEDED | 1 |\n| b | USER_FAILED | 3 |\n| c | NOT_CREATED | 0 |\n"+
		"\nreason: step b failed\n", StateDetails(st))

	// Many steps: at most detailRows rows, the running and failed first.
	big := &State{Status: InProgress}
	for i := range 40 {
		s := &StepState{ID: fmt.Sprintf("s%02d", i), Status: Succeeded, Attempts: 1}
		if i == 30 || i == 35 {
			s.Status = Running
		}
		big.Steps = append(big.Steps, s)
	}
	d := StateDetails(big)
	require.Equal(t, detailRows, strings.Count(d, "| SUCCEEDED |")+strings.Count(d, "| RUNNING |"))
	require.Less(t, strings.Index(d, "| s30 | RUNNING"), strings.Index(d, "| s00 | SUCCEEDED"))
	require.Contains(t, d, "… and 28 more steps")
	require.Contains(t, d, "**IN_PROGRESS** · 40 steps: 2 RUNNING, 38 SUCCEEDED")
}

func TestLoopProgressString(t *testing.T) {
	require.Equal(t, "3120/25000 done, 12 running, 2 failed",
		LoopProgress{Total: 25000, Done: 3120, Running: 12, Counts: LoopCounts{Failed: 2}}.String())
	require.Equal(t, "4 done, 1 running", whileProgress(&WhileInput{Next: 4})().String())
}
