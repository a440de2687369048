package workflows

import (
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // the same zone rules on every worker

	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
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
	startParams(r.state.StartTime, r.plan.WorkflowID, func(name string, v sel.Value) { m[name] = v })
	if r.plan.Owner != "" {
		m["owner"] = sel.Value{Type: sel.String, Value: r.plan.Owner}
	}
	return m
}

// startParams calls add with each system param that derives from a run's
// start time and its workflow id alone: every system param but owner.
// The run injects them (systemParams) and a lean State leaves them out for
// its reader to derive again (payload_lean.go), so both take them from here.
// All but RUN_TS and workflow_id depend on the start time's hour alone:
// they come from hourParamsAt, built once an hour for every run.
func startParams(startTime time.Time, workflowID string, add func(name string, v sel.Value)) {
	add("RUN_TS", sel.Value{Type: sel.Long, Value: startTime.UnixMilli()})
	for _, p := range hourParamsAt(startTime).params {
		add(p.name, p.v)
	}
	add("workflow_id", sel.Value{Type: sel.String, Value: workflowID})
}

// hourParams are the system params that derive from a start time's hour
// (in UTC, the cron zone until time triggers exist), in startParams'
// order.
type hourParams struct {
	hour   int64 // Unix seconds of the hour
	params []namedValue
}

type namedValue struct {
	name string
	v    sel.Value
}

// lastHourParams is the hour the latest start fell in: runs of one hour
// share its values (immutable) instead of deriving them each.
var lastHourParams atomic.Pointer[hourParams]

// hourParamsAt are the hour params of startTime's hour.
func hourParamsAt(startTime time.Time) *hourParams {
	hour := startTime.Truncate(time.Hour).Unix()
	if h := lastHourParams.Load(); h != nil && h.hour == hour {
		return h
	}
	h := &hourParams{hour: hour, params: deriveHourParams(startTime)}
	lastHourParams.Store(h)
	return h
}

// deriveHourParams derives the hour params of startTime.
func deriveHourParams(startTime time.Time) []namedValue {
	var out []namedValue
	add := func(name string, v sel.Value) { out = append(out, namedValue{name, v}) }
	str := func(name, v string) { add(name, sel.Value{Type: sel.String, Value: v}) }
	const day, hour = "20060102", "15"
	tz := time.UTC
	start := startTime.In(tz)
	str("DSL_DEFAULT_TZ", tz.String())
	str("WORKFLOW_CRON_TIMEZONE", tz.String())
	str("TARGET_RUN_DATE", start.Format(day))
	str("TARGET_RUN_HOUR", start.Format(hour))
	// DERIVED_RUN_TS is the target date and hour read back in the cron zone:
	// the start time truncated to its hour there.
	derived := time.Date(start.Year(), start.Month(), start.Day(), start.Hour(), 0, 0, 0, tz)
	add("DERIVED_RUN_TS", sel.Value{Type: sel.Long, Value: derived.UnixMilli()})
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
	runUTC := startTime.UTC()
	str("RUN_DATE", runUTC.Format(day))
	str("RUN_DATE_MINUS_1", runUTC.AddDate(0, 0, -1).Format(day))
	str("RUN_DATE_MINUS_7", runUTC.AddDate(0, 0, -7).Format(day))
	return out
}

// ChangeInterpolation makes string interpolation follow Maestro's
// LiteralEvaluator pattern (sel.Interpolate): a name starts with a letter,
// and anything else after a '$' stays literal. Runs started before it keep
// sel.InterpolateLegacy; GetVersion is called only for a text the two
// rules may read differently.
const ChangeInterpolation = "maestro-interpolation"

// ChangeSystemParamChain makes the system date params a chain, as
// Maestro's default-workflow-params are: each derives from the ones before
// it, so a definition or run param that sets RUN_TS, TARGET_RUN_DATE (or
// another link) moves every param below it. Runs started before it keep
// every system param derived from the start time.
const ChangeSystemParamChain = "system-param-chain"

// chainParam is a system param and, as SEL over the params before it, how
// Maestro derives it (default-workflow-params.yaml).
type chainParam struct {
	name string
	typ  sel.Type
	deps []string
	expr string
}

// dateIn is SEL that formats the time ts in zone with pattern.
func dateIn(ts, zone, shift, pattern string) string {
	return "new DateTime(" + ts + ").withZone(DateTimeZone.forID(" + zone + "))" + shift + ".toString(\"" + pattern + "\")"
}

