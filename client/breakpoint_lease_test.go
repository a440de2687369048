package client

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
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
	}{
		{name: "never read", steps: func(*noStoreReads) {}, at: 0},
		{name: "read just now", steps: func(n *noStoreReads) { n.remember("w", t0, t0) }, at: 0, wantOK: true},
		{name: "read within the lease", steps: func(n *noStoreReads) { n.remember("w", t0, t0) }, at: BreakpointLease - time.Nanosecond, wantOK: true},
		{name: "read a lease ago", steps: func(n *noStoreReads) { n.remember("w", t0, t0) }, at: BreakpointLease},
		{name: "another workflow id", steps: func(n *noStoreReads) { n.remember("v", t0, t0) }, at: 0},
		{name: "forgotten: the store exists", steps: func(n *noStoreReads) { n.remember("w", t0, t0); n.forget("w") }, at: 0},
		{name: "counted from when the read was sent", steps: func(n *noStoreReads) {
			n.remember("w", t0.Add(-BreakpointLease/2), t0)
		}, at: BreakpointLease / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n noStoreReads
			tt.steps(&n)
			require.Equal(t, tt.wantOK, n.fresh("w", t0.Add(tt.at)))
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
