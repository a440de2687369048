package sel

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// programGen turns fuzz bytes into a SEL program from a small grammar of
// loops, string building and library calls: the shapes that once escaped
// the sandbox (a string doubled in a loop, then split; arrays of shared
// strings turned into text; maps holding maps).
type programGen struct {
	b     []byte
	i     int
	sb    strings.Builder
	depth int
}

func (g *programGen) next(n int) int {
	if g.i >= len(g.b) || n <= 0 {
		return 0
	}
	c := int(g.b[g.i])
	g.i++
	return c % n
}

var (
	genStrings = []string{"'x,'", "'é,'", "'a;b'", "''", "'%s'", "'yyyy'", "s", "t", "s + t", "String.valueOf(a)", "'' + m"}
	genCalls   = []string{
		"s.split(',')", "s.split('[,;]')", "s.split('', -1)", "s.replace(',', t)", "s.replaceAll('(x|é)', '$1$1')",
		"s.replaceAll('', t)", "String.join(t, a)", "String.format(t + '%s%s', s, a)", "s.toUpperCase()",
		"s.escape()", "s.substring(0, s.length() / 2)", "s.length()", "s.compareTo(t)", "s == t",
		"Util.intsBetween(0, n, 1)", "Util.dateIntsBetween(20200101, 20200101 + n, 1)", "new String[n]",
		"new DateTime(0L).toString(s)", "DateTimeFormat.forPattern(t).print(0L)", "m.put(s, m)", "m.put(t, a)",
		"Arrays.asList(a).contains(s)", "String.valueOf(m)",
	}
	genLoops = []string{
		"for (i = 0; i < %d; i++) { %s }", "while (n < %d) { n++; %s }", "for (int j = 0; j < %d; j++) %s",
	}
)

func (g *programGen) stmt() {
	switch k := g.next(6); {
	case k == 0 && g.depth < 3:
		g.depth++
		n := []int{2, 10, 21, 1000, 25001}[g.next(5)]
		var body programGen
		body.b, body.depth = g.b, g.depth
		body.i = g.i
		body.stmt()
		body.stmt()
		g.i = body.i
		fmt.Fprintf(&g.sb, genLoops[g.next(len(genLoops))], n, body.sb.String())
		g.depth--
	case k == 1:
		fmt.Fprintf(&g.sb, "s = %s; ", genStrings[g.next(len(genStrings))])
	case k == 2:
		fmt.Fprintf(&g.sb, "s += %s; ", genStrings[g.next(len(genStrings))])
	case k == 3:
		fmt.Fprintf(&g.sb, "x = %s; ", genCalls[g.next(len(genCalls))])
	case k == 4:
		fmt.Fprintf(&g.sb, "a = %s; ", []string{"s.split(',')", "new String[]{s, t, s}", "a"}[g.next(3)])
	default:
		fmt.Fprintf(&g.sb, "t = %s; ", genStrings[g.next(len(genStrings))])
	}
}

// generate returns the program for b.
func generate(b []byte) string {
	g := &programGen{b: b}
	g.sb.WriteString("s = 'x,'; t = ','; a = new String[]{'a'}; m = new HashMap(); n = 1; ")
	for g.i < len(b) && g.sb.Len() < 4000 {
		g.stmt()
	}
	g.sb.WriteString("s")
	return g.sb.String()
}

// FuzzProgram evaluates generated programs under small limits and checks
// the work counters: the steps and bytes charged stay within the limits,
// and the bytes the Go runtime allocated stay within a small multiple of
// what was charged. Every evaluation returns a value or an error.
func FuzzProgram(f *testing.F) {
	f.Add([]byte{1, 2, 0, 4, 2, 2, 3, 0})                 // doubling loop, then split
	f.Add([]byte{0, 3, 2, 2, 0, 3, 0, 3, 17, 3, 19})      // nested loops of library calls
	f.Add([]byte{4, 1, 3, 19, 3, 22, 3, 9, 0, 4, 3, 10})  // arrays and maps to text
	f.Add([]byte{0, 4, 1, 2, 6, 3, 5, 3, 6, 3, 7, 3, 11}) // replace and format in a loop
	lim := Limits{MaxSourceLen: 10000, MaxLoopIters: 25001, MaxArrayLen: 25001, MaxStackDepth: 128,
		MaxSteps: 200_000, MaxMemory: 2 << 20}
	f.Fuzz(func(t *testing.T, b []byte) {
		src := generate(b)
		p, err := Parse(src)
		if err != nil {
			t.Fatalf("generated program does not parse: %v\n%s", err, src)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, w, err := p.run(&Env{Limits: &lim})
		runtime.ReadMemStats(&after)
		if se, ok := err.(*Error); ok && strings.HasPrefix(se.Msg, "internal error") {
			t.Fatalf("%v\n%s", err, src)
		}
		if w.steps > lim.MaxSteps+1 || w.mem > lim.MaxMemory+1 {
			t.Fatalf("charged %d steps, %d bytes past the limits\n%s", w.steps, w.mem, src)
		}
		// what a step may allocate without a charge (boxing a number,
		// a small DateTime): 64 bytes
		bound := uint64(4*lim.MaxMemory + 64*lim.MaxSteps + 1<<20)
		if got := after.TotalAlloc - before.TotalAlloc; got > bound {
			t.Fatalf("allocated %d bytes (bound %d; charged %d bytes, %d steps)\n%s", got, bound, w.mem, w.steps, src)
		}
	})
}
