package sel

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const la = "DateTimeZone.forID('America/Los_Angeles')"

var jodaTests = []ctest{
	{"iso utc", "new DateTime(0L).toString()", nil, "1970-01-01T00:00:00.000Z"},
	{"iso zone", "new DateTime(1583661600000L, " + la + ").toString()", nil, "2020-03-08T03:00:00.000-07:00"},
	{"link zone id", "new DateTime(1583661600000L, DateTimeZone.forID('US/Pacific')).minusHours(1).toString('yyyy-MM-dd HH:mm ZZ')", nil, "2020-03-08 01:00 -08:00"},
	{"plusDays across spring forward keeps wall time", "new DateTime(1583611200000L, " + la + ").plusDays(1).toString()", nil, "2020-03-08T12:00:00.000-07:00"},
	{"plusDays is 23 hours that day", "new DateTime(1583611200000L, " + la + ").plusDays(1).getMillis() - 1583611200000L", nil, int64(82800000)},
	{"plusDays into gap moves forward", "new DateTime(1583577000000L, " + la + ").plusDays(1).toString()", nil, "2020-03-08T03:30:00.000-07:00"},
	{"plusHours through fall back 1", "new DateTime(1604215800000L, " + la + ").plusHours(1).toString('HH:mm ZZ')", nil, "01:30 -07:00"},
	{"plusHours through fall back 2", "new DateTime(1604215800000L, " + la + ").plusHours(2).toString('HH:mm ZZ')", nil, "01:30 -08:00"},
	{"plusDays into overlap keeps offset", "new DateTime(1604133000000L, " + la + ").plusDays(1).toString()", nil, "2020-11-01T01:30:00.000-07:00"},
	{"parse overlap takes earlier", "DateTimeFormat.forPattern('yyyyMMddHH').withZone(" + la + ").parseMillis('2020110101')", nil, int64(1604217600000)},
	{"daysBetween across DST", "Days.daysBetween(new DateTime(2020, 3, 7, 0, 0, " + la + "), new DateTime(2020, 3, 9, 0, 0, " + la + ")).getDays()", nil, int64(2)},
	{"daysBetween partial", "Days.daysBetween(new DateTime(0L), new DateTime(86399999L)).getDays()", nil, int64(0)},
	{"daysBetween negative", "Days.daysBetween(new DateTime(86400000L), new DateTime(0L)).getDays()", nil, int64(-1)},
	{"getOffset", la + ".getOffset(1583661600000L)", nil, int64(-25200000)},
	{"getOffset datetime", la + ".getOffset(new DateTime(1577836800000L))", nil, int64(-28800000)},
	{"text pattern", "new DateTime(1577836800000L).toString('EEEE, MMMM d, yyyy h:mm a')", nil, "Wednesday, January 1, 2020 12:00 AM"},
	{"short text", "new DateTime(1577836800000L).toString('EEE MMM dd yy')", nil, "Wed Jan 01 20"},
	{"Z offset", "new DateTime(1577836800000L).toString(\"yyyy-MM-dd'T'HH:mm:ss.SSSZ\")", nil, "2020-01-01T00:00:00.000+0000"},
	{"quotes", "new DateTime(1577836800000L).toString(\"'Q'''yyyy\")", nil, "Q'2020"},
	{"z short name", "new DateTime(1577836800000L, " + la + ").toString('z ZZZ')", nil, "PST America/Los_Angeles"},
	{"24h k and K", "new DateTime(0L).toString('k K H h')", nil, "24 0 0 12"},
	{"fraction S", "new DateTime(123L).toString('s.S SS SSSS')", nil, "0.1 12 1230"},
	{"getters", "d = new DateTime(1577836800000L); '' + d.getYear() + d.getMonthOfYear() + d.getDayOfMonth() + d.getDayOfWeek() + d.getDayOfYear() + d.getWeekOfWeekyear() + d.getHourOfDay()", nil, "202011311" + "0"},
	{"dayOfWeek withMinimumValue", "new DateTime(1577836800000L).dayOfWeek().withMinimumValue().toString('yyyyMMdd')", nil, "20191230"},
	{"dayOfMonth withMaximumValue", "new DateTime(2020, 2, 10, 0, 0).dayOfMonth().withMaximumValue().getDayOfMonth()", nil, int64(29)},
	{"property text", "d = new DateTime(1577836800000L); d.monthOfYear().getAsShortText() + d.dayOfWeek().getAsText() + d.year().get()", nil, "JanWednesday2020"},
	{"plusMonths clamps", "new DateTime(2020, 1, 31, 0, 0).plusMonths(1).toString('yyyyMMdd')", nil, "20200229"},
	{"plusYears leap", "new DateTime(2020, 2, 29, 0, 0).plusYears(1).toString('yyyyMMdd')", nil, "20210228"},
	{"minus weeks", "new DateTime(2020, 1, 1, 0, 0).minusWeeks(1).toString('yyyyMMdd')", nil, "20191225"},
	{"withTimeAtStartOfDay", "new DateTime(1583663400000L, " + la + ").withTimeAtStartOfDay().toString()", nil, "2020-03-08T00:00:00.000-08:00"},
	{"with fields", "new DateTime(0L).withYear(2021).withMonthOfYear(6).withDayOfMonth(15).withHourOfDay(13).toString('yyyy-MM-dd HH')", nil, "2021-06-15 13"},
	{"compare", "a = new DateTime(1L); b = new DateTime(2L); a.isBefore(b) && b.isAfter(a) && a.isEqual(new DateTime(1L, " + la + ")) && a.compareTo(b) == -1", nil, true},
	{"parse seconds", "DateTimeFormat.forPattern('yyyy-MM-dd HH:mm:ss').parseMillis('2020-01-01 00:00:01')", nil, int64(1577836801000)},
	{"parse 12h", "DateTimeFormat.forPattern('MM/dd/yyyy hh:mm a').parseMillis('01/01/2020 12:30 PM')", nil, int64(1577881800000)},
	{"parse month name", "DateTimeFormat.forPattern('dd MMM yyyy').parseMillis('05 feb 2020')", nil, int64(1580860800000)},
	{"parse offset", "DateTimeFormat.forPattern(\"yyyy-MM-dd'T'HH:mmZ\").parseDateTime('2020-01-01T00:00-0800').toString()", nil, "2020-01-01T08:00:00.000Z"},
	{"parse two-digit year", "DateTimeFormat.forPattern('yyMMdd').parseMillis('200101')", nil, int64(1577836800000)},
	{"parse short day", "DateTimeFormat.forPattern('yyyyMMd').parseMillis('2020011')", nil, int64(1577836800000)},
	{"print zone", "DateTimeFormat.forPattern('HH:mm').withZone(DateTimeZone.forID('Asia/Kolkata')).print(0L)", nil, "05:30"},
	{"zone ids", "DateTimeZone.UTC.getID() + ' ' + DateTimeZone.forOffsetHours(-5).getID() + ' ' + DateTimeZone.forID('+05:30')", nil, "UTC -05:00 +05:30"},
	{"fixed offset construct", "new DateTime(2020, 1, 1, 0, 0, DateTimeZone.forOffsetHours(-5)).getMillis()", nil, int64(1577854800000)},
	{"now in zone", "new DateTime(DateTimeZone.forID('UTC')).getMillis()", nil, runTS},
	{"DateTime.now", "DateTime.now().getMillis()", nil, runTS},
	{"iso string", "new DateTime('2020-01-01T00:00:00Z').getMillis()", nil, int64(1577836800000)},
	{"round floor", "new DateTime(1583663400000L).hourOfDay().roundFloorCopy().getMillis()", nil, int64(1583661600000)},
	{"round ceiling", "new DateTime(1583663400000L).hourOfDay().roundCeilingCopy().getMillis()", nil, int64(1583665200000)},
	{"retain fields", "new DateTime(0L).withZoneRetainFields(DateTimeZone.forID('Asia/Tokyo')).getMillis()", nil, int64(-32400000)},
	{"sydney fall back", "new DateTime(2020, 4, 5, 12, 0, DateTimeZone.forID('Australia/Sydney')).minusHours(12).toString('HH:mm ZZ')", nil, "01:00 +11:00"},
	{"property setCopy", "new DateTime(0L).monthOfYear().setCopy('March').toString('MMMM')", nil, "March"},
	{"property addToCopy", "new DateTime(0L).dayOfMonth().addToCopy(40).toString('yyyyMMdd')", nil, "19700210"},
	{"uuid zone default", "new DateTime(0L).getZone().getID()", nil, "UTC"},
}

