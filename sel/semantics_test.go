package sel

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

var javaTests = []ctest{
	// long arithmetic
	{"overflow add", "9223372036854775807 + 1", nil, int64(math.MinInt64)},
	{"overflow mul", "Long.MAX_VALUE * 2", nil, int64(-2)},
	{"min literal", "-9223372036854775808L", nil, int64(math.MinInt64)},
	{"min / -1", "Long.MIN_VALUE / -1", nil, int64(math.MinInt64)},
	{"int division", "7 / 2", nil, int64(3)},
	{"int division negative", "-7 / 2", nil, int64(-3)},
	{"mod negative dividend", "-7 % 3", nil, int64(-1)},
	{"mod negative divisor", "7 % -3", nil, int64(1)},
	{"precedence", "1 + 2 * 3 - 4 / 2", nil, int64(5)},
	{"long suffix", "1577836800000L + 1", nil, int64(1577836800001)},
	{"unary", "-(3) + +2", nil, int64(-1)},
	// doubles
	{"promotion", "1 + 0.5", nil, 1.5},
	{"double division by zero", "1.0 / 0", nil, math.Inf(1)},
	{"double mod", "-7.5 % 2", nil, -1.5},
	{"float suffix", "1.5f * 2", nil, 3.0},
	// string concatenation renders like Java
	{"concat double", "'a' + 1.0", nil, "a1.0"},
	{"concat double left", "1.5 + 'x'", nil, "1.5x"},
	{"concat long", "'n=' + 15", nil, "n=15"},
	{"concat bool", "'' + true", nil, "true"},
	{"concat null", "'x' + null", nil, "xnull"},
	{"double 1e7", "1e7 + ''", nil, "1.0E7"},
	{"double 0.001", "0.001 + ''", nil, "0.001"},
	{"double 1e-4", "0.0001 + ''", nil, "1.0E-4"},
	{"double 100", "100.0 + ''", nil, "100.0"},
	{"double 1234567.5", "1234567.5 + ''", nil, "1234567.5"},
	{"left to right", "1 + 2 + 'x' + 1 + 2", nil, "3x12"},
	{"concat array", "'' + new long[]{1, 2}", nil, "[1, 2]"},
	// equality
	{"string ==", "'abc' == \"abc\"", nil, true},
	{"string != ", "'abc' != 'abd'", nil, true},
	{"long == string", "1 == '1'", nil, true},
	{"long == double", "1 == 1.0", nil, true},
	{"null == null", "null == null", nil, true},
	{"string == null", "'a' == null", nil, false},
	{"equals", "'a'.equals('a')", nil, true},
	{"equals other type", "'1'.equals(1)", nil, false},
	{"compareTo", "'a'.compareTo('b')", nil, int64(-1)},
	{"compareTo length", "'abc'.compareTo('a')", nil, int64(2)},
	// logic, ternary, statements
	{"short circuit", "false && (1 / 0 == 1)", nil, false},
	{"ternary", "2 > 1 ? 10 : -10", nil, int64(10)},
	{"nested ternary", "x > 5 ? 'big' : x > 2 ? 'mid' : 'small'", map[string]any{"x": int64(3)}, "mid"},
	{"for loop", "long s = 0; for (int i = 0; i < 5; i++) { s += i; } return s;", nil, int64(10)},
	{"while break continue", "i = 0; s = 0; while (true) { i++; if (i % 2 == 0) continue; if (i > 9) break; s += i; } s", nil, int64(25)},
	{"return in loop", "for (i = 0; i < 100; i = i + 1) { if (i == 7) return i * 2; } return -1;", nil, int64(14)},
	{"last expression", "x = 1; x + 1; x + 2", nil, int64(3)},
	{"decl result", "long x = 5;", nil, int64(5)},
	{"comments", "/* c */ 1 + // two\n 2", nil, int64(3)},
	{"import", "import org.joda.time.DateTime; 5", nil, int64(5)},
	{"compound ops", "x = 10; x -= 3; x *= 2; x /= 3; x %= 3; x", nil, int64(1)},
	{"prefix", "x = 1; y = ++x + x--; y * 10 + x", nil, int64(41)},
	{"local shadows param", "x = 2; x", map[string]any{"x": int64(9)}, int64(2)},
	{"param then local", "x = x + 1; x", map[string]any{"x": int64(9)}, int64(10)},
	{"typed double widens", "double d = 1; d", nil, 1.0},
	{"empty statements", ";;1;;", nil, int64(1)},
	{"block scoping", "{ y = 3; } y", nil, int64(3)},
	// arrays and maps
	{"array literal", "new long[]{1, 2, 3}", nil, []int64{1, 2, 3}},
	{"array length", "new String[]{'a', 'b'}.length", nil, int64(2)},
	{"array sized", "long[] a = new long[3]; a[1] = 5; a", nil, []int64{0, 5, 0}},
	{"array init decl", "String[] s = {'x', 'y'}; s[1]", nil, "y"},
	{"double array", "new double[]{1, 2.5}", nil, []float64{1, 2.5}},
	{"boolean array", "new boolean[]{true, false}", nil, []bool{true, false}},
	{"asList", "Arrays.asList(new long[]{4})", nil, []int64{4}},
	{"array contains", "new String[]{'a'}.contains('a')", nil, true},
	{"map ops", "Map m = new HashMap(); m.put('a', 1); m.put('b', 'x'); m['c'] = 2.5; return m;", nil,
		map[string]any{"a": int64(1), "b": "x", "c": 2.5}},
	{"map get", "m = new LinkedHashMap(); m.put('a', 1); m.get('a') + m.getOrDefault('z', 10) + m.size()", nil, int64(12)},
	{"map containsKey", "m = new HashMap(); m.put('a', 1); m.containsKey('a') && !m.containsKey('b')", nil, true},
	{"map missing", "m = new HashMap(); m.get('a') == null", nil, true},
	{"param map index", "cfg['k']", map[string]any{"cfg": map[string]any{"k": "v"}}, "v"},
	{"param string map", "cfg.get('k')", map[string]any{"cfg": map[string]string{"k": "v"}}, "v"},
	// String methods
	{"split", "'a,b,,c,,'.split(',')", nil, []string{"a", "b", "", "c"}},
	{"split limit", "'a,b,c'.split(',', 2)", nil, []string{"a", "b,c"}},
	{"split negative limit", "'a,b,,'.split(',', -1)", nil, []string{"a", "b", "", ""}},
	{"split regex", "'a1b22c'.split('\\\\d+')", nil, []string{"a", "b", "c"}},
	{"split empty", "'abc'.split('')", nil, []string{"a", "b", "c"}},
	{"split no match", "''.split(',')", nil, []string{""}},
	{"upper lower", "'Ab'.toUpperCase() + 'Ab'.toLowerCase()", nil, "ABab"},
	{"replaceAll groups", "'john@example'.replaceAll('(\\\\w+)@(\\\\w+)', '$2 at $1')", nil, "example at john"},
	{"replace literal", "'a.b.c'.replace('.', '/')", nil, "a/b/c"},
	{"startsWith", "'foobar'.startsWith('foo') && 'foobar'.endsWith('bar') && 'foobar'.contains('oba')", nil, true},
	{"isEmpty", "''.isEmpty()", nil, true},
	{"lastIndexOf", "'a/b/c'.lastIndexOf('/')", nil, int64(3)},
	{"length", "'héllo'.length()", nil, int64(5)},
	{"substring", "'hello'.substring(1) + 'hello'.substring(1, 3)", nil, "elloel"},
	{"trim", "'  x \\t'.trim()", nil, "x"},
	{"valueOf", "String.valueOf(1.0) + String.valueOf(2) + String.valueOf(true)", nil, "1.02true"},
	{"format", "String.format('%02d-%s-%.2f|%5s|%-3d|%,d', 5, 'x', 1.5, 'ab', 7, 1234567)", nil, "05-x-1.50|   ab|7  |1,234,567"},
	{"format array", "String.format('%s/%s', new String[]{'a', 'b'})", nil, "a/b"},
	{"format percent", "String.format('100%% %n')", nil, "100% \n"},
	{"join varargs", "String.join(',', 'a', 'b')", nil, "a,b"},
	{"join array", "String.join('-', 'a,b,c'.split(','))", nil, "a-b-c"},
	{"escape", "'a\"b\\n'.escape()", nil, "a\\\"b\\n"},
	{"escape static", "String.escape('tab\\there')", nil, "tab\\there"},
	{"new String", "new String(12)", nil, "12"},
	// Long / Double / Math
	{"parseLong", "Long.parseLong('42') + Integer.parseInt('-2') + Long.valueOf('1')", nil, int64(41)},
	{"Long.toString", "Long.toString(5) + (5).toString()", nil, "55"},
	{"intValue", "x.intValue()", map[string]any{"x": int64(3)}, int64(3)},
	{"parseDouble", "Double.parseDouble('1.5') + Double.valueOf('2')", nil, 3.5},
	{"double intValue", "Double.valueOf('-2.7').intValue()", nil, int64(-2)},
	{"double longValue", "(2.9).longValue()", nil, int64(2)},
	{"Double.toString", "Double.toString(2.0)", nil, "2.0"},
	{"Math", "Math.max(1, 2) + Math.min(3, 4)", nil, int64(5)},
	{"Math mixed", "Math.max(1, 2.5)", nil, 2.5},
	{"Math.pow", "Math.pow(2, 10)", nil, 1024.0},
	{"Math.random", "Math.random()", nil, 0.25},
	{"constants", "DateTimeConstants.SUNDAY + DateTimeConstants.MONDAY", nil, int64(8)},
	{"Integer.MAX_VALUE", "Integer.MAX_VALUE + 1", nil, int64(2147483648)},
	// params object
	{"params index", "params['x'] + params.get('x')", map[string]any{"x": int64(2)}, int64(4)},
	{"params containsKey", "params.containsKey('x') && !params.containsKey('y')", map[string]any{"x": int64(2)}, true},
	{"getFromForeach", "params.getFromForeach('fe', 'job', 'p')", nil, []int64{1, 2}},
	{"getFromSubworkflow", "params.getFromSubworkflow('sw', 'job', 'p')", nil, "sw/job/p"},
	{"getFromSignalOrDefault", "params.getFromSignalOrDefault('nope', 'x', 'dflt')", nil, "dflt"},
	{"getFromSignalOrDefault hit", "params.getFromSignalOrDefault('signal_a', 'watermark', 0)", nil, int64(20200101)},
	{"nextUniqueId", "params.nextUniqueId()", nil, int64(7)},
	{"int params normalized", "x + 1", map[string]any{"x": 2}, int64(3)},
}

