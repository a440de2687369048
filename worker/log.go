package worker

import (
	"fmt"
	"slices"
	"sync"

	"go.temporal.io/sdk/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// NewLogger adapts a zap logger to the SDK's logger interface; pass it as
// client.Options.Logger so the worker, the interpreter and the step
// activities all log through zap.
func NewLogger(z *zap.Logger) log.Logger {
	if z == nil {
		z = zap.NewNop()
	}
	return &zapLogger{base: z.WithOptions(zap.AddCallerSkip(1))}
}

// zapLogger is base with the key/value pairs kv that With added, which
// become zap fields (once, in built) at the first message a level lets
// through: the SDK calls With with six pairs on every local activity, and
// almost none of those loggers ever logs.
type zapLogger struct {
	base  *zap.Logger
	kv    []any
	once  sync.Once
	built *zap.Logger
}

func fields(keyvals []any) []zap.Field {
	fields := make([]zap.Field, 0, len(keyvals)/2+1)
	for i := 0; i < len(keyvals); i += 2 {
		key, ok := keyvals[i].(string)
		if !ok {
			key = fmt.Sprint(keyvals[i])
		}
		if i+1 == len(keyvals) {
			fields = append(fields, zap.Any("EXTRA_VALUE", keyvals[i]))
			break
		}
		fields = append(fields, zap.Any(key, keyvals[i+1]))
	}
	return fields
}

// logger is base with kv's fields.
func (l *zapLogger) logger() *zap.Logger {
	l.once.Do(func() {
		l.built = l.base
		if len(l.kv) > 0 {
			l.built = l.base.With(fields(l.kv)...)
		}
	})
	return l.built
}

// log checks the level first: the SDK logs at debug level on every local
// activity and timer, and building fields for a disabled level is waste.
// (A zap core's With keeps its levels, so base's core decides.)
func (l *zapLogger) log(level zapcore.Level, msg string, keyvals []any) {
	if !l.base.Core().Enabled(level) {
		return
	}
	if ce := l.logger().Check(level, msg); ce != nil {
		ce.Write(fields(keyvals)...)
	}
}

func (l *zapLogger) Debug(msg string, keyvals ...any) { l.log(zapcore.DebugLevel, msg, keyvals) }
func (l *zapLogger) Info(msg string, keyvals ...any)  { l.log(zapcore.InfoLevel, msg, keyvals) }
func (l *zapLogger) Warn(msg string, keyvals ...any)  { l.log(zapcore.WarnLevel, msg, keyvals) }
func (l *zapLogger) Error(msg string, keyvals ...any) { l.log(zapcore.ErrorLevel, msg, keyvals) }

// With returns a logger with the given key/value pairs attached (as
// fields, at its first message).
func (l *zapLogger) With(keyvals ...any) log.Logger {
	if len(keyvals) == 0 {
		return l
	}
	return &zapLogger{base: l.base, kv: append(slices.Clip(l.kv), keyvals...)}
}
