package sel

import (
	"testing"
	"time"
)

func TestSmoke(t *testing.T) {
	env := &Env{Params: MapParams{"x": int64(15), "TARGET_RUN_DATE": "20200101"}, Now: func() time.Time { return time.UnixMilli(1577836800000) }}
	for _, src := range []string{"1 + 1;", "x > 10", "'bar1';", "x + '1'", "Util.dateIntsBetween(20200101, 20200110, 1);",
		"new DateTime(1569018000000).withZone(DateTimeZone.forID('UTC')).monthOfYear().getAsText();",
		"DateTimeFormatter f = DateTimeFormat.forPattern(\"yyyyMMddHH\").withZone(DateTimeZone.forID(\"UTC\")); DateTime dt = f.parseDateTime(TARGET_RUN_DATE + \"00\").minusDays(0); dt.toString(\"yyyyMMdd\")",
		"String s = 'a'; for (int i = 0; i < 3; i++) { s += i; } return s;", "1.0 + ''", "7 / -2", "-7 % 3",
	} {
		v, err := Eval(src, env)
		t.Logf("%s => %#v %v", src, v, err)
	}
}
