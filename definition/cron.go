package definition

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// CronRange is one range of a cron field: Start to End inclusive, every
// Step (1 when not stepped).
type CronRange struct {
	Start, End, Step int
}

// CronSpec is a parsed cron expression, field by field. Days of the week
// are 0 (Sunday) to 6, whatever the source syntax. A nil Years matches
// every year. A nil DaysOfMonth or DaysOfWeek matches every day ("*" or
// "?"). Union is true when both day fields are restricted in a 5-field
// expression: as in Unix cron, a day then matches if either field does.
// Day is set (and both day fields are nil) when a Quartz expression uses
// L, W or # in a day field.
type CronSpec struct {
	Seconds, Minutes, Hours []CronRange
	DaysOfMonth, Months     []CronRange
	DaysOfWeek, Years       []CronRange
	Union                   bool
	Day                     *CronDay
}

// cronField describes one field of a cron expression.
type cronField struct {
	name     string
	min, max int
	names    []string // names for min, min+1, ... (months, days)
	anyMark  bool     // '?' allowed (Quartz day fields)
}

var (
	monthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	fSecond    = cronField{name: "second", max: 59}
	fMinute    = cronField{name: "minute", max: 59}
	fHour      = cronField{name: "hour", max: 23}
	fDOM       = cronField{name: "day of month", min: 1, max: 31, anyMark: true}
	fMonth     = cronField{name: "month", min: 1, max: 12, names: monthNames}
	// Unix: 0-7, both 0 and 7 are Sunday. Quartz: 1-7, 1 is Sunday.
	fDOWUnix   = cronField{name: "day of week", max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}}
	fDOWQuartz = cronField{name: "day of week", min: 1, max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}, anyMark: true}
	fYear      = cronField{name: "year", min: 1970, max: 2099}
)

// ParseCron parses a cron expression as Maestro does: 5 fields (Unix:
// minute hour day-of-month month day-of-week), else Quartz with 6 or 7
// fields (second minute hour day-of-month month day-of-week [year], one of
// the day fields "?"). Each field takes *, ?, numbers, names (JAN, MON),
// ranges a-b, lists a,b and steps */n, a/n, a-b/n; a Quartz day field
// may instead hold one of Quartz's rules L, L-n, LW, nW (day of month),
// L, nL, n#k (day of week).
func ParseCron(expr string) (*CronSpec, error) {
	fields := strings.Fields(expr)
	spec := &CronSpec{}
	var err error
	parse := func(dst *[]CronRange, text string, f cronField) {
		if err == nil {
			*dst, err = parseCronField(text, f)
		}
	}
	switch len(fields) {
	case 5:
		spec.Seconds = []CronRange{{0, 0, 1}}
		parse(&spec.Minutes, fields[0], fMinute)
		parse(&spec.Hours, fields[1], fHour)
		parse(&spec.DaysOfMonth, fields[2], fDOM)
		parse(&spec.Months, fields[3], fMonth)
		parse(&spec.DaysOfWeek, fields[4], fDOWUnix)
		if err == nil {
			spec.DaysOfWeek = unixWeekdays(spec.DaysOfWeek)
			spec.Union = spec.DaysOfMonth != nil && spec.DaysOfWeek != nil
		}
	case 6, 7:
		parse(&spec.Seconds, fields[0], fSecond)
		parse(&spec.Minutes, fields[1], fMinute)
		parse(&spec.Hours, fields[2], fHour)
		parseDay := func(dst *[]CronRange, text string, f cronField, dom bool) {
			if err == nil && hasQuartzDayRule(text, f) {
				spec.Day, err = parseQuartzDay(text, dom)
				return
			}
			parse(dst, text, f)
		}
		parseDay(&spec.DaysOfMonth, fields[3], fDOM, true)
		parse(&spec.Months, fields[4], fMonth)
		parseDay(&spec.DaysOfWeek, fields[5], fDOWQuartz, false)
		if len(fields) == 7 {
			parse(&spec.Years, fields[6], fYear)
		}
		if err == nil && fields[3] != "?" && fields[5] != "?" {
			err = fmt.Errorf("a Quartz expression needs ? in day of month or day of week")
		}
		if err == nil {
			for i := range spec.DaysOfWeek { // Quartz 1-7 (Sunday 1) to 0-6
				r := &spec.DaysOfWeek[i]
				r.Start, r.End = r.Start-1, r.End-1
			}
		}
	default:
		return nil, fmt.Errorf("cron expression has %d fields; want 5 (Unix) or 6 to 7 (Quartz)", len(fields))
	}
	if err != nil {
		return nil, err
	}
	return spec, nil
}