func TestJavaSemantics(t *testing.T) { runTable(t, javaTests) }

var utilTests = []ctest{
	{"dateIntsBetween negative step", "Util.dateIntsBetween(20200110, 20200101, -1)", nil,
		[]int64{20200109, 20200108, 20200107, 20200106, 20200105, 20200104, 20200103, 20200102, 20200101}},
	{"dateIntsBetween step 3", "Util.dateIntsBetween(20200101, 20200110, 3)", nil, []int64{20200101, 20200104, 20200107}},
	{"dateIntsBetween step -2", "Util.dateIntsBetween(20200105, 20200101, -2)", nil, []int64{20200103, 20200101}},
	{"dateIntsBetween empty", "Util.dateIntsBetween(20200110, 20200101, 1)", nil, []int64{}},
	{"dateIntsBetween strings", "Util.dateIntsBetween('20200228', '20200302', 1)", nil, []int64{20200228, 20200229, 20200301}},
	{"intsBetween step", "Util.intsBetween(1, 10, 3)", nil, []int64{1, 4, 7}},
	{"intsBetween negative", "Util.intsBetween(10, 1, -3)", nil, []int64{10, 7, 4}},
	{"intsBetween empty", "Util.intsBetween(5, 1, 1)", nil, []int64{}},
	{"intsBetween step 0 empty", "Util.intsBetween(1, 5, 0)", nil, []int64{}},
	{"incrementDateInt leap", "Util.incrementDateInt(20200228, 1)", nil, "20200229"},
	{"incrementDateInt year", "Util.incrementDateInt('20201231', 1)", nil, "20210101"},
	{"incrementDateInt negative", "Util.incrementDateInt(20200301, -1)", nil, "20200229"},
	{"tsToDateInt", "Util.tsToDateInt(1577836799999)", nil, "20191231"},
	{"dateIntToTs", "Util.dateIntToTs(20200101)", nil, int64(1577836800000)},
	{"dateIntHourToTs subtracts", "Util.dateIntHourToTs(20200101, 5, 'UTC', 1, 2)", nil, int64(1577761200000)},
	{"dateIntHourToTs zone", "Util.dateIntHourToTs('20200308', '03', 'America/Los_Angeles', 0, 0)", nil, int64(1583661600000)},
	{"timeout datetime", "Util.timeoutForDateTimeDeadline(new DateTime(1583661600000L), '1 hour')", nil, "1800000 milliseconds"},
	{"timeout words", "Util.timeoutForDateTimeDeadline(new DateTime(1583661600000L), '1 day, 2 hours and 30 minutes')", nil, "93600000 milliseconds"},
	{"timeout passed", "Util.timeoutForDateTimeDeadline(new DateTime(0L), '2 hours')", nil, "0 milliseconds"},
	{"timeout dateint", "Util.timeoutForDateIntDeadline(20200308, '12 hours')", nil, "5400000 milliseconds"},
}

