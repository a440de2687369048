package sel

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Type is one of Maestro's ten param types. Every value a SEL evaluation
// returns to its caller, and every param value Baton stores, has one.
//
// The Go representation of each type is fixed:
//
//	String       string
//	Long         int64
//	Double       float64
//	Boolean      bool
//	StringMap    map[string]string
//	StringArray  []string
//	LongArray    []int64
//	DoubleArray  []float64
//	BooleanArray []bool
//	Map          map[string]any (values are themselves of these Go types)
type Type uint8

// The param types, named as in Maestro's JSON.
const (
	Invalid Type = iota
	String
	Long
	Double
	Boolean
	StringMap
	StringArray
	LongArray
	DoubleArray
	BooleanArray
	Map
)

var typeNames = [...]string{
	Invalid:      "INVALID",
	String:       "STRING",
	Long:         "LONG",
	Double:       "DOUBLE",
	Boolean:      "BOOLEAN",
	StringMap:    "STRING_MAP",
	StringArray:  "STRING_ARRAY",
	LongArray:    "LONG_ARRAY",
	DoubleArray:  "DOUBLE_ARRAY",
	BooleanArray: "BOOLEAN_ARRAY",
	Map:          "MAP",
}

// String returns the Maestro name of t, e.g. "LONG_ARRAY".
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// ParseType reads a Maestro type name. Like Maestro it ignores case.
func ParseType(name string) (Type, error) {
	up := strings.ToUpper(strings.TrimSpace(name))
	for i, n := range typeNames {
		if i != int(Invalid) && n == up {
			return Type(i), nil
		}
	}
	return Invalid, fmt.Errorf("unknown param type %q (want one of %s)", name, strings.Join(typeNames[1:], ", "))
}

// MarshalJSON writes the type's Maestro name (plain ASCII: no escapes).
func (t Type) MarshalJSON() ([]byte, error) { return []byte(`"` + t.String() + `"`), nil }