// unixWeekdays maps Unix's Sunday 7 to 0.
func unixWeekdays(rs []CronRange) []CronRange {
	var out []CronRange
	for _, r := range rs {
		switch {
		case r.Start == 7:
			out = append(out, CronRange{0, 0, 1})
		case r.End == 7 && r.Step == 1:
			out = append(out, CronRange{r.Start, 6, 1}, CronRange{0, 0, 1})
		case r.End == 7:
			out = append(out, CronRange{r.Start, 6, r.Step})
			if (7-r.Start)%r.Step == 0 {
				out = append(out, CronRange{0, 0, 1})
			}
		default:
			out = append(out, r)
		}
	}
	return out
}

// parseCronField reads one field; nil means "every value" (* or ?).
func parseCronField(text string, f cronField) ([]CronRange, error) {
	if text == "?" {
		if !f.anyMark {
			return nil, fmt.Errorf("%s: ? is allowed only in the day fields of a Quartz expression", f.name)
		}
		return nil, nil
	}
	if text == "*" {
		return nil, nil
	}
	var out []CronRange
	for _, item := range strings.Split(text, ",") {
		r, err := parseCronItem(item, f)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func parseCronItem(item string, f cronField) (CronRange, error) {
	if hasQuartzDayRule(item, f) {
		return CronRange{}, fmt.Errorf("%s: %q: L, W and # are Quartz's: they need a 6- or 7-field expression, alone in a day field", f.name, item)
	}
	base, stepText, stepped := strings.Cut(item, "/")
	r := CronRange{Step: 1}
	if stepped {
		n, err := strconv.Atoi(stepText)
		if err != nil || n <= 0 {
			return r, fmt.Errorf("%s: step %q must be a positive number", f.name, stepText)
		}
		r.Step = n
	}
	switch lo, hi, isRange := strings.Cut(base, "-"); {
	case base == "*":
		r.Start, r.End = f.min, f.max
	case isRange:
		var err error
		if r.Start, err = cronValue(lo, f); err != nil {
			return r, err
		}
		if r.End, err = cronValue(hi, f); err != nil {
			return r, err
		}
		if r.End < r.Start {
			return r, fmt.Errorf("%s: range %q ends before it starts", f.name, base)
		}
	default:
		v, err := cronValue(base, f)
		if err != nil {
			return r, err
		}
		r.Start, r.End = v, v
		if stepped {
			r.End = f.max
		}
	}
	return r, nil
}

func isCronName(item string, f cronField) bool {
	for _, n := range f.names {
		if strings.Contains(strings.ToUpper(item), n) {
			return true
		}
	}
	return false
}

func cronValue(text string, f cronField) (int, error) {
	for i, n := range f.names {
		if strings.EqualFold(text, n) {
			return f.min + i, nil
		}
	}
	v, err := strconv.Atoi(text)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a number", f.name, text)
	}
	if v < f.min || v > f.max {
		return 0, fmt.Errorf("%s: value %d not in range [%d, %d]", f.name, v, f.min, f.max)
	}
	return v, nil
}

// values expands ranges into sorted values within [lo, hi]; nil ranges
// give every value.
func cronValues(rs []CronRange, lo, hi int) []int {
	if rs == nil {
		rs = []CronRange{{lo, hi, 1}}
	}
	seen := map[int]bool{}
	for _, r := range rs {
		for v := r.Start; v <= r.End; v += r.Step {
			seen[v] = true
		}
	}
	out := make([]int, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Ints(out)
	return out
}

// MinGap is the smallest time in seconds between two consecutive fire
// times within a day, day fields aside (Maestro refuses time triggers
// that fire less than 2 minutes apart).
func (c *CronSpec) MinGap() int {
	var offs []int
	for _, m := range cronValues(c.Minutes, 0, 59) {
		for _, s := range cronValues(c.Seconds, 0, 59) {
			offs = append(offs, m*60+s)
		}
	}
	gap := 86400
	for i := 1; i < len(offs); i++ {
		gap = min(gap, offs[i]-offs[i-1])
	}
	hours := cronValues(c.Hours, 0, 23)
	for i := range hours {
		next := hours[0] + 24 // the first hour of the next day
		if i+1 < len(hours) {
			next = hours[i+1]
		}
		gap = min(gap, offs[0]+3600*(next-hours[i])-offs[len(offs)-1])
	}
	return gap
}
