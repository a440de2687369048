package workflows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/batonhq/baton/translator"
)

// The compact payloads. A run's input, result and state query are JSON;
// a 300-step plan took 62 KB and its final State 60 KB, most of it what
// every step repeats (kind, mode, failure mode, timeout, unconditional
// edges; type, mode, status SUCCEEDED, one attempt, two RFC 3339 times).
// A starter that sets RunInput.Compact sends the plan in the compact
// encoding (translator.EncodeCompact, format_version 2) and so tells the
// worker that it reads the compact State too; the run's result and state
// query then use it. Both are lossless: decoded, they are the same Plan and
// State. The choice is a field of the run's own input, in its history, so
// replay is deterministic, and nothing the interpreter does depends on it:
// old histories (canonical plan, no flag) replay and return the full
// State, and an old client that starts a run gets a full State back.

// runInputFields is RunInput without its methods.
type runInputFields RunInput

// MarshalJSON writes the plan canonically, or compactly if in.Compact.
func (in RunInput) MarshalJSON() ([]byte, error) {
	if !in.Compact || in.Plan == nil {
		return json.Marshal(runInputFields(in))
	}
	// The bytes json.Marshal writes with the plan as a json.RawMessage,
	// without its pass over the plan (which AppendCompact writes compact
	// and HTML-safe already): the other fields by encoding/json, then the
	// plan, written in place of the null a nil RawMessage writes last.
	rest, err := json.Marshal(struct {
		runInputFields
		Plan json.RawMessage `json:"plan"`
	}{runInputFields(in), nil})
	if err != nil {
		return nil, err
	}
	const null = `"plan":null}`
	if !bytes.HasSuffix(rest, []byte(null)) {
		return nil, fmt.Errorf("baton: encode run input: the plan is not its last field: %.40q", rest)
	}
	// What a step of a chain takes (translator.EncodeCompact's estimate).
	out := make([]byte, 0, len(rest)+512+48*len(in.Plan.Steps))
	out = append(out, rest[:len(rest)-len(null)]...)
	out = append(out, `"plan":`...)
	if out, err = translator.AppendCompact(out, in.Plan); err != nil {
		return nil, fmt.Errorf("baton: encode run input: %w", err)
	}
	return append(out, '}'), nil
}

// UnmarshalJSON reads either encoding of the plan; a compact one sets
// Compact.
func (in *RunInput) UnmarshalJSON(b []byte) error {
	var f runInputFields
	plan, ok := scanRunInput(b, &f)
	if !ok {
		var raw struct {
			runInputFields
			Plan json.RawMessage `json:"plan"`
		}
		if err := json.Unmarshal(b, &raw); err != nil {
			return err
		}
		f, plan = raw.runInputFields, raw.Plan
	}
	*in = RunInput(f)
	if len(plan) == 0 || bytes.Equal(plan, []byte("null")) {
		return nil
	}
	if isCompactPlan(plan) {
		p, err := translator.DecodeCompact(plan)
		if err != nil {
			return fmt.Errorf("baton: decode run input's plan: %w", err)
		}
		in.Plan, in.Compact = p, true
		return nil
	}
	in.Plan = new(translator.Plan)
	return translator.UnmarshalPlan(plan, in.Plan)
}

// compactPrefix is how translator.EncodeCompact begins a plan (Plan's
// first field is its format version).
var compactPrefix = []byte(`{"format_version":` + strconv.Itoa(translator.CompactFormatVersion) + `,`)

// isCompactPlan reports whether a plan's JSON is in the compact encoding.
// What EncodeCompact wrote is known by its first bytes, without decoding
// the plan one more time (a 300-step plan is 9 KB, read at the start of
// every run); other JSON is probed for its format_version.
func isCompactPlan(b []byte) bool {
	if bytes.HasPrefix(b, compactPrefix) {
		return true
	}
	var v struct {
		FormatVersion int `json:"format_version"`
	}
	return json.Unmarshal(b, &v) == nil && v.FormatVersion == translator.CompactFormatVersion
}

// stateFields is State without its methods.
type stateFields State

// compactState is the compact State: the same fields, with "format" 2 and
// every step compact (compactStep).
type compactState struct {
	Format int `json:"format"`
	stateFields
	Steps []*compactStep `json:"steps"`
}

