package workflows

import "time"

// SetIterationsPerRun lowers the loop workflows' continue-as-new interval
// for a test; call the returned func to restore it.
func SetIterationsPerRun(n int) (restore func()) {
	old := iterationsPerRun
	iterationsPerRun = n
	return func() { iterationsPerRun = old }
}

// SetPermitsProbe sets the permits workflow's probe interval and its
// back-off cap for a test; call the returned func to restore them.
func SetPermitsProbe(interval, maxInterval time.Duration) (restore func()) {
	oldI, oldM := permitsProbeInterval, permitsProbeMax
	permitsProbeInterval, permitsProbeMax = interval, maxInterval
	return func() { permitsProbeInterval, permitsProbeMax = oldI, oldM }
}

// ChangeLostAttemptIsPlatformError is the change id of the heartbeat
// timeout's retry class, for tests that pin its version.
const ChangeLostAttemptIsPlatformError = changeLostAttemptIsPlatformError

// CountDetailsRenders counts the renders of runs' current details from now
// on; call restore to stop.
func CountDetailsRenders() (renders *int, restore func()) {
	renders = new(int)
	detailsRenders = renders
	return renders, func() { detailsRenders = nil }
}

// MakeCompact makes s write the compact encoding, as a run's own State
// does when its input asked for it.
func MakeCompact(s *State) { s.compact = true }

// SetMaxLocalInFlight lowers the local activities a foreach keeps in flight
// in one workflow before it runs in shards; call the returned func to
// restore it.
func SetMaxLocalInFlight(n int) (restore func()) {
	old := maxLocalInFlight
	maxLocalInFlight = n
	return func() { maxLocalInFlight = old }
}

// ShardCount is how many shards a new foreach loop with this input runs in.
func ShardCount(in *ForeachInput) int { return in.shardCount() }

// ShardInput is the input of shard k (0-based) of s of a foreach loop.
func ShardInput(in *ForeachInput, loopID string, k, s int) ForeachInput {
	return in.shardInput(loopID, k, s)
}

// Launches lists the iterations a loop (or shard) launches, in order.
func Launches(in *ForeachInput) []int {
	out := make([]int, in.positions())
	for p := range out {
		out[p] = in.iteration(p)
	}
	return out
}

// MarshalStateReflect and UnmarshalStateReflect are the State's codecs by
// encoding/json, the hand-written ones' reference (payload.go), for
// benchmarks that compare the two in one run.
func MarshalStateReflect(s *State) ([]byte, error) { return marshalStateReflect(s) }

func UnmarshalStateReflect(b []byte, s *State) error { return unmarshalStateReflect(b, s) }
