package workflows_test

import (
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	W "github.com/batonhq/baton/workflows"
)

// permitsHarness runs the permits workflow alone: requesters are played
// by signals, and the grants, notices and probes it sends them are
// recorded by a mock, which fails those to runs listed in closed.
type permitsHarness struct {
	env    *testsuite.TestWorkflowEnvironment
	mu     sync.Mutex
	sent   []sentGrant
	closed map[string]bool // requester ids whose runs have closed
	seq    int64
}

// sentGrant is a message to a requester: a grant (N > 0), or a notice
// that others wait or a probe (N == 0).
type sentGrant struct {
	To      string
	N       int
	Seq     int64
	Waiting bool
	stamp   int64
}

var owner = holder("root")

func newPermitsHarness() *permitsHarness {
	var suite testsuite.WorkflowTestSuite
	h := &permitsHarness{env: suite.NewTestWorkflowEnvironment(), closed: map[string]bool{}}
	h.env.RegisterWorkflowWithOptions(W.Permits, workflow.RegisterOptions{Name: W.PermitsWorkflowName})
	h.env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, mock.Anything, W.SignalPermitsGrant, mock.Anything).Return(
		func(_, id, runID, _ string, arg any) error {
			g := arg.(W.PermitGrant)
			h.mu.Lock()
			defer h.mu.Unlock()
			to := id
			if runID != id+"-run" {
				to += " (wrong run " + runID + ")" // grants go to the requester's run
			}
			h.sent = append(h.sent, sentGrant{To: to, N: g.N, Seq: g.Seq, Waiting: g.Waiting, stamp: g.Stamp})
			if h.closed[id] {
				return &temporal.UnknownExternalWorkflowExecutionError{}
			}
			return nil
		})
	return h
}

func holder(id string) W.PermitHolder { return W.PermitHolder{ID: id, RunID: id + "-run"} }

// at sends a request from id at workflow time d.
func (h *permitsHarness) at(d time.Duration, id string, m W.PermitRequest) {
	h.env.RegisterDelayedCallback(func() {
		h.seq++
		m.From, m.Seq = holder(id), h.seq
		h.env.SignalWorkflow(W.SignalPermitsRequest, m)
	}, d)
}

// messages returns the messages sent, in the order of their stamps: the
// order the workflow sent them in (the mock sees signals sent at once in
// any order, as requesters may).
func (h *permitsHarness) messages(t *testing.T) []sentGrant {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := append([]sentGrant(nil), h.sent...)
	sort.Slice(out, func(i, j int) bool { return out[i].stamp < out[j].stamp })
	for i := range out {
		if i > 0 {
			require.Greater(t, out[i].stamp, out[i-1].stamp, "stamps are unique")
		}
		out[i].stamp = 0
	}
	return out
}

// lastStamp is the stamp of the last message sent.
func (h *permitsHarness) lastStamp() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	var last int64
	for _, m := range h.sent {
		last = max(last, m.stamp)
	}
	return last
}

// TestPermitsFIFO: asks are served oldest first, partly when fewer
// permits are free; returns free them for the next; the workflow ends once
// its owner has left and nothing is held or asked.
func TestPermitsFIFO(t *testing.T) {
	h := newPermitsHarness()
	h.at(1*time.Second, "a", W.PermitRequest{Ask: 1})
	h.at(2*time.Second, "b", W.PermitRequest{Ask: 2})
	h.at(3*time.Second, "c", W.PermitRequest{Ask: 1})
	h.at(4*time.Second, "a", W.PermitRequest{Return: 1})
	h.at(5*time.Second, "b", W.PermitRequest{Return: 2})
	h.at(6*time.Second, owner.ID, W.PermitRequest{Leave: true})
	h.at(7*time.Second, "c", W.PermitRequest{Return: 1})
	h.env.ExecuteWorkflow(W.PermitsWorkflowName, W.PermitsInput{Cap: 2, Owner: owner})
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	require.Equal(t, []sentGrant{
		{To: "a", N: 1, Seq: 1},
		{To: "b", N: 1, Seq: 2},                // one free: b's ask of 2 is granted in part
		{To: "a", Waiting: true},               // b waits: a must give back what it is done with
		{To: "b", Waiting: true},               // and so must b, once c waits
		{To: "b", N: 1, Seq: 2, Waiting: true}, // a's return completes b's ask; c still waits
		{To: "c", N: 1, Seq: 3},
	}, h.messages(t))
}

// TestPermitsLeaveWithdraws: a requester that leaves (its run ended or
// was cancelled) gives back what it holds and withdraws its asks.
func TestPermitsLeaveWithdraws(t *testing.T) {
	h := newPermitsHarness()
	h.at(1*time.Second, "a", W.PermitRequest{Ask: 2})
	h.at(2*time.Second, "b", W.PermitRequest{Ask: 1})
	h.at(3*time.Second, "c", W.PermitRequest{Ask: 1})
	h.at(4*time.Second, "b", W.PermitRequest{Leave: true}) // b's ask is withdrawn
	h.at(5*time.Second, "a", W.PermitRequest{Leave: true}) // a's two permits come back
	h.at(6*time.Second, owner.ID, W.PermitRequest{Leave: true})
	h.at(7*time.Second, "c", W.PermitRequest{Return: 1})
	h.env.ExecuteWorkflow(W.PermitsWorkflowName, W.PermitsInput{Cap: 2, Owner: owner})
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	require.Equal(t, []sentGrant{{To: "a", N: 2, Seq: 1}, {To: "a", Waiting: true}, {To: "c", N: 1, Seq: 3}}, h.messages(t))
}

