package signals

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// joinTrigger is a trigger over a and b joined on a.k = b.k2.
func joinTrigger() *Trigger {
	return &Trigger{WorkflowID: "wf", Version: 1, Index: 0, TaskQueue: "q", Defs: map[string]TriggerDef{
		"a": {JoinKeys: []string{"k"}},
		"b": {JoinKeys: []string{"k2"}},
	}}
}

func inst(name string, seq int64, params map[string]Value) *Instance {
	return &Instance{Name: name, Seq: seq, Params: params}
}

// firings names the instances of each firing, "a#1+b#1".
func firing(m map[string]*Instance) string {
	if m == nil {
		return ""
	}
	return m["a"].ID() + "+" + m["b"].ID()
}

func TestTriggerEntityOffer(t *testing.T) {
	k := func(v string) map[string]Value { return map[string]Value{"k": String(v)} }
	k2 := func(v string) map[string]Value { return map[string]Value{"k2": String(v)} }
	tests := []struct {
		name   string
		offers []*Instance
		want   []string // the firing each offer completes ("" none)
	}{
		{"a then b fire once", []*Instance{inst("a", 1, k("u")), inst("b", 1, k2("u"))}, []string{"", "a#1+b#1"}},
		{"a second a does not re-join a used b", []*Instance{inst("a", 1, k("u")), inst("b", 1, k2("u")), inst("a", 2, k("u"))}, []string{"", "a#1+b#1", ""}},
		{"it waits for a new b", []*Instance{inst("a", 1, k("u")), inst("b", 1, k2("u")), inst("a", 2, k("u")), inst("b", 2, k2("u"))}, []string{"", "a#1+b#1", "", "a#2+b#2"}},
		{"the oldest unused instance joins", []*Instance{inst("a", 1, k("u")), inst("a", 2, k("u")), inst("b", 1, k2("u"))}, []string{"", "", "a#1+b#1"}},
		{"older instances of the offered signal are used up", []*Instance{inst("a", 1, k("u")), inst("a", 2, k("u")), inst("b", 1, k2("u")), inst("b", 2, k2("u"))}, []string{"", "", "a#1+b#1", "a#2+b#2"}},
		{"join values must be equal", []*Instance{inst("a", 1, k("u")), inst("b", 1, k2("v")), inst("a", 2, k("v"))}, []string{"", "", "a#2+b#1"}},
		{"a repeated offer is ignored", []*Instance{inst("a", 1, k("u")), inst("b", 1, k2("u")), inst("b", 1, k2("u")), inst("a", 1, k("u"))}, []string{"", "a#1+b#1", "", ""}},
		{"no join value: no firing", []*Instance{inst("b", 1, k2("u")), inst("a", 1, nil)}, []string{"", ""}},
		{"another trigger's signal is ignored", []*Instance{inst("c", 1, k("u")), inst("b", 1, k2("u"))}, []string{"", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &triggerEntity{TriggerState: TriggerState{Trigger: joinTrigger(), Checkpoints: map[string]int64{}, Candidates: map[string][]*Instance{}}}
			var got []string
			for _, in := range tc.offers {
				got = append(got, firing(e.offer(in)))
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestTriggerEntityBounds(t *testing.T) {
	e := &triggerEntity{TriggerState: TriggerState{Trigger: joinTrigger(), Checkpoints: map[string]int64{}, Candidates: map[string][]*Instance{}}}
	for i := int64(1); i <= MaxCandidates+5; i++ {
		require.Nil(t, e.offer(&Instance{Name: "a", Seq: i, Params: map[string]Value{"k": Long(i)}, Payload: []byte(`{"x":1}`)}))
	}
	require.Len(t, e.Candidates["a"], MaxCandidates)
	require.Equal(t, int64(6), e.Candidates["a"][0].Seq, "the oldest go first")
	require.Nil(t, e.Candidates["a"][0].Payload, "payloads are not kept")
	require.Nil(t, e.offer(inst("b", 1, map[string]Value{"k2": Long(3)})), "a dropped candidate no longer joins")
	require.Equal(t, "a#7+b#2", firing(e.offer(inst("b", 2, map[string]Value{"k2": Long(7)}))))

	big := &triggerEntity{TriggerState: TriggerState{Trigger: joinTrigger(), Checkpoints: map[string]int64{}, Candidates: map[string][]*Instance{}}}
	long := map[string]Value{}
	for i := range MaxParams {
		long[string(rune('a'+i%26))+string(rune('a'+i/26))] = String(string(make([]byte, MaxStringBytes)))
	}
	for i := int64(1); i <= 100; i++ {
		big.offer(&Instance{Name: "a", Seq: i, Params: long})
	}
	total := 0
	for _, in := range big.Candidates["a"] {
		total += in.size()
	}
	require.LessOrEqual(t, total, maxCandidateBytes)
	require.Equal(t, int64(100), big.Candidates["a"][len(big.Candidates["a"])-1].Seq)
}

// TestTriggerEntityWorkflow offers instances to the entity and checks
// what it admits, and that the checkpoints and candidates survive
// continue-as-new: the next run still refuses to re-join a used b and
// joins the a left unused.
func TestTriggerEntityWorkflow(t *testing.T) {
	run := func(st TriggerState, offers []*Instance) (TriggerState, []string) {
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestWorkflowEnvironment()
		env.RegisterWorkflowWithOptions(TriggerEntity, workflow.RegisterOptions{Name: TriggerWorkflowName})
		var admitted []string
		env.RegisterActivityWithOptions(func(_ context.Context, req AdmitRequest) (AdmitResult, error) {
			admitted = append(admitted, firing(req.Matched))
			return AdmitResult{}, nil
		}, activity.RegisterOptions{Name: AdmitActivityName})
		for i, in := range offers {
			env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalOffer, in) }, time.Duration(i+1)*time.Second)
		}
		env.ExecuteWorkflow(TriggerWorkflowName, st)
		require.True(t, env.IsWorkflowCompleted())
		var can *workflow.ContinueAsNewError
		require.True(t, errors.As(env.GetWorkflowError(), &can), "want continue-as-new, got %v", env.GetWorkflowError())
		var next TriggerState
		require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
		return next, admitted
	}
	u := func(key string) map[string]Value { return map[string]Value{key: String("u")} }
	st, admitted := run(TriggerState{Trigger: joinTrigger(), OffersPerRun: 3},
		[]*Instance{inst("a", 1, u("k")), inst("b", 1, u("k2")), inst("a", 2, u("k"))})
	require.Equal(t, []string{"a#1+b#1"}, admitted)
	require.Equal(t, map[string]int64{"a": 1, "b": 1}, st.Checkpoints)
	require.Equal(t, []int64{2}, seqs(st.Candidates["a"]))
	require.Equal(t, int64(1), st.Fired)

	st, admitted = run(st, []*Instance{inst("b", 1, u("k2")), inst("b", 2, u("k2")), inst("a", 3, u("k"))})
	require.Equal(t, []string{"a#2+b#2"}, admitted, "after continue-as-new: b#1 stays used, a#2 joins b#2")
	require.Equal(t, map[string]int64{"a": 2, "b": 2}, st.Checkpoints)
	require.Equal(t, []int64{3}, seqs(st.Candidates["a"]))
}

// TestTriggerEntityEndsWhenInactive: the admit activity reports the
// version inactive, and the entity ends instead of continuing.
func TestTriggerEntityEndsWhenInactive(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(TriggerEntity, workflow.RegisterOptions{Name: TriggerWorkflowName})
	env.RegisterActivityWithOptions(func(context.Context, AdmitRequest) (AdmitResult, error) {
		return AdmitResult{Inactive: true}, nil
	}, activity.RegisterOptions{Name: AdmitActivityName})
	u := func(key string) map[string]Value { return map[string]Value{key: String("u")} }
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalOffer, inst("a", 1, u("k"))) }, time.Second)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalOffer, inst("b", 1, u("k2"))) }, 2*time.Second)
	env.ExecuteWorkflow(TriggerWorkflowName, TriggerState{Trigger: joinTrigger()})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
}

