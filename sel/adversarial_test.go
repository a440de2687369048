package sel

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Expensive built-ins in tight loops. Each must end with a limit error,
// having charged at most the step budget and allocated (as the Go runtime
// counts) at most four times the memory limit: the budget, not the input,
// bounds the work. BenchmarkAdversarial reports the time per step.
var adversarial = []string{
	"for (i = 0; i < 25000; i++) for (j = 0; j < 25000; j++) s = new DateTime(i * 1000000L, DateTimeZone.forID('America/Los_Angeles')).plusMonths(j).toString('yyyy-MM-dd HH:mm:ss EEEE MMMM ZZ');",
	"f = DateTimeFormat.forPattern('yyyyMMddHH').withZone(DateTimeZone.forID('Europe/Paris')); for (i = 0; i < 25000; i++) for (j = 0; j < 25000; j++) x = f.parseMillis('2020010112');",
	"a = Util.dateIntsBetween(20000101, 20680101, 1); for (i = 0; i < 25000; i++) for (j = 0; j < 25000; j++) a.contains(1);",
	"s = 'abcdefghij'; for (i = 0; i < 12; i++) s += s; for (i = 0; i < 25000; i++) for (j = 0; j < 25000; j++) x = s.split('e');",
	"s = 'abcdefghij'; for (i = 0; i < 12; i++) s += s; for (i = 0; i < 25000; i++) for (j = 0; j < 25000; j++) x = s.replaceAll('[a-e]+', 'z');",
	"s = 'x,'; for (i = 0; i < 21; i++) s += s; for (i = 0; i < 25000; i++) x = s.split(',');",
	"s = 'é,'; for (i = 0; i < 20; i++) s += s; for (i = 0; i < 25000; i++) x = s.length() + s.substring(100000).compareTo(s);",
	"s = 'x'; for (i = 0; i < 20; i++) s += s; for (i = 0; i < 25000; i++) x = s.replaceAll('', '-');",
	"s = 'x'; for (i = 0; i < 20; i++) s += s; t = s + ''; for (i = 0; i < 25000; i++) x = s == t;",
	"a = new String[25000]; for (i = 0; i < 25000; i++) a[i] = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'; for (i = 0; i < 25000; i++) x = String.valueOf(a);",
	"m = new HashMap(); for (i = 0; i < 60; i++) { n = new HashMap(); n.put('a', m); n.put('b', m); m = n; } for (i = 0; i < 25000; i++) x = '' + m;",
	"for (i = 0; i < 25000; i++) for (j = 0; j < 25000; j++) x = String.format('%s %d %.3f %s', 'abc', i, 1.5, 'q');",
	"for (i = 0; i < 25000; i++) for (j = 0; j < 25000; j++) x = Util.dateIntHourToTs(20200101, 5, 'America/New_York', 1, 2);",
	"for (i = 0; i < 25000; i++) for (j = 0; j < 25000; j++) x = Util.intsBetween(0, 25000, 1);",
	"p = '" + "(a|b|c|d)(e|f|g|h)(i|j)*" + "'; s = 'abcdefghij'; for (i = 0; i < 10; i++) s += s; for (i = 0; i < 25000; i++) x = s.split(p);",
}

func TestAdversarialWork(t *testing.T) {
	lim := DefaultLimits()
	for _, src := range adversarial {
		m := measure(t, src, nil)
		t.Logf("steps %d, charged %d KB, Go allocated %d KB: %v", m.w.steps, m.w.mem>>10, m.goBytes>>10, m.err)
		require.Error(t, m.err, src)
		require.LessOrEqual(t, m.w.steps, lim.MaxSteps+1, src)
		require.LessOrEqual(t, m.w.mem, lim.MaxMemory+1, src)
		require.LessOrEqual(t, m.goBytes, uint64(4*lim.MaxMemory), src)
	}
}

// BenchmarkAdversarial reports the wall time of each adversarial program and
// its time per charged step: with MaxSteps 1,000,000, ns/step × 10⁶ is the
// worst evaluation time (well under Temporal's 1 s deadlock detector).
func BenchmarkAdversarial(b *testing.B) {
	for i, src := range adversarial {
		p, err := Parse(src)
		require.NoError(b, err)
		b.Run(string(rune('a'+i)), func(b *testing.B) {
			var steps int64
			for n := 0; n < b.N; n++ {
				_, w, _ := p.run(nil)
				steps += w.steps
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(steps), "ns/step")
		})
	}
}
