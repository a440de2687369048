package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/grpc"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/cmd/baton/internal/devserver"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/worker"
	"github.com/batonhq/baton/workflows"
)

const taskQueue = "baton-bench"

// Names of the hand-written floor workflow and its activity.
const (
	floorWorkflowName = "bench.Floor"
	floorActivityName = "bench.FloorNoOp"
)

// stallBound bounds the run.Get stall of server v1.32.1 (DESIGN.md: about
// 0.6% of waits without eager start stall until the long poll expires). It
// is the only non-default setting of the naive server, and it changes
// nothing but how long such a stall lasts.
const stallBound = 5 * time.Second

// system is one embedded server with a worker and clients in this process.
type system struct {
	name string
	srv  *devserver.Server
	tc   sdkclient.Client
	w    sdkworker.Worker
	bc   *client.Client
	// bcPlain is bc without speculative starts (the strategy scenario's
	// sequential-plain row).
	bcPlain *client.Client
	// bcNoSA is bc without Baton's search attributes (the start
	// scenario's startNoSAMode row).
	bcNoSA *client.Client
	// eager: starts use eager workflow start (the worker shares the client).
	eager bool
	// persist counts the server's store requests.
	persist persistCounter
}

var noop = activities.StepFunc(func(context.Context, *activities.Step) (*activities.Result, error) {
	return &activities.Result{}, nil
})

// startSystem starts a server of the given profile, a Baton worker with the
// benchmark's step types and the floor workflow, and a Baton client; dial
// options go to the Temporal client the worker and Baton client share
// (diagnostics count its RPCs).
func startSystem(ctx context.Context, name string, profile devserver.Profile, eager, inMemory bool, dial ...grpc.DialOption) (*system, error) {
	persist := newPersistCounter()
	srv, err := devserver.Start(ctx, devserver.Options{
		Profile:            profile,
		ExtraDynamicConfig: map[string]any{"history.longPollExpirationInterval": stallBound},
		Metrics:            persist,
		InMemory:           inMemory,
	})
	if err != nil {
		return nil, fmt.Errorf("start the %s server: %w", name, err)
	}
	s := &system{name: name, srv: srv, eager: eager, persist: persist}
	s.tc, err = srv.NewClient(sdkclient.Options{Logger: worker.NewLogger(nil), ConnectionOptions: sdkclient.ConnectionOptions{DialOptions: dial}})
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("dial the %s server: %w", name, err)
	}
	s.w, err = worker.New(s.tc, worker.Options{TaskQueue: taskQueue, StepTypes: map[string]activities.StepType{
		typeLocal: noop, typeRemote: noop, typeNaive: noop,
	}})
	if err != nil {
		s.stop()
		return nil, err
	}
	s.w.RegisterWorkflowWithOptions(floorWorkflow, workflow.RegisterOptions{Name: floorWorkflowName})
	s.w.RegisterActivityWithOptions(floorActivity, activity.RegisterOptions{Name: floorActivityName})
	s.w.RegisterWorkflowWithOptions(floorWideWorkflow, workflow.RegisterOptions{Name: floorWideWorkflowName})
	s.w.RegisterWorkflowWithOptions(floorForeachWorkflow, workflow.RegisterOptions{Name: floorForeachWorkflowName})
	s.w.RegisterWorkflowWithOptions(floorFeaturesWorkflow, workflow.RegisterOptions{Name: floorFeaturesWorkflowName})
	if err := s.w.Start(); err != nil {
		s.w = nil
		s.stop()
		return nil, fmt.Errorf("start the %s worker: %w", name, err)
	}
	opts := client.Options{TaskQueue: taskQueue, EagerStart: eager, StepTypes: map[string]translator.StepTypeInfo{
		typeLocal:  {Mode: translator.ModeLocalActivity},
		typeRemote: {Mode: translator.ModeActivity},
		typeNaive:  {Mode: translator.ModeActivity},
	}}
	s.bc = client.New(s.tc, opts)
	noSA := opts
	noSA.NoSearchAttributes = true
	s.bcNoSA = client.New(s.tc, noSA)
	opts.NoSpeculativeStart = true
	s.bcPlain = client.New(s.tc, opts)
	return s, nil
}

func (s *system) stop() {
	if s.w != nil {
		s.w.Stop()
	}
	if s.tc != nil {
		s.tc.Close()
	}
	_ = s.srv.Stop()
}

// compile decodes, validates and compiles a generated definition.
func (s *system) compile(def []byte) (*translator.Plan, error) {
	req, err := definition.Decode(def)
	if err != nil {
		return nil, err
	}
	return s.bc.Compile(req)
}

// runPlan starts a run of plan and waits for it; the run must succeed.
func (s *system) runPlan(ctx context.Context, plan *translator.Plan) (*client.Run, error) {
	return s.runPlanWith(ctx, s.bc, plan)
}

