// Package jsonfast is a small hand-written JSON scanner and writer for
// Baton's own payloads (the compact plan, the State), which a run decodes
// and encodes once each and which grow with its number of steps.
//
// The scanner reads only the JSON that Baton's encoders write. It does not
// report errors: anything it does not read exactly as encoding/json would
// (a key it does not know, an escaped key, null where a value is expected,
// a number that is not a plain integer, a duplicate key, bytes after the
// value) makes it fail, and its caller then decodes the same bytes with
// encoding/json, whose result and errors are the reference. So what the
// scanner accepts decodes as encoding/json decodes it, and everything else
// is decoded by encoding/json itself: a history recorded by a worker that
// decoded with reflection replays the same on one that scans.
package jsonfast

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Scanner reads one JSON value from a byte slice. Once it has failed it
// stays failed, and every read returns a zero value.
type Scanner struct {
	b    []byte
	i    int
	fail bool
	// str is b as a string, made at the first plain string read: every
	// plain string is a substring of it (one allocation for all of them;
	// they keep it alive, as a decoded plan or State keeps most of it).
	str string
	// strs backs the string slices read (Strings), full-capacity slices
	// of it, so an append to one never writes into another.
	strs []string
}

// NewScanner returns a Scanner over b.
func NewScanner(b []byte) *Scanner { return &Scanner{b: b} }

// Failed reports whether the scanner met JSON it does not read.
func (s *Scanner) Failed() bool { return s.fail }

// Fail marks the scan failed (the caller met a key or value it does not
// read).
func (s *Scanner) Fail() { s.fail = true }

// End fails unless only white space follows the value read; it reports
// whether the whole scan succeeded.
func (s *Scanner) End() bool {
	s.ws()
	if s.i != len(s.b) {
		s.fail = true
	}
	return !s.fail
}

func (s *Scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, or 0 at the end.
func (s *Scanner) peek() byte {
	s.ws()
	if s.fail || s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// Open consumes c ('{' or '['), or fails.
func (s *Scanner) Open(c byte) bool {
	if s.peek() != c {
		s.fail = true
		return false
	}
	s.i++
	return true
}

// Key returns the next key of an object opened with Open('{'), with its
// colon consumed, or false at the object's end (first: no member read
// yet). A key with escapes or bytes outside printable ASCII fails.
func (s *Scanner) Key(first bool) ([]byte, bool) {
	if !s.more(first, '}') {
		return nil, false
	}
	if s.peek() != '"' {
		s.fail = true
		return nil, false
	}
	start := s.i + 1
	j := start
	for j < len(s.b) && s.b[j] != '"' {
		if c := s.b[j]; c == '\\' || c < 0x20 || c >= 0x80 {
			s.fail = true
			return nil, false
		}
		j++
	}
	if j >= len(s.b) {
		s.fail = true
		return nil, false
	}
	key := s.b[start:j]
	s.i = j + 1
	if s.peek() != ':' {
		s.fail = true
		return nil, false
	}
	s.i++
	return key, true
}

// Elem reports whether the array opened with Open('[') has another
// element (first: none read yet), consuming the comma or the ']'.
func (s *Scanner) Elem(first bool) bool { return s.more(first, ']') }

func (s *Scanner) more(first bool, closer byte) bool {
	c := s.peek()
	if s.fail {
		return false
	}
	if c == closer {
		s.i++
		return false
	}
	if !first {
		if c != ',' {
			s.fail = true
			return false
		}
		s.i++
		if p := s.peek(); p == closer || p == ',' {
			s.fail = true
			return false
		}
	}
	return true
}

// Null consumes null and reports true if it is next.
func (s *Scanner) Null() bool {
	if s.peek() == 'n' && s.literal("null") {
		return true
	}
	return false
}

func (s *Scanner) literal(lit string) bool {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return false
	}
	if s.i+len(lit) < len(s.b) && isWordByte(s.b[s.i+len(lit)]) {
		return false
	}
	s.i += len(lit)
	return true
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-' || c == '+'
}

// Bool reads true or false.
func (s *Scanner) Bool() bool {
	switch s.peek() {
	case 't':
		if s.literal("true") {
			return true
		}
	case 'f':
		if s.literal("false") {
			return false
		}
	}
	s.fail = true
	return false
}

// Int64 reads an integer written without fraction or exponent that fits
// an int64; anything else fails.
func (s *Scanner) Int64() int64 {
	s.ws()
	start := s.i
	j := start
	if j < len(s.b) && s.b[j] == '-' {
		j++
	}
	digits := j
	for j < len(s.b) && s.b[j] >= '0' && s.b[j] <= '9' {
		j++
	}
	n := j - digits
	if n == 0 || n > 1 && s.b[digits] == '0' || j < len(s.b) && isWordByte(s.b[j]) {
		s.fail = true
		return 0
	}
	v, err := strconv.ParseInt(string(s.b[start:j]), 10, 64)
	if err != nil {
		s.fail = true
		return 0
	}
	s.i = j
	return v
}

// Int reads an Int64 into an int (64 bits wide on every platform Baton
// builds for; a value that does not fit fails).
func (s *Scanner) Int() int {
	v := s.Int64()
	if int64(int(v)) != v {
		s.fail = true
		return 0
	}
	return int(v)
}

// Str reads a string. One without escapes, control bytes or invalid UTF-8
// is copied as it is; any other is decoded by encoding/json.
func (s *Scanner) Str() string { return s.readStr(false) }

// StrAlone reads a string as Str does, copying it alone: for a document
// whose strings are few beside what it reads raw (a run's input: its
// initiator, then the 9 KB plan that Raw hands on), where Str's one copy of
// the whole document would be that document again.
func (s *Scanner) StrAlone() string { return s.readStr(true) }

func (s *Scanner) readStr(alone bool) string {
	tok, plain := s.strToken()
	switch {
	case s.fail:
		return ""
	case !plain:
		return s.unquote(tok)
	case alone:
		return string(tok[1 : len(tok)-1])
	}
	if s.str == "" {
		s.str = string(s.b)
	}
	end := s.i - 1
	return s.str[end-(len(tok)-2) : end]
}

// unquote decodes a string token by encoding/json, or fails.
func (s *Scanner) unquote(tok []byte) string {
	var v string
	if err := json.Unmarshal(tok, &v); err != nil {
		s.fail = true
		return ""
	}
	return v
}

// StrToken reads a string and returns its bytes, quotes included (for a
// type's own UnmarshalJSON).
func (s *Scanner) StrToken() []byte {
	tok, _ := s.strToken()
	return tok
}

// strToken returns the string token next and whether it is plain (no
// escape, no control byte, valid UTF-8).
func (s *Scanner) strToken() ([]byte, bool) {
	if s.peek() != '"' {
		s.fail = true
		return nil, false
	}
	start := s.i
	plain, ascii := true, true
	j := start + 1
	for j < len(s.b) {
		c := s.b[j]
		if c == '"' {
			break
		}
		switch {
		case c == '\\':
			plain = false
			j++
		case c < 0x20:
			plain = false
		case c >= 0x80:
			ascii = false
		}
		j++
	}
	if j >= len(s.b) {
		s.fail = true
		return nil, false
	}
	s.i = j + 1
	tok := s.b[start:s.i]
	if plain && !ascii {
		plain = utf8.Valid(tok)
	}
	return tok, plain
}

// Strings reads an array of strings (not null).
func (s *Scanner) Strings() []string {
	if !s.Open('[') {
		return nil
	}
	start := len(s.strs)
	for first := true; s.Elem(first); first = false {
		if len(s.strs) == cap(s.strs) {
			// a new backing array: the slices handed out keep the old one
			grown := make([]string, len(s.strs)-start, max(64, 2*(len(s.strs)-start)))
			copy(grown, s.strs[start:])
			s.strs, start = grown, 0
		}
		s.strs = append(s.strs, s.Str())
	}
	if s.fail {
		return nil
	}
	if len(s.strs) == start {
		return []string{}
	}
	return s.strs[start:len(s.strs):len(s.strs)]
}

// Raw skips one value and returns its bytes, for encoding/json to decode
// (which also checks them: Raw does not).
func (s *Scanner) Raw() []byte {
	s.ws()
	if s.fail || s.i >= len(s.b) {
		s.fail = true
		return nil
	}
	start := s.i
	depth := 0
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch c {
		case '"':
			if _, _ = s.strToken(); s.fail {
				return nil
			}
			if depth == 0 {
				return s.b[start:s.i]
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return s.endRaw(start)
			}
			depth--
			if depth == 0 {
				s.i++
				return s.b[start:s.i]
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return s.endRaw(start)
			}
		}
		s.i++
	}
	if depth != 0 {
		s.fail = true
		return nil
	}
	return s.endRaw(start)
}

