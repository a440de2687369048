package sel

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
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
	return utf16Len(s)
}

func jsubstring(s string, b, e int) (string, bool) {
	if isASCII(s) {
		if b < 0 || e > len(s) || b > e {
			return "", false
		}
		return s[b:e], true
	}
	if b < 0 || b > e {
		return "", false
	}
	bo, bmid := utf16Offset(s, b)
	eo, emid := utf16Offset(s, e)
	if bo < 0 || eo < 0 {
		return "", false
	}
	if !bmid && !emid {
		return s[bo:eo], true
	}
	// an index inside a surrogate pair: cut the UTF-16 units as Java does,
	// converting only the runes in range
	end := eo
	if emid {
		_, w := utf8.DecodeRuneInString(s[eo:])
		end += w
	}
	u := u16(s[bo:end])
	from, to := 0, len(u)
	if bmid {
		from = 1
	}
	if emid {
		to--
	}
	return string(utf16.Decode(u[from:to])), true
}

func jlastIndexOf(s, sub string) int64 {
	i := strings.LastIndex(s, sub)
	if i < 0 || isASCII(s[:i]) {
		return int64(i)
	}
	return int64(utf16Len(s[:i]))
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
	// skip the common prefix bytewise, back to a rune start, then compare
	// UTF-16 units from there, decoding one rune at a time
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	for i > 0 && ((i < len(a) && !utf8.RuneStart(a[i])) || (i < len(b) && !utf8.RuneStart(b[i]))) {
		i--
	}
	var ua, ub utf16Reader
	ua.s, ub.s = a[i:], b[i:]
	for {
		ca, oka := ua.next()
		cb, okb := ub.next()
		switch {
		case !oka && !okb:
			return 0
		case !oka:
			return -int64(1 + ub.rest())
		case !okb:
			return int64(1 + ua.rest())
		case ca != cb:
			return int64(ca) - int64(cb)
		}
	}
}

// utf16Reader yields the UTF-16 units of a string.
type utf16Reader struct {
	s       string
	low     uint16 // pending low surrogate
	pending bool
}

func (r *utf16Reader) next() (uint16, bool) {
	if r.pending {
		r.pending = false
		return r.low, true
	}
	if r.s == "" {
		return 0, false
	}
	c, w := utf8.DecodeRuneInString(r.s)
	r.s = r.s[w:]
	if c >= 0x10000 {
		hi, lo := utf16.EncodeRune(c)
		r.low, r.pending = uint16(lo), true
		return uint16(hi), true
	}
	return uint16(c), true
}

// rest counts the units not read yet.
func (r *utf16Reader) rest() int {
	n := utf16Len(r.s)
	if r.pending {
		n++
	}
	return n
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

func (st *state) stringMethod(pos int, s, name string, args []any) (any, error) {
	// charge work proportional to the string length; counting UTF-16
	// units of a non-ASCII string costs more per byte
	if err := st.scan(pos, len(s)); err != nil {
		return nil, err
	}
	switch name {
	case "length", "substring", "compareTo", "lastIndexOf":
		if !isASCII(s) {
			if err := st.step(pos, int64(len(s)/8)); err != nil {
				return nil, err
			}
		}
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
		case "toUpperCase", "toLowerCase":
			if err := st.alloc(pos, caseMappedSize(s)); err != nil {
				return nil, err
			}
			if name == "toUpperCase" {
				return strings.ToUpper(s), nil
			}
			return strings.ToLower(s), nil
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
				return st.replaceAll(pos, s, a, b)
			}
		}
	}
	return nil, argErr(pos, "String."+name, args)
}

var escaper = strings.NewReplacer("\\", "\\\\", "\t", "\\t", "\b", "\\b", "\n", "\\n",
	"\r", "\\r", "\f", "\\f", "\"", "\\\"")

func (st *state) escape(pos int, s string) (any, error) {
	if err := st.alloc(pos, 2*int64(len(s))); err != nil { // each byte escapes to at most two
		return nil, err
	}
	return escaper.Replace(s), nil
}

func (st *state) stringStatic(pos int, name string, args []any) (any, error) {
	switch name {
	case "valueOf":
		if len(args) == 1 {
			return st.text(pos, args[0])
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
					if err := st.alloc(pos, 16*int64(arrayLen(rest[0]))); err != nil {
						return nil, err
					}
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
