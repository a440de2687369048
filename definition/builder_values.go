package definition

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/batonhq/baton/sel"
)

// Values of the Go builder (see builder.go): retry policies, param
// definitions, and the normalisation that makes built requests equal to
// decoded ones.

// RetryBuilder builds a retry_policy. Fields not set take Maestro's
// defaults at run time.
type RetryBuilder struct {
	rp   RetryPolicy
	b    Backoff
	errs []relErr
}

// Retries starts a retry policy.
func Retries() *RetryBuilder { return &RetryBuilder{} }

func (r *RetryBuilder) set(p **ParsableLong, n int64) *RetryBuilder { *p = Secs(n); return r }

// ErrorLimit sets error_retry_limit: retries of user errors.
func (r *RetryBuilder) ErrorLimit(n int64) *RetryBuilder { return r.set(&r.rp.ErrorRetryLimit, n) }

// PlatformLimit sets platform_retry_limit: retries of platform errors.
func (r *RetryBuilder) PlatformLimit(n int64) *RetryBuilder {
	return r.set(&r.rp.PlatformRetryLimit, n)
}

// TimeoutLimit sets timeout_retry_limit: retries of timed-out attempts.
func (r *RetryBuilder) TimeoutLimit(n int64) *RetryBuilder { return r.set(&r.rp.TimeoutRetryLimit, n) }

// Fixed selects FIXED_BACKOFF: constant delays (the *Backoff values).
func (r *RetryBuilder) Fixed() *RetryBuilder { r.b.Type = FixedBackoff; return r }

// Exponential selects EXPONENTIAL_BACKOFF (the default when only backoff
// values are given): backoff * exponent^retry, capped by the max.
func (r *RetryBuilder) Exponential() *RetryBuilder { r.b.Type = ExponentialBackoff; return r }

// ErrorBackoff sets error_retry_backoff_in_secs.
func (r *RetryBuilder) ErrorBackoff(secs int64) *RetryBuilder {
	return r.set(&r.b.ErrorRetryBackoffInSecs, secs)
}

// ErrorExponent sets error_retry_exponent.
func (r *RetryBuilder) ErrorExponent(n int64) *RetryBuilder { return r.set(&r.b.ErrorRetryExponent, n) }

// ErrorMaxBackoff sets error_retry_limit_in_secs.
func (r *RetryBuilder) ErrorMaxBackoff(secs int64) *RetryBuilder {
	return r.set(&r.b.ErrorRetryLimitInSecs, secs)
}

// PlatformBackoff sets platform_retry_backoff_in_secs.
func (r *RetryBuilder) PlatformBackoff(secs int64) *RetryBuilder {
	return r.set(&r.b.PlatformRetryBackoffInSecs, secs)
}

// PlatformExponent sets platform_retry_exponent.
func (r *RetryBuilder) PlatformExponent(n int64) *RetryBuilder {
	return r.set(&r.b.PlatformRetryExponent, n)
}

// PlatformMaxBackoff sets platform_retry_limit_in_secs.
func (r *RetryBuilder) PlatformMaxBackoff(secs int64) *RetryBuilder {
	return r.set(&r.b.PlatformRetryLimitInSecs, secs)
}

// TimeoutBackoff sets timeout_retry_backoff_in_secs.
func (r *RetryBuilder) TimeoutBackoff(secs int64) *RetryBuilder {
	return r.set(&r.b.TimeoutRetryBackoffInSecs, secs)
}

// TimeoutExponent sets timeout_retry_exponent.
func (r *RetryBuilder) TimeoutExponent(n int64) *RetryBuilder {
	return r.set(&r.b.TimeoutRetryExponent, n)
}

// TimeoutMaxBackoff sets timeout_retry_limit_in_secs.
func (r *RetryBuilder) TimeoutMaxBackoff(secs int64) *RetryBuilder {
	return r.set(&r.b.TimeoutRetryLimitInSecs, secs)
}

// Set sets any field by its JSON name (error_retry_limit, or a backoff
// field such as platform_retry_backoff_in_secs) as Maestro text: a number,
// a duration string ("5 min") or a workflow param reference ("${n}").
func (r *RetryBuilder) Set(field, text string) *RetryBuilder {
	switch field {
	case "error_retry_limit":
		r.rp.ErrorRetryLimit = Text(text)
	case "platform_retry_limit":
		r.rp.PlatformRetryLimit = Text(text)
	case "timeout_retry_limit":
		r.rp.TimeoutRetryLimit = Text(text)
	default:
		for _, f := range r.b.fields() {
			if f.name == field {
				*f.ptr = Text(text)
				return r
			}
		}
		r.errs = append(r.errs, relErr{field, "unknown retry policy field"})
	}
	return r
}