func (s *Scanner) endRaw(start int) []byte {
	if s.i == start {
		s.fail = true
		return nil
	}
	return s.b[start:s.i]
}

// Decode decodes the next value with encoding/json into v.
func (s *Scanner) Decode(v any) {
	raw := s.Raw()
	if s.fail {
		return
	}
	if err := json.Unmarshal(raw, v); err != nil {
		s.fail = true
	}
}

// Object reads an object whose keys are among names, calling field with
// each key read (one of names); a key not in names, or read twice, fails.
func (s *Scanner) Object(names []string, field func(name string)) {
	if !s.Open('{') {
		return
	}
	var seen Seen
	for first := true; !s.fail; first = false {
		k, ok := s.Key(first)
		if !ok {
			return
		}
		i := 0
		for i < len(names) && names[i] != string(k) {
			i++
		}
		if i == len(names) {
			s.fail = true
			return
		}
		seen.Mark(s, uint(i))
		field(names[i])
	}
}

// Slab hands out zeroed values of T from arrays of up to 32 instead of
// one allocation each (a plan's nodes, a State's steps and their times).
// The arrays double from 2: a one-step plan's decode zeroed 32 nodes
// (14 KB) at once, half of what a one-step start allocated beyond the
// floor's.
type Slab[T any] struct{ buf []T }

// slabMax is the length of a Slab's arrays once it has grown.
const slabMax = 32

// New returns a pointer to a new zero T.
func (a *Slab[T]) New() *T {
	if len(a.buf) == cap(a.buf) {
		a.buf = make([]T, 0, min(max(2*cap(a.buf), 2), slabMax))
	}
	a.buf = a.buf[:len(a.buf)+1]
	return &a.buf[len(a.buf)-1]
}

// Seen tracks the keys of one object read, by index, to fail on a
// duplicate (encoding/json merges a duplicate into what the first one
// set, which the scanner's callers do not reproduce).
type Seen uint64

// Mark records key index i (below 64) and fails s if it was seen.
func (m *Seen) Mark(s *Scanner, i uint) {
	if *m&(1<<i) != 0 {
		s.fail = true
	}
	*m |= 1 << i
}