// systemParamChain lists the derived system params in dependency order.
// WORKFLOW_CRON_TIMEZONE is DSL_DEFAULT_TZ: there is no initiator time
// zone until time triggers exist.
var systemParamChain = func() []chainParam {
	derived := func(name, zone, shift, pattern string) chainParam {
		return chainParam{name, sel.String, []string{"DERIVED_RUN_TS"}, dateIn("DERIVED_RUN_TS", zone, shift, pattern)}
	}
	const la, utc, cron = `"America/Los_Angeles"`, `"UTC"`, "WORKFLOW_CRON_TIMEZONE"
	runTS := []string{"RUN_TS", cron}
	return []chainParam{
		{cron, sel.String, []string{"DSL_DEFAULT_TZ"}, "DSL_DEFAULT_TZ"},
		{"TARGET_RUN_DATE", sel.String, runTS, dateIn("RUN_TS", cron, "", "yyyyMMdd")},
		{"TARGET_RUN_HOUR", sel.String, runTS, dateIn("RUN_TS", cron, "", "HH")},
		{"DERIVED_RUN_TS", sel.Long, []string{"TARGET_RUN_DATE", "TARGET_RUN_HOUR", cron},
			`DateTimeFormat.forPattern("yyyyMMddHH").withZone(DateTimeZone.forID(` + cron + `)).parseDateTime(TARGET_RUN_DATE + TARGET_RUN_HOUR).getMillis()`},
		derived("DERIVED_RUN_DATE_US_PACIFIC", la, "", "yyyyMMdd"),
		derived("DERIVED_RUN_DATE_US_PACIFIC_MINUS_ONE", la, ".minusDays(1)", "yyyyMMdd"),
		derived("DERIVED_RUN_DATE_UTC", utc, "", "yyyyMMdd"),
		derived("DERIVED_RUN_DATE_UTC_MINUS_ONE", utc, ".minusDays(1)", "yyyyMMdd"),
		derived("DERIVED_RUN_DATE_UTC_PLUS_ONE", utc, ".plusDays(1)", "yyyyMMdd"),
		derived("DERIVED_RUN_DATE_UTC_MINUS_ONE_HOUR", utc, ".minusHours(1)", "yyyyMMdd"),
		derived("DERIVED_RUN_DATE_UTC_PLUS_ONE_HOUR", utc, ".plusHours(1)", "yyyyMMdd"),
		derived("DERIVED_RUN_HOUR_US_PACIFIC", la, "", "HH"),
		derived("DERIVED_RUN_HOUR_UTC", utc, "", "HH"),
		derived("DERIVED_RUN_HOUR_UTC_MINUS_ONE_HOUR", utc, ".minusHours(1)", "HH"),
		derived("DERIVED_RUN_HOUR_UTC_PLUS_ONE_HOUR", utc, ".plusHours(1)", "HH"),
		{"LOCAL_RUN_DATE", sel.String, runTS, dateIn("RUN_TS", cron, "", "yyyyMMdd")},
		{"RUN_DATE", sel.String, []string{"RUN_TS"}, dateIn("RUN_TS", utc, "", "yyyyMMdd")},
		{"RUN_DATE_MINUS_1", sel.String, []string{"RUN_TS"}, dateIn("RUN_TS", utc, ".minusDays(1)", "yyyyMMdd")},
		{"RUN_DATE_MINUS_7", sel.String, []string{"RUN_TS"}, dateIn("RUN_TS", utc, ".minusDays(7)", "yyyyMMdd")},
	}
}()

// setsChainParam reports whether a run sets a system param others derive
// from.
func setsChainParam(set func(name string) bool) bool {
	if set("RUN_TS") || set("DSL_DEFAULT_TZ") {
		return true
	}
	for _, c := range systemParamChain {
		if set(c.name) {
			return true
		}
	}
	return false
}

// chainSystemParams makes every system param below one that is set (by
// the definition or a run param) derive from it: such a param leaves the
// values computed from the start time and is evaluated, as Maestro's SEL,
// with the others. A run that sets none of them is left as it is, with
// the same values the SEL would give, at no cost.
func (r *run) chainSystemParams(set func(name string) bool) {
	// A system param the definition sets is pending: the start-time value
	// must not answer for it meanwhile.
	for name := range r.wfPending {
		delete(r.wfParams, name)
	}
	moved := map[string]bool{}
	for _, c := range systemParamChain {
		if set(c.name) {
			continue
		}
		for _, d := range c.deps {
			if set(d) || moved[d] {
				moved[c.name] = true
			}
		}
		if moved[c.name] {
			delete(r.wfParams, c.name)
			r.wfPending[c.name] = &translator.Param{Type: c.typ, Expr: c.expr, IsExpr: true, Mode: "MUTABLE_ON_START"}
		}
	}
}
