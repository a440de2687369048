package sel

import (
	"strconv"
	"unicode/utf8"
)

// Work accounting for the library. Every built-in that allocates works out
// (or bounds) the size of what it builds and charges it with st.alloc
// before building it; st.alloc also charges one step per bytesPerStep bytes,
// so a call's step cost grows with the work it does, not just with the
// number of calls. One step is about the time of one node visit (~100 ns),
// so MaxSteps bounds the time of an evaluation and MaxMemory the bytes it
// allocates, whatever the input.

// bytesPerStep is how many bytes of copying or scanning cost one step.
const bytesPerStep = 64

// scan charges the steps to scan n bytes.
func (st *state) scan(pos int, n int) error {
	return st.step(pos, 1+int64(n)/bytesPerStep)
}

// clipLen is how much of an input string an error message quotes.
const clipLen = 64

// Clip shortens input text quoted in an error message to its first 64
// bytes and its length, so no error echoes a huge input whole.
func Clip(s string) string { return clip(s) }

// clip shortens s for an error message: at most clipLen bytes once quoted
// (an invalid byte quotes as four, \xf7), cut at a rune boundary, and the
// length of the whole.
func clip(s string) string {
	if len(s) <= clipLen/4 {
		return s
	}
	width := 0
	for i, r := range s {
		w := quotedWidth(r, s[i:])
		if width+w > clipLen {
			return s[:i] + "...(" + strconv.Itoa(len(s)) + " bytes)"
		}
		width += w
	}
	return s
}

// quotedWidth is how many bytes strconv.Quote spends on the rune r that
// starts rest.
func quotedWidth(r rune, rest string) int {
	if r == utf8.RuneError {
		if _, size := utf8.DecodeRuneInString(rest); size == 1 {
			return 4
		}
	}
	if r == '"' || r == '\\' {
		return 2
	}
	if strconv.IsPrint(r) {
		return utf8.RuneLen(r)
	}
	return len(strconv.QuoteRune(r)) - 2
}

// text renders v as Java's String.valueOf does, after charging its size:
// an array of 25,000 references to one long string would otherwise build a
// string 25,000 times the memory limit.
func (st *state) text(pos int, v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case nil, int64, float64, bool:
		return javaString(x), nil
	}
	n, err := st.sizeOf(pos, v, 0, st.lim.MaxMemory-st.mem)
	if err != nil {
		return "", err
	}
	if err := st.alloc(pos, n); err != nil {
		return "", err
	}
	return javaString(v), nil
}

// sizeOf bounds the length of v rendered as text or JSON, charging the
// steps to render each element (a string's bytes are charged by alloc). It fails once the size passes max or the nesting passes
// MaxStackDepth: a map may hold itself (m.put('a', m)), and the depth limit
// is what ends a walk of such a map.
func (st *state) sizeOf(pos int, v any, depth int, max int64) (int64, error) {
	if depth > st.lim.MaxStackDepth {
		return 0, limitErr(pos, "stack depth", int64(st.lim.MaxStackDepth))
	}
	var n int64
	add := func(k int64) error {
		n += k
		if n > max {
			return limitErr(pos, "memory", st.lim.MaxMemory)
		}
		return nil
	}
	var err error
	switch x := v.(type) {
	case string:
		err = add(2 + int64(len(x))*2) // JSON may escape every byte
	case []string:
		if err = st.step(pos, 4*int64(len(x))); err == nil {
			for _, s := range x {
				if err = add(4 + int64(len(s))*2); err != nil {
					break
				}
			}
		}
	case []int64, []float64, []bool:
		k := int64(arrayLen(x))
		if err = st.step(pos, 2*k); err == nil { // formatting a number
			err = add(2 + 26*k)
		}
	case map[string]any:
		// rendering sorts the keys and visits each entry
		if err = st.step(pos, 8+8*int64(len(x))); err != nil {
			return 0, err
		}
		for k, e := range x {
			// a MAP entry's JSON is {"type":"STRING_ARRAY","value":...}
			if err = add(40 + 2*int64(len(k))); err != nil {
				return 0, err
			}
			m, err := st.sizeOf(pos, e, depth+1, max-n)
			if err != nil {
				return 0, err
			}
			if err = add(m); err != nil {
				return 0, err
			}
		}
	case map[string]string:
		if err = st.step(pos, 8+8*int64(len(x))); err == nil {
			for k, e := range x {
				if err = add(6 + 2*int64(len(k)+len(e))); err != nil {
					break
				}
			}
		}
	default:
		err = add(32) // numbers, booleans, dates, zones: short
		if f, ok := v.(*formatter); ok {
			err = add(int64(len(f.pattern)))
		}
	}
	return n, err
}

// checkResult refuses a result whose encoding would pass the memory limit
// (the caller serializes it) or whose maps nest past the depth limit.
func (st *state) checkResult(pos int, v any) error {
	switch v.(type) {
	case nil, string, int64, float64, bool:
		return nil
	}
	_, err := st.sizeOf(pos, v, 0, st.lim.MaxMemory)
	return err
}

// utf16Len is the length of s in UTF-16 units, without allocating. Valid
// UTF-8 is counted bytewise (a rune per lead byte, two for a 4-byte one),
// which is several times faster than decoding runes.
func utf16Len(s string) int {
	if !utf8.ValidString(s) {
		n := 0
		for _, r := range s {
			n++
			if r >= 0x10000 {
				n++
			}
		}
		return n
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c&0xC0 != 0x80 {
			n++
		}
		if c >= 0xF0 {
			n++
		}
	}
	return n
}

// utf16Offset returns the byte offset in s of the rune holding UTF-16 index
// i, and whether i is the second unit of that rune (a low surrogate); -1
// when i is out of range.
func utf16Offset(s string, i int) (int, bool) {
	u := 0
	for b := 0; b < len(s); {
		r, size := rune(s[b]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[b:])
		}
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if i < u+w {
			return b, i > u
		}
		u += w
		b += size
	}
	if u == i {
		return len(s), false
	}
	return -1, false
}

// caseMappedSize bounds the bytes strings.ToUpper/ToLower produce: ASCII
// maps to ASCII; otherwise a rune's mapping grows its encoding by at most
// half, and an invalid byte becomes U+FFFD (three bytes).
func caseMappedSize(s string) int64 {
	if isASCII(s) {
		return int64(len(s))
	}
	return 3 * int64(len(s))
}

// patternCacheMax is the longest Joda pattern kept compiled in a cache;
// longer ones are compiled on each use and charged for it.
const patternCacheMax = 128

// newFormatter compiles a Joda pattern; a long one costs its tokens.
func (st *state) newFormatter(pos int, pattern string) (*formatter, error) {
	if len(pattern) >= patternCacheMax {
		if err := st.alloc(pos, 48*int64(len(pattern))); err != nil {
			return nil, err
		}
	}
	return newFormatter(pos, pattern)
}

// print formats d after charging a bound of the output's size.
func (st *state) print(pos int, f *formatter, d *dateTime) (string, error) {
	n := int64(0)
	for _, tk := range f.toks {
		switch tk.letter {
		case 0:
			n += int64(len(tk.lit))
		case 'Z':
			n += 8
			if z := f.zone; tk.n >= 3 && z != nil {
				n += int64(len(z.id))
			} else if tk.n >= 3 {
				n += int64(len(d.zone.id))
			}
		case 'S':
			n += int64(tk.n)
		default: // numbers (a year has up to 10 characters), names, AM/PM, era
			n += int64(max(tk.n, 12))
		}
	}
	if err := st.alloc(pos, n); err != nil {
		return "", err
	}
	return f.print(pos, d)
}
