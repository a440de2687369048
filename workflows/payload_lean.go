package workflows

import (
	"sync"
	"time"

	"github.com/batonhq/baton/sel"
)

// The lean State. Of a one-step run's 1.7 KB result, 1.3 KB were the 22
// system params every top-level run carries (RUN_TS, DERIVED_RUN_DATE_*,
// workflow_id, ...), all of them a function of the run's start_time and
// workflow id. A starter that sets RunInput.LeanResult (with Compact)
// reads the lean State: format 3, the compact State without those params
// when every one of them holds the value startParams derives, which its
// decoder derives again, so every reader (a client's Wait and Status, the
// CLI, a restart, a parent) gets the same State as from format 2. A run
// whose params differ from the derived ones (a definition or run param
// that sets RUN_TS, a loop iteration that has its loop's, an inline run
// that has none) writes format 2 as before. A worker that does not know
// the field writes format 2; a reader that does not know format 3 refuses
// it ("state format 3 is not supported by this build") rather than show a
// State without its params.
//
// startParams is part of format 3: its reader derives the params with the
// startParams of its own build. A change of what startParams derives (a
// Maestro rule behind a GetVersion) needs a new format number for the
// States written after it, or a reader would give an old State the new
// rule's values.

const leanStateFormat = 3

// ChainedStateFormat is the chained State: format 4 is format 3 (the
// lean State, written when format 3 would be) whose steps that start
// where the step listed before them ended carry their duration alone
// ("dur" without "at"). A chain of local-activity steps wrote
// `"at":1251660,"dur":63630` a step, and "at" is the previous step's
// "at" plus its "dur": 4.2 KB of a 300-step chain's 12.2 KB result. A
// starter that reads it sets RunInput.ResultFormat to it; a worker that
// does not know the field writes format 3, and a reader that does not
// know format 4 refuses it as it refuses format 3.
const ChainedStateFormat = 4

// startParamOrder are the names startParams derives, in its order.
var startParamOrder = sync.OnceValue(func() []string {
	var names []string
	startParams(time.Time{}, "", func(name string, _ sel.Value) { names = append(names, name) })
	return names
})

// startParamNames are the names startParams derives.
var startParamNames = sync.OnceValue(func() map[string]bool {
	names := make(map[string]bool, len(startParamOrder()))
	for _, name := range startParamOrder() {
		names[name] = true
	}
	return names
})

// leanState reports whether s is written lean: its run asked for it and
// its params hold every start param with the value derived from its
// start_time and workflow id.
func leanState(s *State) bool {
	if !s.compact || !s.leanParams || len(s.Params) < len(startParamNames()) {
		return false
	}
	held := true
	startParams(s.StartTime, s.WorkflowID, func(name string, want sel.Value) {
		if held {
			got, ok := s.Params[name]
			held = ok && sameScalar(want, got)
		}
	})
	return held
}

// sameScalar reports whether got is want, a STRING or LONG value.
func sameScalar(want, got sel.Value) bool {
	if want.Type != got.Type {
		return false
	}
	switch w := want.Value.(type) {
	case string:
		g, ok := got.Value.(string)
		return ok && g == w
	case int64:
		g, ok := got.Value.(int64)
		return ok && g == w
	}
	return false
}

// withoutStartParams is params without the start params.
func withoutStartParams(params map[string]sel.Value) map[string]sel.Value {
	names := startParamNames()
	rest := make(map[string]sel.Value, len(params)-len(names))
	for k, v := range params {
		if !names[k] {
			rest[k] = v
		}
	}
	return rest
}

// addStartParams puts back what a lean State left out.
func addStartParams(s *State) {
	if s.Params == nil {
		s.Params = make(map[string]sel.Value, len(startParamNames()))
	}
	startParams(s.StartTime, s.WorkflowID, func(name string, v sel.Value) { s.Params[name] = v })
}
