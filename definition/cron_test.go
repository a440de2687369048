package definition

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseCron(t *testing.T) {
	every := []CronRange(nil)
	for _, tc := range []struct {
		expr string
		want *CronSpec
		err  string
	}{
		{"*/2 * * * *", &CronSpec{Seconds: []CronRange{{0, 0, 1}}, Minutes: []CronRange{{0, 59, 2}}, Hours: every}, ""},
		{"0 0 12 1/1 * ? *", &CronSpec{Seconds: []CronRange{{0, 0, 1}}, Minutes: []CronRange{{0, 0, 1}}, Hours: []CronRange{{12, 12, 1}}, DaysOfMonth: []CronRange{{1, 31, 1}}}, ""},
		{"30 9 * JAN-MAR MON,fri", &CronSpec{Seconds: []CronRange{{0, 0, 1}}, Minutes: []CronRange{{30, 30, 1}}, Hours: []CronRange{{9, 9, 1}}, Months: []CronRange{{1, 3, 1}}, DaysOfWeek: []CronRange{{1, 1, 1}, {5, 5, 1}}}, ""},
		{"0 0 1 * 7", &CronSpec{Seconds: []CronRange{{0, 0, 1}}, Minutes: []CronRange{{0, 0, 1}}, Hours: []CronRange{{0, 0, 1}}, DaysOfMonth: []CronRange{{1, 1, 1}}, DaysOfWeek: []CronRange{{0, 0, 1}}, Union: true}, ""},
		{"0 15 10 ? * 2-6 2030", &CronSpec{Seconds: []CronRange{{0, 0, 1}}, Minutes: []CronRange{{15, 15, 1}}, Hours: []CronRange{{10, 10, 1}}, DaysOfWeek: []CronRange{{1, 5, 1}}, Years: []CronRange{{2030, 2030, 1}}}, ""},
		{"0 30 * * *", nil, "hour: value 30 not in range [0, 23]"},
		{"0 0 * * 8", nil, "day of week: value 8 not in range [0, 7]"},
		{"0 0 12 * * 1", nil, "a Quartz expression needs ? in day of month or day of week"},
		{"0 0 12 L * ?", quartzDay(&CronDay{Kind: CronLastDay}), ""},
		{"0 0 12 L-3 * ?", quartzDay(&CronDay{Kind: CronLastDay, Offset: 3}), ""},
		{"0 0 12 lw * ?", quartzDay(&CronDay{Kind: CronLastWorkday}), ""},
		{"0 0 12 15W * ?", quartzDay(&CronDay{Kind: CronNearestWorkday, Day: 15}), ""},
		{"0 0 12 ? * 6L", quartzDay(&CronDay{Kind: CronLastWeekday, Weekday: 5}), ""},
		{"0 0 12 ? * L", quartzDay(&CronDay{Kind: CronLastWeekday, Weekday: 6}), ""},
		{"0 0 12 ? * MON#2", quartzDay(&CronDay{Kind: CronNthWeekday, Weekday: 1, N: 2}), ""},
		{"0 0 12 ? * 7#5", quartzDay(&CronDay{Kind: CronNthWeekday, Weekday: 6, N: 5}), ""},
		{"0 0 12 ? * MON-WED", &CronSpec{Seconds: []CronRange{{0, 0, 1}}, Minutes: []CronRange{{0, 0, 1}}, Hours: []CronRange{{12, 12, 1}}, DaysOfWeek: []CronRange{{1, 3, 1}}}, ""},
		{"0 0 12 1,L * ?", nil, `day of month: "1,L": L, W and # stand alone in their field (no lists or steps)`},
		{"0 0 12 L-31 * ?", nil, `day of month: "L-31": the offset from the last day must be 0 to 30`},
		{"0 0 12 32W * ?", nil, `day of month: "32W": W needs one day of the month before it: day of month: value 32 not in range [1, 31]`},
		{"0 0 12 ? * 2#6", nil, `day of week: "2#6": the number after # must be 1 to 5`},
		{"0 0 12 ? * 8L", nil, `day of week: "8L": L needs one day of the week before it: day of week: value 8 not in range [1, 7]`},
		{"0 0 12 ? * 2W", nil, `day of week: "2W": not a Quartz rule (L, nL or n#k)`},
		{"0 0 12 L * 2", nil, "a Quartz expression needs ? in day of month or day of week"},
		{"0 0 L * *", nil, `day of month: "L": L, W and # are Quartz's: they need a 6- or 7-field expression, alone in a day field`},
		{"0 L 12 ? * *", nil, `minute: "L": L, W and # are Quartz's: they need a 6- or 7-field expression, alone in a day field`},
		{"0 ? * * *", nil, "hour: ? is allowed only in the day fields of a Quartz expression"},
		{"5-1 * * * *", nil, `minute: range "5-1" ends before it starts`},
		{"*/0 * * * *", nil, `minute: step "0" must be a positive number`},
		{"* * * *", nil, "cron expression has 4 fields; want 5 (Unix) or 6 to 7 (Quartz)"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			got, err := ParseCron(tc.expr)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// quartzDay is noon every day but for the Quartz day rule d.
func quartzDay(d *CronDay) *CronSpec {
	return &CronSpec{Seconds: []CronRange{{0, 0, 1}}, Minutes: []CronRange{{0, 0, 1}}, Hours: []CronRange{{12, 12, 1}}, Day: d}
}

func TestCronMinGap(t *testing.T) {
	for expr, want := range map[string]int{
		"*/2 * * * *":       120,
		"* * * * *":         60,
		"0 0 12 1/1 * ? *":  86400,
		"0,59 * * * *":      60, // 00:59 then 01:00
		"0,58 3 * * *":      3480,
		"*/30 * * * * ? *":  30,
		"0 0 * * *":         86400,
		"0 0,1 * * * ? *":   60,
		"0 0 0/2 * * ?":     7200,
		"15,45 10,11 * * *": 1800,
	} {
		spec, err := ParseCron(expr)
		require.NoError(t, err, expr)
		require.Equal(t, want, spec.MinGap(), expr)
	}
}

func TestTimeTriggerValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		tr   TimeTrigger
		want []string
	}{
		{"hour 30", TimeTrigger{Type: TriggerCron, Cron: "0 30 * * *", Timezone: "UTC"},
			[]string{"time_trigger.cron: [cron expression] is not valid - rejected value is [0 30 * * *] - error: [hour: value 30 not in range [0, 23]]"}},
		{"empty", TimeTrigger{Type: TriggerCron}, []string{"time_trigger.cron: [cron expression] cannot be null or empty"}},
		{"every minute", TimeTrigger{Type: TriggerCron, Cron: "* * * * *"},
			[]string{"time_trigger: [time-trigger] the interval between time triggers is less than the minimal value [120000] millis"}},
		{"bad zone", TimeTrigger{Type: TriggerPredefined, Expression: "@daily", Timezone: "Mars/Olympus"},
			[]string{"time_trigger.timezone: [timezone expression] is not valid: unknown time zone Mars/Olympus"}},
		{"annually", TimeTrigger{Type: TriggerPredefined, Expression: "@annually"},
			[]string{`time_trigger.expression: must be one of @hourly, @daily, @weekly, @monthly, @yearly, got "@annually"`}},
		{"bad start", TimeTrigger{Type: TriggerInterval, Interval: "3H", Start: "yesterday"},
			[]string{`time_trigger.start: start "yesterday": want RFC 3339, epoch milliseconds or "2006-01-02 15:04:05.000PST"`}},
		{"ok cron", TimeTrigger{Type: TriggerCron, Cron: "*/2 * * * *", Timezone: "US/Pacific"}, nil},
		{"ok predefined", TimeTrigger{Type: TriggerPredefined, Expression: "daily", Timezone: "Asia/Tokyo"}, nil},
		{"ok interval", TimeTrigger{Type: TriggerInterval, Interval: "3H", Start: "2021-03-26 16:00:18.089PST"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.tr.Validate()
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			var got []string
			for _, e := range AsErrors(err) {
				got = append(got, e.Error())
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestParseTriggerStart(t *testing.T) {
	got, err := ParseTriggerStart("2021-03-26 16:00:18.089PST")
	require.NoError(t, err)
	require.Equal(t, "2021-03-27T00:00:18.089Z", got.UTC().Format("2006-01-02T15:04:05.000Z"))
	got, err = ParseTriggerStart("2024-01-02T03:04:05+02:00")
	require.NoError(t, err)
	require.Equal(t, "2024-01-02T01:04:05Z", got.UTC().Format("2006-01-02T15:04:05Z"))
}
