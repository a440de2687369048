package definition

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzDecode checks that no input makes decoding, validation or encoding
// panic, and that whatever decodes also round-trips. The seed corpus is
// the sample corpus, so it runs in every go test.
func FuzzDecode(f *testing.F) {
	for _, name := range sampleFiles(f) {
		data, err := os.ReadFile(filepath.Join(samplesDir, name))
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(`{"workflow": {"id": "w", "steps": [{"step": {"id": "a", "transition": {"successors": {"a": "true"}}}}]}}`))
	f.Add([]byte(`{"properties": {"run_strategy": 1e400}, "workflow": {"timeout": "99999999999 days"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if v, err := DecodeSample(data); err == nil {
			if val, ok := v.(interface{ Validate() error }); ok {
				_ = val.Validate()
			}
		}
		_, _ = DecodeStep(data)
		r, err := Decode(data)
		if err != nil {
			require.NotEmpty(t, AsErrors(err), "decode errors must be Errors: %v", err)
			return
		}
		_ = r.Validate()
		out, err := Encode(r)
		if err != nil {
			return // e.g. a NaN cannot be written; must not panic
		}
		back, err := Decode(out)
		require.NoError(t, err, string(out))
		require.Equal(t, r, back)
	})
}

// TestSELChecks checks that every SEL site is handed to the checker and
// that its error is reported at the right path.
func TestSELChecks(t *testing.T) {
	old := checkSEL
	defer func() { checkSEL = old }()
	checkSEL = func(src string) error {
		if strings.Contains(src, "BAD") {
			return errors.New("1:3: unexpected BAD")
		}
		return nil
	}
	es := validationErrors(t, wf(`"params": {"p": {"type": "LONG", "expression": "1 BAD"}},
	  "signal_triggers": [{"definitions": {"s": {}}, "condition": "BAD", "dedup_expr": "BAD"}],
	  "steps": [{"step": {"id": "a", "type": "NoOp", "transition": {"successors": {"w": "x BAD"}},
	    "params": {"m": {"type": "MAP", "value": {"n": {"type": "LONG", "expression": "BAD"}}}}}},
	  {"while": {"id": "w", "condition": "BAD", "params": {"loop_params": {"type": "MAP", "value": {"i": {"type": "LONG", "value": 1}}}},
	    "steps": [{"step": {"id": "b", "type": "NoOp", "signal_outputs": [{"name": "o", "params": {"q": {"type": "LONG", "expression": "BAD"}}}]}}]}}]`))
	var got []string
	for _, e := range es {
		got = append(got, e.Error())
	}
	require.ElementsMatch(t, []string{
		`workflow.params["p"].expression: invalid SEL expression: 1:3: unexpected BAD`,
		`workflow.signal_triggers[0].condition: invalid SEL expression: 1:3: unexpected BAD`,
		`workflow.signal_triggers[0].dedup_expr: invalid SEL expression: 1:3: unexpected BAD`,
		`workflow.steps[0].step.params["m"].value["n"].expression: invalid SEL expression: 1:3: unexpected BAD`,
		`workflow.steps[0].step.transition.successors["w"]: invalid SEL expression: 1:3: unexpected BAD`,
		`workflow.steps[1].while.condition: invalid SEL expression: 1:3: unexpected BAD`,
		`workflow.steps[1].while.steps[0].step.signal_outputs[0].params["q"].expression: invalid SEL expression: 1:3: unexpected BAD`,
	}, got)
}

// TestSELReal runs once the sel package parses: syntax errors in real
// expressions are reported with sel's position.
func TestSELReal(t *testing.T) {
	if !selReady() {
		t.Skip("sel.Parse is not implemented yet")
	}
	es := validationErrors(t, wf(`"params": {"p": {"type": "LONG", "expression": "1 +"}},
	  "steps": [{"step": {"id": "a", "type": "NoOp", "transition": {"successors": {"b": "x >"}}}}, {"step": {"id": "b", "type": "NoOp"}}]`))
	require.Len(t, es, 2, es.Error())
	require.Equal(t, `workflow.params["p"].expression`, es[0].Path)
	require.Contains(t, es[0].Msg, "invalid SEL expression: 1:")
	require.Equal(t, `workflow.steps[0].step.transition.successors["b"]`, es[1].Path)
}

// FuzzDecodeParams decodes run params (start and restart requests, the
// form the CLI and client send) and checks that what decodes validates
// without panicking and that errors are bounded.
func FuzzDecodeParams(f *testing.F) {
	f.Add([]byte(`{"run_params": {"p": {"type": "LONG", "value": 1}, "m": {"type": "MAP", "value": {"a": {"type": "STRING_ARRAY", "value": ["x"]}}}}}`))
	f.Add([]byte(`{"restart_config": {"restart_path": [{"workflow_id": "w", "instance_id": 1}]}, "run_params": {"s": {"type": "STRING", "value": "$x"}}}`))
	f.Add([]byte(`{"run_params": {"d": {"type": "DOUBLE", "value": 1e999}, "l": {"type": "LONG", "value": 99999999999999999999999}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if r, err := DecodeStartRequest(data); err == nil {
			err = r.Validate()
			if err != nil && len(err.Error()) > 64<<10 {
				t.Fatalf("%d bytes of errors", len(err.Error()))
			}
		} else if len(err.Error()) > 64<<10 {
			t.Fatalf("%d bytes of errors", len(err.Error()))
		}
		if r, err := DecodeRestartRequest(data); err == nil {
			_ = r.Validate()
		}
	})
}
