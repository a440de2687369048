package sel

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// A Joda DateTimeFormat pattern, compiled by our own code: Go layouts are
// not used, and unknown pattern letters are errors.

type jtok struct {
	lit      string // literal text when letter == 0
	letter   byte
	n        int  // repeat count
	adjacent bool // a numeric field directly followed by another numeric field
}

type formatter struct {
	pattern string
	toks    []jtok
	zone    *zoneVal // nil: the default zone (UTC)
}

func (*formatter) selType() string      { return "DateTimeFormatter" }
func (f *formatter) javaString() string { return f.pattern }

const patternLetters = "GCYyxwedDEMahHkKmsSzZ"

func isNumericTok(t jtok) bool {
	switch t.letter {
	case 0, 'G', 'E', 'a', 'z', 'Z':
		return false
	case 'M':
		return t.n <= 2
	}
	return true
}

var patternCache sync.Map // pattern → []jtok

func newFormatter(pos int, pattern string) (*formatter, error) {
	if toks, ok := patternCache.Load(pattern); ok {
		return &formatter{pattern: pattern, toks: toks.([]jtok)}, nil
	}
	var toks []jtok
	for i := 0; i < len(pattern); {
		c := pattern[i]
		switch {
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			if strings.IndexByte(patternLetters, c) < 0 {
				return nil, errAt(pos, "Illegal pattern component: %c", c)
			}
			j := i
			for j < len(pattern) && pattern[j] == c {
				j++
			}
			toks = append(toks, jtok{letter: c, n: j - i})
			i = j
		case c == '\'':
			j := i + 1
			var sb strings.Builder
			if j < len(pattern) && pattern[j] == '\'' {
				toks = append(toks, jtok{lit: "'"})
				i = j + 1
				continue
			}
			for {
				if j >= len(pattern) {
					return nil, errAt(pos, "Unterminated quote in pattern %q", pattern)
				}
				if pattern[j] == '\'' {
					if j+1 < len(pattern) && pattern[j+1] == '\'' {
						sb.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				sb.WriteByte(pattern[j])
				j++
			}
			toks = append(toks, jtok{lit: sb.String()})
			i = j + 1
		default:
			toks = append(toks, jtok{lit: pattern[i : i+1]})
			i++
		}
	}
	for i := range toks {
		if i+1 < len(toks) && isNumericTok(toks[i]) && isNumericTok(toks[i+1]) {
			toks[i].adjacent = true
		}
	}
	if len(pattern) < patternCacheMax {
		patternCache.Store(pattern, toks)
	}
	return &formatter{pattern: pattern, toks: toks}, nil
}

func padInt(sb *strings.Builder, v int64, n int) {
	if v < 0 {
		sb.WriteByte('-')
		v = -v
	}
	s := strconv.FormatInt(v, 10)
	for i := len(s); i < n; i++ {
		sb.WriteByte('0')
	}
	sb.WriteString(s)
}

func (f *formatter) print(pos int, d *dateTime) (string, error) {
	if f.zone != nil {
		d = &dateTime{ms: d.ms, zone: f.zone}
	}
	t := d.fields()
	var sb strings.Builder
	for _, tk := range f.toks {
		if tk.letter == 0 {
			sb.WriteString(tk.lit)
			continue
		}
		n := tk.n
		switch tk.letter {
		case 'y', 'Y', 'x':
			y := int64(t.Year())
			if tk.letter == 'x' {
				wy, _ := t.ISOWeek()
				y = int64(wy)
			}
			if tk.letter == 'Y' && y <= 0 {
				y = 1 - y
			}
			if n == 2 {
				padInt(&sb, (y%100+100)%100, 2)
			} else {
				padInt(&sb, y, n)
			}
		case 'M':
			switch {
			case n >= 4:
				sb.WriteString(monthNames[t.Month()-1])
			case n == 3:
				sb.WriteString(monthNames[t.Month()-1][:3])
			default:
				padInt(&sb, int64(t.Month()), n)
			}
		case 'd':
			padInt(&sb, int64(t.Day()), n)
		case 'D':
			padInt(&sb, int64(t.YearDay()), n)
		case 'H':
			padInt(&sb, int64(t.Hour()), n)
		case 'k':
			h := int64(t.Hour())
			if h == 0 {
				h = 24
			}
			padInt(&sb, h, n)
		case 'h':
			h := int64(t.Hour() % 12)
			if h == 0 {
				h = 12
			}
			padInt(&sb, h, n)
		case 'K':
			padInt(&sb, int64(t.Hour()%12), n)
		case 'm':
			padInt(&sb, int64(t.Minute()), n)
		case 's':
			padInt(&sb, int64(t.Second()), n)
		case 'S':
			ms := strconv.Itoa(1000 + t.Nanosecond()/1e6)[1:]
			if n <= 3 {
				sb.WriteString(ms[:n])
			} else {
				sb.WriteString(ms + strings.Repeat("0", n-3))
			}
		case 'a':
			if t.Hour() < 12 {
				sb.WriteString("AM")
			} else {
				sb.WriteString("PM")
			}
		case 'E':
			name := dayNames[jodaDOW(t)-1]
			if n < 4 {
				name = name[:3]
			}
			sb.WriteString(name)
		case 'e':
			padInt(&sb, jodaDOW(t), n)
		case 'w':
			_, w := t.ISOWeek()
			padInt(&sb, int64(w), n)
		case 'G':
			if t.Year() > 0 {
				sb.WriteString("AD")
			} else {
				sb.WriteString("BC")
			}
		case 'C':
			padInt(&sb, int64(t.Year()/100), n)
		case 'z':
			if n >= 4 {
				return "", errAt(pos, "long time zone names (zzzz) are not supported")
			}
			name, _ := time.UnixMilli(d.ms).In(d.zone.loc).Zone()
			sb.WriteString(name)
		case 'Z':
			off := d.zone.offset(d.ms)
			switch n {
			case 1:
				sb.WriteString(offsetString(off, false))
			case 2:
				sb.WriteString(offsetString(off, true))
			default:
				sb.WriteString(d.zone.id)
			}
		}
	}
	return sb.String(), nil
}

// printISO renders Joda's DateTime.toString(): yyyy-MM-ddTHH:mm:ss.SSS±hh:mm
// with "Z" for a zero offset.
func printISO(d *dateTime) string {
	t := d.fields()
	var sb strings.Builder
	sb.Grow(29)
	padInt(&sb, int64(t.Year()), 4)
	sb.WriteByte('-')
	padInt(&sb, int64(t.Month()), 2)
	sb.WriteByte('-')
	padInt(&sb, int64(t.Day()), 2)
	sb.WriteByte('T')
	padInt(&sb, int64(t.Hour()), 2)
	sb.WriteByte(':')
	padInt(&sb, int64(t.Minute()), 2)
	sb.WriteByte(':')
	padInt(&sb, int64(t.Second()), 2)
	sb.WriteByte('.')
	padInt(&sb, int64(t.Nanosecond()/1e6), 3)
	if off := d.zone.offset(d.ms); off == 0 {
		sb.WriteByte('Z')
	} else {
		sb.WriteString(offsetString(off, true))
	}
	return sb.String()
}

// parseISO reads the ISO forms `new DateTime(String)` accepts most often.
func parseISO(pos int, s string) (int64, error) {
	layouts := []string{"2006-01-02T15:04:05.999Z07:00", "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04Z07:00",
		"2006-01-02T15:04:05.999", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02T15", "2006-01-02", "2006-01", "2006"}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UnixMilli(), nil
		}
	}
	return 0, errAt(pos, "Invalid format: %q", s)
}

func (st *state) formatterMethod(pos int, f *formatter, name string, args []any) (any, error) {
	switch {
	case name == "withZone" && len(args) == 1:
		if z, ok := args[0].(*zoneVal); ok {
			return &formatter{pattern: f.pattern, toks: f.toks, zone: z}, nil
		}
	case name == "withZoneUTC" && len(args) == 0:
		return &formatter{pattern: f.pattern, toks: f.toks, zone: utcZone}, nil
	case name == "print" && len(args) == 1:
		switch a := args[0].(type) {
		case *dateTime:
			return st.print(pos, f, a)
		case int64:
			return st.print(pos, f, &dateTime{ms: a, zone: utcZone})
		}
	case (name == "parseDateTime" || name == "parseMillis") && len(args) == 1:
		s, ok := args[0].(string)
		if !ok {
			break
		}
		d, err := st.parse(pos, f, s)
		if err != nil {
			return nil, err
		}
		if name == "parseMillis" {
			return d.ms, nil
		}
		return d, nil
	}
	return nil, argErr(pos, "DateTimeFormatter."+name, args)
}

func matchName(s string, names []string, short bool) (int, int) {
	best, bestLen := -1, 0
	for i, n := range names {
		for _, cand := range []string{n, n[:3]} {
			if len(cand) > bestLen && len(s) >= len(cand) && strings.EqualFold(s[:len(cand)], cand) {
				best, bestLen = i, len(cand)
			}
		}
	}
	return best, bestLen
}

// parse implements DateTimeFormatter.parseDateTime.
func (st *state) parse(pos int, f *formatter, s string) (*dateTime, error) {
	malformed := func(i int) error {
		if i >= len(s) {
			return errAt(pos, "Invalid format: %q is too short", s)
		}
		return errAt(pos, "Invalid format: %q is malformed at %q", s, s[i:])
	}
	fl := [7]int64{1970, 1, 1, 0, 0, 0, 0}
	var pm, half, hasOffset bool
	var hour12, dow, doy, offset int64 = -1, 0, 0, 0
	var zone *zoneVal
	i := 0
	for _, tk := range f.toks {
		if tk.letter == 0 {
			if len(s)-i < len(tk.lit) || !strings.EqualFold(s[i:i+len(tk.lit)], tk.lit) {
				return nil, malformed(i)
			}
			i += len(tk.lit)
			continue
		}
		switch tk.letter {
		case 'M':
			if tk.n >= 3 {
				k, n := matchName(s[i:], monthNames[:], tk.n == 3)
				if k < 0 {
					return nil, malformed(i)
				}
				fl[1], i = int64(k+1), i+n
				continue
			}
		case 'E':
			k, n := matchName(s[i:], dayNames[:], tk.n < 4)
			if k < 0 {
				return nil, malformed(i)
			}
			dow, i = int64(k+1), i+n
			continue
		case 'a':
			if len(s)-i >= 2 && strings.EqualFold(s[i:i+2], "AM") {
				half, i = true, i+2
			} else if len(s)-i >= 2 && strings.EqualFold(s[i:i+2], "PM") {
				half, pm, i = true, true, i+2
			} else {
				return nil, malformed(i)
			}
			continue
		case 'G':
			if len(s)-i >= 2 && (strings.EqualFold(s[i:i+2], "AD") || strings.EqualFold(s[i:i+2], "BC")) {
				i += 2
				continue
			}
			return nil, malformed(i)
		case 'z':
			return nil, errAt(pos, "Parsing of time zone names (z) is not supported")
		case 'Z':
			if tk.n >= 3 {
				j := i
				for j < len(s) && (isIdentPart(s[j]) || strings.IndexByte("/+-", s[j]) >= 0) {
					j++
				}
				z, err := zoneForID(pos, s[i:j])
				if err != nil {
					return nil, malformed(i)
				}
				zone, i = z, j
				continue
			}
			if i < len(s) && (s[i] == 'Z' || s[i] == 'z') {
				hasOffset, offset, i = true, 0, i+1
				continue
			}
			j := i + 1
			for j < len(s) && j < i+6 && (isDigit(s[j]) || s[j] == ':') {
				j++
			}
			if i >= len(s) || (s[i] != '+' && s[i] != '-') {
				return nil, malformed(i)
			}
			off, ok := parseOffsetID(s[i:j])
			if !ok {
				return nil, malformed(i)
			}
			hasOffset, offset, i = true, off, j
			continue
		}
		// numeric field
		maxDigits := 2
		switch tk.letter {
		case 'y', 'Y', 'x':
			maxDigits = 9
		case 'D', 'S':
			maxDigits = 3
			if tk.letter == 'S' {
				maxDigits = 9
			}
		}
		if tk.adjacent {
			maxDigits = tk.n
		}
		j := i
		neg := false
		if (tk.letter == 'y' || tk.letter == 'x') && !tk.adjacent && j < len(s) && (s[j] == '-' || s[j] == '+') {
			neg = s[j] == '-'
			j++
		}
		start := j
		for j < len(s) && j-start < maxDigits && isDigit(s[j]) {
			j++
		}
		if j == start || (tk.adjacent && j-start < tk.n) {
			return nil, malformed(i)
		}
		digits := s[start:j]
		v, _ := strconv.ParseInt(digits, 10, 64)
		if neg {
			v = -v
		}
		i = j
		switch tk.letter {
		case 'y', 'Y', 'x':
			if tk.n == 2 && len(digits) == 2 && !neg {
				t, err := st.now(pos, "parsing a two-digit year")
				if err != nil {
					return nil, err
				}
				pivot := int64(t.Year() - 30)
				lo := pivot - 50
				v = lo + ((v-lo)%100+100)%100
			}
			fl[0] = v
		case 'M':
			fl[1] = v
		case 'd':
			fl[2] = v
		case 'D':
			doy = v
		case 'H':
			fl[3] = v
		case 'k':
			fl[3] = v % 24
		case 'h', 'K':
			hour12 = v
			if tk.letter == 'h' && v == 12 {
				hour12 = 0
			}
			if v > 12 || (tk.letter == 'K' && v > 11) || (tk.letter == 'h' && v == 0) {
				return nil, errAt(pos, "Cannot parse %q: Value %d for hour is out of range", s, v)
			}
		case 'm':
			fl[4] = v
		case 's':
			fl[5] = v
		case 'S':
			for len(digits) < 3 {
				digits += "0"
				v *= 10
			}
			if len(digits) > 3 {
				v, _ = strconv.ParseInt(digits[:3], 10, 64)
			}
			fl[6] = v
		case 'e':
			dow = v
		case 'w', 'C':
			// accepted and ignored
		}
	}
	if i < len(s) {
		return nil, errAt(pos, "Invalid format: %q is malformed at %q", s, s[i:])
	}
	if hour12 >= 0 {
		fl[3] = hour12
		if half && pm {
			fl[3] += 12
		}
	} else if half && pm && fl[3] < 12 {
		fl[3] += 12
	}
	target := f.zone
	if target == nil {
		target = utcZone
	}
	calc := target
	if zone != nil {
		calc = zone
	}
	if hasOffset {
		calc = fixedZone(offset)
	}
	d, err := makeDateTime(pos, calc, fl, nil, true)
	if err != nil {
		return nil, errAt(pos, "Cannot parse %q: %s", s, err.Error())
	}
	if doy > 0 {
		if d, err = d.setField(pos, "dayOfYear", doy); err != nil {
			return nil, err
		}
	}
	if dow > 0 {
		if d, err = d.setField(pos, "dayOfWeek", dow); err != nil {
			return nil, err
		}
	}
	return &dateTime{ms: d.ms, zone: target}, nil
}
