package workflows

// SetIterationsPerRun lowers the loop workflows' continue-as-new interval
// for a test; call the returned func to restore it.
func SetIterationsPerRun(n int) (restore func()) {
	old := iterationsPerRun
	iterationsPerRun = n
	return func() { iterationsPerRun = old }
}
