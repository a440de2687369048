package sel

import (
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // embedded tz database, so every machine can resolve zone IDs
)

// The Joda-Time subset. A DateTime is an instant in milliseconds plus a
// zone; field arithmetic happens on "local millis" (instant + offset) and is
// converted back the way Joda does (overlaps keep the original offset when
// they can, else take the earlier instant; gaps move forward; strict
// constructions and parses in a gap fail).

type zoneVal struct {
	id  string
	loc *time.Location
}

type dateTime struct {
	ms   int64
	zone *zoneVal
}

type property struct {
	dt    *dateTime
	field string
}

type daysVal int64

func (*zoneVal) selType() string      { return "DateTimeZone" }
func (*dateTime) selType() string     { return "DateTime" }
func (*property) selType() string     { return "DateTime.Property" }
func (daysVal) selType() string       { return "Days" }
func (z *zoneVal) javaString() string { return z.id }
func (d *dateTime) javaString() string {
	return printISO(d)
}
func (p *property) javaString() string { return "Property[" + p.field + "]" }
func (d daysVal) javaString() string   { return "P" + strconv.FormatInt(int64(d), 10) + "D" }

const (
	msSecond = 1000
	msMinute = 60 * msSecond
	msHour   = 60 * msMinute
	msDay    = 24 * msHour
	// Joda's supported year range, roughly; keeps local millis in int64.
	minYear = -292275054
	maxYear = 292278993
)

var utcZone = &zoneVal{id: "UTC", loc: time.UTC}

var zoneCache sync.Map // id → *zoneVal

// zoneForID resolves a Joda zone ID: "UTC", fixed offsets like "+05:30",
// or a tz database name.
func zoneForID(pos int, id string) (*zoneVal, error) {
	if z, ok := zoneCache.Load(id); ok {
		return z.(*zoneVal), nil
	}
	var z *zoneVal
	switch {
	case id == "UTC":
		z = utcZone
	case id == "" || id == "Local" || strings.HasPrefix(id, "/") || strings.Contains(id, ".."):
		return nil, errAt(pos, "The datetime zone id '%s' is not recognised", id)
	case id[0] == '+' || id[0] == '-':
		off, ok := parseOffsetID(id)
		if !ok {
			return nil, errAt(pos, "The datetime zone id '%s' is not recognised", id)
		}
		z = fixedZone(off)
	default:
		loc, err := time.LoadLocation(id)
		if err != nil {
			return nil, errAt(pos, "The datetime zone id '%s' is not recognised", id)
		}
		z = &zoneVal{id: id, loc: loc}
	}
	if len(id) < 64 {
		zoneCache.Store(id, z)
	}
	return z, nil
}