// compactStep leaves out what most steps of a run share: type and mode
// equal to the previous step's, status SUCCEEDED, one attempt, no retries;
// its times are nanoseconds after the run's start_time ("at") and the
// step's duration ("dur"), unless a time is not in UTC.
type compactStep struct {
	stepFields
	Type      *string     `json:"type,omitempty"`
	Mode      *string     `json:"mode,omitempty"`
	Status    *StepStatus `json:"status,omitempty"`
	Attempts  *int        `json:"attempts,omitempty"`
	Retries   *Retries    `json:"retries,omitempty"`
	At        *int64      `json:"at,omitempty"`
	Dur       *int64      `json:"dur,omitempty"`
	StartTime *time.Time  `json:"start_time,omitempty"`
	EndTime   *time.Time  `json:"end_time,omitempty"`
}

type stepFields StepState

const compactStateFormat = 2

// MarshalJSON writes the compact State if the run's input asked for it.
// The bytes are json.Marshal's of stateFields or of compactState
// (marshalStateReflect), written without reflection (payload_write.go).
func (s State) MarshalJSON() ([]byte, error) {
	// What a step of a chain takes, so that the buffer does not grow: the
	// full encoding's types, statuses and RFC 3339 times about 190 bytes,
	// the compact encoding's id and offsets about 40.
	perStep := 192
	if s.compact {
		perStep = 48
	}
	lean, params := leanState(&s), len(s.Params)
	if lean {
		params -= len(startParamOrder()) // left out
	}
	b, err := appendState(make([]byte, 0, 256+perStep*len(s.Steps)+64*params), &s, s.compact, lean, lean && s.chained)
	if err != nil {
		return marshalStateReflect(&s)
	}
	return b, nil
}

// marshalStateReflect is the State's encoding by encoding/json: the
// writer's reference, and what writes a State the writer refuses.
func marshalStateReflect(sp *State) ([]byte, error) {
	s := *sp
	if !s.compact {
		return json.Marshal(stateFields(s))
	}
	c := compactState{Format: compactStateFormat, stateFields: stateFields(s)}
	chain := false
	if leanState(sp) {
		c.Format, c.stateFields.Params = leanStateFormat, withoutStartParams(s.Params)
		if s.chained {
			c.Format, chain = ChainedStateFormat, true
		}
	}
	c.stateFields.Steps = nil
	if s.Steps != nil {
		c.Steps = make([]*compactStep, len(s.Steps))
	}
	steps := make([]compactStep, len(s.Steps))
	offsets := make([]int64, 2*len(s.Steps))
	var prevType, prevMode string
	for i, st := range s.Steps {
		cs := &steps[i]
		cs.stepFields = stepFields(*st)
		if i == 0 || st.Type != prevType {
			cs.Type = &st.Type
		}
		if i == 0 || st.Mode != prevMode {
			cs.Mode = &st.Mode
		}
		prevType, prevMode = st.Type, st.Mode
		if st.Status != Succeeded {
			cs.Status = &st.Status
		}
		if st.Attempts != 1 {
			cs.Attempts = &st.Attempts
		}
		if st.Retries != (Retries{}) {
			cs.Retries = &st.Retries
		}
		var prevEnd *time.Time
		if chain && i > 0 {
			prevEnd = s.Steps[i-1].EndTime
		}
		compactTimes(cs, st, s.StartTime, prevEnd, offsets[2*i:2*i+2])
		c.Steps[i] = cs
	}
	return json.Marshal(&c)
}

// compactTimes writes st's times as offsets when that is exact
// (stepOffsets), else as they are; with prevEnd (format 4) a step that
// starts where the step before it ended, its duration alone (chains). The
// offsets are kept in buf (two).
func compactTimes(cs *compactStep, st *StepState, base time.Time, prevEnd *time.Time, buf []int64) {
	cs.StartTime, cs.EndTime = st.StartTime, st.EndTime
	at, dur, ok, hasDur := stepOffsets(st, base)
	if !ok {
		return
	}
	if hasDur {
		buf[1] = dur
		cs.Dur = &buf[1]
	}
	cs.StartTime, cs.EndTime = nil, nil
	if !chains(st, prevEnd, ok, hasDur) {
		buf[0] = at
		cs.At = &buf[0]
	}
}

