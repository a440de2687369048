package translator

import (
	"testing"
	"time"

	"github.com/batonhq/baton/definition"
	"github.com/stretchr/testify/require"
)

func TestRetryMerge(t *testing.T) {
	def := DefaultRetry()
	for _, tc := range []struct {
		name string
		in   *definition.RetryPolicy
		want func(r *Retry)
		warn string
	}{
		{name: "nil is the default", in: nil, want: func(*Retry) {}},
		{name: "empty is the default", in: &definition.RetryPolicy{}, want: func(*Retry) {}},
		{
			name: "limits merge field by field",
			in:   &definition.RetryPolicy{ErrorRetryLimit: lit(5), TimeoutRetryLimit: txt("3")},
			want: func(r *Retry) { r.ErrorLimit = Number{Value: 5}; r.TimeoutLimit = Number{Value: 3} },
		},
		{
			name: "exponential backoff fields merge, durations parse",
			in: &definition.RetryPolicy{Backoff: &definition.Backoff{
				Type:                     definition.ExponentialBackoff,
				ErrorRetryBackoffInSecs:  txt("1 min 40 s"),
				PlatformRetryExponent:    lit(3),
				TimeoutRetryLimitInSecs:  txt("2hours"),
				PlatformRetryLimitInSecs: lit(100),
			}},
			want: func(r *Retry) {
				r.Error.Secs = Number{Value: 100}
				r.Platform.Exponent = Number{Value: 3}
				r.Platform.CapSecs = Number{Value: 100}
				r.Timeout.CapSecs = Number{Value: 7200}
			},
		},
		{
			name: "an empty backoff type means exponential",
			in:   &definition.RetryPolicy{Backoff: &definition.Backoff{ErrorRetryExponent: lit(4)}},
			want: func(r *Retry) { r.Error.Exponent = Number{Value: 4} },
		},
		{
			name: "fixed backoff takes only the backoff fields, default 60",
			in: &definition.RetryPolicy{ErrorRetryLimit: lit(10), Backoff: &definition.Backoff{
				Type: definition.FixedBackoff, ErrorRetryBackoffInSecs: lit(1), PlatformRetryBackoffInSecs: txt("5mins"),
				ErrorRetryExponent: lit(9),
			}},
			want: func(r *Retry) {
				r.ErrorLimit = Number{Value: 10}
				r.Backoff = "FIXED_BACKOFF"
				r.Error = Backoff{Secs: Number{Value: 1}}
				r.Platform = Backoff{Secs: Number{Value: 300}}
				r.Timeout = Backoff{Secs: Number{Value: 60}}
			},
		},
		{
			name: "fixed backoff in lower case",
			in:   &definition.RetryPolicy{Backoff: &definition.Backoff{Type: "fixed_backoff"}},
			want: func(r *Retry) {
				r.Backoff = "FIXED_BACKOFF"
				r.Error = Backoff{Secs: Number{Value: 60}}
				r.Platform = Backoff{Secs: Number{Value: 60}}
				r.Timeout = Backoff{Secs: Number{Value: 60}}
			},
		},
		{
			name: "values with $ stay text for run time",
			in: &definition.RetryPolicy{ErrorRetryLimit: txt("$foo"), Backoff: &definition.Backoff{
				Type: definition.ExponentialBackoff, ErrorRetryBackoffInSecs: txt("${far}"), ErrorRetryLimitInSecs: txt("${baz} s"),
			}},
			want: func(r *Retry) {
				r.ErrorLimit = Number{Text: "$foo"}
				r.Error.Secs = Number{Text: "${far}"}
				r.Error.CapSecs = Number{Text: "${baz} s"}
			},
		},
		{
			name: "an unparsable value falls back to the whole default policy",
			in:   &definition.RetryPolicy{ErrorRetryLimit: lit(7), PlatformRetryLimit: txt("ten")},
			want: func(*Retry) {},
			warn: `p: platform_retry_limit: "ten" is not an integer; using the default retry policy (as Maestro does)`,
		},
		{
			name: "a duration is no retry limit",
			in:   &definition.RetryPolicy{ErrorRetryLimit: txt("5 mins")},
			want: func(*Retry) {},
			warn: `p: error_retry_limit: "5 mins" is not an integer; using the default retry policy (as Maestro does)`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var warns []string
			got := compileRetry(tc.in, "p", func(w string) { warns = append(warns, w) })
			want := DefaultRetry()
			tc.want(want)
			require.Equal(t, want, got)
			if tc.warn == "" {
				require.Empty(t, warns)
			} else {
				require.Equal(t, []string{tc.warn}, warns)
			}
			require.Equal(t, def, DefaultRetry(), "DefaultRetry must return a fresh value")
		})
	}
}

