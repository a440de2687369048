package sel

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func requireLimit(t *testing.T, err error, limit string) {
	t.Helper()
	var le *LimitError
	require.True(t, errors.As(err, &le), "want a LimitError, got %v", err)
	require.Equal(t, limit, le.Limit)
	require.Contains(t, err.Error(), limit)
}

func TestLimitSourceLength(t *testing.T) {
	src := "1" + strings.Repeat(" ", 10000)
	_, err := Parse(src)
	requireLimit(t, err, "source length")
	_, err = Parse(src[:10000])
	require.NoError(t, err)
}

func TestLimitLoopIterations(t *testing.T) {
	_, err := Eval("while (true) {}", nil)
	requireLimit(t, err, "loop iterations")
	_, err = Eval("for (;;) {}", nil)
	requireLimit(t, err, "loop iterations")
	v, err := Eval("n = 0; for (i = 0; i < 25001; i++) n++; n", nil)
	require.NoError(t, err)
	require.Equal(t, int64(25001), v)
}

func TestLimitArraySize(t *testing.T) {
	_, err := Eval("new long[25002]", nil)
	requireLimit(t, err, "array size")
	_, err = Eval("Util.intsBetween(0, 25002, 1)", nil)
	requireLimit(t, err, "array size")
	_, err = Eval("Util.dateIntsBetween(19000101, 20300101, 1)", nil)
	requireLimit(t, err, "array size")
	_, err = Eval("m = new HashMap(); for (i = 0; i < 25001; i++) m.put('' + i, i); m.put('x', 1)", nil)
	requireLimit(t, err, "array size")
	v, err := Eval("new long[25001].length", nil)
	require.NoError(t, err)
	require.Equal(t, int64(25001), v)
}

func TestLimitStackDepth(t *testing.T) {
	_, err := Parse(strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200))
	requireLimit(t, err, "stack depth")
	_, err = Parse(strings.Repeat("{", 200) + strings.Repeat("}", 200))
	requireLimit(t, err, "stack depth")
	_, err = Parse(strings.Repeat("!", 300) + "true")
	requireLimit(t, err, "stack depth")
	_, err = Parse(strings.Repeat("(", 40) + "1" + strings.Repeat(")", 40))
	require.NoError(t, err)
}

func TestLimitSteps(t *testing.T) {
	start := time.Now()
	_, err := Eval("s = 0; for (i = 0; i < 25000; i++) for (j = 0; j < 25000; j++) s += j; s", nil)
	requireLimit(t, err, "steps")
	require.Less(t, time.Since(start), 500*time.Millisecond)
	lim := DefaultLimits()
	lim.MaxSteps = 10
	_, err = Eval("1+1+1+1+1+1+1+1+1+1+1+1", &Env{Limits: &lim})
	requireLimit(t, err, "steps")
}

func TestLimitMemory(t *testing.T) {
	start := time.Now()
	_, err := Eval("String s = 'x'; while (true) s = s + s;", nil)
	requireLimit(t, err, "memory")
	_, err = Eval("String s = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'; for (i = 0; i < 16; i++) s += s; for (i = 0; i < 25000; i++) t = s + i;", nil)
	requireLimit(t, err, "memory")
	_, err = Eval("String.format('%099999d', 1)", nil)
	requireLimit(t, err, "memory")
	require.Less(t, time.Since(start), time.Second)
}

func TestNoPanicOnHostileInput(t *testing.T) {
	for _, src := range []string{
		"", ";", "}", "{", "(", "new", "new long[-1]", "a[", "'", "\"", "/*", "1..2", "x.", "params.",
		"params", "DateTime", "new DateTime(1L).plusYears(2147483647)", "new DateTime(9223372036854775807L).toString()",
		"new DateTime(-9223372036854775807L).plusDays(1).toString()",
		"Util.dateIntToTs('99999999999999')", "Util.intsBetween(2147483600, 2147483647, 100)",
		"String.format('%')", "String.format('%d', 'x')", "'a'.split('(')", "'a'.replaceAll('x', '$')",
		"new DateTime(0L).withYear(292278994)", "DateTimeFormat.forPattern(\"'\")", "x++", "++1",
		"return", "throw", "throw 1", "Days.daysBetween(new DateTime(0L), new DateTime(9223372036854775807L)).getDays()",
	} {
		require.NotPanics(t, func() { _, _ = Eval(src, sampleEnv(nil)) }, src)
	}
}
