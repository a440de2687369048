package jsonfast

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestScannerReadsWhatJSONReads: each primitive reads a value as
// encoding/json reads it, or fails where encoding/json would read it
// differently or refuse it.
func TestScannerReadsWhatJSONReads(t *testing.T) {
	ints := map[string]bool{ // input: the scanner reads it
		"0": true, "-0": true, "12": true, " 7 ": true, "-9223372036854775808": true, "9223372036854775807": true,
		"9223372036854775808": false, "01": false, "1.0": false, "1e3": false, "-": false, "+1": false, `"1"`: false, "": false, "1x": false,
	}
	for in, ok := range ints {
		s := NewScanner([]byte(in))
		v := s.Int64()
		require.Equal(t, ok, s.End(), "%q", in)
		if ok {
			var want int64
			require.NoError(t, json.Unmarshal([]byte(in), &want))
			require.Equal(t, want, v, "%q", in)
		}
	}
	strs := map[string]bool{
		`"plain"`: true, `""`: true, `"é"`: true, `"a\"b"`: true, `"\u00e9\n"`: true, "\"\xff\"": true,
		`"unterminated`: false, "\"tab\there\"": false, `"\x"`: false, `5`: false,
	}
	for in, ok := range strs {
		for name, str := range map[string]func(*Scanner) string{"Str": (*Scanner).Str, "StrAlone": (*Scanner).StrAlone} {
			s := NewScanner([]byte(in))
			v := str(s)
			require.Equal(t, ok, s.End(), "%s %q", name, in)
			if ok {
				var want string
				require.NoError(t, json.Unmarshal([]byte(in), &want))
				require.Equal(t, want, v, "%s %q", name, in)
			}
		}
	}
	for in, ok := range map[string]bool{"true": true, "false": true, "truex": false, "null": false, "1": false} {
		s := NewScanner([]byte(in))
		s.Bool()
		require.Equal(t, ok, s.End(), "%q", in)
	}
}

func TestScannerStructure(t *testing.T) {
	names := []string{"a", "b", "list"}
	tests := map[string]struct {
		in   string
		ok   bool
		want map[string]string // key: raw value read
	}{
		"members":          {`{"a":1,"b":{"x":[1,"]"]}}`, true, map[string]string{"a": "1", "b": `{"x":[1,"]"]}`}},
		"empty":            {` { } `, true, map[string]string{}},
		"an unknown key":   {`{"c":1}`, false, nil},
		"a duplicate":      {`{"a":1,"a":2}`, false, nil},
		"an escaped key":   {`{"\u0061":1}`, false, nil},
		"a trailing comma": {`{"a":1,}`, false, nil},
		"a missing colon":  {`{"a" 1}`, false, nil},
		"trailing bytes":   {`{"a":1}x`, false, nil},
		"not closed":       {`{"a":1`, false, nil},
		"strings":          {`{"list":["x", "y"]}`, true, map[string]string{"list": "x,y"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := NewScanner([]byte(tc.in))
			got := map[string]string{}
			s.Object(names, func(k string) {
				if k == "list" {
					l := s.Strings()
					require.Len(t, l, cap(l), "capped: an append copies")
					v := ""
					for i, e := range l {
						if i > 0 {
							v += ","
						}
						v += e
					}
					got[k] = v
					return
				}
				got[k] = string(s.Raw())
			})
			require.Equal(t, tc.ok, s.End())
			if tc.ok {
				require.Equal(t, tc.want, got)
			}
		})
	}
}

// TestAppendStringIsJSONs: AppendString writes what json.Marshal writes,
// for ASCII, HTML characters, control bytes, U+2028 and invalid UTF-8.
func TestAppendStringIsJSONs(t *testing.T) {
	cases := []string{"", "plain", "<a&b>", "q\"b\\", "\x00\x1f\x7f", "\u2028\u2029", "é", "\xff\xfe", "a\tb\nc"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		require.Equal(t, string(want), string(AppendString(nil, s)), "%q", s)
	}
	want, err := json.Marshal([]string{"a", "<"})
	require.NoError(t, err)
	require.Equal(t, string(want), string(AppendStrings(nil, []string{"a", "<"})))
	require.Equal(t, "null", string(AppendStrings(nil, nil)))
}
