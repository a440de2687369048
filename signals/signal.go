package signals

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Limits on one instance, checked before it is stored.
const (
	MaxNameBytes      = 256 // Maestro's NAME_LENGTH_LIMIT
	MaxParams         = 32
	MaxParamNameBytes = 128
	MaxStringBytes    = 1024
	MaxPayloadBytes   = 16 << 10
	MaxRequestIDBytes = 256
)

// namePattern is Maestro's MaestroNameConstraint pattern.
var namePattern = regexp.MustCompile(`^[\w .,:@&='(){}$+\[\]\-/\\]+$`)

// Value is a signal param value: a LONG or a STRING, as Maestro's
// SignalParamValue. It encodes as a JSON number or string.
type Value struct {
	isString bool
	long     int64
	str      string
}

// Long returns a LONG value.
func Long(v int64) Value { return Value{long: v} }

// String returns a STRING value.
func String(s string) Value { return Value{isString: true, str: s} }

// IsLong reports whether v is a LONG.
func (v Value) IsLong() bool { return !v.isString }

// Int returns the LONG value (0 for a STRING).
func (v Value) Int() int64 { return v.long }

// Str returns the STRING value ("" for a LONG).
func (v Value) Str() string { return v.str }

// String renders v as Maestro does: a LONG plainly, a STRING quoted.
func (v Value) String() string {
	if v.isString {
		return strconv.Quote(v.str)
	}
	return strconv.FormatInt(v.long, 10)
}

// MarshalJSON encodes a number or a string.
func (v Value) MarshalJSON() ([]byte, error) {
	if v.isString {
		return json.Marshal(v.str)
	}
	return []byte(strconv.FormatInt(v.long, 10)), nil
}

// UnmarshalJSON accepts an integer or a string, nothing else.
func (v *Value) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = String(s)
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("signal param value %s: want an integer (LONG) or a string (STRING)", truncate(string(b)))
	}
	*v = Long(n)
	return nil
}

// ParseValue reads a command-line value: an integer is a LONG, a JSON
// string literal ("\"123\"") is a STRING, anything else is a STRING as is.
func ParseValue(s string) Value {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Long(n)
	}
	if len(s) >= 2 && s[0] == '"' {
		var str string
		if json.Unmarshal([]byte(s), &str) == nil {
			return String(str)
		}
	}
	return String(s)
}

// Operator is a match operator, as Maestro's SignalOperator.
type Operator string

// The operators of Maestro's signal match params.
const (
	Equal        Operator = "="
	Greater      Operator = ">"
	GreaterEqual Operator = ">="
	Less         Operator = "<"
	LessEqual    Operator = "<="
)

func (op Operator) valid() bool {
	switch op {
	case Equal, Greater, GreaterEqual, Less, LessEqual:
		return true
	}
	return false
}

// compare applies op to c, the comparison of an instance's value with the
// match value (-1, 0, 1).
func (op Operator) holds(c int) bool {
	switch op {
	case Equal:
		return c == 0
	case Greater:
		return c > 0
	case GreaterEqual:
		return c >= 0
	case Less:
		return c < 0
	case LessEqual:
		return c <= 0
	}
	return false
}

// MatchParam is one condition on an instance's param: the instance's
// value <Operator> Value. As in Maestro (SignalMatchParam.isSatisfied), a
// LONG never matches a STRING, and strings compare lexicographically
// (Go compares bytes of UTF-8; Java compares UTF-16 units, which differ
// only for characters outside the Basic Multilingual Plane).
type MatchParam struct {
	Name     string   `json:"name"`
	Operator Operator `json:"operator"`
	Value    Value    `json:"value"`
}

// String renders the condition as the command line takes it: name>=value.
func (m MatchParam) String() string { return m.Name + string(m.Operator) + m.Value.String() }

// ParseMatch reads "name<op>value" with op one of = > >= < <=.
func ParseMatch(s string) (MatchParam, error) {
	i := strings.IndexAny(s, "=<>")
	if i <= 0 {
		return MatchParam{}, fmt.Errorf("match %q: want name<op>value with op one of = > >= < <=", truncate(s))
	}
	op := Operator(s[i : i+1])
	if i+1 < len(s) && s[i+1] == '=' && op != Equal {
		op = Operator(s[i : i+2])
	}
	return MatchParam{Name: s[:i], Operator: op, Value: ParseValue(s[i+len(op):])}, nil
}

// Matches reports whether v satisfies m.
func (m MatchParam) Matches(v Value) bool {
	if v.isString != m.Value.isString {
		return false
	}
	if v.isString {
		return m.Operator.holds(strings.Compare(v.str, m.Value.str))
	}
	switch {
	case v.long < m.Value.long:
		return m.Operator.holds(-1)
	case v.long > m.Value.long:
		return m.Operator.holds(1)
	}
	return m.Operator.holds(0)
}

