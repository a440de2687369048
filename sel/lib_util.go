package sel

import (
	"strconv"
	"strings"
)

// Maestro's Util.* built-ins (SelUtilFunc). Date ints are yyyyMMdd in UTC.

var dateIntFmt, dateIntHourFmt *formatter

func init() {
	dateIntFmt, _ = newFormatter(0, "YYYYMMdd")
	dateIntFmt.zone = utcZone
	dateIntHourFmt, _ = newFormatter(0, "YYYYMMddHH")
}

// strArg converts a LONG or STRING argument to text, as SelString.create does.
func strArg(pos int, v any, fn string) (string, error) {
	switch a := v.(type) {
	case string:
		return a, nil
	case int64:
		return strconv.FormatInt(a, 10), nil
	}
	return "", errAt(pos, "Util.%s: expected a long or String argument, got %s", fn, typeName(v))
}

// longArg converts a LONG or STRING argument to a long, as SelLong.create does.
func longArg(pos int, v any, fn string) (int64, error) {
	switch a := v.(type) {
	case int64:
		return a, nil
	case string:
		n, err := parseJavaLong(a)
		if err != nil {
			return 0, errAt(pos, "Util.%s: NumberFormatException: For input string: %q", fn, a)
		}
		return n, nil
	}
	return 0, errAt(pos, "Util.%s: expected a long or String argument, got %s", fn, typeName(v))
}

func (st *state) parseDateInt(pos int, v any, fn string) (*dateTime, error) {
	s, err := strArg(pos, v, fn)
	if err != nil {
		return nil, err
	}
	return st.parse(pos, dateIntFmt, s)
}

func (st *state) utilCall(pos int, name string, args []any) (any, error) {
	switch {
	case name == "dateIntToTs" && len(args) == 1:
		d, err := st.parseDateInt(pos, args[0], name)
		if err != nil {
			return nil, err
		}
		return d.ms, nil
	case name == "tsToDateInt" && len(args) == 1:
		ts, err := longArg(pos, args[0], name)
		if err != nil {
			return nil, err
		}
		return dateIntFmt.print(pos, &dateTime{ms: ts, zone: utcZone})
	case name == "incrementDateInt" && len(args) == 2:
		d, err := st.parseDateInt(pos, args[0], name)
		if err != nil {
			return nil, err
		}
		n, ok := args[1].(int64)
		if !ok {
			return nil, errAt(pos, "Util.incrementDateInt: days must be a long, got %s", typeName(args[1]))
		}
		if d, err = d.plus(pos, "Days", int64(int32(n))); err != nil {
			return nil, err
		}
		return dateIntFmt.print(pos, d)
	case name == "dateIntHourToTs" && len(args) == 5:
		date, err := strArg(pos, args[0], name)
		if err != nil {
			return nil, err
		}
		hour, err := strArg(pos, args[1], name)
		if err != nil {
			return nil, err
		}
		tz, err := strArg(pos, args[2], name)
		if err != nil {
			return nil, err
		}
		z, err := zoneForID(pos, tz)
		if err != nil {
			return nil, err
		}
		dayOff, err := longArg(pos, args[3], name)
		if err != nil {
			return nil, err
		}
		hourOff, err := longArg(pos, args[4], name)
		if err != nil {
			return nil, err
		}
		f := &formatter{pattern: dateIntHourFmt.pattern, toks: dateIntHourFmt.toks, zone: z}
		d, err := st.parse(pos, f, date+hour)
		if err != nil {
			return nil, err
		}
		// Maestro subtracts the offsets.
		if d, err = d.plus(pos, "Days", -int64(int32(dayOff))); err != nil {
			return nil, err
		}
		if d, err = d.plus(pos, "Hours", -int64(int32(hourOff))); err != nil {
			return nil, err
		}
		return d.ms, nil
	case name == "timeoutForDateTimeDeadline" && len(args) == 2:
		d, ok := args[0].(*dateTime)
		dur, ok2 := args[1].(string)
		if !ok || !ok2 {
			break
		}
		return st.timeoutFor(pos, d, dur)
	case name == "timeoutForDateIntDeadline" && len(args) == 2:
		d, err := st.parseDateInt(pos, args[0], name)
		if err != nil {
			return nil, err
		}
		dur, ok := args[1].(string)
		if !ok {
			break
		}
		return st.timeoutFor(pos, d, dur)
	case name == "dateIntsBetween" && len(args) == 3:
		return st.dateIntsBetween(pos, args)
	case name == "intsBetween" && len(args) == 3:
		return st.intsBetween(pos, args)
	}
	return nil, argErr(pos, "Util."+name, args)
}

func (st *state) timeoutFor(pos int, d *dateTime, dur string) (any, error) {
	if err := st.alloc(pos, 8*int64(len(dur))); err != nil { // the words parseWordPeriod splits
		return nil, err
	}
	ms, err := parseWordPeriod(pos, dur)
	if err != nil {
		return nil, err
	}
	now, err := st.now(pos, "Util.timeoutFor*Deadline")
	if err != nil {
		return nil, err
	}
	remaining := max(d.ms+ms-now.UnixMilli(), 0)
	return strconv.FormatInt(remaining, 10) + " milliseconds", nil
}

