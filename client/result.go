package client

import (
	"context"
	"errors"

	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/workflows"
)

// getResult reads a run's result, its final State, into st. The SDK's JSON
// converter hands the payload to encoding/json, which scans it twice (to
// validate it, then to find its end) before it calls State.UnmarshalJSON:
// as much again as the decode itself for a one-step run's State. A JSON
// payload is decoded here by State.UnmarshalJSON alone, to the same State
// (it validates what it reads). Another encoding, or a data converter that
// does not hand out raw values, is read by the client's data converter as
// before (one more read of the result).
func getResult(ctx context.Context, wr sdkclient.WorkflowRun, st *workflows.State) error {
	var raw converter.RawValue
	if err := wr.Get(ctx, &raw); err != nil {
		var ended *temporal.WorkflowExecutionError
		if errors.As(err, &ended) || ctx.Err() != nil {
			return err // the run failed, or the wait ended
		}
		return wr.Get(ctx, st) // perhaps a converter without raw values
	}
	p := raw.Payload()
	if p == nil || string(p.GetMetadata()[converter.MetadataEncoding]) != converter.MetadataEncodingJSON || string(p.GetData()) == "null" {
		return wr.Get(ctx, st)
	}
	return st.UnmarshalJSON(p.GetData())
}
