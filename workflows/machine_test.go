package workflows

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMachineMoves walks a step through a retried attempt and checks that
// an event its phase does not accept is refused with the moves so far.
func TestMachineMoves(t *testing.T) {
	var m machine
	for _, ev := range []stepEvent{evCreate, evAttempt, evRetry, evAsk, evAttempt, evEnd} {
		require.NoError(t, m.move("s", ev, 1))
	}
	require.Equal(t, phaseDone, m.phase)
	err := m.move("s", evAttempt, 2)
	require.EqualError(t, err, `baton: step "s": event attempt in phase DONE, which does not accept it; latest moves:`+
		` WAITING-(create, attempt 1)->EVALUATING_PARAMS EVALUATING_PARAMS-(attempt, attempt 1)->RUNNING RUNNING-(retry, attempt 1)->BACKOFF`+
		` BACKOFF-(ask-permit, attempt 1)->WAITING_FOR_PERMITS WAITING_FOR_PERMITS-(attempt, attempt 1)->RUNNING RUNNING-(end, attempt 1)->DONE`)

	// The ring keeps the latest maxTransitionHistory moves.
	var long machine
	require.NoError(t, long.move("s", evCreate, 0))
	require.NoError(t, long.move("s", evAttempt, 1))
	for i := 1; i <= 10; i++ {
		require.NoError(t, long.move("s", evRetry, i))
		require.NoError(t, long.move("s", evAttempt, i+1))
	}
	recent := long.recent()
	require.Len(t, recent, maxTransitionHistory)
	require.Equal(t, transition{from: phaseBackoff, to: phaseRunning, ev: evAttempt, attempt: 11}, recent[len(recent)-1])

	// Every phase but DONE accepts end; DONE accepts only a RESTART action.
	for p := range phaseNames {
		if phase(p) != phaseDone {
			require.NotEqual(t, phaseNone, nextPhase[p][evEnd], "%s", phase(p))
		}
	}
	for e := range eventNames {
		if stepEvent(e) != evRestart {
			require.Equal(t, phaseNone, nextPhase[phaseDone][e], "%s", stepEvent(e))
		}
	}
	require.Equal(t, phaseWaiting, nextPhase[phaseDone][evRestart])
}
