package client

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

// TestNoStoreReads: a read that found no breakpoint store is trusted for
// BreakpointLease from when it was sent, not after; a store found (or set
// by this client) drops it; expired reads are pruned.
func TestNoStoreReads(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		steps  func(n *noStoreReads)
		at     time.Duration // since t0, when fresh is asked
		wantOK bool
		renew  bool
	}{
		{name: "never read", steps: func(*noStoreReads) {}, at: 0},
		{name: "read just now", steps: func(n *noStoreReads) { n.remember("w", t0, t0) }, at: 0, wantOK: true},
		{name: "read within the lease", steps: func(n *noStoreReads) { n.remember("w", t0, t0) }, at: BreakpointLease - time.Nanosecond, wantOK: true, renew: true},
		{name: "read not yet to renew", steps: func(n *noStoreReads) { n.remember("w", t0, t0) }, at: readAheadAge - time.Nanosecond, wantOK: true},
		{name: "read to renew", steps: func(n *noStoreReads) { n.remember("w", t0, t0) }, at: readAheadAge, wantOK: true, renew: true},
		{name: "read a lease ago", steps: func(n *noStoreReads) { n.remember("w", t0, t0) }, at: BreakpointLease, renew: true},
		{name: "another workflow id", steps: func(n *noStoreReads) { n.remember("v", t0, t0) }, at: 0},
		{name: "forgotten: the store exists", steps: func(n *noStoreReads) { n.remember("w", t0, t0); n.forget("w") }, at: 0},
		{name: "counted from when the read was sent", steps: func(n *noStoreReads) {
			n.remember("w", t0.Add(-BreakpointLease/2), t0)
		}, at: BreakpointLease / 2, renew: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n noStoreReads
			tt.steps(&n)
			ok, renew := n.fresh("w", t0.Add(tt.at))
			require.Equal(t, tt.wantOK, ok)
			require.Equal(t, tt.renew, renew)
		})
	}
	t.Run("pruned", func(t *testing.T) {
		var n noStoreReads
		n.remember("old", t0, t0)
		later := t0.Add(BreakpointLease)
		for i := 1; i < pruneEvery; i++ {
			n.remember(fmt.Sprint("w", i), later, later)
		}
		_, kept := n.at.Load("old")
		require.False(t, kept, "an expired read is dropped on the %dth remember", pruneEvery)
		_, kept = n.at.Load("w1")
		require.True(t, kept)
	})
}

// queryClient is a Temporal client whose QueryWorkflow (the breakpoint
// store's read) waits for release and answers that no store exists.
type queryClient struct {
	sdkclient.Client
	asked   chan string
	release chan struct{}
}

func (q *queryClient) QueryWorkflow(_ context.Context, id, _, _ string, _ ...any) (converter.EncodedValue, error) {
	q.asked <- id
	<-q.release
	return nil, serviceerror.NewNotFound("no store")
}

// TestReadAhead: a start that finds the trusted read young reads nothing;
// one that finds it readAheadAge old reads nothing either and has the read
// renewed in the background, once however many starts find it meanwhile;
// one that finds it expired reads the store itself, as before.
func TestReadAhead(t *testing.T) {
	tests := []struct {
		name     string
		age      time.Duration
		starts   int
		wantRead bool // the start itself read the store
		ahead    bool // a read ahead ran
	}{
		{name: "young", age: 0, starts: 3},
		{name: "to renew", age: readAheadAge + BreakpointLease/8, starts: 3, ahead: true},
		{name: "expired", age: BreakpointLease, starts: 1, wantRead: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &queryClient{asked: make(chan string, 10), release: make(chan struct{})}
			c := New(q, Options{})
			read := time.Now().Add(-tt.age)
			c.noStore.remember("w", read, read)
			if tt.wantRead {
				close(q.release) // the start waits for its own read
			}
			started := make(chan workflows.RunInput, tt.starts)
			go func() {
				for range tt.starts {
					in := workflows.RunInput{Plan: &translator.Plan{WorkflowID: "w"}}
					c.readBreakpoints(context.Background(), &in)
					started <- in
				}
			}()
			for range tt.starts {
				select {
				case in := <-started:
					require.True(t, in.BreakpointsRead, "every start is told the store's content")
					require.Empty(t, in.Breakpoints)
				case <-time.After(10 * time.Second):
					require.FailNow(t, "a start waits for a read it need not make")
				}
			}
			if tt.wantRead {
				require.Len(t, q.asked, 1)
				require.Equal(t, workflows.BreakpointsWorkflowID("w"), <-q.asked)
				return
			}
			if !tt.ahead {
				require.Empty(t, q.asked)
				return
			}
			// The starts returned while the read ahead waits: they did not
			// wait for it.
			select {
			case id := <-q.asked:
				require.Equal(t, workflows.BreakpointsWorkflowID("w"), id)
			case <-time.After(10 * time.Second):
				require.FailNow(t, "no read ahead")
			}
			close(q.release)
			require.Eventually(t, func() bool {
				v, _ := c.noStore.at.Load("w")
				_, busy := c.noStore.ahead.Load("w")
				return v.(time.Time).After(read) && !busy
			}, 10*time.Second, time.Millisecond, "the read ahead renews the lease")
			require.Empty(t, q.asked, "one read ahead for the starts that found the read to renew")
		})
	}
}
