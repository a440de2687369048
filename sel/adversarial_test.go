package sel

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Expensive built-ins in tight loops must still end well under 100 ms on an
// idle machine (each takes 10-40 ms there); the assertion leaves room for a
// loaded CI machine and catches order-of-magnitude regressions.
func TestAdversarialTiming(t *testing.T) {
	for _, src := range []string{
		"for (i = 0; i < 25000; i++) for (j = 0; j < 25000; j++) s = new DateTime(i * 1000000L, DateTimeZone.forID('America/Los_Angeles')).plusMonths(j).toString('yyyy-MM-dd HH:mm:ss EEEE MMMM ZZ');",
		"f = DateTimeFormat.forPattern('yyyyMMddHH').withZone(DateTimeZone.forID('Europe/Paris')); for (i = 0; i < 25000; i++) for (j = 0; j < 25000; j++) x = f.parseMillis('2020010112');",
		"a = Util.dateIntsBetween(20000101, 20680101, 1); for (i = 0; i < 25000; i++) for (j = 0; j < 25000; j++) a.contains(1);",
		"s = 'abcdefghij'; for (i = 0; i < 12; i++) s += s; for (i = 0; i < 25000; i++) for (j = 0; j < 25000; j++) x = s.split('e');",
		"s = 'abcdefghij'; for (i = 0; i < 12; i++) s += s; for (i = 0; i < 25000; i++) for (j = 0; j < 25000; j++) x = s.replaceAll('[a-e]+', 'z');",
		"for (i = 0; i < 25000; i++) for (j = 0; j < 25000; j++) x = String.format('%s %d %.3f %s', 'abc', i, 1.5, 'q');",
		"for (i = 0; i < 25000; i++) for (j = 0; j < 25000; j++) x = Util.dateIntHourToTs(20200101, 5, 'America/New_York', 1, 2);",
		"for (i = 0; i < 25000; i++) for (j = 0; j < 25000; j++) x = Util.intsBetween(0, 25000, 1);",
	} {
		start := time.Now()
		_, err := Eval(src, sampleEnv(nil))
		d := time.Since(start)
		t.Logf("%v %v", d, err)
		require.Error(t, err)
		require.Less(t, d, 400*time.Millisecond, src)
	}
}
