package workflows

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/internal/jsonfast"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
)

var historyDirs = []string{
	"testdata/histories", "../scheduler/testdata/histories",
	"../registry/testdata/histories", "../signals/testdata/histories",
}

// historyStates returns every State and run input in the stored
// histories' payloads (a run's result, a child's, a query's), by name.
func historyPayloads(t *testing.T) (states, inputs map[string][]byte) {
	t.Helper()
	payloads, err := jsonfast.HistoryPayloads(historyDirs...)
	require.NoError(t, err)
	states, inputs = map[string][]byte{}, map[string][]byte{}
	for i, b := range payloads {
		var keys map[string]json.RawMessage
		if json.Unmarshal(b, &keys) != nil {
			continue
		}
		name := fmt.Sprintf("payload %d", i)
		if _, ok := keys["plan"]; ok && onlyRunInputKeys(keys) {
			inputs[name] = b
		}
		_, id := keys["workflow_id"]
		_, steps := keys["steps"]
		if _, status := keys["status"]; id && steps && status {
			states[name] = b
		}
	}
	return states, inputs
}

// onlyRunInputKeys: the object's keys are RunInput's (a queue's request
// also carries a plan).
func onlyRunInputKeys(keys map[string]json.RawMessage) bool {
	for k := range keys {
		switch k {
		case "plan", "run_params", "initiator", "depth", "restart", "tree", "breakpoints",
			"breakpoints_read", "lean", "lean_local", "lean_result", "result_format", "step_params", "signal", "await_admission":
		default:
			return false
		}
	}
	return true
}

// TestPayloadScanMatchesReflection: every State and run input in the
// stored histories is read by the scan, to what encoding/json reads, and
// every State (and its compact and full encodings) is written as
// json.Marshal writes it.
func TestPayloadScanMatchesReflection(t *testing.T) {
	states, inputs := historyPayloads(t)
	require.NotEmpty(t, states)
	require.NotEmpty(t, inputs)
	for name, b := range states {
		want := reflectState(t, b)
		var got State
		require.True(t, scanState(b, &got), "the scan should read %s: %s", name, b)
		require.Equal(t, want, got, name)
		for _, compact := range []bool{false, true} {
			s := want
			s.compact = compact
			ref, err := marshalStateReflect(&s)
			require.NoError(t, err)
			mine, err := json.Marshal(s) // MarshalJSON, compacted by encoding/json
			require.NoError(t, err)
			require.Equal(t, string(ref), string(mine), "%s (compact %v)", name, compact)
			direct, err := s.MarshalJSON()
			require.NoError(t, err)
			require.Equal(t, string(ref), string(direct), "%s (compact %v)", name, compact)
			var again State
			require.True(t, scanState(ref, &again), name)
			require.Equal(t, reflectState(t, ref), again, name)
		}
	}
	// What a client's start sends (client.Start's fields), with a plan of
	// the histories.
	for name, b := range inputs {
		var in RunInput
		require.NoError(t, json.Unmarshal(b, &in), name)
		client, err := json.Marshal(RunInput{Plan: in.Plan, Initiator: "MANUAL", LeanLocal: LeanLocalInput, BreakpointsRead: true,
			Compact: true, LeanResult: true, ResultFormat: ChainedStateFormat})
		require.NoError(t, err)
		inputs["a client's start with the plan of "+name] = client
		break
	}
	for name, b := range inputs {
		var want, got RunInput
		require.NoError(t, reflectRunInput(b, &want), name)
		var f runInputFields
		_, ok := scanRunInput(b, &f)
		require.True(t, ok, "the scan should read %s: %s", name, b)
		require.NoError(t, json.Unmarshal(b, &got), name)
		require.Equal(t, want, got, name)

		// Written compactly, the input is what encoding/json writes with
		// the plan as a RawMessage, whatever other fields it has.
		for _, in := range []RunInput{got, {Plan: got.Plan, Initiator: "i<>", Depth: 2, Lean: 3, LeanLocal: 1, BreakpointsRead: true,
			RunParams: map[string]sel.Value{"p": {Type: sel.Long, Value: int64(1)}}, AwaitAdmission: &AwaitAdmission{Token: "t", Grace: 3}}} {
			in.Compact = true
			plan, err := translator.EncodeCompact(in.Plan)
			require.NoError(t, err)
			ref, err := json.Marshal(struct {
				runInputFields
				Plan json.RawMessage `json:"plan"`
			}{runInputFields(in), plan})
			require.NoError(t, err)
			mine, err := json.Marshal(in)
			require.NoError(t, err)
			require.Equal(t, string(ref), string(mine), name)
		}
	}
}

func reflectState(t *testing.T, b []byte) State {
	t.Helper()
	var s State
	require.NoError(t, unmarshalStateReflect(b, &s))
	return s
}

