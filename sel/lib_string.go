package sel

import (
	"regexp"
	"strings"
	"sync"
	"unicode/utf16"
)

// Java strings are UTF-16; indexes and lengths below count UTF-16 units.
// ASCII strings (the common case) take a byte fast path.

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func u16(s string) []uint16 { return utf16.Encode([]rune(s)) }

func jlen(s string) int {
	if isASCII(s) {
		return len(s)
	}
	return len(u16(s))
}

func jsubstring(s string, b, e int) (string, bool) {
	if isASCII(s) {
		if b < 0 || e > len(s) || b > e {
			return "", false
		}
		return s[b:e], true
	}
	u := u16(s)
	if b < 0 || e > len(u) || b > e {
		return "", false
	}
	return string(utf16.Decode(u[b:e])), true
}

func jlastIndexOf(s, sub string) int64 {
	i := strings.LastIndex(s, sub)
	if i < 0 || isASCII(s[:i]) {
		return int64(i)
	}
	return int64(len(u16(s[:i])))
}

func jcompare(a, b string) int64 {
	if isASCII(a) && isASCII(b) {
		n := min(len(a), len(b))
		for i := 0; i < n; i++ {
			if a[i] != b[i] {
				return int64(a[i]) - int64(b[i])
			}
		}
		return int64(len(a) - len(b))
	}
	ua, ub := u16(a), u16(b)
	n := min(len(ua), len(ub))
	for i := 0; i < n; i++ {
		if ua[i] != ub[i] {
			return int64(ua[i]) - int64(ub[i])
		}
	}
	return int64(len(ua) - len(ub))
}

// javaTrim removes leading and trailing characters <= ' ', like String.trim.
func javaTrim(s string) string {
	b, e := 0, len(s)
	for b < e && s[b] <= ' ' {
		b++
	}
	for e > b && s[e-1] <= ' ' {
		e--
	}
	return s[b:e]
}

var regexCache sync.Map // Java pattern → *regexp.Regexp

func javaRegexp(pos int, pattern string) (*regexp.Regexp, error) {
	if re, ok := regexCache.Load(pattern); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, errAt(pos, "invalid or unsupported regular expression %q: %v", pattern, err)
	}
	if len(pattern) < 256 {
		regexCache.Store(pattern, re)
	}
	return re, nil
}