// runPlanWith is runPlan with client c.
func (s *system) runPlanWith(ctx context.Context, c *client.Client, plan *translator.Plan) (*client.Run, error) {
	run, err := c.Start(ctx, plan, client.StartOptions{})
	if err != nil {
		return nil, err
	}
	st, err := run.Wait(ctx)
	if err != nil {
		return nil, err
	}
	if st.Status != workflows.InstanceSucceeded {
		return nil, fmt.Errorf("run %s ended %s: %s", run.ID(), st.Status, firstError(st))
	}
	return run, nil
}

func firstError(st *workflows.State) string {
	if st.Error != "" {
		return st.Error
	}
	for _, s := range st.Steps {
		if s.Error != "" {
			return fmt.Sprintf("step %s: %s", s.ID, s.Error)
		}
	}
	return "no error recorded"
}

// floorInput is the input of the floor workflow.
type floorInput struct {
	N     int  `json:"n"`
	Local bool `json:"local"`
	// Fan, above 1, runs the N steps as the throughput scenario's DAG
	// (fiveStepDef): the first, then the next Fan at once, then the rest
	// one after another.
	Fan int `json:"fan,omitempty"`
}

// floorWorkflow is the floor: a hand-written chain of n NoOp (local)
// activities with the interpreter's options (one attempt each), and no
// interpreter. With n = 0 it is the empty workflow; with Fan, the same
// steps as a DAG, the way Temporal code starts parallel steps (all their
// futures, then each one's Get).
func floorWorkflow(ctx workflow.Context, in floorInput) error {
	ctx = floorOptions(ctx, in.Local)
	for i := 0; i < in.N; {
		width := 1
		if i == 1 && in.Fan > 1 {
			width = min(in.Fan, in.N-i)
		}
		fs := make([]workflow.Future, width)
		for j := range fs {
			fs[j] = floorStart(ctx, in.Local, i+j)
		}
		for _, f := range fs {
			if err := f.Get(ctx, nil); err != nil {
				return err
			}
		}
		i += width
	}
	return nil
}

// floorOptions gives the floor's (local) activities the interpreter's
// options: one attempt each.
func floorOptions(ctx workflow.Context, local bool) workflow.Context {
	once := &temporal.RetryPolicy{MaximumAttempts: 1}
	if local {
		return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{ScheduleToCloseTimeout: time.Minute, RetryPolicy: once})
	}
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{ScheduleToCloseTimeout: time.Minute, RetryPolicy: once})
}

// floorStart starts the floor's NoOp (local) activity.
func floorStart(ctx workflow.Context, local bool, i int) workflow.Future {
	if local {
		return workflow.ExecuteLocalActivity(ctx, floorActivityName, i)
	}
	return workflow.ExecuteActivity(ctx, floorActivityName, i)
}

func floorActivity(context.Context, int) error { return nil }

// runFloor runs the floor workflow and waits for it.
func (s *system) runFloor(ctx context.Context, in floorInput) error {
	wr, err := s.tc.ExecuteWorkflow(ctx, sdkclient.StartWorkflowOptions{
		TaskQueue:        taskQueue,
		EnableEagerStart: s.eager,
	}, floorWorkflowName, in)
	if err != nil {
		return err
	}
	return wr.Get(ctx, nil)
}

// maxHistory returns the largest history (in events) of a run, of the
// runs it continued as new into and of the child workflows it started,
// recursively, looking at no more than limit runs.
func (s *system) maxHistory(ctx context.Context, id, runID string, limit int) (int, error) {
	type exec struct{ id, runID string }
	queue := []exec{{id, runID}}
	largest := 0
	for seen := 0; len(queue) > 0 && seen < limit; seen++ {
		e := queue[0]
		queue = queue[1:]
		it := s.tc.GetWorkflowHistory(ctx, e.id, e.runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		events := 0
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return largest, err
			}
			events++
			if a := ev.GetChildWorkflowExecutionStartedEventAttributes(); a != nil {
				queue = append(queue, exec{a.GetWorkflowExecution().GetWorkflowId(), a.GetWorkflowExecution().GetRunId()})
			}
			if a := ev.GetWorkflowExecutionContinuedAsNewEventAttributes(); a != nil {
				queue = append(queue, exec{e.id, a.GetNewExecutionRunId()})
			}
		}
		largest = max(largest, events)
	}
	return largest, nil
}

// foreachSupported compiles a small foreach definition: the scale scenario
// runs once the translator stops refusing foreach as "not supported yet".
func (s *system) foreachSupported() (bool, error) {
	_, err := s.compile(foreachDef(3))
	if err == nil {
		return true, nil
	}
	var es translator.Errors
	if errors.As(err, &es) {
		for _, e := range es {
			if e.IsNotSupported() && strings.Contains(e.Msg, "foreach") {
				return false, nil
			}
		}
	}
	if strings.Contains(err.Error(), translator.NotSupportedPrefix+"foreach") {
		return false, nil
	}
	return false, err
}
