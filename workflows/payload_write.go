package workflows

import (
	"errors"
	"slices"
	"time"

	"github.com/batonhq/baton/internal/jsonfast"
	"github.com/batonhq/baton/sel"
)

// The State's hand-written writer: the bytes json.Marshal writes for
// stateFields (the full State) and for compactState (the compact one),
// field for field in encoding/json's order, without reflection. Values of
// types it does not write itself (a loop's summary, signal states, params
// of types other than STRING, LONG and BOOLEAN) are written by json.Marshal.
// On any error MarshalJSON writes with encoding/json instead, whose error
// is the reference. TestStateWriterMatchesReflection compares the bytes.

// errStateWrite makes MarshalJSON encode with encoding/json.
var errStateWrite = errors.New("state writer: left to encoding/json")

// appendState appends the State's JSON, compact or full; lean (with
// compact) leaves out the start params (payload_lean.go), and chain (with
// lean) writes the times of a step that starts where the step before it
// ended by its duration alone (format 4, payload_lean.go).
func appendState(b []byte, s *State, compact, lean, chain bool) ([]byte, error) {
	var err error
	b = append(b, '{')
	var skip map[string]bool
	switch {
	case compact && lean && chain:
		b = append(b, `"format":4,`...)
		skip = startParamNames()
	case compact && lean:
		b = append(b, `"format":3,`...)
		skip = startParamNames()
	case compact:
		b = append(b, `"format":2,`...)
	}
	b = jsonfast.AppendKey(b, "workflow_id", true)
	b = jsonfast.AppendString(b, s.WorkflowID)
	if s.PlanHash != "" {
		b = jsonfast.AppendKey(b, "plan_hash", false)
		b = jsonfast.AppendString(b, s.PlanHash)
	}
	b = jsonfast.AppendKey(b, "status", false)
	b = jsonfast.AppendString(b, string(s.Status))
	b = jsonfast.AppendKey(b, "start_time", false)
	if b, err = appendTime(b, s.StartTime); err != nil {
		return nil, err
	}
	if s.EndTime != nil {
		b = jsonfast.AppendKey(b, "end_time", false)
		if b, err = appendTime(b, *s.EndTime); err != nil {
			return nil, err
		}
	}
	if len(s.Params) > len(skip) {
		b = jsonfast.AppendKey(b, "params", false)
		if b, err = appendValues(b, s.Params, skip); err != nil {
			return nil, err
		}
	}
	if !compact {
		if b, err = appendSteps(b, s, false, false); err != nil {
			return nil, err
		}
	}
	if s.Error != "" {
		b = jsonfast.AppendKey(b, "error", false)
		b = jsonfast.AppendString(b, s.Error)
	}
	if len(s.Warnings) > 0 {
		b = jsonfast.AppendKey(b, "warnings", false)
		b = jsonfast.AppendStrings(b, s.Warnings)
	}
	if s.Run != 0 {
		b = jsonfast.AppendKey(b, "run", false)
		b = jsonfast.AppendInt(b, int64(s.Run))
	}
	if s.RunPolicy != "" {
		b = jsonfast.AppendKey(b, "run_policy", false)
		b = jsonfast.AppendString(b, s.RunPolicy)
	}
	if compact {
		if b, err = appendSteps(b, s, true, lean && chain); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendSteps(b []byte, s *State, compact, chain bool) ([]byte, error) {
	b = jsonfast.AppendKey(b, "steps", false)
	if s.Steps == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	var prevType, prevMode string
	var err error
	for i, st := range s.Steps {
		if i > 0 {
			b = append(b, ',')
		}
		switch {
		case st == nil:
			return nil, errStateWrite
		case compact:
			var prevEnd *time.Time
			if chain && i > 0 {
				prevEnd = s.Steps[i-1].EndTime
			}
			b, err = appendCompactStep(b, st, i == 0 || st.Type != prevType, i == 0 || st.Mode != prevMode, s.StartTime, prevEnd)
			prevType, prevMode = st.Type, st.Mode
		default:
			b, err = appendFullStep(b, st)
		}
		if err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// appendFullStep writes StepState's fields in their declared order.
func appendFullStep(b []byte, st *StepState) ([]byte, error) {
	var err error
	b = append(b, '{')
	b = jsonfast.AppendKey(b, "id", true)
	b = jsonfast.AppendString(b, st.ID)
	if st.Type != "" {
		b = jsonfast.AppendKey(b, "type", false)
		b = jsonfast.AppendString(b, st.Type)
	}
	if st.Mode != "" {
		b = jsonfast.AppendKey(b, "mode", false)
		b = jsonfast.AppendString(b, st.Mode)
	}
	b = jsonfast.AppendKey(b, "status", false)
	b = jsonfast.AppendString(b, string(st.Status))
	b = jsonfast.AppendKey(b, "attempts", false)
	b = jsonfast.AppendInt(b, int64(st.Attempts))
	b = jsonfast.AppendKey(b, "retries", false)
	b = appendRetries(b, st.Retries)
	if b, err = appendStepTimes(b, st.StartTime, st.EndTime); err != nil {
		return nil, err
	}
	if b, err = appendStepRest(b, st); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// appendCompactStep writes compactStep: StepState's fields that it does
// not shadow, in their order, then its own; prevEnd as compactTimes.
func appendCompactStep(b []byte, st *StepState, withType, withMode bool, base time.Time, prevEnd *time.Time) ([]byte, error) {
	b = append(b, '{')
	b = jsonfast.AppendKey(b, "id", true)
	b = jsonfast.AppendString(b, st.ID)
	b, err := appendStepRest(b, st)
	if err != nil {
		return nil, err
	}
	if withType {
		b = jsonfast.AppendKey(b, "type", false)
		b = jsonfast.AppendString(b, st.Type)
	}
	if withMode {
		b = jsonfast.AppendKey(b, "mode", false)
		b = jsonfast.AppendString(b, st.Mode)
	}
	if st.Status != Succeeded {
		b = jsonfast.AppendKey(b, "status", false)
		b = jsonfast.AppendString(b, string(st.Status))
	}
	if st.Attempts != 1 {
		b = jsonfast.AppendKey(b, "attempts", false)
		b = jsonfast.AppendInt(b, int64(st.Attempts))
	}
	if st.Retries != (Retries{}) {
		b = jsonfast.AppendKey(b, "retries", false)
		b = appendRetries(b, st.Retries)
	}
	at, dur, ok, hasDur := stepOffsets(st, base)
	if !ok {
		b, err = appendStepTimes(b, st.StartTime, st.EndTime)
	} else {
		if !chains(st, prevEnd, ok, hasDur) {
			b = jsonfast.AppendKey(b, "at", false)
			b = jsonfast.AppendInt(b, at)
		}
		if hasDur {
			b = jsonfast.AppendKey(b, "dur", false)
			b = jsonfast.AppendInt(b, dur)
		}
	}
	if err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

func appendStepTimes(b []byte, start, end *time.Time) ([]byte, error) {
	var err error
	if start != nil {
		b = jsonfast.AppendKey(b, "start_time", false)
		if b, err = appendTime(b, *start); err != nil {
			return nil, err
		}
	}
	if end != nil {
		b = jsonfast.AppendKey(b, "end_time", false)
		if b, err = appendTime(b, *end); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// appendStepRest writes params, error, loop, run and the signal states:
// the full step's last fields and the compact step's first after its id.
func appendStepRest(b []byte, st *StepState) ([]byte, error) {
	var err error
	if len(st.Params) > 0 {
		b = jsonfast.AppendKey(b, "params", false)
		if b, err = appendValues(b, st.Params, nil); err != nil {
			return nil, err
		}
	}
	if st.Error != "" {
		b = jsonfast.AppendKey(b, "error", false)
		b = jsonfast.AppendString(b, st.Error)
	}
	if st.Loop != nil {
		b = jsonfast.AppendKey(b, "loop", false)
		if b, err = jsonfast.AppendJSON(b, st.Loop); err != nil {
			return nil, err
		}
	}
	if st.Run != 0 {
		b = jsonfast.AppendKey(b, "run", false)
		b = jsonfast.AppendInt(b, int64(st.Run))
	}
	if len(st.SignalDependencies) > 0 {
		b = jsonfast.AppendKey(b, "signal_dependencies", false)
		if b, err = jsonfast.AppendJSON(b, st.SignalDependencies); err != nil {
			return nil, err
		}
	}
	if len(st.SignalOutputs) > 0 {
		b = jsonfast.AppendKey(b, "signal_outputs", false)
		if b, err = jsonfast.AppendJSON(b, st.SignalOutputs); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func appendRetries(b []byte, r Retries) []byte {
	b = append(b, '{')
	first := true
	for _, f := range [...]struct {
		key string
		v   int
	}{{"error", r.Error}, {"platform", r.Platform}, {"timeout", r.Timeout}} {
		if f.v != 0 {
			b = jsonfast.AppendKey(b, f.key, first)
			b = jsonfast.AppendInt(b, int64(f.v))
			first = false
		}
	}
	return append(b, '}')
}

// appendTime writes t as time.Time.MarshalJSON does (AppendText is the
// same RFC 3339 form, with the same range checks).
func appendTime(b []byte, t time.Time) ([]byte, error) {
	b = append(b, '"')
	b, err := t.AppendText(b)
	if err != nil {
		return nil, err
	}
	return append(b, '"'), nil
}

// appendValues writes a params map as encoding/json does: keys sorted,
// each value as sel.Value.MarshalJSON writes it; but those in skip.
func appendValues(b []byte, m map[string]sel.Value, skip map[string]bool) ([]byte, error) {
	keys := make([]string, 0, len(m)-len(skip))
	for k := range m {
		if !skip[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	b = append(b, '{')
	var err error
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonfast.AppendString(b, k)
		b = append(b, ':')
		if b, err = sel.AppendJSON(b, m[k]); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}
