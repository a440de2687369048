package sel

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// measured is one evaluation with its work counters and the bytes the Go
// runtime allocated meanwhile.
type measured struct {
	res     any
	err     error
	w       work
	goBytes uint64
}

func measure(t testing.TB, src string, params map[string]any) measured {
	t.Helper()
	p, err := Parse(src)
	require.NoError(t, err, src)
	env := &Env{Params: MapParams(params)}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, w, err := p.run(env)
	runtime.ReadMemStats(&after)
	return measured{res: res, err: err, w: w, goBytes: after.TotalAlloc - before.TotalAlloc}
}

const mb = 1 << 20

// Each case once allocated far past the memory limit (or crashed, or ran
// for minutes) because a built-in allocated before it charged, or charged
// less than it built. Now each ends (with a value or a limit error) having
// allocated at most maxGo bytes.
func TestSandboxLibraryCharges(t *testing.T) {
	big := func(s string, n int) string { return strings.Repeat(s, n/len(s)) }
	for _, tc := range []struct {
		name   string
		src    string
		params map[string]any
		limit  string // the limit error expected; "" for a value
		maxGo  uint64
	}{
		// issue 16: a 4-million-character string split on ","
		{"split", "s = 'x,'; for (i = 0; i < 21; i++) s += s; a = s.split(','); a.length", nil, "array size", 24 * mb},
		{"split regex", "p.split('[,;]')", map[string]any{"p": big("x,", 4*mb)}, "steps", 8 * mb},
		{"split regex many parts", "p.split('[,;]')", map[string]any{"p": big("x,", 200000)}, "array size", 8 * mb},
		// trailing empty parts are dropped before the array limit applies (Java)
		{"split trailing empties", "('a' + p).split(',').length", map[string]any{"p": big(",", 1*mb)}, "", 4 * mb},
		{"replaceAll many matches", "p.replaceAll('', '0123456789012345678901234567890123456789')", map[string]any{"p": big("x", 1*mb)}, "steps", 24 * mb},
		{"replaceAll long output", "p.replaceAll('', q)", map[string]any{"p": big("x", 20000), "q": big("y", 1000)}, "memory", 4 * mb},
		{"replaceAll group refs", "p.replaceAll('(x+)', '" + strings.Repeat("$1", 100) + "')", map[string]any{"p": big("x", 200000)}, "memory", 4 * mb},
		{"array toString in concat", "a = new String[25001]; for (i = 0; i < 25001; i++) a[i] = p; '' + a", map[string]any{"p": big("x", 4096)}, "memory", 8 * mb},
		{"String.valueOf(array)", "a = new String[25001]; for (i = 0; i < 25001; i++) a[i] = p; String.valueOf(a)", map[string]any{"p": big("x", 4096)}, "memory", 8 * mb},
		{"format %s of an array", "a = new String[25001]; for (i = 0; i < 25001; i++) a[i] = p; String.format('%s%d', a, 1)", map[string]any{"p": big("x", 4096)}, "memory", 8 * mb},
		{"throw an array", "a = new String[25001]; for (i = 0; i < 25001; i++) a[i] = p; throw a", map[string]any{"p": big("x", 4096)}, "memory", 8 * mb},
		{"format %s of a long param", "String.format('%s%s%s%s%s%s%s%s', p, p, p, p, p, p, p, p)", map[string]any{"p": big("x", 4*mb)}, "memory", 40 * mb},
		{"escape", "p.escape()", map[string]any{"p": big(`"`, 12*mb)}, "memory", 4 * mb},
		{"toUpperCase of invalid UTF-8", "p.toUpperCase()", map[string]any{"p": big("\xff", 6*mb)}, "memory", 4 * mb},
		{"length of non-ASCII", "n = 0; for (i = 0; i < 5; i++) n += p.length(); n", map[string]any{"p": big("é", 1*mb)}, "", 4 * mb},
		{"substring of non-ASCII", "n = 0; for (i = 0; i < 5; i++) n += p.substring(1, 3).length(); n", map[string]any{"p": big("é", 1*mb)}, "", 4 * mb},
		{"compareTo non-ASCII", "n = 0; for (i = 0; i < 5; i++) n += p.compareTo(q); n", map[string]any{"p": big("é", 1*mb), "q": big("é", 1*mb) + "x"}, "", 4 * mb},
		{"Joda pattern with many tokens", "DateTimeFormat.forPattern(p)", map[string]any{"p": big("yM", 4*mb)}, "memory", 4 * mb},
		{"Joda print of a wide field", "f = DateTimeFormat.forPattern(p); for (i = 0; i < 100; i++) x = f.print(0L);", map[string]any{"p": big("y", 1*mb)}, "memory", 40 * mb},
		{"word period", "Util.timeoutForDateIntDeadline(20200101, p)", map[string]any{"p": big("1 day ", 4*mb)}, "memory", 4 * mb},
		{"map nested in itself", "m = new HashMap(); m.put('a', m); '' + m", nil, "stack depth", 1 * mb},
		{"map holding itself as the result", "m = new HashMap(); m.put('a', m); m", nil, "stack depth", 1 * mb},
		{"maps shared 2^40 times", "m = new HashMap(); for (i = 0; i < 40; i++) { n = new HashMap(); n.put('a', m); n.put('b', m); m = n; } '' + m", nil, "steps", 4 * mb},
		{"result shared 2^40 times", "m = new HashMap(); for (i = 0; i < 40; i++) { n = new HashMap(); n.put('a', m); n.put('b', m); m = n; } m", nil, "steps", 4 * mb},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := measure(t, tc.src, tc.params)
			if tc.limit == "" {
				require.NoError(t, m.err)
			} else {
				requireLimit(t, m.err, tc.limit)
			}
			lim := DefaultLimits()
			require.LessOrEqual(t, m.w.steps, lim.MaxSteps+1)
			require.LessOrEqual(t, m.goBytes, tc.maxGo, "allocated %d MB", m.goBytes/mb)
		})
	}
}

