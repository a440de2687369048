package workflows_test

import (
	"testing"

	"go.temporal.io/sdk/testsuite"

	"github.com/batonhq/baton/worker"
)

// BenchmarkClientStart runs a one-step NoOp plan with the input a client
// start sends (lean start from the input, the breakpoints read by the
// starter, compact payloads) and reads its State back as Run.Wait does;
// floor is the test environment running an empty workflow with the same
// input. The difference is what the interpreter does per start in the
// worker and in the client's decode of the result.
func BenchmarkClientStart(b *testing.B) {
	in := clientInput(benchPlan(b, benchChain(1, "NoOp")))
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(worker.NewLogger(nil))
	b.Run("floor", func(b *testing.B) { benchEmpty(b, &suite, in) })
	b.Run("baton", func(b *testing.B) { benchInput(b, &suite, in, false) })
}
