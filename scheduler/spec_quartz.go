package scheduler

import (
	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/definition"
)

// Temporal's calendars match fields independently (all must match) and
// know no "last day" or "nearest weekday", so a Quartz day rule becomes
// several calendars: one per length of month where the rule depends on
// it, each pairing days of month with days of the week.

// monthClass is a set of months of one length in some years.
type monthClass struct {
	days   int
	months []int
	leap   int // 0: any year; 1: leap years only; -1: other years only
}

var monthClasses = []monthClass{
	{days: 31, months: []int{1, 3, 5, 7, 8, 10, 12}},
	{days: 30, months: []int{4, 6, 9, 11}},
	{days: 29, months: []int{2}, leap: 1},
	{days: 28, months: []int{2}, leap: -1},
}

// Temporal's year range (Quartz's is 1970 to 2099: the years before 2000
// are past anyway).
const firstYear, lastYear = 2000, 2100

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// yearRanges are the Temporal year ranges of cron years (nil: every
// year), each clipped to Temporal's range on its own step; ok is false
// when no year is left.
func yearRanges(rs []definition.CronRange) (out []sdkclient.ScheduleRange, ok bool) {
	if rs == nil {
		return nil, true
	}
	for _, r := range rs {
		start := r.Start
		if start < firstYear {
			start += (firstYear - start + r.Step - 1) / r.Step * r.Step
		}
		if start > r.End {
			continue
		}
		out = append(out, sdkclient.ScheduleRange{Start: start, End: r.End, Step: r.Step})
	}
	return out, len(out) > 0
}

// dayRuleCalendars expands a Quartz day rule into calendars; base holds
// the other fields (its day fields are ignored).
func dayRuleCalendars(c *definition.CronSpec, base sdkclient.ScheduleCalendarSpec) []sdkclient.ScheduleCalendarSpec {
	d := c.Day
	workdays := []sdkclient.ScheduleRange{{Start: 1, End: 5, Step: 1}}
	anyWeekday := ranges(nil, 0, 6)
	one := func(v int) []sdkclient.ScheduleRange { return []sdkclient.ScheduleRange{{Start: v, End: v, Step: 1}} }
	var out []sdkclient.ScheduleCalendarSpec
	add := func(cl *monthClass, dom, dow []sdkclient.ScheduleRange) {
		cal := base
		cal.DayOfMonth, cal.DayOfWeek = dom, dow
		if cl != nil {
			months, years, ok := classFields(c, cl)
			if !ok {
				return
			}
			cal.Month, cal.Year = months, years
		}
		out = append(out, cal)
	}
	if d.Kind == definition.CronNthWeekday { // the same days in every month
		add(nil, []sdkclient.ScheduleRange{{Start: 7*d.N - 6, End: min(7*d.N, 31), Step: 1}}, one(d.Weekday))
		return out
	}
	for i := range monthClasses {
		cl := &monthClasses[i]
		last := cl.days
		switch d.Kind {
		case definition.CronLastDay:
			if last-d.Offset >= 1 {
				add(cl, one(last-d.Offset), anyWeekday)
			}
		case definition.CronLastWorkday:
			add(cl, one(last), workdays) // a weekday
			add(cl, one(last-1), one(5)) // the last day is a Saturday
			add(cl, one(last-2), one(5)) // the last day is a Sunday
		case definition.CronNearestWorkday:
			n := d.Day
			if n > last {
				continue // no such day this month: Quartz skips the month
			}
			add(cl, one(n), workdays)
			if n == 1 {
				add(cl, one(3), one(1)) // the 1st is a Saturday: Monday the 3rd
			} else {
				add(cl, one(n-1), one(5)) // day n is a Saturday: the Friday before
			}
			if n == last {
				add(cl, one(n-2), one(5)) // the last day is a Sunday: the Friday before
			} else {
				add(cl, one(n+1), one(1)) // day n is a Sunday: the Monday after
			}
		case definition.CronLastWeekday:
			add(cl, []sdkclient.ScheduleRange{{Start: last - 6, End: last, Step: 1}}, one(d.Weekday))
		}
	}
	return out
}

// classFields are the month and year ranges of the expression within
// one month class; ok is false when they share no month or year.
func classFields(c *definition.CronSpec, cl *monthClass) (months, years []sdkclient.ScheduleRange, ok bool) {
	wantMonth := inRanges(c.Months)
	for _, m := range cl.months {
		if wantMonth(m) {
			months = append(months, sdkclient.ScheduleRange{Start: m, End: m, Step: 1})
		}
	}
	if len(months) == 0 {
		return nil, nil, false
	}
	if cl.leap == 0 {
		years, ok = yearRanges(c.Years)
		return months, years, ok
	}
	wantYear := inRanges(c.Years)
	for y := firstYear; y <= lastYear; y++ {
		if !wantYear(y) || isLeap(y) != (cl.leap > 0) {
			continue
		}
		if n := len(years); n > 0 && years[n-1].End == y-1 {
			years[n-1].End = y // consecutive years: one range
			continue
		}
		years = append(years, sdkclient.ScheduleRange{Start: y, End: y, Step: 1})
	}
	return months, years, len(years) > 0
}

// inRanges matches the values of cron ranges (nil: every value).
func inRanges(rs []definition.CronRange) func(int) bool {
	return func(v int) bool {
		if rs == nil {
			return true
		}
		for _, r := range rs {
			if v >= r.Start && v <= r.End && (v-r.Start)%r.Step == 0 {
				return true
			}
		}
		return false
	}
}