// reflectRunInput is RunInput.UnmarshalJSON with encoding/json reading
// the input's own fields (the plan is translator's, tested there).
func reflectRunInput(b []byte, in *RunInput) error {
	var raw struct {
		runInputFields
		Plan json.RawMessage `json:"plan"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	plan, err := json.Marshal(map[string]json.RawMessage{"plan": raw.Plan})
	if err != nil {
		return err
	}
	if err := in.UnmarshalJSON(plan); err != nil {
		return err
	}
	p, c := in.Plan, in.Compact
	*in = RunInput(raw.runInputFields)
	in.Plan, in.Compact = p, c
	return nil
}

// TestStateWriterMatchesReflection: States with every field and value
// kind, written by both, compact and full.
func TestStateWriterMatchesReflection(t *testing.T) {
	start := time.Date(2026, 12, 1, 10, 0, 0, 123456789, time.UTC)
	at := func(d time.Duration) *time.Time { x := start.Add(d); return &x }
	paris := start.In(time.FixedZone("CET", 3600))
	far := time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)
	params := map[string]sel.Value{
		"s": {Type: sel.String, Value: "a<b>&\"c\"\n\u2028é"}, "l": {Type: sel.Long, Value: int64(-3)},
		"b": {Type: sel.Boolean, Value: true}, "f": {Type: sel.Boolean, Value: false},
		"d": {Type: sel.Double, Value: 1.5}, "m": {Type: sel.Map, Value: map[string]any{"x": int64(1)}},
		"a": {Type: sel.StringArray, Value: []string{"x"}},
		"k": {Type: sel.String, Value: ""},
	}
	states := map[string]*State{
		"everything": {WorkflowID: "w<1>", PlanHash: "h", Status: InstanceFailed, StartTime: start, EndTime: at(time.Hour), Params: params,
			Error: "boom & bust", Warnings: []string{"x", "<y>"}, Run: 2, RunPolicy: "RESTART_FROM_INCOMPLETE", Steps: []*StepState{
				{ID: "a", Type: "T", Mode: "activity", Status: UserFailed, Attempts: 3, Retries: Retries{Error: 1, Platform: 2, Timeout: 3}, StartTime: at(0), EndTime: at(time.Minute), Error: "user", Params: params, Run: 2},
				{ID: "b", Type: "T", Mode: "activity", Status: NotCreated},
				{ID: "c", Status: Succeeded, Attempts: 0, StartTime: at(time.Second), Retries: Retries{Platform: 1}},
				{ID: "d", Type: "foreach", Mode: "child", Status: CompletedWithError, Attempts: 1, Loop: &LoopSummary{Iterations: 3, Counts: LoopCounts{Succeeded: 2, Failed: 1}},
					SignalDependencies: []*SignalDependencyState{{Name: "s", Status: "MATCHED"}}, SignalOutputs: []*SignalOutputState{{Name: "o", SignalID: "o#1"}}},
				{ID: "zone", Type: "T", Mode: "inline", Status: Succeeded, Attempts: 1, StartTime: &paris, EndTime: &paris},
				{ID: "far", Type: "T", Mode: "inline", Status: Succeeded, Attempts: 1, StartTime: &far, EndTime: at(0)},
				{ID: "end only", Type: "T", Mode: "inline", Status: Stopped, Attempts: 1, EndTime: at(0)},
			}},
		"no steps":                    {WorkflowID: "w", Status: InProgress, StartTime: start},
		"empty steps":                 {WorkflowID: "w", Status: InProgress, StartTime: start, Steps: []*StepState{}, Params: map[string]sel.Value{}},
		"a year the encoding refuses": {WorkflowID: "w", StartTime: time.Date(10001, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for name, s := range states {
		for _, compact := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s compact %v", name, compact), func(t *testing.T) {
				c := *s
				c.compact = compact
				want, wantErr := marshalStateReflect(&c)
				if wantErr != nil {
					_, err := json.Marshal(c)
					require.Error(t, err)
					return
				}
				got, err := json.Marshal(c)
				require.NoError(t, err)
				require.Equal(t, string(want), string(got))
				var back, ref State
				// steps null is left to encoding/json
				require.Equal(t, s.Steps != nil, scanState(got, &back), "%s", got)
				require.NoError(t, json.Unmarshal(got, &back))
				require.NoError(t, unmarshalStateReflect(got, &ref))
				require.Equal(t, ref, back)
			})
		}
	}
}

// TestStateScanLeavesTheRestToReflection: a State the scan does not read
// as encoding/json does decodes by encoding/json: the same State or error.
func TestStateScanLeavesTheRestToReflection(t *testing.T) {
	tests := map[string]string{
		"format after the steps":     `{"workflow_id":"w","status":"S","start_time":"2026-01-01T00:00:00Z","steps":[{"id":"a","at":5}],"format":2}`,
		"start time after the steps": `{"format":2,"workflow_id":"w","status":"S","steps":[{"id":"a","at":5}],"start_time":"2026-01-01T00:00:00Z"}`,
		"format 0":                   `{"format":0,"workflow_id":"w","status":"S","start_time":"2026-01-01T00:00:00Z","steps":[{"id":"a"}]}`,
		"format 3":                   `{"format":3,"workflow_id":"w","status":"S","steps":[]}`,
		"null steps":                 `{"workflow_id":"w","status":"S","start_time":"2026-01-01T00:00:00Z","steps":null}`,
		"a duplicate key":            `{"workflow_id":"w","workflow_id":"v","status":"S","steps":[]}`,
		"an unknown key":             `{"workflow_id":"w","status":"S","steps":[],"x":1}`,
		"a key in another case":      `{"Workflow_ID":"w","status":"S","steps":[]}`,
		"a bad time":                 `{"workflow_id":"w","status":"S","start_time":"yesterday","steps":[]}`,
		"a time that is a number":    `{"workflow_id":"w","status":"S","start_time":5,"steps":[]}`,
		"a null end time":            `{"workflow_id":"w","status":"S","end_time":null,"steps":[]}`,
		"value before type":          `{"workflow_id":"w","status":"S","steps":[],"params":{"p":{"value":1,"type":"LONG"}}}`,
		"a value without a type":     `{"workflow_id":"w","status":"S","steps":[],"params":{"p":{"value":1}}}`,
		"a lower-case type":          `{"workflow_id":"w","status":"S","steps":[],"params":{"p":{"type":"long","value":1}}}`,
		"a null value":               `{"workflow_id":"w","status":"S","steps":[],"params":{"p":{"type":"STRING","value":null}}}`,
		"a mistyped value":           `{"workflow_id":"w","status":"S","steps":[],"params":{"p":{"type":"LONG","value":"1"}}}`,
		"a map value":                `{"workflow_id":"w","status":"S","steps":[],"params":{"p":{"type":"MAP","value":{"k":{"type":"LONG","value":1}}}}}`,
		"a double value":             `{"workflow_id":"w","status":"S","steps":[],"params":{"p":{"type":"DOUBLE","value":1e3}}}`,
		"a duplicate param":          `{"workflow_id":"w","status":"S","steps":[],"params":{"p":{"type":"LONG","value":1},"p":{"type":"LONG","value":2}}}`,
		"escapes":                    `{"workflow_id":"w\u003c\"","status":"S","steps":[{"id":"\n"}]}`,
		"a full step with offsets":   `{"workflow_id":"w","status":"S","start_time":"2026-01-01T00:00:00Z","steps":[{"id":"a","at":5,"dur":7,"end_time":"2026-01-02T00:00:00Z"}]}`,
		"an offset without duration": `{"format":2,"workflow_id":"w","status":"S","start_time":"2026-01-01T00:00:00Z","steps":[{"id":"a","at":5,"end_time":"2026-01-02T00:00:00Z"},{"id":"b","type":"X","status":"RUNNING","attempts":0,"retries":{}}]}`,
		"format 4, a duration first": `{"format":4,"workflow_id":"w","status":"S","start_time":"2026-01-01T00:00:00Z","steps":[{"id":"a","dur":5}]}`,
		"format 4, after no end":     `{"format":4,"workflow_id":"w","status":"S","start_time":"2026-01-01T00:00:00Z","steps":[{"id":"a","at":5},{"id":"b","dur":5}]}`,
		"format 3, a duration alone": `{"format":3,"workflow_id":"w","status":"S","start_time":"2026-01-01T00:00:00Z","steps":[{"id":"a","at":5,"dur":1},{"id":"b","dur":5}]}`,
		"not an object":              `[1]`,
		"trailing bytes":             `{"workflow_id":"w","status":"S","steps":[]} x`,
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			var want, got State
			wantErr := unmarshalStateReflect([]byte(b), &want)
			gotErr := json.Unmarshal([]byte(b), &got)
			if wantErr != nil {
				require.EqualError(t, gotErr, wantErr.Error())
				return
			}
			require.NoError(t, gotErr)
			require.Equal(t, want, got)
		})
	}
}

// FuzzStateDecode: any bytes decode to what encoding/json decodes them to,
// error included (go test -fuzz FuzzStateDecode ./workflows/).
func FuzzStateDecode(f *testing.F) {
	f.Add([]byte(`{"format":2,"workflow_id":"w","status":"S","start_time":"2026-01-01T00:00:00Z","params":{"p":{"type":"LONG","value":1}},"steps":[{"id":"a","at":5,"dur":7},{"id":"b","type":"T","status":"RUNNING","attempts":0,"retries":{"error":1}}]}`))
	f.Add([]byte(`{"workflow_id":"w","status":"S","start_time":"2026-01-01T00:00:00Z","steps":[{"id":"a","type":"T","mode":"m","status":"SUCCEEDED","attempts":1,"retries":{},"start_time":"2026-01-01T00:00:00Z","end_time":"2026-01-01T00:00:01Z","loop":{"iterations":1,"counts":{}}}],"run":1}`))
	f.Add([]byte(`{"format":4,"workflow_id":"w","status":"S","start_time":"2026-01-01T00:00:00Z","steps":[{"id":"a","type":"T","at":5,"dur":7},{"id":"b","dur":3},{"id":"c","end_time":"2026-01-01T00:00:01Z"},{"id":"d","dur":1}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var want, got State
		wantErr := unmarshalStateReflect(b, &want)
		gotErr := got.UnmarshalJSON(b)
		if wantErr != nil {
			require.EqualError(t, gotErr, wantErr.Error())
			return
		}
		require.NoError(t, gotErr)
		require.Equal(t, want, got)
	})
}
