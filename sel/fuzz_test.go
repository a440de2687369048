package sel

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzEval parses and evaluates arbitrary source under the default limits.
// A panic, or work charged past the limits, is a bug. The seed corpus runs
// as part of `go test`.
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
	for _, src := range adversarial {
		f.Add(src)
	}
	f.Add("String s = 'x'; while (true) s = s + s;")
	f.Add("for (i = 0; i < 10; i++) { if (i > 5) break; else continue; }")
	f.Add("m = new HashMap(); m['a'] = new long[]{1}; m")
	vals := map[string]any{"x": int64(3), "s": "str", "d": 1.5, "b": true, "arr": []int64{1, 2},
		"sa": []string{"a"}, "m": map[string]any{"k": "v"}, "TARGET_RUN_DATE": "20200101",
		"WORKFLOW_CRON_TIMEZONE": "UTC", "RUN_TS": runTS, "DERIVED_RUN_TS": runTS}
	lim := DefaultLimits()
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse(src)
		if err != nil {
			return
		}
		_, w, err := p.run(sampleEnv(vals))
		var se *Error
		if errors.As(err, &se) && strings.HasPrefix(se.Msg, "internal error:") {
			t.Fatalf("recovered panic: %v for %q", err, src)
		}
		if w.steps > lim.MaxSteps+1 || w.mem > lim.MaxMemory+1 {
			t.Fatalf("charged %d steps, %d bytes past the limits: %q", w.steps, w.mem, src)
		}
	})
}

// FuzzParse checks the parser on arbitrary text: it returns a program or
// an *Error / *LimitError, and a program's references are stable.
func FuzzParse(f *testing.F) {
	for _, tc := range sampleTests {
		f.Add(tc.src)
	}
	f.Add(strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200))
	f.Add(strings.Repeat("{", 200) + strings.Repeat("}", 200))
	f.Add("a[b[c[d[e[f]]]]] = -(-(-(-x)));")
	f.Add("/* unterminated")
	f.Add("'\\u00e9' + \"\\\"\"")
	f.Add("0\"" + strings.Repeat("\xf7", 100) + "00\"")
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse(src)
		if err != nil {
			var se *Error
			var le *LimitError
			if !errors.As(err, &se) && !errors.As(err, &le) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if se != nil && strings.HasPrefix(se.Msg, "internal error") {
				t.Fatalf("recovered panic: %v for %q", err, src)
			}
			if len(err.Error()) > 400 {
				t.Fatalf("error of %d bytes for %q", len(err.Error()), src)
			}
			return
		}
		if p.Source() != src {
			t.Fatal("source not kept")
		}
		_ = p.References()
	})
}

// FuzzValueJSON decodes arbitrary JSON as each param type (the form run
// params and stored state take) and checks that what decodes encodes and
// decodes back to the same value.
func FuzzValueJSON(f *testing.F) {
	f.Add(uint8(Map), []byte(`{"a": {"type": "LONG", "value": 1}, "b": {"type": "MAP", "value": {"c": {"type": "STRING_ARRAY", "value": ["x"]}}}}`))
	f.Add(uint8(StringArray), []byte(`["a", "b"]`))
	f.Add(uint8(LongArray), []byte(`[1, 2, 9223372036854775807]`))
	f.Add(uint8(StringMap), []byte(`{"k": "v"}`))
	f.Add(uint8(Double), []byte(`1e308`))
	f.Add(uint8(Map), []byte(strings.Repeat(`{"m": {"type": "MAP", "value": `, 300)+"{}"+strings.Repeat("}}", 300)))
	f.Fuzz(func(t *testing.T, typ uint8, raw []byte) {
		ty := Type(typ % uint8(Map+1))
		v, err := DecodeJSON(ty, raw)
		if err != nil || ty == Invalid {
			return
		}
		enc, err := EncodeJSON(ty, v)
		if err != nil {
			return // a NaN, say; must not panic
		}
		back, err := DecodeJSON(ty, enc)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", enc, err)
		}
		a, _ := json.Marshal(Value{Type: ty, Value: v})
		b, _ := json.Marshal(Value{Type: ty, Value: back})
		if string(a) != string(b) {
			t.Fatalf("round trip changed the value: %s != %s", a, b)
		}
	})
}
