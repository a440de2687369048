package client

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/internal/retry"
	"github.com/batonhq/baton/internal/taskqueue"
	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

// DefaultTaskQueue is the task queue runs go to when none is given; it is
// the worker package's default too.
const DefaultTaskQueue = taskqueue.Default

// Options configure a Client.
type Options struct {
	// TaskQueue of the interpreter workers; DefaultTaskQueue if empty.
	TaskQueue string
	// StepTypes tells the compiler about user step types (default mode,
	// task queue and heartbeat timeout); types not listed run with the
	// compiler's defaults.
	StepTypes map[string]translator.StepTypeInfo
	// EagerStart asks the server to hand the first workflow task straight
	// back to a worker in this process; set it when a worker shares the
	// Temporal client (it saves a round trip per run).
	EagerStart bool
	// NoSpeculativeStart turns off speculative starts: with EagerStart, a
	// run that goes through a run strategy is started at the same time as
	// the workflow id's queue is asked, rather than after; the run's first
	// workflow task waits for the queue's answer, which this client hands
	// it in-process (scheduler/doc.go, "Speculative starts").
	NoSpeculativeStart bool
	// Namespace is tc's namespace ("default" if empty): a speculative
	// start the run strategy refuses deletes the execution it started.
	Namespace string
	// SpeculativeGrace and SpeculativeRecheck are a speculative run's
	// workflows.AwaitAdmission Grace and Recheck (0: a minute each; tests
	// set less).
	SpeculativeGrace, SpeculativeRecheck time.Duration
	// NoSearchAttributes starts runs without Baton's search attributes
	// (BatonStatus, BatonWorkflowId, BatonVersion). By default a run gets
	// them, unless the namespace turns out not to have them registered.
	NoSearchAttributes bool
	// FullPayloads starts runs with the plan in its canonical encoding and
	// asks for the full State encoding of their result and state query
	// (what builds before the compact payloads wrote), for readers of the
	// raw payloads other than this package. By default the plan and the
	// State travel compact (a fifth of the bytes for a 300-step chain);
	// Wait and State return the same State either way.
	FullPayloads bool
}

// Client submits and controls runs.
type Client struct {
	tc   sdkclient.Client
	opts Options
	// noSearchAttributes is set once the namespace refused them.
	noSearchAttributes atomic.Bool
	// searchAttributesChecked is set once visibility accepted them.
	searchAttributesChecked atomic.Bool
	// seen are the ends of queued runs this client waited for, told to
	// the queue with the next start of their workflow id.
	seen seenEnds
	// noStore: recent reads that found no breakpoint store
	// (readBreakpoints).
	noStore noStoreReads
}

// New wraps a Temporal client.
func New(tc sdkclient.Client, opts Options) *Client {
	if opts.TaskQueue == "" {
		opts.TaskQueue = DefaultTaskQueue
	}
	return &Client{tc: tc, opts: opts}
}

// Temporal returns the underlying Temporal client.
func (c *Client) Temporal() sdkclient.Client { return c.tc }

// Compile validates a definition and compiles it to a plan. Errors list
// every problem with its path.
func (c *Client) Compile(req *definition.Request) (*translator.Plan, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return translator.Compile(req, translator.Options{StepTypes: c.opts.StepTypes, DefaultTaskQueue: c.opts.TaskQueue})
}

// StartOptions configure one run.
type StartOptions struct {
	// RunParams override workflow params whose mode allows it, or add new ones.
	RunParams map[string]sel.Value
	// RequestID de-duplicates starts: a second start with the same id
	// returns the first run. Empty means a fresh id.
	RequestID string
	// ID overrides the Temporal workflow id (default "<workflow id>/<request id>").
	ID string
	// Initiator is Maestro's initiator type (MANUAL by default; TIME for
	// time triggers and backfills).
	Initiator string
	// Queued sends the start through the workflow id's run strategy even
	// when the plan sets none (SEQUENTIAL applies). Starts of registered
	// versions are queued always; a plan that sets run_strategy is queued
	// unless Bare is set.
	Queued bool
	// Bare starts the run on its own, outside any run strategy (the
	// behaviour of a definition without run_strategy started directly).
	Bare bool
	// Version is the registry version the plan was compiled from (0: none);
	// it becomes the run's BatonVersion search attribute.
	Version int64
}

