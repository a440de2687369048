package translator

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/batonhq/baton/definition"
)

// Defaults applied by Compile (MAESTRO.md §3.2, §3.10, §3.11).
const (
	DefaultTimeoutSecs     = 10 * 24 * 3600 // step and workflow timeout: 10 days
	DefaultStepConcurrency = 20             // properties.step_concurrency when nothing is set
	DefaultFailureMode     = string(definition.FailAfterRunning)
	DefaultRunStrategy     = string(definition.Sequential)
	DefaultParamMode       = string(definition.Mutable)
	// DefaultHeartbeatTimeoutSecs is the heartbeat timeout of activity-mode
	// steps (not a Maestro setting: Maestro polls its step runtimes instead).
	// The step activity heartbeats every third of it on its own, so a live
	// worker misses it only if it stalls for many seconds, while an attempt
	// lost with its worker is given up and retried (as a platform error)
	// within half a minute, rather than at the step timeout (10 days by
	// default). Next to Maestro's default platform backoff of 60 s it adds
	// little to a retry.
	DefaultHeartbeatTimeoutSecs = 30
)

// NumberKind says how the text of a Number reads once interpolated.
type NumberKind int

const (
	// Integer numbers are plain integers: retry limits and exponents.
	Integer NumberKind = iota
	// Seconds numbers are a plain integer of seconds or a Maestro duration
	// string ("1 min 40 s"): timeouts and backoffs.
	Seconds
)

// DefaultRetry returns Maestro's default retry policy (§3.10).
func DefaultRetry() *Retry {
	return &Retry{
		ErrorLimit:    Number{Value: 2},
		PlatformLimit: Number{Value: 10},
		TimeoutLimit:  Number{Value: 0},
		Backoff:       string(definition.ExponentialBackoff),
		Error:         Backoff{Secs: Number{Value: 60}, Exponent: Number{Value: 2}, CapSecs: Number{Value: 600}},
		Platform:      Backoff{Secs: Number{Value: 60}, Exponent: Number{Value: 2}, CapSecs: Number{Value: 3600}},
		Timeout:       Backoff{Secs: Number{Value: 60}, Exponent: Number{Value: 2}, CapSecs: Number{Value: 3600}},
	}
}

// defaultFixedSecs is the delay of each class under FIXED_BACKOFF.
const defaultFixedSecs = 60

// parseNumberText reads text that holds no "$" any more: a plain integer,
// or for Seconds a duration string, truncated to whole seconds.
func parseNumberText(text string, kind NumberKind) (int64, error) {
	s := strings.TrimSpace(text)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	if kind != Seconds {
		return 0, fmt.Errorf("%q is not an integer", text)
	}
	d, err := definition.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	return int64(d / time.Second), nil
}

// compileNumber turns a ParsableLong into a Number: nil takes def, a
// literal is kept, text with "$" is kept for run time, and other text is
// parsed now.
func compileNumber(pl *definition.ParsableLong, def int64, kind NumberKind) (Number, error) {
	switch {
	case pl == nil:
		return Number{Value: def}, nil
	case pl.Literal != nil:
		return Number{Value: *pl.Literal}, nil
	case strings.TrimSpace(pl.Text) == "":
		return Number{Value: def}, nil
	case strings.Contains(pl.Text, "$"):
		return Number{Text: pl.Text}, nil
	}
	n, err := parseNumberText(pl.Text, kind)
	if err != nil {
		return Number{}, err
	}
	return Number{Value: n}, nil
}

// compileTimeout resolves a step or workflow timeout, in seconds.
func compileTimeout(pl *definition.ParsableLong, path string, errs *errList) Number {
	n, err := compileNumber(pl, DefaultTimeoutSecs, Seconds)
	if err != nil {
		errs.add(path, "invalid timeout: "+err.Error())
		return Number{Value: DefaultTimeoutSecs}
	}
	if n.Text == "" && n.Value <= 0 {
		errs.add(path, fmt.Sprintf("timeout must be greater than 0 s, got %d", n.Value))
	}
	return n
}

// compileRetry merges a step's retry_policy field by field over Maestro's
// defaults. Like Maestro, a value that cannot be parsed makes the whole
// policy fall back to the default; warn records that.
func compileRetry(rp *definition.RetryPolicy, path string, warn func(string)) *Retry {
	r := DefaultRetry()
	if rp == nil {
		return r
	}
	var bad []string
	set := func(dst *Number, pl *definition.ParsableLong, field string, kind NumberKind) {
		if pl == nil {
			return
		}
		n, err := compileNumber(pl, dst.Value, kind)
		if err != nil {
			bad = append(bad, field+": "+err.Error())
			return
		}
		*dst = n
	}
	set(&r.ErrorLimit, rp.ErrorRetryLimit, "error_retry_limit", Integer)
	set(&r.PlatformLimit, rp.PlatformRetryLimit, "platform_retry_limit", Integer)
	set(&r.TimeoutLimit, rp.TimeoutRetryLimit, "timeout_retry_limit", Integer)
	if b := rp.Backoff; b != nil {
		typ := strings.ToUpper(strings.TrimSpace(string(b.Type)))
		switch typ {
		case "", string(definition.ExponentialBackoff):
			set(&r.Error.Secs, b.ErrorRetryBackoffInSecs, "backoff.error_retry_backoff_in_secs", Seconds)
			set(&r.Error.Exponent, b.ErrorRetryExponent, "backoff.error_retry_exponent", Integer)
			set(&r.Error.CapSecs, b.ErrorRetryLimitInSecs, "backoff.error_retry_limit_in_secs", Seconds)
			set(&r.Platform.Secs, b.PlatformRetryBackoffInSecs, "backoff.platform_retry_backoff_in_secs", Seconds)
			set(&r.Platform.Exponent, b.PlatformRetryExponent, "backoff.platform_retry_exponent", Integer)
			set(&r.Platform.CapSecs, b.PlatformRetryLimitInSecs, "backoff.platform_retry_limit_in_secs", Seconds)
			set(&r.Timeout.Secs, b.TimeoutRetryBackoffInSecs, "backoff.timeout_retry_backoff_in_secs", Seconds)
			set(&r.Timeout.Exponent, b.TimeoutRetryExponent, "backoff.timeout_retry_exponent", Integer)
			set(&r.Timeout.CapSecs, b.TimeoutRetryLimitInSecs, "backoff.timeout_retry_limit_in_secs", Seconds)
		case string(definition.FixedBackoff):
			r.Backoff = typ
			r.Error = Backoff{Secs: Number{Value: defaultFixedSecs}}
			r.Platform = Backoff{Secs: Number{Value: defaultFixedSecs}}
			r.Timeout = Backoff{Secs: Number{Value: defaultFixedSecs}}
			set(&r.Error.Secs, b.ErrorRetryBackoffInSecs, "backoff.error_retry_backoff_in_secs", Seconds)
			set(&r.Platform.Secs, b.PlatformRetryBackoffInSecs, "backoff.platform_retry_backoff_in_secs", Seconds)
			set(&r.Timeout.Secs, b.TimeoutRetryBackoffInSecs, "backoff.timeout_retry_backoff_in_secs", Seconds)
		default:
			bad = append(bad, fmt.Sprintf("backoff.type: unknown backoff type %q", string(b.Type)))
		}
	}
	if len(bad) > 0 {
		warn(fmt.Sprintf("%s: %s; using the default retry policy (as Maestro does)", path, strings.Join(bad, "; ")))
		return DefaultRetry()
	}
	return r
}