func (r *RetryBuilder) build(path string, l *errList) *RetryPolicy {
	for _, e := range r.errs {
		l.add(pathKey(path, e.field), "%s", e.msg)
	}
	rp := r.rp
	b := r.b
	for _, f := range b.fields() {
		if *f.ptr != nil && b.Type == "" {
			b.Type = ExponentialBackoff
		}
	}
	if b.Type != "" {
		rp.Backoff = &b
	}
	return &rp
}

// ParamSpec is a param definition under construction: a literal (String,
// Long, ..., Map) or an expression (Expr), with optional mode, validator,
// tags and metadata. It is a value: the methods return modified copies.
type ParamSpec struct {
	p       Param
	entries map[string]ParamSpec // MAP literals
	keys    []string             // the entries' order
	err     string
}

func literal(t sel.Type, v any) ParamSpec { return ParamSpec{p: Param{Type: t, Value: v}} }

// String is a STRING literal.
func String(v string) ParamSpec { return literal(sel.String, v) }

// Long is a LONG literal.
func Long(v int64) ParamSpec { return literal(sel.Long, v) }

// Double is a DOUBLE literal (NaN and infinities are refused by Build).
func Double(v float64) ParamSpec {
	s := literal(sel.Double, v)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		s.err = fmt.Sprintf("DOUBLE value %v cannot be written as JSON", v)
	}
	return s
}

// Boolean is a BOOLEAN literal.
func Boolean(v bool) ParamSpec { return literal(sel.Boolean, v) }

// StringMap is a STRING_MAP literal.
func StringMap(m map[string]string) ParamSpec {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return literal(sel.StringMap, c)
}

// StringArray is a STRING_ARRAY literal.
func StringArray(vs ...string) ParamSpec { return literal(sel.StringArray, append([]string{}, vs...)) }

// LongArray is a LONG_ARRAY literal.
func LongArray(vs ...int64) ParamSpec { return literal(sel.LongArray, append([]int64{}, vs...)) }

// DoubleArray is a DOUBLE_ARRAY literal.
func DoubleArray(vs ...float64) ParamSpec {
	s := literal(sel.DoubleArray, append([]float64{}, vs...))
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			s.err = fmt.Sprintf("DOUBLE_ARRAY value %v cannot be written as JSON", v)
		}
	}
	return s
}

// BooleanArray is a BOOLEAN_ARRAY literal.
func BooleanArray(vs ...bool) ParamSpec { return literal(sel.BooleanArray, append([]bool{}, vs...)) }

// Map is a MAP literal: each entry is itself a param definition. A Go map
// has no order, so the entries are in name order; add entries with Entry
// to choose the order (for a foreach's loop params, the first varies
// fastest). Map(nil) is an empty MAP literal.
func Map(entries map[string]ParamSpec) ParamSpec {
	c := make(map[string]ParamSpec, len(entries))
	for k, v := range entries {
		c[k] = v
	}
	return ParamSpec{p: Param{Type: sel.Map}, entries: c, keys: sortedKeys(c)}
}

// Entry adds an entry to a MAP literal, after the entries it has (it
// replaces an entry of the same name in place):
//
//	Map(nil).Entry("b", LongArray(1, 2)).Entry("a", LongArray(10, 20, 30))
//
// is the literal {"b": ..., "a": ...}, in that order (Param.Keys).
func (s ParamSpec) Entry(name string, p ParamSpec) ParamSpec {
	if s.entries == nil {
		if s.err == "" {
			s.err = fmt.Sprintf("Entry(%q): not a MAP literal (start from Map)", name)
		}
		return s
	}
	entries := make(map[string]ParamSpec, len(s.entries)+1)
	for k, v := range s.entries {
		entries[k] = v
	}
	if _, ok := entries[name]; !ok {
		s.keys = append(append([]string{}, s.keys...), name)
	}
	entries[name] = p
	s.entries = entries
	return s
}

// Expr is a param of type t computed by a SEL expression.
func Expr(t sel.Type, expression string) ParamSpec {
	return ParamSpec{p: Param{Type: t, Expression: expression, HasExpression: true}}
}

