package signals

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// script drives one run of the store: each action runs at its offset on
// the test clock and records what it got.
type script struct {
	t       *testing.T
	env     *testsuite.TestWorkflowEnvironment
	sent    []SendResult
	refused []error
	lists   [][]*Instance
	matches []*Instance
}

func newScript(t *testing.T) *script {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(Store, workflow.RegisterOptions{Name: WorkflowName})
	return &script{t: t, env: env}
}

func (s *script) send(at time.Duration, req SendRequest) {
	s.env.RegisterDelayedCallback(func() {
		s.env.UpdateWorkflow(UpdateSend, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { s.refused = append(s.refused, err) },
			OnComplete: func(v any, err error) {
				require.NoError(s.t, err)
				s.sent = append(s.sent, v.(SendResult))
			},
		}, req)
	}, at)
}

func (s *script) list(at time.Duration, req ListRequest) {
	s.env.RegisterDelayedCallback(func() {
		v, err := s.env.QueryWorkflow(QueryList, req)
		require.NoError(s.t, err)
		var out []*Instance
		require.NoError(s.t, v.Get(&out))
		s.lists = append(s.lists, out)
	}, at)
}

func (s *script) match(at time.Duration, req MatchRequest) {
	s.env.RegisterDelayedCallback(func() {
		v, err := s.env.QueryWorkflow(QueryMatch, req)
		require.NoError(s.t, err)
		var out *Instance
		require.NoError(s.t, v.Get(&out))
		s.matches = append(s.matches, out)
	}, at)
}

