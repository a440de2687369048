package sel

import (
	"errors"
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseErrorPositions(t *testing.T) {
	cases := []struct{ src, want string }{
		{"1 +", "1:4: expected an expression, found end of input"},
		{"if (x > 1 { 2 }", "1:11: expected ')', found '{'"},
		{"x = 'abc", "1:5: string literal not terminated"},
		{"a = 1;\nb = ;", "2:5: expected an expression, found ';'"},
		{"for (i = 0; i < 3) {}", "1:18: expected ';', found ')'"},
		{"1 2", "1:3: expected ';', found '2'"},
		{"/* open", "1:1: comment not terminated"},
		{"x = 1 # 2", "1:7: unexpected character '#'"},
		{"Foo x = 1;", "1:1: unsupported type Foo"},
		{"f(1)", "1:1: expected a method receiver before f(...)"},
		{"x.", "1:3: expected a name after '.', found end of input"},
		{"new long[2][3]", "1:12: multi-dimensional arrays are not supported"},
		{"99999999999999999999", "1:1: integer number too large"},
		{"{ 1;", "1:5: expected '}', found end of input"},
		{"5 = x", "1:3: expected a variable or element on the left of ="},
	}
	for _, c := range cases {
		err := Check(c.src)
		require.Error(t, err, c.src)
		var se *Error
		require.True(t, errors.As(err, &se), c.src)
		require.Equal(t, SyntaxError, se.Kind, c.src)
		require.Contains(t, err.Error(), c.want, c.src)
	}
}

func TestRuntimeErrorPosition(t *testing.T) {
	_, err := Eval("x = 1;\ny = x / 0;", nil)
	require.EqualError(t, err, "2:7: division by zero")
}

func TestParseAccepts(t *testing.T) {
	for _, src := range []string{
		"", "1", "1;", "return;", "x = 1\n", "// only a comment", "if (true) 1; else 2",
		"long x = 1, y = 2; x + y", "DateTime.Property p = new DateTime(0L).year(); p.get()",
		"int[] a = new int[]{1, 2,}; a", "String s; s = 'x'", "while (false);", "for (;;) break;",
	} {
		require.NoError(t, Check(src), src)
	}
}

func TestReferences(t *testing.T) {
	cases := map[string][]string{
		"x > 10": {"x"},
		"WORKFLOW_RUN_POLICY = params.getFromInstance('RUN_POLICY'); WORKFLOW_RUN_POLICY":                     nil,
		"params['job.2__param1'] + params.get('foo') + bar":                                                   {"bar", "foo", "job.2__param1"},
		"params['job' + '.' + '2__param1']":                                                                   nil,
		"DateTime utcNow = new DateTime(RUN_TS); utcNow.withZone(DateTimeZone.forID(WORKFLOW_CRON_TIMEZONE))": {"RUN_TS", "WORKFLOW_CRON_TIMEZONE"},
		"Util.dateIntsBetween(a, b, 1) + Math.max(c, c)":                                                      {"a", "b", "c"},
		"for (int i = 0; i < n; i++) s += i;":                                                                 {"n"},
	}
	for src, want := range cases {
		p, err := Compile(src)
		require.NoError(t, err, src)
		if want == nil {
			want = []string{}
		}
		require.Equal(t, want, p.References(), src)
	}
}

func TestCompileCacheConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				p, err := Compile("x * 2 + 1")
				if err != nil {
					t.Error(err)
					return
				}
				v, err := p.Eval(&Env{Params: MapParams{"x": int64(j)}})
				if err != nil || v != int64(j*2+1) {
					t.Error(v, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	p1, _ := Compile("1 + 2")
	p2, _ := Compile("1 + 2")
	require.Same(t, p1, p2)
	require.Equal(t, "1 + 2", p1.Source())
}

func TestCoerce(t *testing.T) {
	ok := []struct {
		v    any
		t    Type
		want any
	}{
		{int64(15), String, "15"},
		{1.0, String, "1.0"},
		{true, String, "true"},
		{"1800", Long, int64(1800)},
		{int64(3), Long, int64(3)},
		{int64(3), Double, 3.0},
		{"1.5", Double, 1.5},
		{1.5, Double, 1.5},
		{true, Boolean, true},
		{[]int64{1, 2}, StringArray, []string{"1", "2"}},
		{[]float64{1}, StringArray, []string{"1.0"}},
		{[]int64{1, 2}, DoubleArray, []float64{1, 2}},
		{[]int64{1}, LongArray, []int64{1}},
		{[]bool{true}, BooleanArray, []bool{true}},
		{map[string]any{"a": "b"}, StringMap, map[string]string{"a": "b"}},
		{map[string]string{"a": "b"}, Map, map[string]any{"a": "b"}},
		{2, Long, int64(2)},
	}
	for _, c := range ok {
		got, err := Coerce(c.v, c.t)
		require.NoError(t, err, "%v → %v", c.v, c.t)
		require.Equal(t, c.want, got)
	}
	bad := []struct {
		v    any
		t    Type
		want string
	}{
		{1.5, Long, "cannot use a DOUBLE value as a LONG param"},
		{"abc", Long, `"abc"`},
		{"true", Boolean, "cannot use a STRING value as a BOOLEAN param"},
		{[]string{"a"}, LongArray, "STRING_ARRAY value as a LONG_ARRAY"},
		{map[string]any{"a": int64(1)}, StringMap, `entry "a" is LONG`},
		{nil, String, "null value as a STRING param"},
		{[]int64{1}, String, "LONG_ARRAY value as a STRING"},
		{"NaN", Double, "not a number"},
	}
	for _, c := range bad {
		_, err := Coerce(c.v, c.t)
		require.ErrorContains(t, err, c.want)
	}
}

func TestFormat(t *testing.T) {
	require.Equal(t, "15", Format(int64(15)))
	require.Equal(t, "1.5", Format(1.5))
	require.Equal(t, "1.0", Format(1.0))
	require.Equal(t, "1.0E10", Format(1e10))
	require.Equal(t, "true", Format(true))
	require.Equal(t, "abc", Format("abc"))
	require.Equal(t, `["a","b"]`, Format([]string{"a", "b"}))
	require.Equal(t, `[1,2]`, Format([]int64{1, 2}))
	require.Equal(t, `[1.0,2.5]`, Format([]float64{1, 2.5}))
	require.Equal(t, `{"a":1,"b":{"c":"d"}}`, Format(map[string]any{"b": map[string]any{"c": "d"}, "a": int64(1)}))
	require.Equal(t, `{"k":"v"}`, Format(map[string]string{"k": "v"}))
	require.Equal(t, "-0.0", javaDouble(math.Copysign(0, -1)))
	require.Equal(t, "NaN", javaDouble(math.NaN()))
	require.Equal(t, "-Infinity", javaDouble(math.Inf(-1)))
	require.Equal(t, "1.23456789E8", javaDouble(123456789))
	require.Equal(t, "9999999.0", javaDouble(9999999))
}

func TestInterpolateJSONAndErrors(t *testing.T) {
	p := MapParams{"arr": []int64{1, 2}, "m": map[string]any{"x": "y"}, "a.b": "dot", "x-y/z": int64(1)}
	got, err := Interpolate("$arr ${m} ${a.b} ${x-y/z} $arr.x", p)
	require.NoError(t, err)
	require.Equal(t, `[1,2] {"x":"y"} dot 1 [1,2].x`, got)
	_, err = InterpolateLegacy("${unclosed", p)
	require.ErrorContains(t, err, "unterminated")
	_, err = Interpolate("$nope", p)
	require.ErrorContains(t, err, `param "nope" is not defined`)
	got, err = Interpolate("plain", nil)
	require.NoError(t, err)
	require.Equal(t, "plain", got)
}

func TestResultTypesAndNull(t *testing.T) {
	v, err := Eval("null", nil)
	require.NoError(t, err)
	require.Nil(t, v)
	v, err = Eval("", nil)
	require.NoError(t, err)
	require.Nil(t, v)
	_, err = Eval("DateTimeZone.UTC", nil)
	require.ErrorContains(t, err, "not a Maestro param type")
}

// TestInterpolateMaestroPattern: a variable is $name or ${name} whose name
// starts with a letter (Maestro's LiteralEvaluator); anything else after a
// '$' stays literal, and $$ is a '$'.
func TestInterpolateMaestroPattern(t *testing.T) {
	p := MapParams{"a": "A", "a_b": "AB", "x.y": "XY", "_a": "U", "9": "N"}
	for _, tc := range []struct{ in, want string }{
		{"$a-$a_b ${x.y}", "A-AB XY"},
		{"$_a", "$_a"},
		{"$9 ${9}", "$9 ${9}"},
		{"${_a}", "${_a}"},
		{"${a b}", "${a b}"},
		{"${unclosed", "${unclosed"},
		{"${}", "${}"},
		{"$$a $${a} $$$a", "$a ${a} $A"},
		{"cost $", "cost $"},
	} {
		got, err := Interpolate(tc.in, p)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
	_, err := Interpolate("${nope}", p)
	require.ErrorContains(t, err, `param "nope" is not defined`)

	for _, tc := range []struct {
		in      string
		changed bool
	}{
		{"$a ${x.y} $$_a $9", false}, {"$_a", true}, {"${_a}", true}, {"${unclosed", true}, {"${}", true}, {"plain", false},
	} {
		require.Equal(t, tc.changed, InterpolationChanged(tc.in), tc.in)
	}
	old, err := InterpolateLegacy("$_a", p)
	require.NoError(t, err)
	require.Equal(t, "U", old)
}

// TestWorkflowParamsMap: with Env.WorkflowParams, the params object holds
// the workflow params only and a missing name is NULL (Maestro's SelParams
// and ParamEvaluatorTest); without it, params['x'] resolves any name.
func TestWorkflowParamsMap(t *testing.T) {
	wf := map[string]any{"foo": "123", "n": int64(5)}
	env := &Env{
		Params:         MapParams{"foo": "123", "n": int64(5), "job1__x": int64(1)},
		WorkflowParams: func(name string) (any, bool) { v, ok := wf[name]; return v, ok },
	}
	for _, tc := range []struct {
		expr string
		want any
	}{
		{"params['foo'] + '-1'", "123-1"},
		{"params.get('foo') + '-1'", "123-1"},
		{"params['nope'] == null", true},
		{"params.get('nope') == null", true},
		{"params['nope'] != null", false},
		{"params['nope'] > 3", false},
		{"params['nope'] < 3", false},
		{"params['nope'] + 'x'", "nullx"},
		{"params['job1__x'] == null", true},
		{"params.containsKey('job1__x')", false},
		{"params.containsKey('n')", true},
		{"job1__x + params['n']", int64(6)},
	} {
		v, err := Eval(tc.expr, env)
		require.NoError(t, err, tc.expr)
		require.Equal(t, tc.want, v, tc.expr)
	}
	_, err := Eval("params['nope'] >= 3", env)
	require.Error(t, err, "Maestro's NULL has no >=")

	legacy := &Env{Params: env.Params}
	v, err := Eval("params['job1__x']", legacy)
	require.NoError(t, err)
	require.Equal(t, int64(1), v)
	_, err = Eval("params['nope'] == null", legacy)
	require.ErrorContains(t, err, "unknown name nope")
}
