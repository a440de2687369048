package integration

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkclient "go.temporal.io/sdk/client"
	"google.golang.org/grpc"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/worker"
	W "github.com/batonhq/baton/workflows"
)

// rpcCounter counts a Temporal client's RPCs by method.
type rpcCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *rpcCounter) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	c.mu.Lock()
	c.n[method[strings.LastIndex(method, "/")+1:]]++
	c.mu.Unlock()
	return invoker(ctx, method, req, reply, cc, opts...)
}

// take returns the counts so far and starts again from zero.
func (c *rpcCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.n
	c.n = map[string]int{}
	return out
}

// countingClient is a Baton client on a Temporal client of its own (no
// worker: no eager start) whose RPCs are counted.
func countingClient(t *testing.T) (*client.Client, *rpcCounter) {
	t.Helper()
	cnt := &rpcCounter{n: map[string]int{}}
	tc, err := env.srv.NewClient(sdkclient.Options{
		Logger:            worker.NewLogger(nil),
		ConnectionOptions: sdkclient.ConnectionOptions{DialOptions: []grpc.DialOption{grpc.WithChainUnaryInterceptor(cnt.intercept)}},
	})
	require.NoError(t, err)
	t.Cleanup(tc.Close)
	cnt.take() // the dial's own calls
	return client.New(tc, client.Options{}), cnt
}

func formatCounts(n map[string]int) string {
	var parts []string
	for m, k := range n {
		parts = append(parts, fmt.Sprintf("%s %d", m, k))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// TestStartRPCs counts the client's RPCs for a start and its result: the
// first start of a workflow id reads its breakpoint store (NotFound), a
// start within client.BreakpointLease of that read reads nothing (one in
// its second half renews the read in the background). The
// floor (a hand-written workflow started and waited for) makes
// StartWorkflowExecution and GetWorkflowExecutionHistory.
func TestStartRPCs(t *testing.T) {
	ctx := testContext(t, time.Minute)
	bc, cnt := countingClient(t)
	req, err := definition.NewWorkflow(fmt.Sprintf("rpcs-%d", time.Now().UnixNano())).Steps(definition.NoOp("a")).Build()
	require.NoError(t, err)
	plan, err := bc.Compile(req)
	require.NoError(t, err)
	first := time.Now() // before the first start's read
	for i := range 2 {
		run, err := bc.Start(ctx, plan, client.StartOptions{})
		require.NoError(t, err)
		started := time.Now() // after this start's read, if it made one
		st, err := run.Wait(ctx)
		require.NoError(t, err)
		require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
		n := cnt.take()
		t.Logf("start %d: %s", i+1, formatCounts(n))
		require.Equal(t, 1, n["StartWorkflowExecution"])
		switch {
		case i == 0:
			require.Equal(t, 1, n["QueryWorkflow"], "the first start reads the breakpoint store")
		case started.Sub(first) < client.BreakpointLease/2:
			require.Zero(t, n["QueryWorkflow"], "a start within the lease of a read that found no store reads nothing")
		case started.Sub(first) < client.BreakpointLease: // a slow machine: the start renewed the read in the background
			require.LessOrEqual(t, n["QueryWorkflow"], 1, "a start late in the lease reads nothing itself, and renews the read once")
		default: // a very slow machine: the first read was no longer trusted
			require.Equal(t, 1, n["QueryWorkflow"], "a start after the lease reads again")
		}
	}
}

// TestBreakpointSetAfterAnotherClientFoundNoStore: a client that found no
// breakpoint store for a workflow id trusts that for client.BreakpointLease;
// a breakpoint another client sets (no store before it) still pauses the
// first client's next start, since the set returns only after the lease.
func TestBreakpointSetAfterAnotherClientFoundNoStore(t *testing.T) {
	ctx := testContext(t, 2*time.Minute)
	starter := client.New(env.tc, client.Options{EagerStart: true})
	setter := client.New(env.tc, client.Options{})
	wf := fmt.Sprintf("lease-%d", time.Now().UnixNano())
	req, err := definition.NewWorkflow(wf).Steps(definition.NoOp("a").Next("b"), definition.NoOp("b")).Build()
	require.NoError(t, err)

	before, _, err := starter.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	st, err := before.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, "no breakpoint yet")

	_, err = setter.SetBreakpoint(ctx, W.Breakpoint{WorkflowID: wf, StepID: "b"})
	require.NoError(t, err)

	after, _, err := starter.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	eventuallyStatus(ctx, t, after, "b", W.Paused)
	_, err = setter.StepAction(ctx, after.ID(), W.ActionResume, "b", "")
	require.NoError(t, err)
	st, err = after.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
}