// stepOffsets returns st's start as nanoseconds after the run's start and
// its duration (hasDur: it has an end), if that is exact (ok): both in UTC
// (what workflow.Now and JSON give), within ±292 years of the run's start.
func stepOffsets(st *StepState, base time.Time) (at, dur int64, ok, hasDur bool) {
	if st.StartTime == nil || !inUTC(base) || !inUTC(*st.StartTime) || st.EndTime != nil && !inUTC(*st.EndTime) {
		return 0, 0, false, false
	}
	a := st.StartTime.Sub(base)
	if !base.Add(a).Equal(*st.StartTime) {
		return 0, 0, false, false
	}
	if st.EndTime != nil {
		d := st.EndTime.Sub(*st.StartTime)
		if !st.StartTime.Add(d).Equal(*st.EndTime) {
			return 0, 0, false, false
		}
		return a.Nanoseconds(), d.Nanoseconds(), true, true
	}
	return a.Nanoseconds(), 0, true, false
}

func inUTC(t time.Time) bool { return t.Location() == time.UTC }

// chains reports whether a step whose times are exact offsets (ok) and
// which has an end (hasDur) is written by its duration alone (format 4):
// it starts at prevEnd, the end of the step listed before it, which
// decodes to that time in UTC whichever way that step was written.
func chains(st *StepState, prevEnd *time.Time, ok, hasDur bool) bool {
	return ok && hasDur && prevEnd != nil && inUTC(*prevEnd) && st.StartTime.Equal(*prevEnd)
}

// UnmarshalJSON reads either encoding. A decoded State is written in the
// full encoding again, whichever it was read from: the compact one is only
// the run's own payload, and everything else that writes a State (the DAG
// page, `--json` output) shows the full one. Both decode in one pass: a full State's steps carry every field
// the compact one leaves out, except type and mode when empty.
func (s *State) UnmarshalJSON(b []byte) error {
	var fast State
	if scanState(b, &fast) {
		*s = fast
		return nil
	}
	return unmarshalStateReflect(b, s)
}

// unmarshalStateReflect is the State's decoding by encoding/json: the
// scan's reference, and what decodes a State the scan does not read.
func unmarshalStateReflect(b []byte, s *State) error {
	var c compactState
	if err := json.Unmarshal(b, &c); err != nil {
		return err
	}
	if c.Format != 0 && c.Format != compactStateFormat && c.Format != leanStateFormat && c.Format != ChainedStateFormat {
		return fmt.Errorf("baton: state format %d is not supported by this build (want %d, %d or %d)", c.Format, compactStateFormat, leanStateFormat, ChainedStateFormat)
	}
	*s = State(c.stateFields)
	if c.Format == leanStateFormat || c.Format == ChainedStateFormat {
		addStartParams(s)
	}
	compact := c.Format != 0
	if c.Steps == nil {
		return nil
	}
	s.Steps = make([]*StepState, len(c.Steps))
	var prevType, prevMode string
	for i, cs := range c.Steps {
		// The step is the decoded step's own fields, in place (a copy was
		// one more allocation a step).
		st := (*StepState)(&cs.stepFields)
		if compact {
			st.Type, st.Mode = orDefault(cs.Type, prevType), orDefault(cs.Mode, prevMode)
			prevType, prevMode = st.Type, st.Mode
		} else {
			st.Type, st.Mode = orDefault(cs.Type, ""), orDefault(cs.Mode, "")
		}
		if compact {
			st.Status, st.Attempts = orDefault(cs.Status, Succeeded), orDefault(cs.Attempts, 1)
		} else {
			st.Status, st.Attempts = orDefault(cs.Status, ""), orDefault(cs.Attempts, 0)
		}
		st.Retries = orDefault(cs.Retries, Retries{})
		st.StartTime, st.EndTime = cs.StartTime, cs.EndTime
		switch {
		case cs.At != nil:
			start := s.StartTime.Add(time.Duration(*cs.At))
			st.StartTime = &start
			if cs.Dur != nil {
				end := start.Add(time.Duration(*cs.Dur))
				st.EndTime = &end
			}
		case cs.Dur != nil && c.Format == ChainedStateFormat:
			if i == 0 || s.Steps[i-1].EndTime == nil {
				return fmt.Errorf("baton: state format %d: step %d has a duration without a start, and no step before it that ended", c.Format, i)
			}
			start := *s.Steps[i-1].EndTime
			end := start.Add(time.Duration(*cs.Dur))
			st.StartTime, st.EndTime = &start, &end
		}
		s.Steps[i] = st
	}
	return nil
}

func orDefault[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
