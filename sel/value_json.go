package sel

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// Fast paths of a Value's JSON for what most Values are: a STRING, LONG
// or BOOLEAN param, written as {"type":"STRING","value":"20260102"}. A
// one-step run's State carries about 24 of them (the system params) and is
// written by the worker and read by the client at the end of every run;
// through encoding/json's reflection each cost ~4 allocations to write
// and ~11 to read. The fast paths write the same bytes and read the same
// Values as the reflection code (value_json_test.go compares them), and
// leave everything else to it: other types, escaped or non-ASCII strings,
// white space, keys in another order, lower-case type names.

// AppendJSON appends v's JSON, the bytes v.MarshalJSON returns, to dst:
// writers of bigger documents (a run's State) use it to skip a copy and,
// for the common scalars, reflection.
func AppendJSON(dst []byte, v Value) ([]byte, error) {
	if b, ok := appendValueFast(dst, v); ok {
		return b, nil
	}
	b, err := v.MarshalJSON()
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// appendValueFast appends v's JSON if v is a scalar the fast path writes
// byte for byte as Value.MarshalJSON's reflection path does; ok false
// leaves the value to it.
func appendValueFast(dst []byte, v Value) ([]byte, bool) {
	if v.Type == Invalid || v.Type == Map || int(v.Type) >= len(typeNames) {
		return dst, false // a MAP's entries are Values: EncodeJSON writes them
	}
	head := func() []byte {
		dst = append(dst, `{"type":"`...)
		dst = append(dst, typeNames[v.Type]...)
		return append(dst, `","value":`...)
	}
	switch x := v.Value.(type) {
	case string:
		if !plainString(x) {
			return dst, false
		}
		dst = append(head(), '"')
		dst = append(dst, x...)
		dst = append(dst, '"')
	case int64:
		dst = strconv.AppendInt(head(), x, 10)
	case bool:
		dst = strconv.AppendBool(head(), x)
	default:
		return dst, false
	}
	return append(dst, '}'), true
}

// plainString: s is printable ASCII that encoding/json writes as it is
// (no quote, backslash or HTML character to escape).
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// decodeValueFast reads b if it is exactly what appendValueFast writes
// (or a STRING with any valid UTF-8 and no escapes); ok false leaves b to
// the reflection path, which also reports every error.
func decodeValueFast(b []byte) (Value, bool) {
	rest, ok := bytes.CutPrefix(b, []byte(`{"type":"`))
	if !ok {
		return Value{}, false
	}
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return Value{}, false
	}
	t, ok := typeNamed(rest[:end])
	if !ok {
		return Value{}, false
	}
	raw, ok := bytes.CutPrefix(rest[end:], []byte(`","value":`))
	if !ok {
		return Value{}, false
	}
	raw, ok = bytes.CutSuffix(raw, []byte("}"))
	if !ok {
		return Value{}, false
	}
	switch t {
	case String:
		s, ok := plainQuoted(raw)
		if !ok {
			return Value{}, false
		}
		return Value{Type: t, Value: s}, true
	case Long:
		if !plainInteger(raw) {
			return Value{}, false
		}
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return Value{}, false
		}
		return Value{Type: t, Value: n}, true
	case Boolean:
		switch string(raw) {
		case "true":
			return Value{Type: t, Value: true}, true
		case "false":
			return Value{Type: t, Value: false}, true
		}
	}
	return Value{}, false
}

// typeNamed matches a type's exact Maestro name (no Invalid).
func typeNamed(name []byte) (Type, bool) {
	for i := 1; i < len(typeNames); i++ {
		if string(name) == typeNames[i] {
			return Type(i), true
		}
	}
	return Invalid, false
}

// plainQuoted returns the contents of a JSON string with no escapes and
// no control characters, in valid UTF-8: what json.Unmarshal returns for
// it too.
func plainQuoted(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	in := raw[1 : len(raw)-1]
	for _, c := range in {
		if c < 0x20 || c == '"' || c == '\\' {
			return "", false
		}
	}
	if !utf8.Valid(in) {
		return "", false
	}
	return string(in), true
}

// plainInteger: raw is a JSON integer: an optional minus, then 0 or a
// digit 1-9 followed by digits.
func plainInteger(raw []byte) bool {
	if len(raw) > 0 && raw[0] == '-' {
		raw = raw[1:]
	}
	if len(raw) == 0 || raw[0] == '0' && len(raw) > 1 {
		return false
	}
	for _, c := range raw {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