func TestTimeouts(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   *definition.ParsableLong
		want Number
		err  string
	}{
		{"default 10 days", nil, Number{Value: 864000}, ""},
		{"literal seconds", lit(100), Number{Value: 100}, ""},
		{"numeric text", txt("30"), Number{Value: 30}, ""},
		{"duration text", txt("20 minutes"), Number{Value: 1200}, ""},
		{"combined units", txt("10 minutes 5 seconds 1 day"), Number{Value: 87005}, ""},
		{"interpolated stays text", txt("${bar}s"), Number{Text: "${bar}s"}, ""},
		{"zero", lit(0), Number{}, "w.timeout: timeout must be greater than 0 s, got 0"},
		{"bad text", txt("soon"), Number{Value: 864000}, `w.timeout: invalid timeout: invalid duration "soon"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errs errList
			got := compileTimeout(tc.in, "w.timeout", &errs)
			if tc.err != "" {
				require.Len(t, errs.errs, 1)
				require.Contains(t, errs.errs[0].Error(), tc.err)
				return
			}
			require.Empty(t, errs.errs)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestStepAndWorkflowTimeoutsInPlan(t *testing.T) {
	a := noop("a")
	a.Timeout = txt("1 hour")
	b := typed("b", "spark")
	b.Timeout = txt("$t mins")
	a.Transition.Successors = []definition.Edge{edge("b", "true")}
	req := request(a, b)
	req.Workflow.Timeout = lit(3600)
	p, err := Compile(req, Options{})
	require.NoError(t, err)
	require.Equal(t, Number{Value: 3600}, p.Timeout)
	require.Equal(t, Number{Value: 3600}, p.Steps[0].Timeout)
	require.Equal(t, Number{Text: "$t mins"}, p.Steps[1].Timeout)
	require.Equal(t, ModeActivity, p.Steps[1].Mode, "a timeout known only at run time is not short")
}

func TestNumberResolve(t *testing.T) {
	params := mapParams{"foo": int64(3), "bar": int64(10), "bat": "2", "far": int64(100), "baz": "1800", "d": 1.5, "arr": []string{"x"}}
	for _, tc := range []struct {
		n    Number
		kind NumberKind
		want int64
		err  string
	}{
		{Number{Value: 42}, Integer, 42, ""},
		{Number{Text: "$foo"}, Integer, 3, ""},
		{Number{Text: "${bat}"}, Integer, 2, ""},
		{Number{Text: " ${baz} "}, Seconds, 1800, ""},
		{Number{Text: "${bar}s"}, Seconds, 10, ""},
		{Number{Text: "$bar mins"}, Seconds, 600, ""},
		{Number{Text: "1 min 40 s"}, Seconds, 100, ""},
		{Number{Text: "${bar}s"}, Integer, 0, `resolving "${bar}s" (= "10s"): "10s" is not an integer`},
		{Number{Text: "$nope"}, Integer, 0, `resolving "$nope": interpolation: param "nope" is not defined`},
		{Number{Text: "$d"}, Integer, 0, `resolving "$d" (= "1.5"): "1.5" is not an integer`},
		{Number{Text: "$arr"}, Integer, 0, `resolving "$arr" (= "[\"x\"]"): "[\"x\"]" is not an integer`},
		{Number{Text: "${foo"}, Integer, 0, `resolving "${foo": "${foo" is not an integer`}, // a literal, as in Maestro
		{Number{Text: "$$5"}, Integer, 0, `resolving "$$5" (= "$5"): "$5" is not an integer`},
	} {
		t.Run(tc.n.Text, func(t *testing.T) {
			got, err := tc.n.Resolve(params, tc.kind)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	_, err := Number{Text: "$x"}.Resolve(nil, Integer)
	require.ErrorContains(t, err, `param "x" is not defined`)
}

func TestRetryResolveAndDelay(t *testing.T) {
	v, err := DefaultRetry().Resolve(nil)
	require.NoError(t, err)
	require.Equal(t, RetryValues{
		ErrorLimit: 2, PlatformLimit: 10, TimeoutLimit: 0,
		Error:    BackoffValues{60, 2, 600},
		Platform: BackoffValues{60, 2, 3600},
		Timeout:  BackoffValues{60, 2, 3600},
	}, v)
	require.Equal(t, int64(2), v.Limit(RetryError))
	require.Equal(t, int64(10), v.Limit(RetryPlatform))
	require.Equal(t, int64(0), v.Limit(RetryTimeout))
	for _, tc := range []struct {
		c       RetryClass
		retries int64
		want    time.Duration
	}{
		{RetryError, 0, time.Minute},
		{RetryError, 1, 2 * time.Minute},
		{RetryError, 2, 4 * time.Minute},
		{RetryError, 3, 8 * time.Minute},
		{RetryError, 4, 10 * time.Minute}, // capped at 600 s
		{RetryError, 1000, 10 * time.Minute},
		{RetryPlatform, 5, 32 * time.Minute},
		{RetryPlatform, 6, time.Hour},
		{RetryTimeout, 2, 4 * time.Minute},
	} {
		require.Equal(t, tc.want, v.Delay(tc.c, tc.retries), "%s after %d", tc.c, tc.retries)
	}

	fixed := DefaultRetry()
	fixed.Backoff = "FIXED_BACKOFF"
	fixed.Error = Backoff{Secs: Number{Text: "$far"}}
	fixed.Platform = Backoff{Secs: Number{Value: 5}}
	fixed.Timeout = Backoff{Secs: Number{Value: 60}}
	fixed.ErrorLimit = Number{Text: "${foo}"}
	fv, err := fixed.Resolve(mapParams{"far": int64(100), "foo": int64(7)})
	require.NoError(t, err)
	require.True(t, fv.Fixed)
	require.Equal(t, int64(7), fv.ErrorLimit)
	require.Equal(t, 100*time.Second, fv.Delay(RetryError, 5))
	require.Equal(t, 5*time.Second, fv.Delay(RetryPlatform, 0))

	// A field that fails at run time gives the default policy and the error.
	dv, err := fixed.Resolve(mapParams{"foo": int64(7)})
	require.ErrorContains(t, err, `resolving "$far": interpolation: param "far" is not defined`)
	require.Equal(t, v, dv)

	big := RetryValues{Error: BackoffValues{Secs: 1 << 20, Exponent: 1 << 30, CapSecs: 1 << 32}}
	require.Equal(t, time.Duration(1<<32)*time.Second, big.Delay(RetryError, 3), "no overflow")
	zero := RetryValues{Error: BackoffValues{Secs: 10, Exponent: 0, CapSecs: 100}}
	require.Equal(t, 10*time.Second, zero.Delay(RetryError, 0))
	require.Equal(t, time.Duration(0), zero.Delay(RetryError, 1))
}
