package sel

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// javaDouble renders f as Java's Double.toString does (shortest digits
// that round-trip; scientific notation below 1e-3 and from 1e7 on).
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	neg := f < 0
	a := math.Abs(f)
	e := strconv.FormatFloat(a, 'e', -1, 64) // d.ddde±xx
	mant, expS, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expS)
	digits := strings.Replace(mant, ".", "", 1)
	var sb strings.Builder
	if neg {
		sb.WriteByte('-')
	}
	if a >= 1e-3 && a < 1e7 {
		if exp >= 0 {
			if len(digits) <= exp+1 {
				sb.WriteString(digits)
				sb.WriteString(strings.Repeat("0", exp+1-len(digits)))
				sb.WriteString(".0")
			} else {
				sb.WriteString(digits[:exp+1])
				sb.WriteByte('.')
				sb.WriteString(digits[exp+1:])
			}
		} else {
			sb.WriteString("0.")
			sb.WriteString(strings.Repeat("0", -exp-1))
			sb.WriteString(digits)
		}
		return sb.String()
	}
	sb.WriteByte(digits[0])
	sb.WriteByte('.')
	if len(digits) > 1 {
		sb.WriteString(digits[1:])
	} else {
		sb.WriteByte('0')
	}
	sb.WriteByte('E')
	sb.WriteString(strconv.Itoa(exp))
	return sb.String()
}

// javaString renders v as Java's String.valueOf does for SEL values.
func javaString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return javaDouble(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case []string:
		return joinJava(len(x), func(i int) string { return x[i] })
	case []int64:
		return joinJava(len(x), func(i int) string { return strconv.FormatInt(x[i], 10) })
	case []float64:
		return joinJava(len(x), func(i int) string { return javaDouble(x[i]) })
	case []bool:
		return joinJava(len(x), func(i int) string { return strconv.FormatBool(x[i]) })
	case map[string]any:
		keys := sortedKeys(x)
		var sb strings.Builder
		sb.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(k)
			sb.WriteByte('=')
			sb.WriteString(javaString(x[k]))
		}
		sb.WriteByte('}')
		return sb.String()
	case map[string]string:
		return javaString(toAnyMap(x))
	case interface{ javaString() string }:
		return x.javaString()
	}
	return "?"
}

func joinJava(n int, f func(int) string) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(f(i))
	}
	sb.WriteByte(']')
	return sb.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func toAnyMap(m map[string]string) map[string]any {
	r := make(map[string]any, len(m))
	for k, v := range m {
		r[k] = v
	}
	return r
}

// typeName names the SEL type of a runtime value for error messages.
func typeName(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "String"
	case int64:
		return "long"
	case float64:
		return "double"
	case bool:
		return "boolean"
	case []string:
		return "String[]"
	case []int64:
		return "long[]"
	case []float64:
		return "double[]"
	case []bool:
		return "boolean[]"
	case map[string]any, map[string]string:
		return "Map"
	case interface{ selType() string }:
		return x.selType()
	}
	return "unsupported value"
}

// normalize converts Go values handed in through Params into the fixed
// representations (int → int64, map[string]string → map[string]any, ...).
// ok is false for values SEL cannot represent.
func normalize(v any) (any, bool) {
	switch x := v.(type) {
	case nil, string, int64, float64, bool, []string, []int64, []float64, []bool, map[string]any:
		return v, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int16:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case float32:
		return float64(x), true
	case map[string]string:
		return toAnyMap(x), true
	case []int:
		r := make([]int64, len(x))
		for i, e := range x {
			r[i] = int64(e)
		}
		return r, true
	case []any:
		return nil, false
	case Value:
		return normalize(x.Value)
	case *dateTime, *zoneVal, *formatter, *property, daysVal:
		return v, true
	}
	return nil, false
}