// Start starts a run of a compiled plan. Run params are checked before
// anything reaches Temporal.
func (c *Client) Start(ctx context.Context, plan *translator.Plan, opts StartOptions) (*Run, error) {
	if plan == nil {
		return nil, errors.New("baton: nil plan")
	}
	if _, err := workflows.MergeRunParams(plan, opts.RunParams); err != nil {
		return nil, err
	}
	id := opts.ID
	if id == "" {
		reqID := opts.RequestID
		if reqID == "" {
			reqID = newRequestID()
		}
		id = plan.WorkflowID + "/" + reqID
	}
	initiator := opts.Initiator
	if initiator == "" {
		initiator = "MANUAL"
	}
	if c.queued(plan, opts) {
		return c.startQueued(ctx, plan, id, initiator, opts)
	}
	so := c.instanceStart(id)
	in := workflows.RunInput{Plan: plan, RunParams: opts.RunParams, Initiator: initiator}
	wr, err := c.execute(ctx, so, in, runMeta{plan: plan, version: opts.Version})
	if err != nil {
		var already *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &already) && opts.RequestID != "" {
			// The same request id ran before and has finished: return it,
			// by the run id the server names (GetRun(id, "") would ask for
			// it later with no deadline and, if that call fails, as under
			// load, give a run with no run id).
			return c.GetRun(id, already.RunId), nil
		}
		return nil, fmt.Errorf("baton: start %s: %w", id, err)
	}
	return &Run{c: c, id: wr.GetID(), runID: wr.GetRunID(), wr: wr}, nil
}

// StartDefinition validates, compiles and starts a definition.
func (c *Client) StartDefinition(ctx context.Context, req *definition.Request, opts StartOptions) (*Run, *translator.Plan, error) {
	plan, err := c.Compile(req)
	if err != nil {
		return nil, nil, err
	}
	run, err := c.Start(ctx, plan, opts)
	return run, plan, err
}

// instanceStart is how the client starts an instance's execution itself
// (bare, or admitted by its queue): one execution per instance id, a
// start that finds it running attaches to it, eagerly with a worker here.
func (c *Client) instanceStart(id string) sdkclient.StartWorkflowOptions {
	return sdkclient.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                c.opts.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		EnableEagerStart:         c.opts.EagerStart,
	}
}

// GetRun returns a handle on an existing run ("" runID means the latest).
func (c *Client) GetRun(id, runID string) *Run {
	wr := c.tc.GetWorkflow(context.Background(), id, runID)
	return &Run{c: c, id: id, runID: wr.GetRunID(), wr: wr}
}

// Run is a handle on one run.
type Run struct {
	c     *Client
	id    string
	runID string
	wr    sdkclient.WorkflowRun
	// queue is the workflow id whose run strategy admitted the run ("" for
	// a bare start); admission is the queue's answer.
	queue     string
	admission *scheduler.Admission
	// prevRunID is the run a queued restart follows: until the restart
	// starts, it is the instance's latest run.
	prevRunID string
}

// ID is the run's Temporal workflow id.
func (r *Run) ID() string { return r.id }

// RunID is the Temporal run id; for a queued run, once it has started
// ("" while it waits in the queue).
func (r *Run) RunID() string {
	if r.runID == "" && r.queue != "" {
		r.runID = r.queuedRunID()
	}
	return r.runID
}

// Wait blocks until the run ends and returns its final state.
func (r *Run) Wait(ctx context.Context) (*workflows.State, error) {
	if r.queue != "" {
		return r.waitQueued(ctx)
	}
	var st workflows.State
	if err := getResult(ctx, r.wr, &st); err != nil {
		return nil, fmt.Errorf("baton: run %s: %w", r.id, err)
	}
	return &st, nil
}

// State queries the run's current state (in flight or ended).
func (r *Run) State(ctx context.Context) (*workflows.State, error) {
	v, err := retry.NotReady(ctx, "query "+workflows.QueryState, func() (converter.EncodedValue, error) {
		return r.c.tc.QueryWorkflow(ctx, r.id, r.runID, workflows.QueryState)
	})
	if err != nil {
		return nil, fmt.Errorf("baton: query run %s: %w", r.id, err)
	}
	var st workflows.State
	if err := v.Get(&st); err != nil {
		return nil, fmt.Errorf("baton: decode state of run %s: %w", r.id, err)
	}
	return &st, nil
}

// Stop stops the run: running steps become STOPPED, steps not started are
// never created, and the instance ends STOPPED.
func (r *Run) Stop(ctx context.Context) error {
	if r.queue != "" {
		_, err := r.c.Scheduler().Stop(ctx, r.queue, r.id)
		return err
	}
	if err := r.c.tc.CancelWorkflow(ctx, r.id, r.runID); err != nil {
		return fmt.Errorf("baton: stop run %s: %w", r.id, err)
	}
	return nil
}

// Kill kills the run: running steps become FATALLY_FAILED (their failure
// modes do not apply) and the instance ends FAILED.
func (r *Run) Kill(ctx context.Context, reason string) error {
	if err := r.c.tc.SignalWorkflow(ctx, r.id, r.runID, workflows.SignalKill, reason); err != nil {
		return fmt.Errorf("baton: kill run %s: %w", r.id, err)
	}
	return nil
}