func TestUtil(t *testing.T) { runTable(t, utilTests) }

func TestEvalErrors(t *testing.T) {
	cases := map[string]string{
		"1 / 0":                "division by zero",
		"5 % 0":                "division by zero",
		"'x' * 2":              "operator * is not defined on String and long",
		"'1' == 1":             "cannot compare String with long",
		"true + 1":             "operator + is not defined",
		"if (1) 2":             "condition must be boolean",
		"missing + 1":          "unknown name missing",
		"'abc'.substring(5)":   "StringIndexOutOfBoundsException",
		"new long[]{1}[3]":     "out of bounds",
		"'a'.foo()":            "String.foo is not supported",
		"Runtime.getRuntime()": "unknown name Runtime", "exec(1)": "expected a method receiver", "'a'.getClass()": "String.getClass is not supported",
		"x = 1; x += 1.5": "needs a long",
		"long x = 'a'":    "cannot assign String to long x",
		"Util.dateIntsBetween(20200101, 20200110, 0)":         "Invalid incremental interval value: 0",
		"Util.intsBetween(5, 1, 0)":                           "step 0",
		"Long.parseLong('1.5')":                               "NumberFormatException",
		"DateTimeZone.forID('Mars/Base')":                     "not recognised",
		"DateTimeZone.forID('Local')":                         "not recognised",
		"new DateTime(0L).toString('yyyy Q')":                 "Illegal pattern component: Q",
		"params.getFromStep('x')":                             "params.getFromStep is not available here",
		"new DateTime(0L)":                                    "result of type DateTime is not a Maestro param type",
		"Util.timeoutForDateIntDeadline(20200101, '1 month')": "years or months",
		"Math.abs(1)":                                         "Math.abs is not supported",
		"null.length()":                                       "cannot call length on null",
		"x = null; x.length()":                                "cannot call length on null",
	}
	for src, want := range cases {
		_, err := Eval(src, &Env{Params: MapParams{}})
		require.Error(t, err, src)
		require.Contains(t, err.Error(), want, src)
	}
}

func TestDeterminismSources(t *testing.T) {
	for src, want := range map[string]string{
		"System.currentTimeMillis()":                        "Env.Now is nil",
		"new DateTime().getMillis()":                        "Env.Now is nil",
		"Math.random()":                                     "Env.Random is nil",
		"UUID.randomUUID().toString()":                      "Env.UUID is nil",
		"DateTimeFormat.forPattern('yy').parseMillis('20')": "Env.Now is nil",
	} {
		_, err := Eval(src, nil)
		require.ErrorContains(t, err, want, src)
	}
}
