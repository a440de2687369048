package worker

import (
	"fmt"

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
	return &zapLogger{z: z.WithOptions(zap.AddCallerSkip(1))}
}

type zapLogger struct{ z *zap.Logger }

func (l *zapLogger) fields(keyvals []any) []zap.Field {
	fields := make([]zap.Field, 0, len(keyvals)/2+1)
	for i := 0; i < len(keyvals); i += 2 {
		key := fmt.Sprint(keyvals[i])
		if i+1 == len(keyvals) {
			fields = append(fields, zap.Any("EXTRA_VALUE", keyvals[i]))
			break
		}
		fields = append(fields, zap.Any(key, keyvals[i+1]))
	}
	return fields
}

// log checks the level first: the SDK logs at debug level on every local
// activity and timer, and building fields for a disabled level is waste.
func (l *zapLogger) log(level zapcore.Level, msg string, keyvals []any) {
	if ce := l.z.Check(level, msg); ce != nil {
		ce.Write(l.fields(keyvals)...)
	}
}

func (l *zapLogger) Debug(msg string, keyvals ...any) { l.log(zapcore.DebugLevel, msg, keyvals) }
func (l *zapLogger) Info(msg string, keyvals ...any)  { l.log(zapcore.InfoLevel, msg, keyvals) }
func (l *zapLogger) Warn(msg string, keyvals ...any)  { l.log(zapcore.WarnLevel, msg, keyvals) }
func (l *zapLogger) Error(msg string, keyvals ...any) { l.log(zapcore.ErrorLevel, msg, keyvals) }

// With returns a logger with the given key/value pairs attached.
func (l *zapLogger) With(keyvals ...any) log.Logger {
	return &zapLogger{z: l.z.With(l.fields(keyvals)...)}
}
