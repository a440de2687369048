package workflows

import (
	"time"

	"github.com/batonhq/baton/internal/jsonfast"
	"github.com/batonhq/baton/sel"
)

// The hand-written decoders of a run's input and of the State. A run
// decodes its input at its start and a client the State at its end; with
// encoding/json's reflection a 300-step chain's State took about as long
// to decode as 40 of its steps to run. Each scan reads only the JSON it
// reads exactly as encoding/json does (package jsonfast) and reports
// false for anything else, and the caller then decodes the same bytes with
// encoding/json, as before: TestPayloadScanMatchesReflection holds the two
// to the same results over every payload of the stored histories.

// scanRunInput fills f and returns the plan's bytes (nil if absent).
func scanRunInput(b []byte, f *runInputFields) ([]byte, bool) {
	s := jsonfast.NewScanner(b)
	var plan []byte
	s.Object(runInputKeys, func(k string) {
		switch k {
		case "plan":
			plan = s.Raw()
		case "run_params":
			f.RunParams = scanValues(s)
		case "initiator":
			f.Initiator = s.StrAlone() // the input's one string beside the plan
		case "depth":
			f.Depth = s.Int()
		case "restart":
			s.Decode(&f.Restart)
		case "tree":
			s.Decode(&f.Tree)
		case "breakpoints":
			s.Decode(&f.Breakpoints)
		case "breakpoints_read":
			f.BreakpointsRead = s.Bool()
		case "lean":
			f.Lean = s.Int()
		case "lean_local":
			f.LeanLocal = s.Int()
		case "lean_result":
			f.LeanResult = s.Bool()
		case "result_format":
			f.ResultFormat = s.Int()
		case "step_params":
			s.Decode(&f.StepParams)
		case "signal":
			s.Decode(&f.Signal)
		case "await_admission":
			s.Decode(&f.AwaitAdmission)
		}
	})
	return plan, s.End()
}

var (
	runInputKeys = []string{"plan", "run_params", "initiator", "depth", "restart", "tree",
		"breakpoints", "breakpoints_read", "lean", "lean_local", "lean_result", "result_format", "step_params", "signal", "await_admission"}
	stateKeys = []string{"format", "workflow_id", "plan_hash", "status", "start_time", "end_time",
		"params", "steps", "error", "warnings", "run", "run_policy"}
	stepKeys = []string{"id", "type", "mode", "status", "attempts", "retries", "at", "dur",
		"start_time", "end_time", "params", "error", "loop", "run", "signal_dependencies", "signal_outputs"}
	retriesKeys = []string{"error", "platform", "timeout"}
)

// scanValues reads a map of sel.Values (not null). STRING, LONG and
// BOOLEAN values are read here; others by sel.DecodeJSON, as
// sel.Value.UnmarshalJSON does.
func scanValues(s *jsonfast.Scanner) map[string]sel.Value {
	if !s.Open('{') {
		return nil
	}
	m := map[string]sel.Value{}
	for first := true; !s.Failed(); first = false {
		k, ok := s.Key(first)
		if !ok {
			break
		}
		name := string(k)
		m[name] = scanValue(s)
	}
	return m
}

// scanValue reads one param value with sel.Value's own decoder (its
// fast path for the common scalars), from the bytes encoding/json would
// hand it.
func scanValue(s *jsonfast.Scanner) sel.Value {
	var v sel.Value
	raw := s.Raw()
	if s.Failed() {
		return v
	}
	if err := v.UnmarshalJSON(raw); err != nil {
		s.Fail()
	}
	return v
}

// scanState fills st, or reports false. The State's own fields come
// before its steps in both encodings; a State whose "format" or
// "start_time" follows its steps is left to encoding/json.
func scanState(b []byte, st *State) bool {
	ss := stateScan{s: jsonfast.NewScanner(b)}
	s := ss.s
	format, stepsRead := 0, false
	s.Object(stateKeys, func(k string) {
		switch k {
		case "format":
			format = s.Int()
			if format != compactStateFormat && format != leanStateFormat && format != ChainedStateFormat || stepsRead {
				s.Fail()
			}
		case "workflow_id":
			st.WorkflowID = s.Str()
		case "plan_hash":
			st.PlanHash = s.Str()
		case "status":
			st.Status = InstanceStatus(s.Str())
		case "start_time":
			scanTime(s, &st.StartTime)
			if stepsRead {
				s.Fail()
			}
		case "end_time":
			st.EndTime = ss.timePtr()
		case "params":
			st.Params = scanValues(s)
		case "steps":
			st.Steps = ss.steps(format != 0, format == ChainedStateFormat, st.StartTime)
			stepsRead = true
		case "error":
			st.Error = s.Str()
		case "warnings":
			st.Warnings = s.Strings()
		case "run":
			st.Run = s.Int()
		case "run_policy":
			st.RunPolicy = s.Str()
		}
	})
	if !s.End() {
		return false
	}
	if format == leanStateFormat || format == ChainedStateFormat {
		addStartParams(st)
	}
	return true
}

