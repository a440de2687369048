package worker

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// TestLoggerFields: what With attaches reaches every message a level lets
// through, in order, after the message's own fields are added; a disabled
// level logs nothing.
func TestLoggerFields(t *testing.T) {
	for _, tc := range []struct {
		name    string
		logger  func(log.Logger) log.Logger
		logInfo bool // Info, else Debug (disabled)
		want    []zap.Field
	}{
		{"no With", func(l log.Logger) log.Logger { return l }, true,
			[]zap.Field{zap.Any("k", "v")}},
		{"one With", func(l log.Logger) log.Logger { return log.With(l, "ActivityID", "7", "Attempt", int32(2)) }, true,
			[]zap.Field{zap.Any("ActivityID", "7"), zap.Any("Attempt", int32(2)), zap.Any("k", "v")}},
		{"With of a With", func(l log.Logger) log.Logger {
			return log.With(log.With(l, "Namespace", "default"), "ActivityID", "7")
		}, true, []zap.Field{zap.Any("Namespace", "default"), zap.Any("ActivityID", "7"), zap.Any("k", "v")}},
		{"a key that is not a string, an odd pair", func(l log.Logger) log.Logger { return log.With(l, 3, "three", "alone") }, true,
			[]zap.Field{zap.Any("3", "three"), zap.Any("EXTRA_VALUE", "alone"), zap.Any("k", "v")}},
		{"a disabled level", func(l log.Logger) log.Logger { return log.With(l, "ActivityID", "7") }, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			core, logs := observer.New(zapcore.InfoLevel)
			l := tc.logger(NewLogger(zap.New(core)))
			if tc.logInfo {
				l.Info("hello", "k", "v")
			} else {
				l.Debug("hello", "k", "v")
			}
			if tc.want == nil {
				require.Zero(t, logs.Len())
				return
			}
			require.Equal(t, 1, logs.Len())
			require.Equal(t, "hello", logs.All()[0].Message)
			require.Equal(t, tc.want, logs.All()[0].Context)
		})
	}
}

// TestLoggerWithShares: two loggers made by With from one logger keep
// their own pairs.
func TestLoggerWithShares(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	base := log.With(NewLogger(zap.New(core)), "a", 1, "b", 2)
	first, second := log.With(base, "c", 3), log.With(base, "d", 4)
	second.Warn("second")
	first.Error("first")
	base.Info("base")
	require.Equal(t, []zap.Field{zap.Any("a", 1), zap.Any("b", 2), zap.Any("d", 4)}, logs.All()[0].Context)
	require.Equal(t, []zap.Field{zap.Any("a", 1), zap.Any("b", 2), zap.Any("c", 3)}, logs.All()[1].Context)
	require.Equal(t, []zap.Field{zap.Any("a", 1), zap.Any("b", 2)}, logs.All()[2].Context)
}
