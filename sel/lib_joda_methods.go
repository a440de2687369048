package sel

import (
	"strings"
	"time"
)

var fieldIndex = map[string]int{
	"Year": 0, "MonthOfYear": 1, "DayOfMonth": 2, "HourOfDay": 3,
	"MinuteOfHour": 4, "SecondOfMinute": 5, "MillisOfSecond": 6,
}

var propertyFields = map[string]bool{
	"year": true, "monthOfYear": true, "dayOfMonth": true, "dayOfWeek": true, "dayOfYear": true,
	"hourOfDay": true, "minuteOfHour": true, "secondOfMinute": true, "millisOfSecond": true,
	"weekOfWeekyear": true, "millisOfDay": true, "minuteOfDay": true, "secondOfDay": true,
}

// getField returns a local field of d.
func (d *dateTime) getField(field string) int64 {
	t := d.fields()
	switch field {
	case "year", "yearOfEra", "weekyear":
		if field == "weekyear" {
			y, _ := t.ISOWeek()
			return int64(y)
		}
		return int64(t.Year())
	case "monthOfYear":
		return int64(t.Month())
	case "dayOfMonth":
		return int64(t.Day())
	case "dayOfWeek":
		return jodaDOW(t)
	case "dayOfYear":
		return int64(t.YearDay())
	case "hourOfDay":
		return int64(t.Hour())
	case "minuteOfHour":
		return int64(t.Minute())
	case "secondOfMinute":
		return int64(t.Second())
	case "millisOfSecond":
		return int64(t.Nanosecond() / 1e6)
	case "weekOfWeekyear":
		_, w := t.ISOWeek()
		return int64(w)
	case "millisOfDay":
		return int64(t.Hour())*msHour + int64(t.Minute())*msMinute + int64(t.Second())*msSecond + int64(t.Nanosecond()/1e6)
	case "minuteOfDay":
		return int64(t.Hour())*60 + int64(t.Minute())
	case "secondOfDay":
		return int64(t.Hour())*3600 + int64(t.Minute())*60 + int64(t.Second())
	case "yearOfCentury":
		return int64(t.Year()%100+100) % 100
	case "centuryOfEra":
		return int64(t.Year() / 100)
	case "era":
		if t.Year() > 0 {
			return 1
		}
		return 0
	}
	return 0
}

