package client

import (
	"sync"
	"sync/atomic"
	"time"
)

// BreakpointLease is how long a client trusts a read of a workflow id's
// breakpoint store that found no store: its starts of that workflow id in
// that time read nothing (most workflow ids have no store, and the read is
// a round trip to the server per start). SetBreakpoint returns only once
// BreakpointLease has passed since it stored the breakpoint, so a start
// that follows a set, in this process or any other, reads the store again.
// Clients of one namespace must agree on it.
const BreakpointLease = 2 * time.Second

// noStoreReads remembers, per workflow id, when the latest read that found
// no breakpoint store was sent.
type noStoreReads struct {
	at     sync.Map // workflow id -> time.Time
	stores atomic.Uint32
	// ahead: workflow ids whose read ahead is in flight (readAhead).
	ahead sync.Map
}

// readAheadAge is the age at which a trusted read is renewed in the
// background by the start that finds it (Client.readBreakpoints), so that
// a workflow id started steadily never waits for the read.
const readAheadAge = BreakpointLease / 2

// pruneEvery: every this many remembered reads, expired ones are dropped,
// so a client that starts many workflow ids keeps only recent ones.
const pruneEvery = 1024

// fresh reports whether a read that found no store for workflowID was sent
// less than BreakpointLease before now; renew, that it was sent
// readAheadAge or more before now.
func (n *noStoreReads) fresh(workflowID string, now time.Time) (ok, renew bool) {
	v, ok := n.at.Load(workflowID)
	if !ok {
		return false, false
	}
	age := now.Sub(v.(time.Time))
	return age < BreakpointLease, age >= readAheadAge
}

// remember records a read, sent at sent, that found no store; now is the
// time it returned.
func (n *noStoreReads) remember(workflowID string, sent, now time.Time) {
	n.at.Store(workflowID, sent)
	if n.stores.Add(1)%pruneEvery == 0 {
		n.at.Range(func(k, v any) bool {
			if now.Sub(v.(time.Time)) >= BreakpointLease {
				n.at.CompareAndDelete(k, v)
			}
			return true
		})
	}
}

// forget drops what was remembered of workflowID: it has a store.
func (n *noStoreReads) forget(workflowID string) { n.at.Delete(workflowID) }