// parseWordPeriod parses Joda's English word-based period format
// ("2 hours", "1 day, 3 hours and 5 minutes") into standard milliseconds.
// Years and months have no standard duration, as in Joda.
func parseWordPeriod(pos int, s string) (int64, error) {
	units := []struct {
		names []string
		ms    int64
	}{
		{[]string{"year", "years"}, -1}, {[]string{"month", "months"}, -1},
		{[]string{"week", "weeks"}, 7 * msDay}, {[]string{"day", "days"}, msDay},
		{[]string{"hour", "hours"}, msHour}, {[]string{"minute", "minutes"}, msMinute},
		{[]string{"second", "seconds"}, msSecond}, {[]string{"millisecond", "milliseconds"}, 1},
	}
	fields := strings.Fields(strings.ReplaceAll(s, ",", " , "))
	var total int64
	next := 0
	seen := false
	for i := 0; i < len(fields); i++ {
		w := fields[i]
		if w == "," || w == "and" {
			if !seen {
				return 0, errAt(pos, "Invalid format: %q", s)
			}
			continue
		}
		n, err := strconv.ParseInt(w, 10, 32)
		if err != nil || i+1 >= len(fields) {
			return 0, errAt(pos, "Invalid format: %q", s)
		}
		i++
		found := false
		for u := next; u < len(units); u++ {
			if contains(units[u].names, fields[i]) {
				if units[u].ms < 0 {
					return 0, errAt(pos, "Cannot convert period %q to a duration: it contains years or months", s)
				}
				total += n * units[u].ms
				next, found, seen = u+1, true, true
				break
			}
		}
		if !found {
			return 0, errAt(pos, "Invalid format: %q", s)
		}
	}
	if !seen {
		return 0, errAt(pos, "Invalid format: %q", s)
	}
	return total, nil
}

func (st *state) dateIntsBetween(pos int, args []any) (any, error) {
	incS := javaString(args[2])
	inc64, err := strconv.ParseInt(incS, 10, 32)
	if err != nil {
		return nil, errAt(pos, "Util.dateIntsBetween: NumberFormatException: For input string: %q", incS)
	}
	inc := inc64
	from, to := args[0], args[1]
	switch {
	case inc < 0:
		from, to = to, from
	case inc == 0:
		return nil, errAt(pos, "Util.dateIntsBetween: Invalid incremental interval value: 0")
	}
	d1, err := st.parseDateInt(pos, from, "dateIntsBetween")
	if err != nil {
		return nil, err
	}
	d2, err := st.parseDateInt(pos, to, "dateIntsBetween")
	if err != nil {
		return nil, err
	}
	days := int64(daysBetween(d1, d2))
	step := inc
	if step < 0 {
		step = -step
	}
	n := int64(0)
	if days > 0 {
		n = (days + step - 1) / step
	}
	if n > int64(st.lim.MaxArrayLen) {
		return nil, limitErr(pos, "array size", int64(st.lim.MaxArrayLen))
	}
	if err := st.alloc(pos, n*8); err != nil {
		return nil, err
	}
	if err := st.step(pos, n); err != nil {
		return nil, err
	}
	out := make([]int64, 0, n)
	base := d1.fields()
	for i := int64(0); i < days; i += step {
		t := base.AddDate(0, 0, int(i))
		out = append(out, int64(t.Year())*10000+int64(t.Month())*100+int64(t.Day()))
	}
	if inc < 0 {
		for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
			out[a], out[b] = out[b], out[a]
		}
	}
	return out, nil
}

func (st *state) intsBetween(pos int, args []any) (any, error) {
	var v [3]int64
	for i := range v {
		n, err := longArg(pos, args[i], "intsBetween")
		if err != nil {
			return nil, err
		}
		v[i] = int64(int32(n)) // Maestro reads ints
	}
	from, to, inc := v[0], v[1], v[2]
	var n int64
	switch {
	case inc > 0 && from < to:
		n = (to - from + inc - 1) / inc
	case inc < 0 && from > to:
		n = (from - to - inc - 1) / -inc
	case inc == 0 && from > to:
		return nil, errAt(pos, "Util.intsBetween: step 0 never reaches the end")
	}
	if n > int64(st.lim.MaxArrayLen) {
		return nil, limitErr(pos, "array size", int64(st.lim.MaxArrayLen))
	}
	if err := st.alloc(pos, n*8); err != nil {
		return nil, err
	}
	if err := st.step(pos, n); err != nil {
		return nil, err
	}
	out := make([]int64, 0, n)
	for i, x := int64(0), from; i < n; i, x = i+1, x+inc {
		out = append(out, int64(int32(x)))
	}
	return out, nil
}
