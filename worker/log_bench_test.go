package worker

import (
	"testing"

	"go.temporal.io/sdk/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// BenchmarkLoggerWith is the SDK's log.With on every local activity (the
// six key/value pairs WithLocalActivityTask adds), on a no-op logger and on
// one that logs at info level and above; nothing is logged.
func BenchmarkLoggerWith(b *testing.B) {
	core, _ := observer.New(zapcore.InfoLevel)
	for _, bc := range []struct {
		name string
		z    *zap.Logger
	}{{"nop", nil}, {"info", zap.New(core)}} {
		b.Run(bc.name, func(b *testing.B) {
			l := NewLogger(bc.z)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_ = log.With(l, "ActivityID", "17", "ActivityType", "baton.RunStep", "Attempt", int32(1),
					"WorkflowType", "baton.Run", "WorkflowID", "bench-chain-300-1a2b", "RunID", "0193a5b4-7c1d-7e2f-8a9b-0c1d2e3f4a5b")
			}
		})
	}
}
