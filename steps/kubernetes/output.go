package kubernetes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/sel"
)

// The environment variables a job gets and the tokens they hold: a job
// prints $MAESTRO_OUTPUT_START<json>$MAESTRO_OUTPUT_END (Maestro's
// Fabric8RuntimeExecutor).
const (
	OutputStartEnv   = "MAESTRO_OUTPUT_START"
	OutputStartToken = "MAESTRO_OUTPUT_START_TOKEN"
	OutputEndEnv     = "MAESTRO_OUTPUT_END"
	OutputEndToken   = "MAESTRO_OUTPUT_END_TOKEN"
)

// outputEnv is what every job's environment gets on top of the step's env.
func outputEnv() map[string]string {
	return map[string]string{OutputStartEnv: OutputStartToken, OutputEndEnv: OutputEndToken}
}

// outputData is the part of Maestro's OutputData a job can set.
type outputData struct {
	// Params are the output params, each Maestro's Parameter JSON.
	Params map[string]json.RawMessage `json:"params"`
	// Artifacts: maestro_retry and maestro_dynamic_output (signal outputs)
	// are read; the others are listed as ignored.
	Artifacts map[string]json.RawMessage `json:"artifacts"`
}

type outputDataParam struct {
	Type            string          `json:"type"`
	Value           json.RawMessage `json:"value"`
	EvaluatedResult json.RawMessage `json:"evaluated_result"`
}

type retryArtifact struct {
	Retryable *bool `json:"retryable"`
}

// jobOutput is a job's decoded output data.
type jobOutput struct {
	params map[string]any
	// nonRetryable: the maestro_retry artifact says retryable false.
	nonRetryable bool
	// ignored names the artifacts Baton does not act on yet.
	ignored []string
	// signals are the dynamic signal outputs (maestro_dynamic_output).
	signals []activities.SignalOutput
}

// dynamicOutputArtifact is Maestro's DynamicOutputArtifact: each signal
// output a MAP param whose "name" entry is the signal's name and whose
// other entries are its params.
type dynamicOutputArtifact struct {
	SignalOutputs []outputDataParam `json:"signal_outputs"`
}

// parseDynamicOutputs reads a maestro_dynamic_output artifact.
func parseDynamicOutputs(raw json.RawMessage) ([]activities.SignalOutput, error) {
	var a dynamicOutputArtifact
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&a); err != nil {
		return nil, err
	}
	out := make([]activities.SignalOutput, 0, len(a.SignalOutputs))
	for i, p := range a.SignalOutputs {
		v, err := paramValue(sel.Map, p)
		if err != nil {
			return nil, fmt.Errorf("signal_outputs[%d]: %w", i, err)
		}
		m, _ := v.(map[string]any)
		name, _ := m["name"].(string)
		if name == "" {
			return nil, fmt.Errorf("signal_outputs[%d]: no STRING entry \"name\" (the signal's name)", i)
		}
		so := activities.SignalOutput{Name: name, Params: make(map[string]any, len(m)-1)}
		for _, k := range sortedKeys(m) {
			if k == "name" {
				continue
			}
			switch x := m[k].(type) {
			case int64, string:
				so.Params[k] = x
			default:
				return nil, fmt.Errorf("signal_outputs[%d] (%q): param %q is a %T; a signal param is a STRING or a LONG", i, name, k, x)
			}
		}
		out = append(out, so)
	}
	return out, nil
}

// extractOutput finds the last START...END token pair in a log, as Maestro
// does (lastIndexOf both); found is false when there is none.
func extractOutput(log []byte) (data []byte, found bool) {
	end := bytes.LastIndex(log, []byte(OutputEndToken))
	start := bytes.LastIndex(log, []byte(OutputStartToken))
	if start < 0 || end < 0 || start+len(OutputStartToken) >= end {
		return nil, false
	}
	return log[start+len(OutputStartToken) : end], true
}

