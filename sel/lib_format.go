package sel

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// javaFormat implements the common subset of java.util.Formatter:
// %[index$][flags][width][.precision]conv with conv in s S d x X o f e E b B c n %.
// Flags: - 0 + space , ( #.
//
// The literal text is charged up front and each converted piece before it
// is written, so the output never passes the memory limit.
func (st *state) javaFormat(pos int, f string, args []any) (any, error) {
	if err := st.alloc(pos, int64(len(f))); err != nil {
		return nil, err
	}
	var sb strings.Builder
	next := 0
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			sb.WriteByte(c)
			continue
		}
		i++
		j := i
		// explicit index
		argIdx := -1
		k := j
		for k < len(f) && isDigit(f[k]) {
			k++
		}
		if k < len(f) && f[k] == '$' && k > j {
			n, _ := strconv.Atoi(f[j:k])
			argIdx = n - 1
			j = k + 1
		}
		flags := ""
		for j < len(f) && strings.IndexByte("-0+ ,(#", f[j]) >= 0 {
			flags += string(f[j])
			j++
		}
		width, prec := -1, -1
		k = j
		for k < len(f) && isDigit(f[k]) {
			k++
		}
		if k > j {
			width, _ = strconv.Atoi(f[j:k])
			if k-j > 5 {
				width = 1 << 30
			}
			j = k
		}
		if j < len(f) && f[j] == '.' {
			k = j + 1
			for k < len(f) && isDigit(f[k]) {
				k++
			}
			if k == j+1 {
				return nil, errAt(pos, "UnknownFormatConversionException in %q", f)
			}
			prec, _ = strconv.Atoi(f[j+1 : k])
			if k-j > 4 {
				prec = 1 << 30
			}
			j = k
		}
		if j >= len(f) {
			return nil, errAt(pos, "UnknownFormatConversionException: format ends with %%")
		}
		if width > 10000 || prec > 1000 {
			return nil, limitErr(pos, "memory", st.lim.MaxMemory)
		}
		conv := f[j]
		i = j
		if conv == 'n' {
			sb.WriteByte('\n')
			continue
		}
		if conv == '%' {
			if err := st.alloc(pos, int64(max(width, 1))); err != nil {
				return nil, err
			}
			sb.WriteString(pad("%", width, strings.Contains(flags, "-"), false))
			continue
		}
		var arg any
		idx := argIdx
		if idx < 0 {
			idx = next
			next++
		}
		if idx >= len(args) {
			return nil, errAt(pos, "MissingFormatArgumentException: Format specifier '%%%c'", conv)
		}
		arg = args[idx]
		if conv == 's' || conv == 'S' { // an array or map renders long
			txt, err := st.text(pos, arg)
			if err != nil {
				return nil, err
			}
			if conv == 'S' {
				if err := st.alloc(pos, caseMappedSize(txt)); err != nil {
					return nil, err
				}
			}
			arg = txt
		}
		s, err := formatOne(pos, conv, flags, prec, arg)
		if err != nil {
			return nil, err
		}
		if err := st.alloc(pos, int64(max(len(s), width))); err != nil {
			return nil, err
		}
		zero := strings.Contains(flags, "0") && !strings.Contains(flags, "-")
		sb.WriteString(pad(s, width, strings.Contains(flags, "-"), zero))
	}
	return sb.String(), nil
}

func pad(s string, width int, left, zero bool) string {
	if width <= len(s) {
		return s
	}
	n := width - len(s)
	if left {
		return s + strings.Repeat(" ", n)
	}
	if zero {
		sign := ""
		if len(s) > 0 && (s[0] == '-' || s[0] == '+' || s[0] == ' ') {
			sign, s = s[:1], s[1:]
		}
		return sign + strings.Repeat("0", n) + s
	}
	return strings.Repeat(" ", n) + s
}

func groupDigits(s string) string {
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var sb strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			sb.WriteByte(',')
		}
		sb.WriteRune(c)
	}
	if hasFrac {
		sb.WriteByte('.')
		sb.WriteString(frac)
	}
	return sb.String()
}

func signed(neg bool, digits, flags string) string {
	switch {
	case neg && strings.Contains(flags, "("):
		return "(" + digits + ")"
	case neg:
		return "-" + digits
	case strings.Contains(flags, "+"):
		return "+" + digits
	case strings.Contains(flags, " "):
		return " " + digits
	}
	return digits
}

func formatOne(pos int, conv byte, flags string, prec int, arg any) (string, error) {
	bad := func() (string, error) {
		return "", errAt(pos, "IllegalFormatConversionException: %c != %s", conv, typeName(arg))
	}
	upper := conv >= 'A' && conv <= 'Z'
	out := ""
	switch conv {
	case 's', 'S':
		out = javaString(arg)
		if prec >= 0 && prec < len(out) {
			out = out[:prec]
		}
	case 'b', 'B':
		if b, ok := arg.(bool); ok {
			out = strconv.FormatBool(b)
		} else {
			out = strconv.FormatBool(arg != nil)
		}
	case 'c':
		switch a := arg.(type) {
		case int64:
			out = string(rune(a))
		case string:
			if len([]rune(a)) != 1 {
				return bad()
			}
			out = a
		default:
			return bad()
		}
	case 'd':
		n, ok := arg.(int64)
		if !ok {
			return bad()
		}
		neg := n < 0
		digits := new(big.Int).Abs(big.NewInt(n)).String()
		if strings.Contains(flags, ",") {
			digits = groupDigits(digits)
		}
		out = signed(neg, digits, flags)
	case 'x', 'X', 'o':
		n, ok := arg.(int64)
		if !ok {
			return bad()
		}
		base := 16
		if conv == 'o' {
			base = 8
		}
		out = strconv.FormatUint(uint64(n), base)
		if strings.Contains(flags, "#") {
			if base == 16 {
				out = "0x" + out
			} else {
				out = "0" + out
			}
		}
	case 'f', 'e', 'E':
		x, ok := arg.(float64)
		if !ok {
			return bad()
		}
		if prec < 0 {
			prec = 6
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			out = javaDouble(x)
			break
		}
		neg := math.Signbit(x)
		digits := ""
		if conv == 'f' {
			digits = strconv.FormatFloat(math.Abs(x), 'f', prec, 64)
			if strings.Contains(flags, ",") {
				digits = groupDigits(digits)
			}
		} else {
			digits = strconv.FormatFloat(math.Abs(x), 'e', prec, 64)
		}
		out = signed(neg, digits, flags)
	default:
		return "", errAt(pos, "UnknownFormatConversionException: Conversion = '%c'", conv)
	}
	if upper {
		out = strings.ToUpper(out)
	}
	return out, nil
}