func TestJoda(t *testing.T) { runTable(t, jodaTests) }

func TestJodaErrors(t *testing.T) {
	for src, want := range map[string]string{
		"DateTimeFormat.forPattern('yyyyMMddHH').withZone(" + la + ").parseMillis('2020030802')": "Illegal instant",
		"new DateTime(2020, 3, 8, 2, 30, " + la + ")":                                            "Illegal instant",
		"new DateTime(2020, 2, 10, 0, 0).withDayOfMonth(30)":                                     "must be in the range [1,29]",
		"DateTimeFormat.forPattern('yyyyMMdd').parseMillis('2020-01-01')":                        "malformed",
		"DateTimeFormat.forPattern('yyyyMMdd').parseMillis('202001')":                            "too short",
		"DateTimeFormat.forPattern('yyyyMMdd').parseMillis('20201301')":                          "monthOfYear",
		"DateTimeFormat.forPattern('yyyy z').parseMillis('2020 PST')":                            "not supported",
		"new DateTime(0L).toString('zzzz')":                                                      "not supported",
		"new DateTime(0L).toString('yyyy-MM-dd ww Q')":                                           "Illegal pattern component: Q",
		"new DateTime(0L).plusDays(3000000000L)":                                                 "does not fit",
	} {
		_, err := Eval(src, sampleEnv(nil))
		require.ErrorContains(t, err, want, src)
	}
}