// TestTriggerEntityIdleCheck: with no offers, the entity asks every
// IdleCheck whether its version is still active; it keeps waiting while
// it is, and ends (keeping its state until then) once it is not.
func TestTriggerEntityIdleCheck(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(TriggerEntity, workflow.RegisterOptions{Name: TriggerWorkflowName})
	checks := 0
	env.RegisterActivityWithOptions(func(_ context.Context, req AdmitRequest) (AdmitResult, error) {
		require.Empty(t, req.Matched, "only idle checks: nothing was offered")
		checks++
		return AdmitResult{Inactive: checks == 3}, nil
	}, activity.RegisterOptions{Name: AdmitActivityName})
	start := env.Now()
	env.ExecuteWorkflow(TriggerWorkflowName, TriggerState{Trigger: joinTrigger(), IdleCheck: time.Hour})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, 3, checks)
	require.GreaterOrEqual(t, env.Now().Sub(start), 3*time.Hour)
}

// TestStoreOffersInOrder: one trigger's offers from a store run one at a
// time, oldest first, so its entity joins oldest first; another
// trigger's offers run beside them.
func TestStoreOffersInOrder(t *testing.T) {
	s := newScript(t)
	var mu sync.Mutex
	var order []string
	running := map[int]int{}
	maxRunning := map[int]int{}
	s.env.RegisterActivityWithOptions(func(_ context.Context, req FireRequest) error {
		mu.Lock()
		order = append(order, fmt.Sprintf("%d:%s", req.Trigger.Index, req.Instance.ID()))
		running[req.Trigger.Index]++
		maxRunning[req.Trigger.Index] = max(maxRunning[req.Trigger.Index], running[req.Trigger.Index])
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		running[req.Trigger.Index]--
		mu.Unlock()
		return nil
	}, activity.RegisterOptions{Name: FireActivityName})
	trig := func(i int) *Trigger {
		return &Trigger{WorkflowID: "wf", Version: 1, Index: i, TaskQueue: "q", Defs: map[string]TriggerDef{"db/a": {}, "db/b": {}}}
	}
	s.env.RegisterDelayedCallback(func() {
		s.env.UpdateWorkflow(UpdateTriggers, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(err error) { require.NoError(t, err) },
			OnComplete: func(_ any, err error) { require.NoError(t, err) },
		}, TriggersRequest{WorkflowID: "wf", Triggers: []*Trigger{trig(0), trig(1)}})
	}, time.Second)
	for i := range 4 {
		s.send(2*time.Second, SendRequest{Params: map[string]Value{"n": Long(int64(i))}})
	}
	next := s.run(State{Name: "db/a", Options: Options{SendsPerRun: 4}})
	require.Len(t, next.Triggers, 2)
	var per [2][]string
	for _, o := range order {
		per[o[0]-'0'] = append(per[o[0]-'0'], o[2:])
	}
	want := []string{"db/a#1", "db/a#2", "db/a#3", "db/a#4"}
	require.Equal(t, want, per[0])
	require.Equal(t, want, per[1])
	require.Equal(t, map[int]int{0: 1, 1: 1}, maxRunning, "one offer at a time per trigger")
}