// TestPermitsLimit: an ask with a stricter limit is granted only while
// fewer permits than its limit are held, and blocks the asks behind it.
func TestPermitsLimit(t *testing.T) {
	h := newPermitsHarness()
	h.at(1*time.Second, "a", W.PermitRequest{Ask: 1})
	h.at(2*time.Second, "sub", W.PermitRequest{Ask: 1, Limit: 1})
	h.at(3*time.Second, "b", W.PermitRequest{Ask: 1})
	h.at(4*time.Second, "a", W.PermitRequest{Return: 1})
	h.at(5*time.Second, owner.ID, W.PermitRequest{Leave: true})
	h.at(6*time.Second, "sub", W.PermitRequest{Leave: true})
	h.at(7*time.Second, "b", W.PermitRequest{Leave: true})
	h.env.ExecuteWorkflow(W.PermitsWorkflowName, W.PermitsInput{Cap: 3, Owner: owner})
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	require.Equal(t, []sentGrant{{To: "a", N: 1, Seq: 1}, {To: "a", Waiting: true}, {To: "sub", N: 1, Seq: 2}, {To: "b", N: 1, Seq: 3}}, h.messages(t))
}

// TestPermitsReclaim: permits of a run that closed without giving them
// back come back, whether a grant to it fails or a probe finds it closed
// while others wait; a closed owner lets the workflow end.
func TestPermitsReclaim(t *testing.T) {
	defer W.SetPermitsProbe(time.Minute, 4*time.Minute)()
	h := newPermitsHarness()
	h.closed["gone"] = true
	h.at(1*time.Second, "gone", W.PermitRequest{Ask: 1}) // closed before its grant arrives
	h.at(2*time.Second, "a", W.PermitRequest{Ask: 1})
	h.at(3*time.Second, "b", W.PermitRequest{Ask: 1}) // waits for a, which is terminated
	h.env.RegisterDelayedCallback(func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.closed["a"] = true
		h.closed[owner.ID] = true
	}, 10*time.Second)
	h.at(150*time.Second, "b", W.PermitRequest{Return: 1})
	h.env.ExecuteWorkflow(W.PermitsWorkflowName, W.PermitsInput{Cap: 1, Owner: owner})
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	require.Equal(t, []sentGrant{
		{To: "gone", N: 1, Seq: 1}, // fails: gone's permit is free again
		{To: "a", N: 1, Seq: 2},
		{To: "a", Waiting: true},
		// The first minute saw requests; after the second, quiet one, the
		// owner (it has not left: is it open?) and a, the holder b waits
		// for, are probed and found closed; b gets a's permit.
		{To: "root", Waiting: true},
		{To: "a", Waiting: true},
		{To: "b", N: 1, Seq: 3},
	}, h.messages(t))
}

// TestPermitsProbeBacksOff: while nothing happens, probes of an open owner
// come less and less often, up to the cap; any request resets the wait.
func TestPermitsProbeBacksOff(t *testing.T) {
	defer W.SetPermitsProbe(time.Minute, 4*time.Minute)()
	h := newPermitsHarness()
	h.at(1*time.Second, "a", W.PermitRequest{Ask: 1})
	// The first minute sees a's ask; then probes at 2, 4, 8, 12 and 16
	// min (waits of 1, 2, 4, 4 and 4), then the owner leaves and a returns.
	h.at(17*time.Minute, owner.ID, W.PermitRequest{Leave: true})
	h.at(17*time.Minute+time.Second, "a", W.PermitRequest{Return: 1})
	h.env.ExecuteWorkflow(W.PermitsWorkflowName, W.PermitsInput{Cap: 1, Owner: owner})
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	root := sentGrant{To: "root"}
	require.Equal(t, []sentGrant{{To: "a", N: 1, Seq: 1}, root, root, root, root, root}, h.messages(t),
		"only the open owner is probed: nobody waits for a")
}

// TestPermitsContinueAsNew: past its history budget the permits workflow
// continues as new with its holders and queue.
func TestPermitsContinueAsNew(t *testing.T) {
	h := newPermitsHarness()
	h.at(1*time.Second, "a", W.PermitRequest{Ask: 2})
	h.at(2*time.Second, "b", W.PermitRequest{Ask: 1, Limit: 5})
	h.env.RegisterDelayedCallback(func() { h.env.SetCurrentHistoryLength(10000) }, 3*time.Second)
	// The next request finds the budget spent: it is queued, not granted,
	// and carried over.
	h.at(4*time.Second, "c", W.PermitRequest{Ask: 1})
	h.env.ExecuteWorkflow(W.PermitsWorkflowName, W.PermitsInput{Cap: 2, Owner: owner})
	require.True(t, h.env.IsWorkflowCompleted())
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(h.env.GetWorkflowError(), &can), "%v", h.env.GetWorkflowError())
	require.Equal(t, W.PermitsWorkflowName, can.WorkflowType.Name)
	var next W.PermitsInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	require.Equal(t, W.PermitsInput{
		Cap: 2, Owner: owner,
		Holders: []W.PermitCount{{PermitHolder: holder("a"), N: 2}},
		Queue:   []W.PermitAsk{{From: holder("b"), N: 1, Limit: 5, Seq: 2}, {From: holder("c"), N: 1, Seq: 3}},
		Stamp:   h.lastStamp(),
	}, next)
	require.Equal(t, []sentGrant{{To: "a", N: 2, Seq: 1}, {To: "a", Waiting: true}}, h.messages(t))
}