// Instance is a stored signal instance.
type Instance struct {
	Name string `json:"name"`
	// Seq is the instance's sequence id within its name, from 1.
	Seq    int64            `json:"seq_id"`
	Params map[string]Value `json:"params,omitempty"`
	// Payload is a JSON object, stored and returned, never indexed.
	Payload   json.RawMessage `json:"payload,omitempty"`
	RequestID string          `json:"request_id,omitempty"`
	// CreateTime is when the store accepted the send.
	CreateTime time.Time `json:"create_time"`
}

// size estimates the instance's encoded JSON bytes in the store's state
// (an upper bound for short values; field names and the time included).
func (in *Instance) size() int {
	n := 96 + len(in.Name) + len(in.RequestID) + len(in.Payload)
	for k, v := range in.Params {
		n += 8 + len(k) + 2*len(v.str) + 20
	}
	return n
}

// ID is the instance's id: "<name>#<seq>".
func (in *Instance) ID() string { return in.Name + "#" + strconv.FormatInt(in.Seq, 10) }

// Matches reports whether in satisfies every condition (none: any).
func (in *Instance) Matches(match []MatchParam) bool {
	for _, m := range match {
		v, ok := in.Params[m.Name]
		if !ok || !m.Matches(v) {
			return false
		}
	}
	return true
}

// CheckName refuses a name Maestro refuses (MaestroNameConstraint).
func CheckName(name string) error {
	switch {
	case name == "":
		return errors.New("signal name is empty")
	case len(name) > MaxNameBytes:
		return fmt.Errorf("signal name %q: %d bytes, more than %d", truncate(name), len(name), MaxNameBytes)
	case !namePattern.MatchString(name):
		return fmt.Errorf("signal name %q: want letters, digits, spaces and .,:@&='(){}$+[]-/\\ only", truncate(name))
	case strings.HasPrefix(strings.ToLower(name), "maestro_"):
		return fmt.Errorf("signal name %q: the prefix maestro_ is reserved", truncate(name))
	case strings.HasSuffix(strings.ToLower(name), "_maestro"):
		return fmt.Errorf("signal name %q: the suffix _maestro is reserved", truncate(name))
	}
	return nil
}

// CheckMatch refuses a malformed match list.
func CheckMatch(match []MatchParam) error {
	if len(match) > MaxParams {
		return fmt.Errorf("match: %d conditions, more than %d", len(match), MaxParams)
	}
	for i, m := range match {
		if m.Name == "" || len(m.Name) > MaxParamNameBytes {
			return fmt.Errorf("match[%d]: param name must be 1 to %d bytes", i, MaxParamNameBytes)
		}
		if !m.Operator.valid() {
			return fmt.Errorf("match[%d] %q: operator %q: want one of = > >= < <=", i, truncate(m.Name), truncate(string(m.Operator)))
		}
		if len(m.Value.str) > MaxStringBytes {
			return fmt.Errorf("match[%d] %q: value of %d bytes, more than %d", i, truncate(m.Name), len(m.Value.str), MaxStringBytes)
		}
	}
	return nil
}

// checkSend refuses a send that breaks a rule or a limit, naming it.
func checkSend(name string, req SendRequest) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if len(req.Params) > MaxParams {
		return fmt.Errorf("signal %q: %d params, more than %d", truncate(name), len(req.Params), MaxParams)
	}
	for _, k := range sortedKeys(req.Params) {
		if k == "" || len(k) > MaxParamNameBytes {
			return fmt.Errorf("signal %q: param name %q must be 1 to %d bytes", truncate(name), truncate(k), MaxParamNameBytes)
		}
		if v := req.Params[k]; len(v.str) > MaxStringBytes {
			return fmt.Errorf("signal %q: param %q: value of %d bytes, more than %d", truncate(name), truncate(k), len(v.str), MaxStringBytes)
		}
	}
	if len(req.Payload) > MaxPayloadBytes {
		return fmt.Errorf("signal %q: payload of %d bytes, more than %d", truncate(name), len(req.Payload), MaxPayloadBytes)
	}
	if len(req.Payload) > 0 {
		if err := checkPayload(req.Payload); err != nil {
			return fmt.Errorf("signal %q: payload: %w", truncate(name), err)
		}
	}
	if len(req.RequestID) > MaxRequestIDBytes {
		return fmt.Errorf("signal %q: request id of %d bytes, more than %d", truncate(name), len(req.RequestID), MaxRequestIDBytes)
	}
	return nil
}

// checkPayload wants a JSON object; json.Valid does not recurse.
func checkPayload(p json.RawMessage) error {
	if !json.Valid(p) {
		return errors.New("not valid JSON")
	}
	if s := strings.TrimLeft(string(p), " \t\r\n"); s == "" || s[0] != '{' {
		return errors.New("want a JSON object")
	}
	return nil
}

func sortedKeys(m map[string]Value) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// truncate bounds user text quoted in errors.
func truncate(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
