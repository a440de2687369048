package sel

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Coerce converts an evaluated result to a declared param type the way
// Maestro's typed params accept evaluation results (setEvaluatedResult):
//
//   - STRING accepts String, long, double and boolean; non-strings are
//     rendered as Java prints them (15, 1.5, true).
//   - LONG accepts long, and a String holding a long ("1800" → 1800).
//   - DOUBLE accepts double, long, and a numeric String (BigDecimal syntax).
//   - BOOLEAN accepts boolean only.
//   - STRING_ARRAY accepts any array; elements are rendered as Java prints them.
//   - LONG_ARRAY, DOUBLE_ARRAY, BOOLEAN_ARRAY accept their own array type;
//     DOUBLE_ARRAY also accepts a long array.
//   - STRING_MAP accepts a map whose values are all Strings.
//   - MAP accepts any map.
//
// nil (Java null) and anything else is an error naming both types.
func Coerce(v any, t Type) (any, error) {
	v, _ = normalize(v)
	bad := func() (any, error) {
		return nil, fmt.Errorf("cannot use a %s value as a %s param", valueTypeName(v), t)
	}
	switch t {
	case String:
		switch x := v.(type) {
		case string:
			return x, nil
		case int64, float64, bool:
			return javaString(x), nil
		}
	case Long:
		switch x := v.(type) {
		case int64:
			return x, nil
		case string:
			n, err := parseJavaLong(x)
			if err != nil {
				return nil, fmt.Errorf("cannot convert String %q to a LONG param: not a long", clip(x))
			}
			return n, nil
		}
	case Double:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		case string:
			f, err := strconv.ParseFloat(x, 64)
			if err != nil || strings.ContainsAny(x, "_xXpPiInN") || math.IsInf(f, 0) {
				return nil, fmt.Errorf("cannot convert String %q to a DOUBLE param: not a number", clip(x))
			}
			return f, nil
		}
	case Boolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case StringArray:
		switch x := v.(type) {
		case []string:
			return x, nil
		case []int64:
			return mapSlice(x), nil
		case []float64:
			return mapSlice(x), nil
		case []bool:
			return mapSlice(x), nil
		}
	case LongArray:
		if x, ok := v.([]int64); ok {
			return x, nil
		}
	case DoubleArray:
		switch x := v.(type) {
		case []float64:
			return x, nil
		case []int64:
			r := make([]float64, len(x))
			for i, n := range x {
				r[i] = float64(n)
			}
			return r, nil
		}
	case BooleanArray:
		if x, ok := v.([]bool); ok {
			return x, nil
		}
	case StringMap:
		if x, ok := v.(map[string]any); ok {
			r := make(map[string]string, len(x))
			for k, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("cannot use a MAP value as a STRING_MAP param: entry %q is %s", clip(k), valueTypeName(e))
				}
				r[k] = s
			}
			return r, nil
		}
	case Map:
		if x, ok := v.(map[string]any); ok {
			return x, nil
		}
	default:
		return nil, fmt.Errorf("cannot coerce to param type %v", t)
	}
	return bad()
}

func mapSlice[T any](x []T) []string {
	r := make([]string, len(x))
	for i, e := range x {
		r[i] = javaString(e)
	}
	return r
}

func valueTypeName(v any) string {
	if v == nil {
		return "null"
	}
	if t, ok := TypeOf(v); ok {
		return t.String()
	}
	return typeName(v)
}

// Format renders a value as Maestro's string interpolation does: strings
// as they are, long "15", double as Java prints it ("1.5", "1.0E10"),
// booleans "true"/"false", and arrays and maps as JSON (map keys sorted).
func Format(v any) string {
	v, _ = normalize(v)
	switch x := v.(type) {
	case nil:
		return "null"
	case string, int64, float64, bool:
		return javaString(x)
	}
	var sb strings.Builder
	writeJSON(&sb, v)
	return sb.String()
}

func writeJSON(sb *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		sb.WriteString(strconv.Quote(x))
	case int64:
		sb.WriteString(strconv.FormatInt(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			sb.WriteString(strconv.Quote(javaDouble(x)))
		} else {
			sb.WriteString(javaDouble(x))
		}
	case bool:
		sb.WriteString(strconv.FormatBool(x))
	case []string:
		writeList(sb, len(x), func(i int) { writeJSON(sb, x[i]) })
	case []int64:
		writeList(sb, len(x), func(i int) { writeJSON(sb, x[i]) })
	case []float64:
		writeList(sb, len(x), func(i int) { writeJSON(sb, x[i]) })
	case []bool:
		writeList(sb, len(x), func(i int) { writeJSON(sb, x[i]) })
	case map[string]any:
		keys := sortedKeys(x)
		sb.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(strconv.Quote(k))
			sb.WriteByte(':')
			writeJSON(sb, x[k])
		}
		sb.WriteByte('}')
	case map[string]string:
		writeJSON(sb, toAnyMap(x))
	case nil:
		sb.WriteString("null")
	default:
		sb.WriteString(strconv.Quote(javaString(x)))
	}
}

func writeList(sb *strings.Builder, n int, f func(int)) {
	sb.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		f(i)
	}
	sb.WriteByte(']')
}

func isNameStart(c byte) bool { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isNameChar(c byte) bool  { return isNameStart(c) || isDigit(c) }

// InterpolateLegacy is Baton's interpolation rule before it followed
// Maestro's LiteralEvaluator pattern (see Interpolate): a $name could start
// with '_', and ${...} held any name characters, '.', '-' and '/', or was
// an error. The interpreter keeps it for runs started under it.
func InterpolateLegacy(text string, p Params) (string, error) {
	return interpolate(text, p, legacyVariable)
}

// legacyVariable reads the variable after the '$' at text[i] under the
// legacy rule.
func legacyVariable(text string, i int) (string, int, error) {
	n := text[i+1]
	switch {
	case n == '{':
		end := strings.IndexByte(text[i+2:], '}')
		if end < 0 {
			return "", 0, fmt.Errorf("interpolation: unterminated ${ in %q", clip(text))
		}
		name := text[i+2 : i+2+end]
		for j := 0; j < len(name); j++ {
			if !isNameChar(name[j]) && name[j] != '.' && name[j] != '-' && name[j] != '/' {
				return "", 0, fmt.Errorf("interpolation: invalid param name %q in %q", clip(name), clip(text))
			}
		}
		if name == "" {
			return "", 0, fmt.Errorf("interpolation: empty ${} in %q", clip(text))
		}
		return name, i + 2 + end, nil
	case isNameStart(n):
		j := i + 1
		for j < len(text) && isNameChar(text[j]) {
			j++
		}
		return text[i+1 : j], j - 1, nil
	}
	return "", i, nil
}
