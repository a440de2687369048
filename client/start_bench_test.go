package client

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/workflows"
)

// payloadClient is a Temporal client whose ExecuteWorkflow only encodes
// the start's input with the default data converter, as the SDK does
// before it sends the request, and keeps the payloads.
type payloadClient struct {
	sdkclient.Client
	last    *commonpb.Payloads
	options sdkclient.StartWorkflowOptions
}

func (p *payloadClient) ExecuteWorkflow(_ context.Context, so sdkclient.StartWorkflowOptions, _ any, args ...any) (sdkclient.WorkflowRun, error) {
	ps, err := converter.GetDefaultDataConverter().ToPayloads(args...)
	if err != nil {
		return nil, err
	}
	p.last, p.options = ps, so
	return fakeRun{id: so.ID}, nil
}

type fakeRun struct {
	sdkclient.WorkflowRun
	id string
}

func (r fakeRun) GetID() string    { return r.id }
func (r fakeRun) GetRunID() string { return "run" }

// BenchmarkStartPrepare is what Client.Start does in the caller's process
// before the request goes out, for a one-step plan: the run params check,
// the id, the summary and details, the breakpoint read (trusted, as in a
// start within BreakpointLease of a read that found no store), the search
// attributes and the input's encoding to a payload.
func BenchmarkStartPrepare(b *testing.B) {
	req, err := definition.NewWorkflow("bench-start").Steps(definition.NoOp("s1")).Build()
	require.NoError(b, err)
	pc := &payloadClient{}
	c := New(pc, Options{EagerStart: true})
	plan, err := c.Compile(req)
	require.NoError(b, err)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c.noStore.remember(plan.WorkflowID, time.Now(), time.Now())
		if _, err := c.Start(ctx, plan, StartOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(pc.last.Size()), "payload-B")
	var in workflows.RunInput
	require.NoError(b, converter.GetDefaultDataConverter().FromPayloads(pc.last, &in))
	require.Equal(b, plan.Hash, in.Plan.Hash)
}
