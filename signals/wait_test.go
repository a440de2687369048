package signals

import (
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
)

func (s *script) wait(at time.Duration, req WaitRequest, got *[]*Instance) {
	s.env.RegisterDelayedCallback(func() {
		s.env.UpdateWorkflow(UpdateWait, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { s.refused = append(s.refused, err) },
			OnComplete: func(v any, err error) {
				require.NoError(s.t, err)
				in, _ := v.(*Instance)
				*got = append(*got, in)
			},
		}, req)
	}, at)
}

func TestStoreWaitAnswersOrNotifiesOnce(t *testing.T) {
	s := newScript(t)
	var notified []Matched
	s.env.OnSignalExternalWorkflow(mock.Anything, "run-wf", "run-1", SignalMatched, mock.Anything).Return(
		func(_, _, _, _ string, arg any) error {
			notified = append(notified, arg.(Matched))
			return nil
		})
	waiter := func(key string, match ...MatchParam) WaitRequest {
		return WaitRequest{Name: "db/t", Waiter: Waiter{WorkflowID: "run-wf", RunID: "run-1", Key: key, Match: match}}
	}
	ge3 := MatchParam{Name: "vtts_utc_dateint", Operator: GreaterEqual, Value: Long(20260103)}
	var answers []*Instance
	s.send(1*time.Second, SendRequest{Params: day(1)})
	// Stored before the wait: answered at once, nothing registered.
	s.wait(2*time.Second, waiter("now", MatchParam{Name: "vtts_utc_dateint", Operator: Equal, Value: Long(20260101)}), &answers)
	s.wait(3*time.Second, waiter("k1", ge3), &answers)
	s.wait(3500*time.Millisecond, waiter("k1", ge3), &answers) // a retried registration replaces
	s.wait(4*time.Second, waiter("k2", MatchParam{Name: "table", Operator: Equal, Value: String("t2")}), &answers)
	s.send(5*time.Second, SendRequest{Params: day(2)}) // < 20260103: no match
	s.send(6*time.Second, SendRequest{Params: day(3)}) // matches k1
	s.send(7*time.Second, SendRequest{Params: day(4)}) // k1 is gone
	// A wrong-name or malformed wait is refused by the validator.
	s.wait(4500*time.Millisecond, WaitRequest{Name: "other", Waiter: Waiter{WorkflowID: "w", Key: "k"}}, &answers)
	s.wait(4500*time.Millisecond, WaitRequest{Name: "db/t", Waiter: Waiter{Key: "k"}}, &answers)
	next := s.run(State{Name: "db/t", Options: Options{SendsPerRun: 4}})

	require.Len(t, answers, 4)
	require.Equal(t, int64(1), answers[0].Seq)
	require.Nil(t, answers[1])
	require.Nil(t, answers[2])
	require.Nil(t, answers[3])
	require.Len(t, notified, 1)
	require.Equal(t, "k1", notified[0].Key)
	require.Equal(t, int64(3), notified[0].Instance.Seq)
	require.Len(t, s.refused, 2)
	require.ErrorContains(t, s.refused[0], `sent to the store of "db/t"`)
	require.ErrorContains(t, s.refused[1], "a workflow id and a key are required")
	// The waiter not yet matched is carried over continue-as-new.
	require.Len(t, next.Waiters, 1)
	require.Equal(t, "k2", next.Waiters[0].Key)
}

func TestStoreWaitersBounded(t *testing.T) {
	s := &store{State: State{Name: "n"}}
	for i := range MaxWaiters {
		_, err := s.wait(WaitRequest{Name: "n", Waiter: Waiter{WorkflowID: "w", Key: string(rune('a'+i%26)) + time.Duration(i).String()}})
		require.NoError(t, err)
	}
	_, err := s.wait(WaitRequest{Name: "n", Waiter: Waiter{WorkflowID: "w", Key: "one more"}})
	require.ErrorContains(t, err, "runs wait already")
}
