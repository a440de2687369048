package workflows

// SetIterationsPerRun lowers the loop workflows' continue-as-new interval
// for a test; call the returned func to restore it.
func SetIterationsPerRun(n int) (restore func()) {
	old := iterationsPerRun
	iterationsPerRun = n
	return func() { iterationsPerRun = old }
}

// ChangeLostAttemptIsPlatformError is the change id of the heartbeat
// timeout's retry class, for tests that pin its version.
const ChangeLostAttemptIsPlatformError = changeLostAttemptIsPlatformError
