package translator

import (
	"fmt"
	"strings"
	"time"

	"github.com/batonhq/baton/sel"
)

// interpolator is a sel.Params that interpolates with its own rule (the
// interpreter's, which depends on when a run started).
type interpolator interface {
	Interpolate(text string) (string, error)
}

// Resolve returns the number's value at run time: Value when Text is
// empty; otherwise Text interpolated with p (workflow params only, as in
// Maestro), read as a plain integer or, for Seconds, as a duration string
// truncated to whole seconds. Errors name the text.
func (n Number) Resolve(p sel.Params, kind NumberKind) (int64, error) {
	if n.Text == "" {
		return n.Value, nil
	}
	s := n.Text
	if strings.Contains(s, "$") {
		var err error
		if ip, ok := p.(interpolator); ok {
			s, err = ip.Interpolate(s)
		} else {
			s, err = sel.Interpolate(s, p)
		}
		if err != nil {
			return 0, fmt.Errorf("resolving %q: %w", n.Text, err)
		}
	}
	v, err := parseNumberText(s, kind)
	if err != nil {
		if s != n.Text {
			return 0, fmt.Errorf("resolving %q (= %q): %w", n.Text, s, err)
		}
		return 0, fmt.Errorf("resolving %q: %w", n.Text, err)
	}
	return v, nil
}

// RetryClass names one of Maestro's three retry classes.
type RetryClass string

// The retry classes (§4.7).
const (
	RetryError    RetryClass = "error"    // the step returned a user error
	RetryPlatform RetryClass = "platform" // the step returned a platform error
	RetryTimeout  RetryClass = "timeout"  // the step timed out
)

// BackoffValues is a resolved Backoff, in seconds.
type BackoffValues struct {
	Secs, Exponent, CapSecs int64
}

// RetryValues is a Retry resolved at run time.
type RetryValues struct {
	ErrorLimit, PlatformLimit, TimeoutLimit int64
	Fixed                                   bool
	Error, Platform, Timeout                BackoffValues
}

// Resolve resolves every field of the policy with workflow params. Like
// Maestro, if any field fails it returns the default policy's values,
// together with the error for the caller to report.
func (r *Retry) Resolve(p sel.Params) (RetryValues, error) {
	if r == nil {
		r = DefaultRetry()
	}
	var v RetryValues
	var errs []string
	get := func(n Number, kind NumberKind) int64 {
		x, err := n.Resolve(p, kind)
		if err != nil {
			errs = append(errs, err.Error())
		}
		return x
	}
	v.ErrorLimit = get(r.ErrorLimit, Integer)
	v.PlatformLimit = get(r.PlatformLimit, Integer)
	v.TimeoutLimit = get(r.TimeoutLimit, Integer)
	v.Fixed = r.Backoff == "FIXED_BACKOFF"
	for _, b := range []struct {
		dst *BackoffValues
		src Backoff
	}{{&v.Error, r.Error}, {&v.Platform, r.Platform}, {&v.Timeout, r.Timeout}} {
		b.dst.Secs = get(b.src.Secs, Seconds)
		if !v.Fixed {
			b.dst.Exponent = get(b.src.Exponent, Integer)
			b.dst.CapSecs = get(b.src.CapSecs, Seconds)
		}
	}
	if len(errs) > 0 {
		d, _ := DefaultRetry().Resolve(nil)
		return d, fmt.Errorf("retry policy: %s; using the default policy", strings.Join(errs, "; "))
	}
	return v, nil
}

// Limit returns the number of retries allowed for a class.
func (v RetryValues) Limit(c RetryClass) int64 {
	switch c {
	case RetryError:
		return v.ErrorLimit
	case RetryPlatform:
		return v.PlatformLimit
	case RetryTimeout:
		return v.TimeoutLimit
	}
	return 0
}

// Backoff returns the delays of a class.
func (v RetryValues) Backoff(c RetryClass) BackoffValues {
	switch c {
	case RetryError:
		return v.Error
	case RetryPlatform:
		return v.Platform
	case RetryTimeout:
		return v.Timeout
	}
	return BackoffValues{}
}

// Delay is the wait before the next attempt after retriesSoFar retries of
// class c (0 before the first retry): Secs for fixed backoff, else
// min(Secs * Exponent^retriesSoFar, CapSecs) (§4.7).
func (v RetryValues) Delay(c RetryClass, retriesSoFar int64) time.Duration {
	b := v.Backoff(c)
	secs := max(b.Secs, 0)
	if !v.Fixed {
		exp := max(b.Exponent, 0)
		for i := int64(0); i < retriesSoFar && secs > 0 && secs < b.CapSecs; i++ {
			if exp > 1 && secs > b.CapSecs/exp {
				secs = b.CapSecs // the product would pass the cap (or overflow)
				break
			}
			secs *= exp
		}
		secs = min(secs, max(b.CapSecs, 0))
	}
	const maxSecs = int64(1<<62) / int64(time.Second)
	return time.Duration(min(secs, maxSecs)) * time.Second
}
