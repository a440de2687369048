package workflows

import (
	"sync"
	"time"
	_ "time/tzdata" // the same zone rules on every worker

	"github.com/batonhq/baton/sel"
)

// pacific is the zone of Maestro's *_US_PACIFIC params.
var pacific = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		return time.UTC
	}
	return loc
})

// systemParams are the workflow params Maestro injects (its
// default-workflow-params), computed in Go from the run's start time so
// they are cheap and deterministic on replay. The cron time zone is UTC
// until time triggers exist. A loop iteration gets them from its loop as
// run params instead.
func (r *run) systemParams() map[string]sel.Value {
	m := make(map[string]sel.Value, len(r.plan.Params)+24)
	if r.inline {
		return m
	}
	str := func(name, v string) { m[name] = sel.Value{Type: sel.String, Value: v} }
	const day, hour = "20060102", "15"
	tz := time.UTC
	start := r.state.StartTime.In(tz)
	m["RUN_TS"] = sel.Value{Type: sel.Long, Value: start.UnixMilli()}
	str("DSL_DEFAULT_TZ", tz.String())
	str("WORKFLOW_CRON_TIMEZONE", tz.String())
	str("TARGET_RUN_DATE", start.Format(day))
	str("TARGET_RUN_HOUR", start.Format(hour))
	// DERIVED_RUN_TS is the target date and hour read back in the cron zone:
	// the start time truncated to its hour there.
	derived := time.Date(start.Year(), start.Month(), start.Day(), start.Hour(), 0, 0, 0, tz)
	m["DERIVED_RUN_TS"] = sel.Value{Type: sel.Long, Value: derived.UnixMilli()}
	la, utc := derived.In(pacific()), derived.UTC()
	str("DERIVED_RUN_DATE_US_PACIFIC", la.Format(day))
	str("DERIVED_RUN_DATE_US_PACIFIC_MINUS_ONE", la.AddDate(0, 0, -1).Format(day))
	str("DERIVED_RUN_DATE_UTC", utc.Format(day))
	str("DERIVED_RUN_DATE_UTC_MINUS_ONE", utc.AddDate(0, 0, -1).Format(day))
	str("DERIVED_RUN_DATE_UTC_PLUS_ONE", utc.AddDate(0, 0, 1).Format(day))
	str("DERIVED_RUN_DATE_UTC_MINUS_ONE_HOUR", utc.Add(-time.Hour).Format(day))
	str("DERIVED_RUN_DATE_UTC_PLUS_ONE_HOUR", utc.Add(time.Hour).Format(day))
	str("DERIVED_RUN_HOUR_US_PACIFIC", la.Format(hour))
	str("DERIVED_RUN_HOUR_UTC", utc.Format(hour))
	str("DERIVED_RUN_HOUR_UTC_MINUS_ONE_HOUR", utc.Add(-time.Hour).Format(hour))
	str("DERIVED_RUN_HOUR_UTC_PLUS_ONE_HOUR", utc.Add(time.Hour).Format(hour))
	str("LOCAL_RUN_DATE", start.Format(day))
	runUTC := r.state.StartTime.UTC()
	str("RUN_DATE", runUTC.Format(day))
	str("RUN_DATE_MINUS_1", runUTC.AddDate(0, 0, -1).Format(day))
	str("RUN_DATE_MINUS_7", runUTC.AddDate(0, 0, -7).Format(day))
	str("workflow_id", r.plan.WorkflowID)
	if r.plan.Owner != "" {
		str("owner", r.plan.Owner)
	}
	return m
}