// UnmarshalJSON reads a Maestro type name, case-insensitively.
func (t *Type) UnmarshalJSON(b []byte) error {
	if len(b) > 2 && b[0] == '"' && b[len(b)-1] == '"' {
		if v, ok := typeNamed(b[1 : len(b)-1]); ok {
			*t = v
			return nil
		}
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("param type must be a string: %w", err)
	}
	v, err := ParseType(s)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// IsArray reports whether t is one of the four array types.
func (t Type) IsArray() bool {
	return t == StringArray || t == LongArray || t == DoubleArray || t == BooleanArray
}

// TypeOf returns the param type of a Go value in the representation above.
// Values of any other Go type (a DateTime, say) report false.
func TypeOf(v any) (Type, bool) {
	switch v.(type) {
	case string:
		return String, true
	case int64:
		return Long, true
	case float64:
		return Double, true
	case bool:
		return Boolean, true
	case map[string]string:
		return StringMap, true
	case []string:
		return StringArray, true
	case []int64:
		return LongArray, true
	case []float64:
		return DoubleArray, true
	case []bool:
		return BooleanArray, true
	case map[string]any:
		return Map, true
	}
	return Invalid, false
}

// Value is a param value together with its type. Its JSON form,
// {"type":"LONG","value":15}, survives a round trip exactly (a LONG stays
// an int64, a MAP keeps the types of its entries), which plain `any` does
// not: that is why Baton's workflow state stores params as Values.
type Value struct {
	Type  Type
	Value any
}

type valueJSON struct {
	Type  Type            `json:"type"`
	Value json.RawMessage `json:"value"`
}

// MarshalJSON encodes a Value; MAP entries are encoded as Values themselves.
func (v Value) MarshalJSON() ([]byte, error) {
	size := 48
	if s, ok := v.Value.(string); ok {
		size += len(s)
	}
	if b, ok := appendValueFast(make([]byte, 0, size), v); ok {
		return b, nil
	}
	raw, err := EncodeJSON(v.Type, v.Value)
	if err != nil {
		return nil, err
	}
	return json.Marshal(valueJSON{Type: v.Type, Value: raw})
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (v *Value) UnmarshalJSON(b []byte) error {
	if fast, ok := decodeValueFast(b); ok {
		*v = fast
		return nil
	}
	var j valueJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	val, err := DecodeJSON(j.Type, j.Value)
	if err != nil {
		return err
	}
	*v = Value{Type: j.Type, Value: val}
	return nil
}

// MaxValueDepth is how deeply MAP values may nest (a MAP holding a MAP is
// depth 2). EncodeJSON, DecodeJSON and Baton's decoders refuse deeper
// values before they recurse: each level re-reads the levels below it.
const MaxValueDepth = 128

// ValueDepth returns the nesting depth of v's MAPs (0 for a scalar or an
// array, 1 for a MAP of scalars), counting no further than limit+1, so a
// MAP that holds itself ends the walk.
func ValueDepth(v any, limit int) int {
	m, ok := v.(map[string]any)
	if !ok {
		return 0
	}
	if limit < 0 {
		return 1
	}
	d := 0
	for _, e := range m {
		d = max(d, ValueDepth(e, limit-1))
		if d > limit {
			break
		}
	}
	return d + 1
}

// JSONDepth returns the nesting depth of the JSON arrays and objects in b,
// scanning it once without recursion (b need not be valid JSON).
func JSONDepth(b []byte) int {
	depth, deepest, inStr := 0, 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inStr:
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// EncodeJSON encodes a value of type t. MAP entries become {"type","value"}
// objects, with keys in sorted order, so the encoding is stable.
func EncodeJSON(t Type, v any) (json.RawMessage, error) {
	if t != Map {
		return json.Marshal(v)
	}
	if ValueDepth(v, MaxValueDepth) > MaxValueDepth {
		return nil, fmt.Errorf("MAP value nests deeper than %d levels", MaxValueDepth)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("MAP value has Go type %T", v)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	sb.WriteByte('{')
	for i, k := range keys {
		et, ok := TypeOf(m[k])
		if !ok {
			return nil, fmt.Errorf("MAP entry %q has unsupported Go type %T", k, m[k])
		}
		kb, _ := json.Marshal(k)
		eb, err := json.Marshal(Value{Type: et, Value: m[k]})
		if err != nil {
			return nil, err
		}
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.Write(kb)
		sb.WriteByte(':')
		sb.Write(eb)
	}
	sb.WriteByte('}')
	return json.RawMessage(sb.String()), nil
}

// DecodeJSON decodes raw JSON written by EncodeJSON for type t. A MAP
// nested deeper than MaxValueDepth is refused before it is decoded.
func DecodeJSON(t Type, raw json.RawMessage) (any, error) {
	var err error
	// a MAP level is two JSON levels: {"k":{"type":"MAP","value":{...}}}
	if d := JSONDepth(raw); d > 2*MaxValueDepth+1 {
		return nil, fmt.Errorf("%v value nests %d JSON levels deep: at most %d MAP levels are allowed", t, d, MaxValueDepth)
	}
	switch t {
	case String:
		var v string
		err = json.Unmarshal(raw, &v)
		return v, err
	case Long:
		var v int64
		err = json.Unmarshal(raw, &v)
		return v, err
	case Double:
		var v float64
		err = json.Unmarshal(raw, &v)
		return v, err
	case Boolean:
		var v bool
		err = json.Unmarshal(raw, &v)
		return v, err
	case StringMap:
		v := map[string]string{}
		err = json.Unmarshal(raw, &v)
		return v, err
	case StringArray:
		v := []string{}
		err = json.Unmarshal(raw, &v)
		return v, err
	case LongArray:
		v := []int64{}
		err = json.Unmarshal(raw, &v)
		return v, err
	case DoubleArray:
		v := []float64{}
		err = json.Unmarshal(raw, &v)
		return v, err
	case BooleanArray:
		v := []bool{}
		err = json.Unmarshal(raw, &v)
		return v, err
	case Map:
		var entries map[string]Value
		if err = json.Unmarshal(raw, &entries); err != nil {
			return nil, err
		}
		v := make(map[string]any, len(entries))
		for k, e := range entries {
			v[k] = e.Value
		}
		return v, nil
	}
	return nil, fmt.Errorf("cannot decode a value of type %v", t)
}
