package sel

import (
	"errors"
	"testing"
	"time"
)

// FuzzEval parses and evaluates arbitrary source under the default limits.
// Any panic, or an evaluation that runs far beyond the step budget's
// intent, is a bug. The seed corpus runs as part of `go test`.
func FuzzEval(f *testing.F) {
	for _, tc := range sampleTests {
		f.Add(tc.src)
	}
	for _, tc := range javaTests {
		f.Add(tc.src)
	}
	for _, tc := range utilTests {
		f.Add(tc.src)
	}
	for _, tc := range jodaTests {
		f.Add(tc.src)
	}
	for _, d := range workflowDefaults {
		f.Add(d.src)
	}
	f.Add("String s = 'x'; while (true) s = s + s;")
	f.Add("for (i = 0; i < 10; i++) { if (i > 5) break; else continue; }")
	f.Add("m = new HashMap(); m['a'] = new long[]{1}; m")
	vals := map[string]any{"x": int64(3), "s": "str", "d": 1.5, "b": true, "arr": []int64{1, 2},
		"sa": []string{"a"}, "m": map[string]any{"k": "v"}, "TARGET_RUN_DATE": "20200101",
		"WORKFLOW_CRON_TIMEZONE": "UTC", "RUN_TS": runTS, "DERIVED_RUN_TS": runTS}
	f.Fuzz(func(t *testing.T, src string) {
		start := time.Now()
		_, err := Eval(src, sampleEnv(vals))
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("evaluation took %v: %q", d, src)
		}
		var se *Error
		if errors.As(err, &se) && len(se.Msg) >= 16 && se.Msg[:15] == "internal error:" {
			t.Fatalf("recovered panic: %v for %q", err, src)
		}
	})
}