// parseOffsetID reads ±hh, ±hh:mm, ±hhmm into milliseconds.
func parseOffsetID(s string) (int64, bool) {
	sign := int64(1)
	if s[0] == '-' {
		sign = -1
	}
	s = strings.ReplaceAll(s[1:], ":", "")
	if len(s) != 2 && len(s) != 4 {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m := 0
	var err2 error
	if len(s) == 4 {
		m, err2 = strconv.Atoi(s[2:])
	}
	if err1 != nil || err2 != nil || h > 23 || m > 59 {
		return 0, false
	}
	return sign * (int64(h)*msHour + int64(m)*msMinute), true
}

func fixedZone(off int64) *zoneVal {
	if off == 0 {
		return utcZone
	}
	id := offsetString(off, true)
	return &zoneVal{id: id, loc: time.FixedZone(id, int(off/1000))}
}

// offsetString renders an offset as +hh:mm (colon) or +hhmm.
func offsetString(off int64, colon bool) string {
	sign := byte('+')
	if off < 0 {
		sign = '-'
		off = -off
	}
	h := off / msHour
	m := off % msHour / msMinute
	var b []byte
	b = append(b, sign)
	b = append(b, byte('0'+h/10), byte('0'+h%10))
	if colon {
		b = append(b, ':')
	}
	b = append(b, byte('0'+m/10), byte('0'+m%10))
	return string(b)
}

// offset returns the zone's offset in ms at instant ms.
func (z *zoneVal) offset(ms int64) int64 {
	if z.loc == time.UTC {
		return 0
	}
	_, off := time.UnixMilli(ms).In(z.loc).Zone()
	return int64(off) * 1000
}

// toUTC converts local millis to an instant. prefer, if not nil, is the
// original instant whose offset wins in an overlap. strict makes a local
// time inside a gap an error.
func (z *zoneVal) toUTC(pos int, local int64, prefer *int64, strict bool) (int64, error) {
	if z.loc == time.UTC {
		return local, nil
	}
	if prefer != nil {
		o := z.offset(*prefer)
		if z.offset(local-o) == o {
			return local - o, nil
		}
	}
	before := z.offset(local - 14*msHour)
	after := z.offset(local + 14*msHour)
	okB := z.offset(local-before) == before
	okA := z.offset(local-after) == after
	switch {
	case okB && okA:
		return local - max(before, after), nil // overlap: the earlier instant
	case okB:
		return local - before, nil
	case okA:
		return local - after, nil
	}
	if strict {
		return 0, errAt(pos, "Illegal instant due to time zone offset transition (daylight savings time 'gap'): %s (%s)",
			time.UnixMilli(local).UTC().Format("2006-01-02T15:04:05.000"), z.id)
	}
	return local - before, nil // a gap: move forward by the gap length
}

func (d *dateTime) local() int64 { return d.ms + d.zone.offset(d.ms) }

// fields returns the local wall-clock time as a UTC time.Time.
func (d *dateTime) fields() time.Time { return time.UnixMilli(d.local()).UTC() }

func jodaDOW(t time.Time) int64 {
	w := int64(t.Weekday())
	if w == 0 {
		return 7
	}
	return w
}

func localMillis(y int64, mo, dd, h, mi, s, ms int) int64 {
	return time.Date(int(y), time.Month(mo), dd, h, mi, s, 0, time.UTC).UnixMilli() + int64(ms)
}

func daysIn(y int64, m int) int {
	return time.Date(int(y), time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (st *state) now(pos int, what string) (time.Time, error) {
	if st.env.Now == nil {
		return time.Time{}, errAt(pos, "%s is not available: Env.Now is nil", what)
	}
	return st.env.Now(), nil
}

func (st *state) newDateTime(pos int, args []any) (any, error) {
	zone := utcZone
	if n := len(args); n > 0 {
		if z, ok := args[n-1].(*zoneVal); ok {
			zone = z
			args = args[:n-1]
		}
	}
	switch len(args) {
	case 0:
		t, err := st.now(pos, "new DateTime()")
		if err != nil {
			return nil, err
		}
		return &dateTime{ms: t.UnixMilli(), zone: zone}, nil
	case 1:
		switch a := args[0].(type) {
		case int64:
			return &dateTime{ms: a, zone: zone}, nil
		case *dateTime:
			return &dateTime{ms: a.ms, zone: zone}, nil
		case string:
			ms, err := parseISO(pos, a)
			if err != nil {
				return nil, err
			}
			return &dateTime{ms: ms, zone: zone}, nil
		}
	case 5, 6, 7:
		var f [7]int64
		for i, a := range args {
			n, ok := a.(int64)
			if !ok {
				return nil, argErr(pos, "new DateTime", args)
			}
			f[i] = n
		}
		return makeDateTime(pos, zone, f, nil, true)
	}
	return nil, argErr(pos, "new DateTime", args)
}

// makeDateTime builds a DateTime from local fields y,M,d,H,m,s,S after
// checking their ranges like Joda.
func makeDateTime(pos int, zone *zoneVal, f [7]int64, prefer *int64, strict bool) (*dateTime, error) {
	names := [...]string{"year", "monthOfYear", "dayOfMonth", "hourOfDay", "minuteOfHour", "secondOfMinute", "millisOfSecond"}
	lo := [...]int64{minYear, 1, 1, 0, 0, 0, 0}
	hi := [...]int64{maxYear, 12, 31, 23, 59, 59, 999}
	for i := range f {
		if i == 2 && f[1] >= 1 && f[1] <= 12 {
			hi[2] = int64(daysIn(f[0], int(f[1])))
		}
		if f[i] < lo[i] || f[i] > hi[i] {
			return nil, errAt(pos, "Value %d for %s must be in the range [%d,%d]", f[i], names[i], lo[i], hi[i])
		}
	}
	local := localMillis(f[0], int(f[1]), int(f[2]), int(f[3]), int(f[4]), int(f[5]), int(f[6]))
	ms, err := zone.toUTC(pos, local, prefer, strict)
	if err != nil {
		return nil, err
	}
	return &dateTime{ms: ms, zone: zone}, nil
}

func splitFields(t time.Time) [7]int64 {
	return [7]int64{int64(t.Year()), int64(t.Month()), int64(t.Day()), int64(t.Hour()),
		int64(t.Minute()), int64(t.Second()), int64(t.Nanosecond() / 1e6)}
}

// plusField adds n units of a calendar field in local time.
func (d *dateTime) plus(pos int, unit string, n int64) (*dateTime, error) {
	if n < -1<<31 || n >= 1<<31 {
		return nil, errAt(pos, "value %d does not fit in a Java int", n)
	}
	prec := int64(0)
	switch unit {
	case "Millis":
		prec = 1
	case "Seconds":
		prec = msSecond
	case "Minutes":
		prec = msMinute
	case "Hours":
		prec = msHour
	}
	if prec != 0 {
		return &dateTime{ms: d.ms + n*prec, zone: d.zone}, nil
	}
	t := d.fields()
	f := splitFields(t)
	local := d.local()
	switch unit {
	case "Days":
		local += n * msDay
	case "Weeks":
		local += n * 7 * msDay
	case "Months", "Years":
		months := n
		if unit == "Years" {
			months = n * 12
		}
		total := f[0]*12 + (f[1] - 1) + months
		y, m := floorDiv(total, 12), total-floorDiv(total, 12)*12+1
		if y < minYear || y > maxYear {
			return nil, errAt(pos, "year %d is outside the supported range", y)
		}
		dd := min(f[2], int64(daysIn(y, int(m))))
		local = localMillis(y, int(m), int(dd), int(f[3]), int(f[4]), int(f[5]), int(f[6]))
	default:
		return nil, errAt(pos, "unknown unit %s", unit)
	}
	ms, err := d.zone.toUTC(pos, local, &d.ms, false)
	if err != nil {
		return nil, err
	}
	return &dateTime{ms: ms, zone: d.zone}, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

var dateTimeConstants = map[string]any{
	"MONDAY": int64(1), "TUESDAY": int64(2), "WEDNESDAY": int64(3), "THURSDAY": int64(4),
	"FRIDAY": int64(5), "SATURDAY": int64(6), "SUNDAY": int64(7),
	"JANUARY": int64(1), "FEBRUARY": int64(2), "MARCH": int64(3), "APRIL": int64(4), "MAY": int64(5),
	"JUNE": int64(6), "JULY": int64(7), "AUGUST": int64(8), "SEPTEMBER": int64(9), "OCTOBER": int64(10),
	"NOVEMBER": int64(11), "DECEMBER": int64(12), "AM": int64(0), "PM": int64(1), "BC": int64(0),
	"BCE": int64(0), "AD": int64(1), "CE": int64(1),
	"MILLIS_PER_SECOND": int64(msSecond), "MILLIS_PER_MINUTE": int64(msMinute),
	"MILLIS_PER_HOUR": int64(msHour), "MILLIS_PER_DAY": int64(msDay), "MILLIS_PER_WEEK": int64(7 * msDay),
	"SECONDS_PER_MINUTE": int64(60), "SECONDS_PER_HOUR": int64(3600), "SECONDS_PER_DAY": int64(86400),
	"SECONDS_PER_WEEK": int64(604800), "MINUTES_PER_HOUR": int64(60), "MINUTES_PER_DAY": int64(1440),
	"MINUTES_PER_WEEK": int64(10080), "HOURS_PER_DAY": int64(24), "HOURS_PER_WEEK": int64(168),
	"DAYS_PER_WEEK": int64(7),
}

func daysBetween(a, b *dateTime) daysVal {
	la := a.ms + a.zone.offset(a.ms)
	lb := b.ms + a.zone.offset(b.ms)
	return daysVal((lb - la) / msDay)
}

func zoneStatic(pos int, name string, args []any) (any, error) {
	switch {
	case name == "forID" && len(args) == 1:
		switch a := args[0].(type) {
		case string:
			return zoneForID(pos, a)
		case nil:
			return utcZone, nil
		}
	case name == "getDefault" && len(args) == 0:
		return utcZone, nil
	case name == "forOffsetHours" && len(args) == 1, name == "forOffsetHoursMinutes" && len(args) == 2:
		h, ok := args[0].(int64)
		m := int64(0)
		if len(args) == 2 {
			m, _ = args[1].(int64)
		}
		if ok && h >= -23 && h <= 23 && m >= 0 && m <= 59 {
			off := h*msHour + m*msMinute
			if h < 0 {
				off = h*msHour - m*msMinute
			}
			return fixedZone(off), nil
		}
		if ok {
			return nil, errAt(pos, "Offset is out of range: %d:%d", h, m)
		}
	}
	return nil, argErr(pos, "DateTimeZone."+name, args)
}

func zoneMethod(pos int, z *zoneVal, name string, args []any) (any, error) {
	switch {
	case (name == "getID" || name == "toString") && len(args) == 0:
		return z.id, nil
	case name == "getOffset" && len(args) == 1:
		switch a := args[0].(type) {
		case int64:
			return z.offset(a), nil
		case *dateTime:
			return z.offset(a.ms), nil
		}
	case name == "isFixed" && len(args) == 0:
		return z.loc == time.UTC || strings.HasPrefix(z.id, "+") || strings.HasPrefix(z.id, "-"), nil
	case name == "equals" && len(args) == 1:
		o, ok := args[0].(*zoneVal)
		return ok && o.id == z.id, nil
	}
	return nil, argErr(pos, "DateTimeZone."+name, args)
}

// intArg returns args[i] as a Java int.
func intArg(args []any, i int) (int64, bool) {
	if i >= len(args) {
		return 0, false
	}
	n, ok := args[i].(int64)
	return n, ok && n >= -1<<31 && n < 1<<31
}