// javaReplacement converts a Java replacement string ($1, \$) to Go's syntax.
func javaReplacement(pos int, r string) (string, error) {
	var sb strings.Builder
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch c {
		case '\\':
			i++
			if i >= len(r) {
				return "", errAt(pos, "character to be escaped is missing in replacement")
			}
			if r[i] == '$' {
				sb.WriteString("$$")
			} else {
				sb.WriteByte(r[i])
			}
		case '$':
			j := i + 1
			for j < len(r) && isDigit(r[j]) {
				j++
			}
			if j == i+1 {
				return "", errAt(pos, "illegal group reference in replacement %q", r)
			}
			sb.WriteString("${" + r[i+1:j] + "}")
			i = j - 1
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String(), nil
}

// regexCost estimates the steps a regexp scan of s costs: Go's regexp runs
// at several steps' time per byte unless the pattern is a literal.
func regexCost(re *regexp.Regexp, s string) int64 {
	if _, complete := re.LiteralPrefix(); complete {
		return 1 + int64(len(s)/16)
	}
	return 1 + 4*int64(len(s))
}

// javaSplit implements String.split(regex, limit).
func javaSplit(re *regexp.Regexp, s string, limit int) []string {
	if s == "" {
		return []string{""}
	}
	var out []string
	start := 0
	var matches [][]int
	if lit, complete := re.LiteralPrefix(); complete && lit != "" {
		for i := 0; ; {
			j := strings.Index(s[i:], lit)
			if j < 0 {
				break
			}
			matches = append(matches, []int{i + j, i + j + len(lit)})
			i += j + len(lit)
			if limit > 0 && len(matches) >= limit {
				break
			}
		}
	} else {
		matches = re.FindAllStringIndex(s, -1)
	}
	for _, m := range matches {
		if limit > 0 && len(out) == limit-1 {
			break
		}
		if m[1] == 0 { // zero-width match at the start never splits
			continue
		}
		if m[0] == m[1] && m[0] >= len(s) {
			break
		}
		out = append(out, s[start:m[0]])
		start = m[1]
	}
	out = append(out, s[start:])
	if limit == 0 {
		for len(out) > 1 && out[len(out)-1] == "" {
			out = out[:len(out)-1]
		}
		if len(out) == 1 && out[0] == "" && s != "" {
			return []string{}
		}
	}
	return out
}

func (st *state) stringMethod(pos int, s, name string, args []any) (any, error) {
	// charge work proportional to the string length
	if err := st.step(pos, 2+int64(len(s)/64)); err != nil {
		return nil, err
	}
	str := func(i int) (string, bool) {
		if i >= len(args) {
			return "", false
		}
		v, ok := args[i].(string)
		return v, ok
	}
	num := func(i int) (int, bool) {
		if i >= len(args) {
			return 0, false
		}
		v, ok := args[i].(int64)
		return int(int32(v)), ok
	}
	switch len(args) {
	case 0:
		switch name {
		case "toUpperCase":
			return strings.ToUpper(s), st.alloc(pos, int64(len(s)))
		case "toLowerCase":
			return strings.ToLower(s), st.alloc(pos, int64(len(s)))
		case "length":
			return int64(jlen(s)), nil
		case "isEmpty":
			return len(s) == 0, nil
		case "trim":
			return javaTrim(s), nil
		case "toString":
			return s, nil
		case "escape":
			return st.escape(pos, s)
		}
	case 1:
		a, isStr := str(0)
		switch name {
		case "equals":
			return args[0] != nil && isStr && a == s, nil
		case "compareTo":
			if isStr {
				return jcompare(s, a), nil
			}
		case "startsWith":
			if isStr {
				return strings.HasPrefix(s, a), nil
			}
		case "endsWith":
			if isStr {
				return strings.HasSuffix(s, a), nil
			}
		case "contains":
			if isStr {
				return strings.Contains(s, a), nil
			}
		case "lastIndexOf":
			if isStr {
				return jlastIndexOf(s, a), nil
			}
		case "split":
			if isStr {
				return st.split(pos, s, a, 0)
			}
		case "substring":
			if b, ok := num(0); ok {
				r, ok := jsubstring(s, b, jlen(s))
				if !ok {
					return nil, errAt(pos, "StringIndexOutOfBoundsException: begin %d, length %d", b, jlen(s))
				}
				return r, nil
			}
		}
	case 2:
		a, ok1 := str(0)
		b, ok2 := str(1)
		switch name {
		case "split":
			if n, ok := num(1); ok1 && ok {
				return st.split(pos, s, a, n)
			}
		case "substring":
			b, okb := num(0)
			e, oke := num(1)
			if okb && oke {
				r, ok := jsubstring(s, b, e)
				if !ok {
					return nil, errAt(pos, "StringIndexOutOfBoundsException: begin %d, end %d, length %d", b, e, jlen(s))
				}
				return r, nil
			}
		case "replace":
			if ok1 && ok2 {
				n := strings.Count(s, a)
				if a == "" {
					n = len(s) + 1
				}
				if err := st.alloc(pos, int64(len(s)+n*len(b))); err != nil {
					return nil, err
				}
				return strings.ReplaceAll(s, a, b), nil
			}
		case "replaceAll":
			if ok1 && ok2 {
				re, err := javaRegexp(pos, a)
				if err != nil {
					return nil, err
				}
				repl, err := javaReplacement(pos, b)
				if err != nil {
					return nil, err
				}
				if err := st.step(pos, regexCost(re, s)); err != nil {
					return nil, err
				}
				// bound the output before building it
				n := len(re.FindAllStringIndex(s, st.lim.MaxArrayLen*4+1))
				if err := st.alloc(pos, int64(len(s)+n*(len(b)+16))); err != nil {
					return nil, err
				}
				return re.ReplaceAllString(s, repl), nil
			}
		}
	}
	return nil, argErr(pos, "String."+name, args)
}

func (st *state) split(pos int, s, pattern string, limit int) (any, error) {
	re, err := javaRegexp(pos, pattern)
	if err != nil {
		return nil, err
	}
	if err := st.step(pos, regexCost(re, s)); err != nil {
		return nil, err
	}
	parts := javaSplit(re, s, limit)
	if err := st.arrayLen(pos, len(parts)); err != nil {
		return nil, err
	}
	if err := st.step(pos, 16*int64(len(parts))); err != nil {
		return nil, err
	}
	return parts, st.alloc(pos, int64(len(s)+16*len(parts)))
}

func (st *state) escape(pos int, s string) (any, error) {
	r := strings.NewReplacer("\\", "\\\\", "\t", "\\t", "\b", "\\b", "\n", "\\n",
		"\r", "\\r", "\f", "\\f", "\"", "\\\"").Replace(s)
	return r, st.alloc(pos, int64(len(r)))
}

func (st *state) stringStatic(pos int, name string, args []any) (any, error) {
	switch name {
	case "valueOf":
		if len(args) == 1 {
			s := javaString(args[0])
			return s, st.alloc(pos, int64(len(s)))
		}
	case "escape":
		if len(args) == 1 {
			if s, ok := args[0].(string); ok {
				return st.escape(pos, s)
			}
		}
	case "format":
		if len(args) >= 1 {
			if f, ok := args[0].(string); ok {
				rest := args[1:]
				if len(rest) == 1 {
					rest = spreadArray(rest[0], rest)
				}
				return st.javaFormat(pos, f, rest)
			}
		}
	case "join":
		if len(args) >= 1 {
			sep, ok := args[0].(string)
			if !ok {
				break
			}
			parts := make([]string, 0, len(args)-1)
			if len(args) == 2 {
				if a, ok := args[1].([]string); ok {
					parts = a
				}
			}
			if len(parts) == 0 {
				for _, a := range args[1:] {
					s, ok := a.(string)
					if !ok {
						return nil, argErr(pos, "String.join", args)
					}
					parts = append(parts, s)
				}
			}
			n := len(sep) * len(parts)
			for _, p := range parts {
				n += len(p)
			}
			if err := st.alloc(pos, int64(n)); err != nil {
				return nil, err
			}
			return strings.Join(parts, sep), nil
		}
	}
	return nil, argErr(pos, "String."+name, args)
}

// spreadArray turns a single array argument of String.format into varargs.
func spreadArray(a any, dflt []any) []any {
	var out []any
	switch x := a.(type) {
	case []string:
		for _, e := range x {
			out = append(out, e)
		}
	case []int64:
		for _, e := range x {
			out = append(out, e)
		}
	case []float64:
		for _, e := range x {
			out = append(out, e)
		}
	case []bool:
		for _, e := range x {
			out = append(out, e)
		}
	default:
		return dflt
	}
	return out
}
