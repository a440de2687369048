package client

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/workflows"
)

// resultRun is a finished run whose result is payload, read through dc.
type resultRun struct {
	sdkclient.WorkflowRun
	payload *commonpb.Payload
	dc      converter.DataConverter
	gets    int
}

func (r *resultRun) Get(_ context.Context, valuePtr any) error {
	r.gets++
	return r.dc.FromPayload(r.payload, valuePtr)
}

// noRawConverter is a data converter that knows nothing of raw values: it
// decodes every payload with encoding/json (which a RawValue refuses).
type noRawConverter struct{ converter.DataConverter }

func (noRawConverter) FromPayload(p *commonpb.Payload, valuePtr any) error {
	return json.Unmarshal(p.GetData(), valuePtr)
}

// failedRun is a run that failed.
type failedRun struct {
	sdkclient.WorkflowRun
	gets int
}

func (r *failedRun) Get(context.Context, any) error {
	r.gets++
	return fmt.Errorf("get: %w", &temporal.WorkflowExecutionError{})
}

// TestGetResult: a run's JSON result decodes to the State the data
// converter decodes it to, in one read; another encoding, or a converter
// that hands out no raw values, is read again by the converter; bad JSON
// is an error.
func TestGetResult(t *testing.T) {
	start := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	end := start.Add(time.Second)
	st := workflows.State{WorkflowID: "w", PlanHash: "h", Status: workflows.InstanceSucceeded, StartTime: start, EndTime: &end,
		Params: map[string]sel.Value{"p": {Type: sel.String, Value: "a<b&c"}},
		Steps:  []*workflows.StepState{{ID: "a", Type: "NoOp", Mode: "inline", Status: workflows.Succeeded, Attempts: 1, StartTime: &start, EndTime: &end}}}
	dc := converter.GetDefaultDataConverter()
	payload := func(v any) *commonpb.Payload {
		p, err := dc.ToPayload(v)
		require.NoError(t, err)
		return p
	}
	binary := payload([]byte("not json"))
	tests := []struct {
		name     string
		payload  *commonpb.Payload
		dc       converter.DataConverter
		wantGets int
		wantErr  bool
	}{
		{"the State", payload(&st), dc, 1, false},
		{"a converter without raw values", payload(&st), noRawConverter{dc}, 2, false},
		{"another encoding", binary, dc, 2, true},
		{"bad JSON", &commonpb.Payload{Metadata: payload(&st).Metadata, Data: []byte(`{"workflow_id":`)}, dc, 1, true},
	}
	t.Run("a failed run", func(t *testing.T) {
		run := &failedRun{}
		var got workflows.State
		err := getResult(context.Background(), run, &got)
		var ended *temporal.WorkflowExecutionError
		require.ErrorAs(t, err, &ended)
		require.Equal(t, 1, run.gets, "read once")
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := &resultRun{payload: tt.payload, dc: tt.dc}
			var got workflows.State
			err := getResult(context.Background(), run, &got)
			require.Equal(t, tt.wantGets, run.gets)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			var want workflows.State
			require.NoError(t, dc.FromPayload(tt.payload, &want))
			require.Equal(t, want, got)
			require.Equal(t, st.Params, got.Params)
		})
	}
}

// BenchmarkGetResult is Run.Wait's read of a one-step run's result
// (a State with the 22 system params): through the data converter
// (encoding/json) and as getResult reads it.
//
//	go test -run '^$' -bench GetResult -benchmem ./client/
func BenchmarkGetResult(b *testing.B) {
	start := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	end := start.Add(time.Second)
	params := map[string]sel.Value{}
	for i := range 22 {
		params[fmt.Sprintf("PARAM_%d", i)] = sel.Value{Type: sel.String, Value: "20261202"}
	}
	st := workflows.State{WorkflowID: "bench-start", PlanHash: "e6ba6eb84bb0", Status: workflows.InstanceSucceeded, StartTime: start, EndTime: &end, Params: params,
		Steps: []*workflows.StepState{{ID: "s1", Type: "NoOp", Mode: "inline", Status: workflows.Succeeded, Attempts: 1, StartTime: &start, EndTime: &end}}}
	dc := converter.GetDefaultDataConverter()
	p, err := dc.ToPayload(&st)
	require.NoError(b, err)
	run := &resultRun{payload: p, dc: dc}
	b.Run("converter", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var got workflows.State
			if err := run.Get(context.Background(), &got); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("getResult", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var got workflows.State
			if err := getResult(context.Background(), run, &got); err != nil {
				b.Fatal(err)
			}
		}
	})
}
