package definition

import (
	"fmt"
	"strconv"
	"strings"
)

// CronDayKind is the kind of a Quartz day rule (L, W or #).
type CronDayKind string

// Quartz's day rules. A day rule fills its whole field, and the other
// day field is "?", so a rule alone decides which days of a month match.
const (
	// CronLastDay is "L" or "L-n" in day of month: the last day of the
	// month, or Offset days before it.
	CronLastDay CronDayKind = "L"
	// CronLastWorkday is "LW" in day of month: the last Monday to Friday
	// of the month.
	CronLastWorkday CronDayKind = "LW"
	// CronNearestWorkday is "nW" in day of month: the Monday to Friday
	// nearest to day Day, in the same month (day 1 on a Saturday gives
	// Monday the 3rd; the last day on a Sunday gives the Friday before).
	// A month shorter than Day has none.
	CronNearestWorkday CronDayKind = "W"
	// CronLastWeekday is "nL" (or "L", Saturday) in day of week: the last
	// Weekday of the month.
	CronLastWeekday CronDayKind = "nL"
	// CronNthWeekday is "n#k" in day of week: the Nth Weekday of the
	// month (N 1 to 5; a month without a fifth has none).
	CronNthWeekday CronDayKind = "#"
)

// CronDay is a Quartz day rule. Weekday is 0 (Sunday) to 6.
type CronDay struct {
	Kind    CronDayKind
	Offset  int // CronLastDay: days before the last day (0 to 30)
	Day     int // CronNearestWorkday: the day of month (1 to 31)
	Weekday int // CronLastWeekday, CronNthWeekday
	N       int // CronNthWeekday: 1 to 5
}

// hasQuartzDayRule tells whether a field's text uses L, W or # (no name
// of a day ends with L or W or starts with L; JUL is a month).
func hasQuartzDayRule(text string, f cronField) bool {
	up := strings.ToUpper(text)
	if f.name == fMonth.name {
		return strings.ContainsAny(up, "LW#") && !isCronName(text, f)
	}
	return strings.Contains(up, "#") || strings.HasPrefix(up, "L") || strings.HasSuffix(up, "L") || strings.Contains(up, "W") && !isCronName(text, f)
}

// parseQuartzDay reads a Quartz day rule of the day-of-month (dom true)
// or day-of-week field, as Quartz's CronExpression reads them.
func parseQuartzDay(text string, dom bool) (*CronDay, error) {
	up := strings.ToUpper(text)
	if strings.Contains(up, ",") || strings.Contains(up, "/") {
		f := fDOWQuartz
		if dom {
			f = fDOM
		}
		return nil, fmt.Errorf("%s: %q: L, W and # stand alone in their field (no lists or steps)", f.name, text)
	}
	if dom {
		switch {
		case up == "L":
			return &CronDay{Kind: CronLastDay}, nil
		case up == "LW":
			return &CronDay{Kind: CronLastWorkday}, nil
		case strings.HasPrefix(up, "L-"):
			n, err := strconv.Atoi(up[2:])
			if err != nil || n < 0 || n > 30 {
				return nil, fmt.Errorf("day of month: %q: the offset from the last day must be 0 to 30", text)
			}
			return &CronDay{Kind: CronLastDay, Offset: n}, nil
		case strings.HasSuffix(up, "W"):
			n, err := cronValue(up[:len(up)-1], fDOM)
			if err != nil {
				return nil, fmt.Errorf("day of month: %q: W needs one day of the month before it: %w", text, err)
			}
			return &CronDay{Kind: CronNearestWorkday, Day: n}, nil
		}
		return nil, fmt.Errorf("day of month: %q: not a Quartz rule (L, L-n, LW or nW)", text)
	}
	weekday := func(s string) (int, error) {
		v, err := cronValue(s, fDOWQuartz)
		return v - 1, err // Quartz 1-7 (Sunday 1) to 0-6
	}
	switch {
	case up == "L":
		return &CronDay{Kind: CronLastWeekday, Weekday: 6}, nil
	case strings.HasSuffix(up, "L"):
		d, err := weekday(up[:len(up)-1])
		if err != nil {
			return nil, fmt.Errorf("day of week: %q: L needs one day of the week before it: %w", text, err)
		}
		return &CronDay{Kind: CronLastWeekday, Weekday: d}, nil
	case strings.Contains(up, "#"):
		ds, ns, _ := strings.Cut(up, "#")
		d, err := weekday(ds)
		if err != nil {
			return nil, fmt.Errorf("day of week: %q: # needs one day of the week before it: %w", text, err)
		}
		n, err := strconv.Atoi(ns)
		if err != nil || n < 1 || n > 5 {
			return nil, fmt.Errorf("day of week: %q: the number after # must be 1 to 5", text)
		}
		return &CronDay{Kind: CronNthWeekday, Weekday: d, N: n}, nil
	}
	return nil, fmt.Errorf("day of week: %q: not a Quartz rule (L, nL or n#k)", text)
}