// parseOutput decodes a job's output data; params take sel's Go
// representation of their declared type (evaluated_result, else value).
func parseOutput(data []byte) (*jobOutput, error) {
	var od outputData
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&od); err != nil {
		return nil, fmt.Errorf("output data: %w", err)
	}
	out := &jobOutput{params: make(map[string]any, len(od.Params))}
	for _, name := range sortedKeys(od.Params) {
		var p outputDataParam
		if err := json.Unmarshal(od.Params[name], &p); err != nil {
			return nil, fmt.Errorf("output data: params[%q]: %w", name, err)
		}
		t, err := sel.ParseType(p.Type)
		if err != nil {
			return nil, fmt.Errorf("output data: params[%q].type: %w", name, err)
		}
		v, err := paramValue(t, p)
		if err != nil {
			return nil, fmt.Errorf("output data: params[%q]: %w", name, err)
		}
		out.params[name] = v
	}
	for _, name := range sortedKeys(od.Artifacts) {
		if name == "maestro_dynamic_output" {
			signals, err := parseDynamicOutputs(od.Artifacts[name])
			if err != nil {
				return nil, fmt.Errorf("output data: artifacts[%q]: %w", name, err)
			}
			out.signals = signals
			continue
		}
		if name != "maestro_retry" {
			out.ignored = append(out.ignored, name)
			continue
		}
		var r retryArtifact
		if err := json.Unmarshal(od.Artifacts[name], &r); err != nil {
			return nil, fmt.Errorf("output data: artifacts[%q]: %w", name, err)
		}
		out.nonRetryable = r.Retryable != nil && !*r.Retryable
	}
	return out, nil
}

// paramValue is an output param's value: its evaluated_result, else its
// value. A MAP's value holds typed entries ({"type","value"}), its
// evaluated_result plain JSON, whose types are inferred.
func paramValue(t sel.Type, p outputDataParam) (any, error) {
	present := func(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }
	switch {
	case t == sel.Map && present(p.Value):
		return sel.DecodeJSON(t, p.Value)
	case t == sel.Map && present(p.EvaluatedResult):
		var plain any
		dec := json.NewDecoder(bytes.NewReader(p.EvaluatedResult))
		dec.UseNumber()
		if err := dec.Decode(&plain); err != nil {
			return nil, err
		}
		v, err := inferValue(plain, 0)
		if err != nil {
			return nil, err
		}
		if _, ok := v.(map[string]any); !ok {
			return nil, fmt.Errorf("a MAP evaluated_result must be a JSON object")
		}
		return v, nil
	case present(p.EvaluatedResult):
		return sel.DecodeJSON(t, p.EvaluatedResult)
	case present(p.Value):
		return sel.DecodeJSON(t, p.Value)
	}
	return nil, fmt.Errorf("no value or evaluated_result")
}

// maxOutputDepth bounds the nesting of a MAP output's plain JSON.
const maxOutputDepth = 16

// inferValue gives plain JSON sel's Go representation: integers LONG,
// other numbers DOUBLE, arrays of one element kind typed arrays, objects
// MAPs.
func inferValue(v any, depth int) (any, error) {
	if depth > maxOutputDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", maxOutputDepth)
	}
	switch x := v.(type) {
	case string, bool:
		return x, nil
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		return x.Float64()
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			iv, err := inferValue(e, depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = iv
		}
		return out, nil
	case []any:
		elems := make([]any, len(x))
		for i, e := range x {
			iv, err := inferValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			elems[i] = iv
		}
		return typedArray(elems)
	}
	return nil, fmt.Errorf("unsupported JSON value %v", v)
}

func typedArray(elems []any) (any, error) {
	if len(elems) == 0 {
		return []string{}, nil
	}
	switch elems[0].(type) {
	case string:
		return collect[string](elems)
	case bool:
		return collect[bool](elems)
	case int64, float64:
		if ints, err := collect[int64](elems); err == nil {
			return ints, nil
		}
		out := make([]float64, len(elems))
		for i, e := range elems {
			switch n := e.(type) {
			case int64:
				out[i] = float64(n)
			case float64:
				out[i] = n
			default:
				return nil, fmt.Errorf("an array mixes numbers and %T", e)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("an array of %T is not a Maestro param type", elems[0])
}

func collect[T any](elems []any) ([]T, error) {
	out := make([]T, len(elems))
	for i, e := range elems {
		v, ok := e.(T)
		if !ok {
			return nil, fmt.Errorf("an array mixes %T and %T", elems[0], e)
		}
		out[i] = v
	}
	return out, nil
}

// tailBuffer keeps the last max bytes written to it: a job's log is read
// in full but held within a bound.
type tailBuffer struct {
	max       int
	buf       []byte
	truncated bool
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) >= t.max {
		t.truncated = t.truncated || len(t.buf) > 0 || len(p) > t.max
		t.buf = append(t.buf[:0], p[len(p)-t.max:]...)
		return n, nil
	}
	if over := len(t.buf) + len(p) - t.max; over > 0 {
		t.truncated = true
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	t.buf = append(t.buf, p...)
	return n, nil
}

func (t *tailBuffer) Bytes() []byte { return t.buf }

// tail returns the last n bytes of s, starting on a line if one starts
// within them, for messages and the execution output param.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 && i < len(s)-1 {
		s = s[i+1:]
	}
	return "..." + s
}
