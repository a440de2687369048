package definition

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/batonhq/baton/sel"
	"github.com/stretchr/testify/require"
)

// goAlloc returns the bytes the Go runtime allocated while f ran.
func goAlloc(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// issue 16: 2 million levels of arrays ended the process with a stack
// overflow, 1 million took 1.1 GB. The depth is refused, with a path,
// before the decoder recurses further.
func TestDecodeDeepNesting(t *testing.T) {
	const depth = 2_000_000
	doc := `{"workflow":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`
	var err error
	n := goAlloc(func() { _, err = Decode([]byte(doc)) })
	require.ErrorContains(t, err, fmt.Sprintf("nested more than %d levels deep", MaxJSONDepth))
	require.ErrorContains(t, err, "workflow[0][0][0][0][0]...(")
	require.Less(t, n, uint64(16<<20), "allocated %d MB", n>>20)

	// run params of a start request go through the same decoder
	_, err = DecodeStartRequest([]byte(`{"run_params":` + strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth) + `}`))
	require.ErrorContains(t, err, "nested more than")
	require.ErrorContains(t, err, "run_params.a.a.a")

	// at the limit is fine for the decoder (the value is then refused for
	// what it is, not for its depth)
	_, err = Decode([]byte(`{"workflow":` + strings.Repeat("[", MaxJSONDepth-1) + strings.Repeat("]", MaxJSONDepth-1) + `}`))
	require.NotContains(t, err.Error(), "nested more than")
}

// nestedMap is a MAP param literal nested depth levels.
func nestedMap(depth int) string {
	return strings.Repeat(`{"type": "MAP", "value": {"m": `, depth) + `{"type": "LONG", "value": 1}` + strings.Repeat("}}", depth)
}

func TestDecodeDeepMapParam(t *testing.T) {
	doc := `{"workflow": {"id": "wf", "params": {"p": ` + nestedMap(sel.MaxValueDepth+1) + `}, "steps": [{"step": {"id": "a", "type": "NoOp"}}]}}`
	_, err := Decode([]byte(doc))
	require.ErrorContains(t, err, fmt.Sprintf("MAP value nests more than %d levels deep", sel.MaxValueDepth))
	require.ErrorContains(t, err, `workflow.params["p"].value["m"]`)
	doc = `{"workflow": {"id": "wf", "params": {"p": ` + nestedMap(sel.MaxValueDepth-1) + `}, "steps": [{"step": {"id": "a", "type": "NoOp"}}]}}`
	_, err = Decode([]byte(doc))
	require.NoError(t, err)
}

// nestedForeach is a definition whose foreach steps nest depth deep, each
// with the loop param i.
func nestedForeach(depth int) string {
	inner := `{"step": {"id": "leaf", "type": "NoOp"}}`
	for i := depth; i > 0; i-- {
		inner = fmt.Sprintf(`{"foreach": {"id": "f%d", "params": {"loop_params": {"type": "MAP", "value": {"i": {"type": "LONG_ARRAY", "value": [1]}}}}, "steps": [%s]}}`, i, inner)
	}
	return `{"workflow": {"id": "wf", "steps": [` + inner + `]}}`
}

// issue 16: a foreach nested 200 deep (25 KB) printed 47.6 MB of errors,
// the same error once per enclosing level. Now each error is reported once,
// the nesting is bounded, and the output is small.
func TestValidateDeepForeach(t *testing.T) {
	for _, depth := range []int{200, 2000} {
		r, err := Decode([]byte(nestedForeach(depth)))
		if err != nil { // 2000 levels pass the JSON depth limit
			require.ErrorContains(t, err, "nested more than")
			continue
		}
		err = r.Validate()
		require.Error(t, err)
		msg := err.Error()
		require.Less(t, len(msg), 8<<10, "%d bytes of errors", len(msg))
		require.Contains(t, msg, fmt.Sprintf("foreach and while steps nest more than %d deep", MaxLoopNesting))
		require.Equal(t, MaxLoopNesting, strings.Count(msg, `loop param "i" is already a loop param`))
	}
	// at the limit: valid but for the repeated loop param
	r, err := Decode([]byte(nestedForeach(MaxLoopNesting)))
	require.NoError(t, err)
	require.NotContains(t, r.Validate().Error(), "nest more than")
}

// Validation reports at most MaxErrors errors and says how many more.
func TestValidateCapsErrors(t *testing.T) {
	var steps []string
	for i := 0; i < 1000; i++ {
		steps = append(steps, fmt.Sprintf(`{"step": {"id": "s%d", "type": "NoOp", "transition": {"successors": {"nope%d": "true"}}}}`, i, i))
	}
	r, err := Decode([]byte(`{"workflow": {"id": "wf", "steps": [` + strings.Join(steps, ",") + `]}}`))
	require.NoError(t, err)
	es := AsErrors(r.Validate())
	require.Len(t, es, MaxErrors+1)
	require.Contains(t, es[MaxErrors].Error(), "and ")
	require.Contains(t, es[MaxErrors].Error(), "more errors")
}

// issue 16 item 7: a number of 100,000 digits is not echoed whole; a UTF-8
// byte order mark is accepted.
func TestDecodeClipsInputAndAcceptsBOM(t *testing.T) {
	digits := strings.Repeat("9", 100000)
	_, err := Decode([]byte(`{"workflow": {"id": "wf", "params": {"p": {"type": "LONG", "value": ` + digits + `}}, "steps": [{"step": {"id": "a", "type": "NoOp"}}]}}`))
	require.Error(t, err)
	require.Less(t, len(err.Error()), 400)
	require.Contains(t, err.Error(), "(100000 bytes)")
	r, err := Decode([]byte(`{"workflow": {"id": "` + digits + `", "steps": [{"step": {"id": "a", "type": "NoOp"}}]}}`))
	require.NoError(t, err)
	err = r.Validate()
	require.Error(t, err)
	require.Less(t, len(err.Error()), 400)

	r, err = Decode([]byte("\xEF\xBB\xBF" + `{"workflow": {"id": "wf", "steps": [{"step": {"id": "a", "type": "NoOp"}}]}}`))
	require.NoError(t, err)
	require.Equal(t, "wf", r.Workflow.ID)
}
