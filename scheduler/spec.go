package scheduler

import (
	"fmt"
	"time"

	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/definition"
)

// Spec is the Temporal schedule spec of one Maestro time trigger: a CRON
// or PREDEFINED trigger becomes calendars in the trigger's time zone
// (two when a 5-field expression restricts both day fields, as Unix cron
// matches either; several for a Quartz L, W or # rule, see
// dayRuleCalendars), an INTERVAL trigger an interval aligned to its start;
// fuzzy_max_delay becomes the schedule's jitter.
func Spec(t *definition.TimeTrigger) (sdkclient.ScheduleSpec, error) {
	var spec sdkclient.ScheduleSpec
	if err := t.Validate(); err != nil {
		return spec, err
	}
	loc, err := t.Location()
	if err != nil {
		return spec, err
	}
	spec.TimeZoneName = loc.String()
	if f := t.FuzzyMaxDelay; f != nil {
		d, err := fuzzyDelay(f)
		if err != nil {
			return spec, err
		}
		spec.Jitter = d
	}
	if expr, ok := t.CronOf(); ok {
		c, err := definition.ParseCron(expr)
		if err != nil {
			return spec, err
		}
		spec.Calendars = calendars(c)
		if len(spec.Calendars) == 0 {
			return spec, fmt.Errorf("cron %q never fires from the year %d on", expr, firstYear)
		}
		return spec, nil
	}
	every, err := definition.ParseDuration(t.Interval)
	if err != nil {
		return spec, err
	}
	iv := sdkclient.ScheduleIntervalSpec{Every: every}
	if t.Start != "" {
		start, err := definition.ParseTriggerStart(t.Start)
		if err != nil {
			return spec, err
		}
		// Temporal schedules to the second: the start's milliseconds are dropped.
		start = start.Truncate(time.Second)
		iv.Offset = time.Duration(start.UnixNano() % int64(every))
		if iv.Offset < 0 {
			iv.Offset += every
		}
		spec.StartAt = start
	}
	spec.Intervals = []sdkclient.ScheduleIntervalSpec{iv}
	return spec, nil
}

func fuzzyDelay(f *definition.ParsableLong) (time.Duration, error) {
	if f.Literal != nil {
		return time.Duration(*f.Literal) * time.Second, nil
	}
	d, err := definition.ParseDuration(f.Text)
	if err != nil {
		return 0, fmt.Errorf("fuzzy_max_delay: %w", err)
	}
	return d, nil
}

func ranges(rs []definition.CronRange, lo, hi int) []sdkclient.ScheduleRange {
	if rs == nil {
		return []sdkclient.ScheduleRange{{Start: lo, End: hi, Step: 1}}
	}
	out := make([]sdkclient.ScheduleRange, len(rs))
	for i, r := range rs {
		out[i] = sdkclient.ScheduleRange{Start: r.Start, End: r.End, Step: r.Step}
	}
	return out
}

func calendars(c *definition.CronSpec) []sdkclient.ScheduleCalendarSpec {
	base := sdkclient.ScheduleCalendarSpec{
		Second:     ranges(c.Seconds, 0, 59),
		Minute:     ranges(c.Minutes, 0, 59),
		Hour:       ranges(c.Hours, 0, 23),
		DayOfMonth: ranges(c.DaysOfMonth, 1, 31),
		Month:      ranges(c.Months, 1, 12),
		DayOfWeek:  ranges(c.DaysOfWeek, 0, 6),
	}
	years, ok := yearRanges(c.Years)
	if !ok {
		return nil
	}
	base.Year = years
	if c.Day != nil {
		return dayRuleCalendars(c, base)
	}
	if !c.Union {
		return []sdkclient.ScheduleCalendarSpec{base}
	}
	byDay, byWeekday := base, base
	byDay.DayOfWeek = ranges(nil, 0, 6)
	byWeekday.DayOfMonth = ranges(nil, 1, 31)
	return []sdkclient.ScheduleCalendarSpec{byDay, byWeekday}
}
