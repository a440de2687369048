package definition

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones of triggers validate the same on every machine
)

// MinTriggerInterval is Maestro's smallest gap between two fire times of
// a time trigger (TIME_TRIGGER_MINIMUM_INTERVAL).
const MinTriggerInterval = 2 * time.Minute

// predefinedCrons are Maestro's PredefinedSchedule keys.
var predefinedCrons = map[string]string{
	"HOURLY":  "0 * * * *",
	"DAILY":   "0 0 * * *",
	"WEEKLY":  "0 0 * * 0",
	"MONTHLY": "0 0 1 * *",
	"YEARLY":  "0 0 1 1 *",
}

// PredefinedCron is the cron expression of a PREDEFINED trigger's
// expression (@hourly, @daily, @weekly, @monthly, @yearly; the @ and the
// case are optional, as Maestro reads them).
func PredefinedCron(expression string) (string, bool) {
	c, ok := predefinedCrons[strings.ToUpper(strings.TrimPrefix(strings.TrimSpace(expression), "@"))]
	return c, ok
}

// CronOf returns the cron expression a CRON or PREDEFINED trigger fires on.
func (t *TimeTrigger) CronOf() (string, bool) {
	switch strings.ToUpper(t.Type) {
	case TriggerCron:
		return t.Cron, true
	case TriggerPredefined:
		return PredefinedCron(t.Expression)
	}
	return "", false
}

// Location is the trigger's time zone (UTC when none is given; INTERVAL
// triggers have none, as in Maestro).
func (t *TimeTrigger) Location() (*time.Location, error) {
	if strings.TrimSpace(t.Timezone) == "" || strings.EqualFold(t.Type, TriggerInterval) {
		return time.UTC, nil
	}
	return time.LoadLocation(strings.TrimSpace(t.Timezone))
}

// zoneAbbreviations are the abbreviations trigger start times use, with
// their UTC offsets (Go's parser knows an abbreviation's offset only in
// the local zone).
var zoneAbbreviations = map[string]int{
	"UTC": 0, "GMT": 0, "Z": 0,
	"PST": -8, "PDT": -7, "MST": -7, "MDT": -6, "CST": -6, "CDT": -5, "EST": -5, "EDT": -4,
}

// startLayouts are the start formats read: Maestro's sample
// ("2021-03-26 16:00:18.089PST"), its JSON pattern MM-dd-yyyy hh:mm:ss.SSSz,
// and RFC 3339.
var startLayouts = []string{"2006-01-02 15:04:05.000", "2006-01-02 15:04:05", "01-02-2006 15:04:05.000", "01-02-2006 15:04:05"}

// ParseTriggerStart reads an INTERVAL trigger's start: RFC 3339, epoch
// milliseconds, or a date and time followed by a zone abbreviation (PST,
// UTC...) or a numeric offset.
func ParseTriggerStart(s string) (time.Time, error) {
	text := strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, text); err == nil {
		return t, nil
	}
	if ms, err := strconv.ParseInt(text, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	for _, layout := range startLayouts {
		if len(text) < len(layout) {
			continue
		}
		body, zone := text[:len(layout)], strings.TrimSpace(text[len(layout):])
		t, err := time.Parse(layout, body)
		if err != nil {
			continue
		}
		if h, ok := zoneAbbreviations[strings.ToUpper(zone)]; ok {
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.FixedZone(zone, h*3600)), nil
		}
		if off, err := time.Parse("-07:00", zone); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), off.Location()), nil
		}
		if off, err := time.Parse("-0700", zone); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), off.Location()), nil
		}
	}
	return time.Time{}, fmt.Errorf("start %q: want RFC 3339, epoch milliseconds or \"2006-01-02 15:04:05.000PST\"", s)
}
