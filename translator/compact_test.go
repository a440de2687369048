package translator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batonhq/baton/definition"
	"github.com/stretchr/testify/require"
)

// compactCases are plans that use every field the compact encoding leaves
// out or rewrites: the rich request (conditional and unconditional edges,
// text timeouts, every mode) and every shared Maestro sample that compiles
// (foreach bodies, nested loops, subworkflows, signals).
func compactCases(t *testing.T) map[string]*Plan {
	t.Helper()
	rich, err := Compile(richRequest(), Options{StepTypes: map[string]StepTypeInfo{"spark": {TaskQueue: "heavy"}}})
	require.NoError(t, err)
	cases := map[string]*Plan{"rich": rich}
	names, err := filepath.Glob(filepath.Join(samplesDir, "*.json"))
	require.NoError(t, err)
	for _, path := range names {
		req, err := definition.DecodeFile(path)
		if err != nil || definition.Validate(req) != nil {
			continue // not a workflow definition, or one Baton refuses
		}
		if p, err := Compile(req, Options{}); err == nil {
			cases[filepath.Base(path)] = p
		}
	}
	return cases
}

func TestCompactRoundTrip(t *testing.T) {
	cases := compactCases(t)
	if len(cases) < 10 {
		if _, err := os.Stat(samplesDir); err != nil {
			t.Skipf("samples not found: %v", err)
		}
		t.Fatalf("only %d sample plans compiled", len(cases))
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			canonical, err := Encode(p)
			require.NoError(t, err)
			compact, err := EncodeCompact(p)
			require.NoError(t, err)
			require.Contains(t, string(compact), `"format_version":2`)
			q, err := DecodeCompact(compact)
			require.NoError(t, err)
			again, err := Encode(q)
			require.NoError(t, err)
			require.Equal(t, string(canonical), string(again), "the compact encoding must be lossless")
			require.NoError(t, Verify(q))
			require.LessOrEqual(t, len(compact), len(canonical)+200, "the compact encoding only adds its defaults")
		})
	}
}

// TestCompactKeepsWhatIsNotDerivable: a plan whose predecessors are not
// what Compile derives and whose steps have no common values still round
// trips (the encoder writes what it cannot derive).
func TestCompactKeepsWhatIsNotDerivable(t *testing.T) {
	p := &Plan{FormatVersion: FormatVersion, WorkflowID: "w", Steps: []*Node{
		{ID: "b", Kind: "step", Type: "NoOp", Mode: ModeInline, Successors: []Edge{{To: "a", Condition: "true"}, {To: "c", Condition: "x > 1"}}, Timeout: Number{Text: "${t}"}},
		{ID: "a", Kind: "foreach", Mode: ModeChild, Predecessors: []string{}, FailureMode: "IGNORE_FAILURE", Body: &Body{Steps: []*Node{
			{ID: "i", Kind: "step", Type: "", Mode: ModeLocalActivity, Predecessors: []string{"zz"}},
		}}},
		{ID: "c", Kind: "step", Type: "T", Mode: ModeActivity, Predecessors: []string{"b"}},
	}}
	compact, err := EncodeCompact(p)
	require.NoError(t, err)
	q, err := DecodeCompact(compact)
	require.NoError(t, err)
	want, err := json.Marshal(p)
	require.NoError(t, err)
	got, err := json.Marshal(q)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
	require.Equal(t, []string{"zz"}, q.Steps[1].Body.Steps[0].Predecessors)
	require.Equal(t, "x > 1", q.Steps[0].Successors[1].Condition)
}

func TestCompactRefusesOtherVersions(t *testing.T) {
	tests := map[string]string{
		"canonical plan": `{"format_version":1,"workflow_id":"w","steps":[]}`,
		"future version": `{"format_version":3,"workflow_id":"w","steps":[]}`,
		"not JSON":       `{"format_version":`,
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeCompact([]byte(in))
			require.Error(t, err)
			require.True(t, strings.Contains(err.Error(), "compact plan"), err.Error())
		})
	}
	_, err := Decode([]byte(`{"format_version":2,"workflow_id":"w","steps":[]}`))
	require.ErrorContains(t, err, "format version 2", "a build that reads only canonical plans refuses a compact one")
}
