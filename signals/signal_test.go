package signals

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMatchParamOperators(t *testing.T) {
	tests := []struct {
		match string
		value Value
		want  bool
	}{
		{"k=5", Long(5), true},
		{"k=5", Long(6), false},
		{"k>5", Long(6), true},
		{"k>5", Long(5), false},
		{"k>=5", Long(5), true},
		{"k>=5", Long(4), false},
		{"k<5", Long(4), true},
		{"k<5", Long(5), false},
		{"k<=5", Long(5), true},
		{"k<=5", Long(6), false},
		{"k<=-3", Long(-4), true},
		// Strings compare lexicographically, as Java's compareTo.
		{"k=abc", String("abc"), true},
		{"k>abc", String("abd"), true},
		{"k<abc", String("ab"), true},
		{"k>=b", String("a"), false},
		{"k=20260101", String("20260101"), false}, // a LONG never matches a STRING
		{`k="20260101"`, String("20260101"), true},
		{`k="20260101"`, Long(20260101), false},
	}
	for _, tt := range tests {
		t.Run(tt.match+"/"+tt.value.String(), func(t *testing.T) {
			m, err := ParseMatch(tt.match)
			require.NoError(t, err)
			require.Equal(t, tt.want, m.Matches(tt.value))
		})
	}
}

func TestParseMatch(t *testing.T) {
	tests := []struct {
		in      string
		want    MatchParam
		wantErr string
	}{
		{in: "vtts_utc_dateint>=20260101", want: MatchParam{Name: "vtts_utc_dateint", Operator: GreaterEqual, Value: Long(20260101)}},
		{in: "a<b", want: MatchParam{Name: "a", Operator: Less, Value: String("b")}},
		{in: "a==b", want: MatchParam{Name: "a", Operator: Equal, Value: String("=b")}},
		{in: "a=", want: MatchParam{Name: "a", Operator: Equal, Value: String("")}},
		{in: "=5", wantErr: "want name<op>value"},
		{in: "abc", wantErr: "want name<op>value"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMatch(tt.in)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestInstanceMatchesAll(t *testing.T) {
	in := &Instance{Params: map[string]Value{"a": Long(1), "b": String("x")}}
	require.True(t, in.Matches(nil))
	require.True(t, in.Matches([]MatchParam{{Name: "a", Operator: Equal, Value: Long(1)}, {Name: "b", Operator: Equal, Value: String("x")}}))
	require.False(t, in.Matches([]MatchParam{{Name: "a", Operator: Equal, Value: Long(1)}, {Name: "b", Operator: Equal, Value: String("y")}}))
	require.False(t, in.Matches([]MatchParam{{Name: "c", Operator: Equal, Value: Long(1)}}), "a missing param never matches")
}

func TestValueJSON(t *testing.T) {
	for _, v := range []Value{Long(-7), Long(1 << 62), String("x\"y"), String("12")} {
		b, err := v.MarshalJSON()
		require.NoError(t, err)
		var got Value
		require.NoError(t, got.UnmarshalJSON(b))
		require.Equal(t, v, got)
	}
	var v Value
	require.ErrorContains(t, v.UnmarshalJSON([]byte("1.5")), "want an integer (LONG) or a string (STRING)")
	require.ErrorContains(t, v.UnmarshalJSON([]byte("true")), "want an integer")
}

func TestSendLimitsRefused(t *testing.T) {
	many := map[string]Value{}
	for i := 0; i <= MaxParams; i++ {
		many[strings.Repeat("p", i+1)] = Long(int64(i))
	}
	tests := []struct {
		name    string
		signal  string
		req     SendRequest
		wantErr string
	}{
		{"ok", "db/prod/table1", SendRequest{Params: map[string]Value{"d": Long(1)}, Payload: []byte(`{"a":[1]}`)}, ""},
		{"empty name", "", SendRequest{}, "signal name is empty"},
		{"long name", strings.Repeat("n", MaxNameBytes+1), SendRequest{}, "more than 256"},
		{"bad character", "a|b", SendRequest{}, "want letters, digits"},
		{"reserved prefix", "Maestro_x", SendRequest{}, "prefix maestro_ is reserved"},
		{"reserved suffix", "x_maestro", SendRequest{}, "suffix _maestro is reserved"},
		{"too many params", "s", SendRequest{Params: many}, "33 params, more than 32"},
		{"empty param name", "s", SendRequest{Params: map[string]Value{"": Long(1)}}, "must be 1 to 128 bytes"},
		{"long string", "s", SendRequest{Params: map[string]Value{"k": String(strings.Repeat("v", MaxStringBytes+1))}}, `param "k": value of 1025 bytes`},
		{"big payload", "s", SendRequest{Payload: []byte(`{"a":"` + strings.Repeat("x", MaxPayloadBytes) + `"}`)}, "more than 16384"},
		{"payload not JSON", "s", SendRequest{Payload: []byte(`{`)}, "payload: not valid JSON"},
		{"payload not object", "s", SendRequest{Payload: []byte(`[1]`)}, "payload: want a JSON object"},
		{"long request id", "s", SendRequest{RequestID: strings.Repeat("r", MaxRequestIDBytes+1)}, "request id of 257 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkSend(tt.signal, tt.req)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestCheckMatchRefused(t *testing.T) {
	require.ErrorContains(t, CheckMatch([]MatchParam{{Name: "a", Operator: "!=", Value: Long(1)}}), `operator "!=": want one of`)
	require.ErrorContains(t, CheckMatch([]MatchParam{{Operator: Equal}}), "param name must be")
	require.NoError(t, CheckMatch([]MatchParam{{Name: "a", Operator: LessEqual, Value: Long(1)}}))
}