// Work that reads long inputs costs steps in proportion: comparing,
// hashing and passing a long string is not one step.
func TestSandboxStepsProportionalToInput(t *testing.T) {
	p, q := strings.Repeat("x", 4*mb), strings.Repeat("x", 4*mb)
	for _, src := range []string{"p == q", "m = new HashMap(); m[p] = 1", "m = new HashMap(); m[p]", "params[p]", "p.startsWith(q)", "Long.valueOf(1).equals(p)"} {
		m := measure(t, src, map[string]any{"p": p, "q": q})
		require.GreaterOrEqual(t, m.w.steps, int64(len(p)/bytesPerStep), src)
	}
	// a regular expression's scan costs more with a larger program
	small := measure(t, "p.split('[ab]')", map[string]any{"p": strings.Repeat("x", 4096)})
	large := measure(t, "p.split('"+strings.Repeat("(a|b)", 100)+"')", map[string]any{"p": strings.Repeat("x", 4096)})
	require.Greater(t, large.w.steps, 2*small.w.steps)
}

func TestSandboxRegexLength(t *testing.T) {
	m := measure(t, "'abc'.split(p)", map[string]any{"p": strings.Repeat("a", 20000)})
	requireLimit(t, m.err, "regex length")
}

// An expression works on its own copies of the params' arrays and maps.
func TestSandboxParamsAreNotChanged(t *testing.T) {
	arr := []int64{1, 2}
	mp := map[string]any{"k": "v"}
	v, err := Eval("a = arr; a[0] = 99; m = params['mp']; m.put('k', 'w'); m.put('self', m); arr[0] + a[0]",
		&Env{Params: MapParams{"arr": arr, "mp": mp}})
	require.NoError(t, err)
	require.Equal(t, int64(99+99), v, "one copy per evaluation: arr and a are the same array")
	require.Equal(t, []int64{1, 2}, arr)
	require.Equal(t, map[string]any{"k": "v"}, mp)
}

// An error quotes at most clipLen bytes of an input.
func TestSandboxErrorsClipInput(t *testing.T) {
	digits := strings.Repeat("9", 100000)
	for _, src := range []string{"Long.parseLong(p)", "Double.parseDouble(p + 'x')", "new DateTime(p)", "Util.dateIntToTs(p)", "DateTimeFormat.forPattern('yyyy').parseMillis(p)"} {
		_, err := Eval(src, &Env{Params: MapParams{"p": digits}})
		require.Error(t, err, src)
		require.Less(t, len(err.Error()), 300, src)
		if !errors.As(err, new(*LimitError)) {
			require.Contains(t, err.Error(), "...(1000", src)
		}
	}
}

// clip bounds the quoted form, not the raw bytes: an invalid byte quotes
// as four (found by FuzzParse: 64 bytes of 0xf7 quoted to 256).
func TestClipBoundsQuotedWidth(t *testing.T) {
	for _, in := range []string{
		strings.Repeat("\xf7", 1000),
		strings.Repeat("\x01", 1000),
		strings.Repeat("é", 1000),
		strings.Repeat(`"`, 1000),
		"short",
	} {
		quoted := fmt.Sprintf("%q", clip(in))
		require.LessOrEqual(t, len(quoted), clipLen+len("...(10000 bytes)")+2, "%q", quoted)
	}
	require.Equal(t, "short", clip("short"))
	for _, src := range []string{
		"0\"" + strings.Repeat("\xf7", 100) + "00\"",
		"0 '" + strings.Repeat("x", 10000) + "'",
		"0 " + strings.Repeat("y", 10000),
	} {
		_, err := Parse(src)
		require.Error(t, err)
		require.Less(t, len(err.Error()), 200, err.Error())
	}
}

// MAP values nested past MaxValueDepth are refused before the recursive
// encoder or decoder runs.
func TestValueDepthLimit(t *testing.T) {
	var v any = int64(1)
	for i := 0; i < 5000; i++ {
		v = map[string]any{"m": v}
	}
	_, err := EncodeJSON(Map, v)
	require.ErrorContains(t, err, "deeper than 128")
	_, err = DecodeJSON(Map, []byte(strings.Repeat(`{"m": {"type": "MAP", "value": `, 5000)+"{}"+strings.Repeat("}}", 5000)))
	require.ErrorContains(t, err, "at most 128 MAP levels")
}

// Interpolation bounds what it builds: many references to a long param
// would multiply its size. Conversions clip the input they quote.
func TestInterpolateAndCoerceBounded(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	var out string
	n := goAllocSel(func() {
		var err error
		out, err = Interpolate(strings.Repeat("$p", 10000), MapParams{"p": big})
		require.ErrorContains(t, err, "would pass")
	})
	require.Empty(t, out)
	require.Less(t, n, uint64(64<<20), "allocated %d MB", n>>20)
	v, err := Interpolate("a $p b", MapParams{"p": "y"})
	require.NoError(t, err)
	require.Equal(t, "a y b", v)

	_, err = Coerce(strings.Repeat("9", 100000)+"x", Long)
	require.Error(t, err)
	require.Less(t, len(err.Error()), 300)
}

func goAllocSel(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