// stateScan is the scan of one State: its steps and their times come
// from slabs.
type stateScan struct {
	s      *jsonfast.Scanner
	states jsonfast.Slab[StepState]
	times  jsonfast.Slab[time.Time]
}

func scanTime(s *jsonfast.Scanner, t *time.Time) {
	tok := s.StrToken()
	if s.Failed() {
		return
	}
	if err := t.UnmarshalJSON(tok); err != nil {
		s.Fail()
	}
}

func (ss *stateScan) timePtr() *time.Time {
	t := ss.times.New()
	scanTime(ss.s, t)
	return t
}

// stepScan is what a step's JSON says beyond StepState: which of the
// fields the compact encoding may leave out it holds, and its offsets.
type stepScan struct {
	has     uint8 // stepHas* bits
	at, dur int64
}

const (
	stepHasType = 1 << iota
	stepHasMode
	stepHasStatus
	stepHasAttempts
	stepHasAt
	stepHasDur
)

// steps reads the steps (not null), and fills in what the compact
// encoding leaves out as unmarshalStateReflect does, each step as it is
// read (what it takes is the step before it): type and mode of the
// previous step, status SUCCEEDED, one attempt, times from the offsets,
// and with chain (format 4) a duration without an offset from the end of
// the step before.
func (ss *stateScan) steps(compact, chain bool, base time.Time) []*StepState {
	s := ss.s
	if !s.Open('[') {
		return nil
	}
	out := []*StepState{}
	var prev *StepState
	for first := true; s.Elem(first); first = false {
		st := ss.states.New()
		var sc stepScan
		ss.step(st, &sc)
		if s.Failed() || !ss.fill(st, &sc, prev, compact, chain, base) {
			return nil
		}
		out = append(out, st)
		prev = st
	}
	if s.Failed() {
		return nil
	}
	return out
}

// fill fills in what step st's JSON (sc) left out; prev is the step
// before it (nil: none). It reports false, failing the scan, where a
// chained step has no step before it that ended.
func (ss *stateScan) fill(st *StepState, sc *stepScan, prev *StepState, compact, chain bool, base time.Time) bool {
	if compact {
		if sc.has&stepHasType == 0 && prev != nil {
			st.Type = prev.Type
		}
		if sc.has&stepHasMode == 0 && prev != nil {
			st.Mode = prev.Mode
		}
		if sc.has&stepHasStatus == 0 {
			st.Status = Succeeded
		}
		if sc.has&stepHasAttempts == 0 {
			st.Attempts = 1
		}
	}
	switch {
	case sc.has&stepHasAt != 0:
		start := ss.times.New()
		*start = base.Add(time.Duration(sc.at))
		st.StartTime = start
		if sc.has&stepHasDur != 0 {
			end := ss.times.New()
			*end = start.Add(time.Duration(sc.dur))
			st.EndTime = end
		}
	case chain && sc.has&stepHasDur != 0:
		if prev == nil || prev.EndTime == nil {
			ss.s.Fail() // encoding/json's decode says what is wrong
			return false
		}
		start, end := ss.times.New(), ss.times.New()
		*start = *prev.EndTime
		*end = start.Add(time.Duration(sc.dur))
		st.StartTime, st.EndTime = start, end
	}
	return true
}

func (ss *stateScan) step(st *StepState, sc *stepScan) {
	s := ss.s
	s.Object(stepKeys, func(k string) {
		switch k {
		case "id":
			st.ID = s.Str()
		case "type":
			st.Type = s.Str()
			sc.has |= stepHasType
		case "mode":
			st.Mode = s.Str()
			sc.has |= stepHasMode
		case "status":
			st.Status = StepStatus(s.Str())
			sc.has |= stepHasStatus
		case "attempts":
			st.Attempts = s.Int()
			sc.has |= stepHasAttempts
		case "retries":
			scanRetries(s, &st.Retries)
		case "at":
			sc.at = s.Int64()
			sc.has |= stepHasAt
		case "dur":
			sc.dur = s.Int64()
			sc.has |= stepHasDur
		case "start_time":
			st.StartTime = ss.timePtr()
		case "end_time":
			st.EndTime = ss.timePtr()
		case "params":
			st.Params = scanValues(s)
		case "error":
			st.Error = s.Str()
		case "loop":
			s.Decode(&st.Loop)
		case "run":
			st.Run = s.Int()
		case "signal_dependencies":
			s.Decode(&st.SignalDependencies)
		case "signal_outputs":
			s.Decode(&st.SignalOutputs)
		}
	})
}

func scanRetries(s *jsonfast.Scanner, r *Retries) {
	s.Object(retriesKeys, func(k string) {
		switch k {
		case "error":
			r.Error = s.Int()
		case "platform":
			r.Platform = s.Int()
		case "timeout":
			r.Timeout = s.Int()
		}
	})
}