// fieldRange returns the valid range of a field at d.
func (d *dateTime) fieldRange(field string) (int64, int64) {
	t := d.fields()
	switch field {
	case "year":
		return minYear, maxYear
	case "monthOfYear":
		return 1, 12
	case "dayOfMonth":
		return 1, int64(daysIn(int64(t.Year()), int(t.Month())))
	case "dayOfWeek":
		return 1, 7
	case "dayOfYear":
		return 1, int64(time.Date(t.Year(), 12, 31, 0, 0, 0, 0, time.UTC).YearDay())
	case "hourOfDay":
		return 0, 23
	case "minuteOfHour", "secondOfMinute":
		return 0, 59
	case "millisOfSecond":
		return 0, 999
	case "weekOfWeekyear":
		y, _ := t.ISOWeek()
		_, w := time.Date(y, 12, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
		return 1, int64(w)
	case "millisOfDay":
		return 0, msDay - 1
	case "minuteOfDay":
		return 0, 1439
	case "secondOfDay":
		return 0, 86399
	}
	return 0, 0
}

// setField returns d with a local field set, like Joda's with*/setCopy.
func (d *dateTime) setField(pos int, field string, v int64) (*dateTime, error) {
	lo, hi := d.fieldRange(field)
	if v < lo || v > hi {
		return nil, errAt(pos, "Value %d for %s must be in the range [%d,%d]", v, field, lo, hi)
	}
	t := d.fields()
	f := splitFields(t)
	local := d.local()
	switch field {
	case "year":
		f[0] = v
		f[2] = min(f[2], int64(daysIn(v, int(f[1]))))
		return makeDateTime(pos, d.zone, f, &d.ms, false)
	case "monthOfYear":
		f[1] = v
		f[2] = min(f[2], int64(daysIn(f[0], int(v))))
		return makeDateTime(pos, d.zone, f, &d.ms, false)
	case "dayOfMonth":
		f[2] = v
		return makeDateTime(pos, d.zone, f, &d.ms, false)
	case "hourOfDay", "minuteOfHour", "secondOfMinute", "millisOfSecond":
		f[fieldIndex[strings.ToUpper(field[:1])+field[1:]]] = v
		return makeDateTime(pos, d.zone, f, &d.ms, false)
	case "dayOfWeek":
		local += (v - jodaDOW(t)) * msDay
	case "dayOfYear":
		local += (v - int64(t.YearDay())) * msDay
	case "weekOfWeekyear":
		_, w := t.ISOWeek()
		local += (v - int64(w)) * 7 * msDay
	case "millisOfDay", "minuteOfDay", "secondOfDay":
		unit := map[string]int64{"millisOfDay": 1, "minuteOfDay": msMinute, "secondOfDay": msSecond}[field]
		local = local - d.getField("millisOfDay") + v*unit
	default:
		return nil, errAt(pos, "cannot set field %s", field)
	}
	ms, err := d.zone.toUTC(pos, local, &d.ms, false)
	if err != nil {
		return nil, err
	}
	return &dateTime{ms: ms, zone: d.zone}, nil
}

func (st *state) dateTimeMethod(pos int, d *dateTime, name string, args []any) (any, error) {
	if len(args) == 0 && propertyFields[name] {
		return &property{dt: d, field: name}, nil
	}
	switch {
	case name == "getMillis" && len(args) == 0:
		return d.ms, nil
	case name == "getZone" && len(args) == 0:
		return d.zone, nil
	case strings.HasPrefix(name, "get") && len(name) > 3 && len(args) == 0:
		f := strings.ToLower(name[3:4]) + name[4:]
		switch f {
		case "year", "monthOfYear", "dayOfMonth", "dayOfWeek", "dayOfYear", "hourOfDay", "minuteOfHour",
			"secondOfMinute", "millisOfSecond", "weekOfWeekyear", "weekyear", "millisOfDay", "minuteOfDay",
			"secondOfDay", "yearOfCentury", "centuryOfEra", "yearOfEra", "era":
			return d.getField(f), nil
		}
	case (strings.HasPrefix(name, "plus") || strings.HasPrefix(name, "minus")) && len(args) == 1:
		unit := strings.TrimPrefix(strings.TrimPrefix(name, "plus"), "minus")
		n, ok := args[0].(int64)
		if !ok {
			break
		}
		if strings.HasPrefix(name, "minus") {
			n = -n
		}
		if unit == "" { // plus(long durationMillis)
			return &dateTime{ms: d.ms + n, zone: d.zone}, nil
		}
		switch unit {
		case "Years", "Months", "Weeks", "Days", "Hours", "Minutes", "Seconds", "Millis":
			return d.plus(pos, unit, n)
		}
	case name == "withZone" && len(args) == 1:
		if z, ok := args[0].(*zoneVal); ok {
			return &dateTime{ms: d.ms, zone: z}, nil
		}
	case name == "withZoneRetainFields" && len(args) == 1:
		if z, ok := args[0].(*zoneVal); ok {
			ms, err := z.toUTC(pos, d.local(), &d.ms, false)
			if err != nil {
				return nil, err
			}
			return &dateTime{ms: ms, zone: z}, nil
		}
	case name == "withMillis" && len(args) == 1:
		if n, ok := args[0].(int64); ok {
			return &dateTime{ms: n, zone: d.zone}, nil
		}
	case name == "withTimeAtStartOfDay" && len(args) == 0:
		local := d.local()
		local -= d.getField("millisOfDay")
		ms, err := d.zone.toUTC(pos, local, nil, false)
		if err != nil {
			return nil, err
		}
		return &dateTime{ms: ms, zone: d.zone}, nil
	case name == "withDate" && len(args) == 3, name == "withTime" && len(args) == 4:
		f := splitFields(d.fields())
		off := 0
		if name == "withTime" {
			off = 3
		}
		for i := range args {
			n, ok := intArg(args, i)
			if !ok {
				return nil, argErr(pos, "DateTime."+name, args)
			}
			f[off+i] = n
		}
		return makeDateTime(pos, d.zone, f, &d.ms, false)
	case strings.HasPrefix(name, "with") && len(name) > 4 && len(args) == 1:
		f := strings.ToLower(name[4:5]) + name[5:]
		if propertyFields[f] {
			n, ok := intArg(args, 0)
			if !ok {
				break
			}
			return d.setField(pos, f, n)
		}
	case (name == "isAfter" || name == "isBefore" || name == "isEqual" || name == "compareTo") && len(args) == 1:
		var o int64
		switch a := args[0].(type) {
		case *dateTime:
			o = a.ms
		case int64:
			o = a
		default:
			return nil, argErr(pos, "DateTime."+name, args)
		}
		switch name {
		case "isAfter":
			return d.ms > o, nil
		case "isBefore":
			return d.ms < o, nil
		case "isEqual":
			return d.ms == o, nil
		}
		switch {
		case d.ms < o:
			return int64(-1), nil
		case d.ms > o:
			return int64(1), nil
		}
		return int64(0), nil
	case (name == "isAfterNow" || name == "isBeforeNow" || name == "isEqualNow") && len(args) == 0:
		t, err := st.now(pos, "DateTime."+name)
		if err != nil {
			return nil, err
		}
		now := t.UnixMilli()
		switch name {
		case "isAfterNow":
			return d.ms > now, nil
		case "isBeforeNow":
			return d.ms < now, nil
		}
		return d.ms == now, nil
	case name == "equals" && len(args) == 1:
		o, ok := args[0].(*dateTime)
		return ok && o.ms == d.ms && o.zone.id == d.zone.id, nil
	case name == "toString" && len(args) == 0:
		return printISO(d), nil
	case name == "toString" && len(args) == 1:
		switch a := args[0].(type) {
		case string:
			f, err := st.newFormatter(pos, a)
			if err != nil {
				return nil, err
			}
			return st.print(pos, f, d)
		case *formatter:
			return st.print(pos, a, d)
		}
	}
	return nil, argErr(pos, "DateTime."+name, args)
}

var monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}
var dayNames = [...]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