// Mode sets the param's mode (Mutable, MutableOnStart,
// MutableOnStartRestart, Immutable or Constant).
func (s ParamSpec) Mode(m ParamMode) ParamSpec {
	var errs []relErr
	s.p.Mode = ParamMode(checkEnum(string(m), "mode", paramModes, &errs))
	if len(errs) > 0 {
		s.err = "mode: " + errs[0].msg
	}
	return s
}

// Validator sets the param's validator (carried, never evaluated).
func (s ParamSpec) Validator(expr string) ParamSpec { s.p.Validator = expr; return s }

// Tags adds plain tags to the param.
func (s ParamSpec) Tags(names ...string) ParamSpec {
	s.p.Tags = appendTags(cloneTags(s.p.Tags), names)
	return s
}

// Meta sets another key of the param definition (free-form JSON).
func (s ParamSpec) Meta(key string, v any) ParamSpec {
	m := make(map[string]any, len(s.p.Meta)+1)
	for k, x := range s.p.Meta {
		m[k] = x
	}
	var errs []relErr
	m[key] = plainValue(v, key, &errs)
	if len(errs) > 0 {
		s.err = errs[0].field + ": " + errs[0].msg
	}
	s.p.Meta = m
	return s
}

func buildParams(specs map[string]ParamSpec, path string, l *errList) Params {
	if specs == nil {
		return nil
	}
	ps := make(Params, len(specs))
	for _, name := range sortedKeys(specs) {
		ps[name] = specs[name].build(pathName(path, name), l)
	}
	return ps
}

func (s ParamSpec) build(path string, l *errList) *Param {
	if s.err != "" {
		l.add(path, "%s", s.err)
	}
	p := s.p
	p.Tags = cloneTags(p.Tags)
	if s.entries != nil {
		p.Value = buildParams(s.entries, pathKey(path, "value"), l)
		p.Keys = append(make([]string, 0, len(s.keys)), s.keys...)
	}
	return &p
}

// Secs is a ParsableLong of n (seconds, or a count).
func Secs(n int64) *ParsableLong { return &ParsableLong{Literal: &n} }

// Text is a ParsableLong given as text, normalised as the decoder does: a
// numeric string becomes a literal, anything else ("10 min", "${x}") stays
// text.
func Text(s string) *ParsableLong {
	if n, ok := parseLong(s); ok {
		return Secs(n)
	}
	return &ParsableLong{Text: s}
}

func wholeSeconds(d time.Duration) (int64, string) {
	if d%time.Second != 0 {
		return int64(d / time.Second), fmt.Sprintf("must be a whole number of seconds, got %v", d)
	}
	return int64(d / time.Second), ""
}

// checkEnum upper-cases v and checks it against allowed ("" is allowed).
func checkEnum(v, path string, allowed []string, errs *[]relErr) string {
	up := strings.ToUpper(strings.TrimSpace(v))
	if up == "" {
		return ""
	}
	for _, a := range allowed {
		if a == up {
			return up
		}
	}
	*errs = append(*errs, relErr{path, fmt.Sprintf("must be one of %s, got %q", strings.Join(allowed, ", "), v)})
	return up
}

// plainValue converts v to the decoder's representation of free-form JSON
// (numbers as json.Number, objects as map[string]any).
func plainValue(v any, path string, errs *[]relErr) any {
	data, err := json.Marshal(v)
	if err == nil {
		var n *node
		if n, err = parseTree(data); err == nil {
			return n.plain()
		}
	}
	*errs = append(*errs, relErr{path, fmt.Sprintf("not a JSON value: %v", err)})
	return nil
}

func appendTags(tags TagList, names []string) TagList {
	for _, n := range names {
		tags = append(tags, Tag{Name: n})
	}
	return tags
}

// cloneTags copies a tag list, upper-casing namespaces and converting
// attributes to plain JSON as the decoder does.
func cloneTags(tags TagList) TagList {
	if tags == nil {
		return nil
	}
	out := make(TagList, len(tags))
	for i, t := range tags {
		t.Namespace = strings.ToUpper(t.Namespace)
		if t.Attributes != nil {
			var errs []relErr
			t.Attributes, _ = plainValue(t.Attributes, "", &errs).(map[string]any)
		}
		out[i] = t
	}
	return out
}