// run executes the store from st and returns the state it continued as
// new with (every test ends the run through SendsPerRun).
func (s *script) run(st State) State {
	s.env.ExecuteWorkflow(WorkflowName, st)
	require.True(s.t, s.env.IsWorkflowCompleted())
	var can *workflow.ContinueAsNewError
	require.True(s.t, errors.As(s.env.GetWorkflowError(), &can), "want continue-as-new, got %v", s.env.GetWorkflowError())
	var next State
	require.NoError(s.t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	return next
}

func seqs(ins []*Instance) []int64 {
	out := []int64{}
	for _, in := range ins {
		out = append(out, in.Seq)
	}
	return out
}

func day(n int64) map[string]Value {
	return map[string]Value{"vtts_utc_dateint": Long(20260100 + n), "table": String("t1")}
}

func TestStoreSendListMatch(t *testing.T) {
	s := newScript(t)
	for i := int64(1); i <= 4; i++ {
		s.send(time.Duration(i)*time.Second, SendRequest{Params: day(i), Payload: []byte(`{"by":"test"}`)})
	}
	ge2 := []MatchParam{{Name: "vtts_utc_dateint", Operator: GreaterEqual, Value: Long(20260102)}}
	s.list(5*time.Second, ListRequest{Match: ge2})
	s.list(5*time.Second, ListRequest{Match: ge2, Limit: 2})
	s.list(5*time.Second, ListRequest{AfterSeq: 3})
	s.list(5*time.Second, ListRequest{Match: []MatchParam{{Name: "table", Operator: Equal, Value: String("t2")}}})
	s.match(5*time.Second, MatchRequest{Match: ge2})
	s.match(5*time.Second, MatchRequest{Match: ge2, AfterSeq: 2})
	s.match(5*time.Second, MatchRequest{Match: []MatchParam{{Name: "vtts_utc_dateint", Operator: Less, Value: Long(20260101)}}})
	s.send(6*time.Second, SendRequest{Params: day(9)}) // the fifth send continues as new
	next := s.run(State{Name: "db/prod/table1", Options: Options{SendsPerRun: 5}})

	require.Equal(t, []int64{1, 2, 3, 4, 5}, seqs(sentInstances(s.sent)))
	require.Equal(t, "db/prod/table1#1", s.sent[0].Instance.ID())
	require.JSONEq(t, `{"by":"test"}`, string(s.sent[0].Instance.Payload))
	require.Equal(t, [][]int64{{4, 3, 2}, {4, 3}, {4}, {}}, [][]int64{seqs(s.lists[0]), seqs(s.lists[1]), seqs(s.lists[2]), seqs(s.lists[3])})
	require.Equal(t, int64(2), s.matches[0].Seq, "the oldest match")
	require.Equal(t, int64(3), s.matches[1].Seq, "the oldest match after seq 2")
	require.Nil(t, s.matches[2])
	require.Equal(t, int64(5), next.LastSeq)
	require.Len(t, next.Instances, 5)
	require.True(t, s.sent[1].Instance.CreateTime.After(s.sent[0].Instance.CreateTime))
}

func sentInstances(rs []SendResult) []*Instance {
	out := make([]*Instance, len(rs))
	for i, r := range rs {
		out[i] = r.Instance
	}
	return out
}

func TestStoreDedupeByRequestID(t *testing.T) {
	s := newScript(t)
	s.send(time.Second, SendRequest{Params: day(1), RequestID: "r1"})
	s.send(2*time.Second, SendRequest{Params: day(2), RequestID: "r1"})
	s.send(3*time.Second, SendRequest{Params: day(3)})
	s.send(4*time.Second, SendRequest{Params: day(4), RequestID: "r2"})
	next := s.run(State{Name: "s", Options: Options{SendsPerRun: 3}})

	require.Len(t, s.sent, 4)
	require.False(t, s.sent[0].Duplicate)
	require.True(t, s.sent[1].Duplicate)
	require.Equal(t, int64(1), s.sent[1].Instance.Seq)
	require.Equal(t, Long(20260101), s.sent[1].Instance.Params["vtts_utc_dateint"], "the stored instance, not the duplicate's params")
	require.Equal(t, []int64{1, 2, 3}, seqs(next.Instances))
	require.Equal(t, int64(3), next.LastSeq)

	// The dedupe survives continue-as-new.
	s = newScript(t)
	s.send(time.Second, SendRequest{Params: day(5), RequestID: "r1"})
	s.send(2*time.Second, SendRequest{Params: day(6)})
	next = s.run(next.withSendsPerRun(1))
	require.True(t, s.sent[0].Duplicate)
	require.Equal(t, int64(4), s.sent[1].Instance.Seq)
	require.Equal(t, int64(4), next.LastSeq)
}

func (st State) withSendsPerRun(n int) State {
	st.Options.SendsPerRun = n
	return st
}

func TestStoreContinueAsNewKeepsState(t *testing.T) {
	s := newScript(t)
	s.send(time.Second, SendRequest{Params: day(1)})
	s.send(2*time.Second, SendRequest{Params: day(2)})
	first := s.run(State{Name: "s", Options: Options{SendsPerRun: 2}})
	require.Equal(t, int64(2), first.LastSeq)
	require.Equal(t, Options{MaxInstances: 10000, KeepNewest: 100, Retention: 7 * 24 * time.Hour, MaxStateBytes: 1 << 20, SendsPerRun: 2}, first.Options)

	s = newScript(t)
	s.list(time.Second, ListRequest{})
	s.match(time.Second, MatchRequest{Match: []MatchParam{{Name: "vtts_utc_dateint", Operator: Equal, Value: Long(20260101)}}})
	s.send(2*time.Second, SendRequest{Params: day(3)})
	s.send(3*time.Second, SendRequest{Params: day(4)})
	second := s.run(first)
	require.Equal(t, []int64{2, 1}, seqs(s.lists[0]))
	require.Equal(t, int64(1), s.matches[0].Seq)
	require.Equal(t, []int64{3, 4}, seqs(sentInstances(s.sent)))
	require.Equal(t, []int64{1, 2, 3, 4}, seqs(second.Instances))
}

func TestStoreRetention(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		at   []time.Duration
		want []int64
	}{
		{"max instances drop the oldest", Options{MaxInstances: 3}, []time.Duration{1, 2, 3, 4, 5}, []int64{3, 4, 5}},
		{"retention drops old ones", Options{Retention: time.Hour, KeepNewest: 1}, []time.Duration{1, 2, 3 * time.Hour}, []int64{3}},
		{"keep newest whatever their age", Options{Retention: time.Hour, KeepNewest: 2}, []time.Duration{1, 2, 3, 3 * time.Hour}, []int64{3, 4}},
		{"the byte budget drops the oldest, whatever KeepNewest", Options{MaxStateBytes: 3 * 230, KeepNewest: 10}, []time.Duration{1, 2, 3, 4, 5}, []int64{3, 4, 5}},
		{"young ones stay", Options{Retention: time.Hour, KeepNewest: 1}, []time.Duration{1, 30 * time.Minute, 40 * time.Minute}, []int64{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScript(t)
			for i, at := range tt.at {
				s.send(at+time.Duration(i)*time.Millisecond, SendRequest{Params: day(int64(i))})
			}
			tt.opts.SendsPerRun = len(tt.at)
			next := s.run(State{Name: "s", Options: tt.opts})
			require.Equal(t, tt.want, seqs(next.Instances))
			require.Equal(t, int64(len(tt.at)), next.LastSeq, "sequence ids never go back")
		})
	}
}

func TestStoreValidatorRefuses(t *testing.T) {
	s := newScript(t)
	s.send(time.Second, SendRequest{Payload: []byte(`{"a":1}`), Params: map[string]Value{"": Long(1)}})
	s.send(2*time.Second, SendRequest{Params: day(1)})
	next := s.run(State{Name: "s", Options: Options{SendsPerRun: 1}})
	require.Len(t, s.refused, 1)
	require.ErrorContains(t, s.refused[0], `param name "" must be 1 to 128 bytes`)
	require.Equal(t, []int64{1}, seqs(next.Instances), "a refused send stores nothing")
}

func TestStoreQueryRefusesBadMatch(t *testing.T) {
	s := newScript(t)
	s.env.RegisterDelayedCallback(func() {
		_, err := s.env.QueryWorkflow(QueryList, ListRequest{Match: []MatchParam{{Name: "a", Operator: "~"}}})
		require.ErrorContains(t, err, `operator "~"`)
		_, err = s.env.QueryWorkflow(QueryList, ListRequest{Limit: maxListLimit + 1})
		require.ErrorContains(t, err, "list limit 1001")
	}, time.Second)
	s.send(2*time.Second, SendRequest{})
	s.run(State{Name: "s", Options: Options{SendsPerRun: 1}})
}