func (st *state) propertyMethod(pos int, p *property, name string, args []any) (any, error) {
	d := p.dt
	v := d.getField(p.field)
	lo, hi := d.fieldRange(p.field)
	switch {
	case name == "get" && len(args) == 0:
		return v, nil
	case name == "getName" && len(args) == 0:
		return p.field, nil
	case (name == "getAsText" || name == "getAsShortText") && len(args) == 0:
		s := ""
		switch p.field {
		case "monthOfYear":
			s = monthNames[v-1]
		case "dayOfWeek":
			s = dayNames[v-1]
		default:
			return javaString(v), nil
		}
		if name == "getAsShortText" {
			s = s[:3]
		}
		return s, nil
	case name == "getAsString" && len(args) == 0:
		return javaString(v), nil
	case name == "getMinimumValue" && len(args) == 0:
		return lo, nil
	case name == "getMaximumValue" && len(args) == 0:
		return hi, nil
	case name == "withMinimumValue" && len(args) == 0:
		return d.setField(pos, p.field, lo)
	case name == "withMaximumValue" && len(args) == 0:
		return d.setField(pos, p.field, hi)
	case name == "setCopy" && len(args) == 1:
		switch a := args[0].(type) {
		case int64:
			return d.setField(pos, p.field, a)
		case string:
			for i, n := range monthNames {
				if p.field == "monthOfYear" && (strings.EqualFold(a, n) || strings.EqualFold(a, n[:3])) {
					return d.setField(pos, p.field, int64(i+1))
				}
			}
			for i, n := range dayNames {
				if p.field == "dayOfWeek" && (strings.EqualFold(a, n) || strings.EqualFold(a, n[:3])) {
					return d.setField(pos, p.field, int64(i+1))
				}
			}
			if n, err := parseJavaLong(a); err == nil {
				return d.setField(pos, p.field, n)
			}
			return nil, errAt(pos, "Value %q for %s is not supported", a, p.field)
		}
	case name == "addToCopy" && len(args) == 1:
		n, ok := args[0].(int64)
		if !ok {
			break
		}
		unit := map[string]string{"year": "Years", "monthOfYear": "Months", "dayOfMonth": "Days",
			"dayOfWeek": "Days", "dayOfYear": "Days", "weekOfWeekyear": "Weeks", "hourOfDay": "Hours",
			"minuteOfHour": "Minutes", "secondOfMinute": "Seconds", "millisOfSecond": "Millis"}[p.field]
		if unit != "" {
			return d.plus(pos, unit, n)
		}
	case (name == "roundFloorCopy" || name == "roundCeilingCopy") && len(args) == 0:
		return st.round(pos, p, name == "roundCeilingCopy")
	}
	return nil, argErr(pos, "DateTime.Property."+name, args)
}

func (st *state) round(pos int, p *property, ceil bool) (any, error) {
	d := p.dt
	f := splitFields(d.fields())
	var unit string
	switch p.field {
	case "year":
		f[1], f[2], f[3], f[4], f[5], f[6] = 1, 1, 0, 0, 0, 0
		unit = "Years"
	case "monthOfYear":
		f[2], f[3], f[4], f[5], f[6] = 1, 0, 0, 0, 0
		unit = "Months"
	case "dayOfMonth", "dayOfWeek", "dayOfYear":
		f[3], f[4], f[5], f[6] = 0, 0, 0, 0
		unit = "Days"
	case "hourOfDay":
		f[4], f[5], f[6] = 0, 0, 0
		unit = "Hours"
	case "minuteOfHour":
		f[5], f[6] = 0, 0
		unit = "Minutes"
	case "secondOfMinute":
		f[6] = 0
		unit = "Seconds"
	default:
		return d, nil
	}
	floor, err := makeDateTime(pos, d.zone, f, &d.ms, false)
	if err != nil {
		return nil, err
	}
	if ceil && floor.ms != d.ms {
		return floor.plus(pos, unit, 1)
	}
	return floor, nil
}
