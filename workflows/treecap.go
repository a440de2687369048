package workflows

import (
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/translator"
)

// ChangeTreeCap gates the tree cap (instance_step_concurrency across a
// run's loops and subworkflows). Only runs with a tree cap reach it, so
// other runs record no marker.
const ChangeTreeCap = "tree-cap"

// permitsIDSuffix makes the permits workflow's id from the id of the run
// that starts it. Step ids cannot hold '#', so no child workflow of the run
// (its id is the run's id, '/', a step id) can take it.
const permitsIDSuffix = "#permits"

// TreeCap is the instance_step_concurrency cap a run shares with its whole
// tree (MAESTRO.md §4.10): the root, its loop iterations and its
// subworkflows at any depth take a permit from one permits workflow for
// each attempt of a leaf step.
type TreeCap struct {
	// Permits is the workflow id of the tree's permits workflow.
	Permits string `json:"permits"`
	// Cap is the root's instance_step_concurrency.
	Cap int `json:"cap"`
	// Limit is a subworkflow's own, smaller instance_step_concurrency: its
	// leaf steps (and those of its loops) start only while fewer than Limit
	// leaf steps of the whole tree run, as in Maestro, where each instance
	// takes the shared permit with its own limit.
	Limit int `json:"limit,omitempty"`
}

// treeCapFor is the tree cap of a run of the interpreter (not an inline
// iteration): the one it inherits, with its own instance_step_concurrency
// as a Limit when smaller; else its own, if it has one and composite steps
// (a flat DAG needs no more than the run's own cap, StepConcurrency, which
// the translator folds instance_step_concurrency into for such plans);
// else none.
func treeCapFor(in RunInput, id string) *TreeCap {
	own := int(in.Plan.InstanceStepConcurrency)
	if in.Tree != nil {
		tc := *in.Tree
		if own > 0 && own < tc.Cap && (tc.Limit == 0 || own < tc.Limit) {
			tc.Limit = own
		}
		return &tc
	}
	if own <= 0 {
		return nil
	}
	for _, n := range in.Plan.Steps {
		if n.Kind != "step" {
			return &TreeCap{Permits: id + permitsIDSuffix, Cap: own}
		}
	}
	return nil
}

// childTree is the tree cap a loop or subworkflow child inherits.
func (r *run) childTree(loop bool) *TreeCap {
	if r.tree == nil {
		return nil
	}
	tc := r.tree.cfg
	if !loop {
		tc.Limit = 0 // a subworkflow's limit is its own definition's
	}
	return &tc
}

// permitEventsPerLeaf is what a leaf step's permit may add to its run's
// history when other runs of the tree wait: an ask and a return sent (two
// events each), a grant received, and a workflow task to handle it
// (measured: about 8).
const permitEventsPerLeaf = 8

// permitEvents bounds the events permits add to one iteration of body.
func permitEvents(body *translator.Plan) int {
	n := 0
	for _, s := range body.Steps {
		if isLeaf(s) && s.Type != "NoOp" {
			n += permitEventsPerLeaf
		}
	}
	return n
}

// isLeaf reports whether a step takes a tree permit: steps that are not
// foreach, while or subworkflow. NoOp steps, which run in no time, never
// reach runStep.
func isLeaf(n *translator.Node) bool { return n.Kind == "step" }

// permitClient is one workflow run's side of its tree cap, shared by all
// the runs of the interpreter in it (a loop's iterations). Each leaf step
// attempt asks for one permit and gives it back when done; asks and
// returns made in one workflow task (or while a signal is in flight) go
// out together in one signal, and grants for asks no longer wanted (a step
// stopped while waiting) are given back. While the permits workflow says
// no other run waits, a permit given back and one asked for in the same
// workflow task cancel out: the permit passes from the step that ended to
// the one that starts, and nothing is sent. Once told that others wait,
// it gives back every permit its steps are done with. A workflow task that
// runs local activities sees no signal until it completes (the SDK
// completes a long one at 80% of the workflow task timeout, 8 s by
// default), so a run passing permits between local-activity steps may keep
// them that much longer after another run starts waiting.
type permitClient struct {
	cfg  TreeCap
	self PermitHolder
	// owner: this run started the permits workflow, so it always leaves
	// (that lets the permits workflow end).
	owner bool
	start workflow.ChildWorkflowFuture // the start of the permits workflow, until settled

	asked    int             // asks not granted yet (sent or not)
	toAsk    int             // asks not sent yet
	toReturn int             // returns not sent yet
	waiters  []*permitWaiter // waiting attempts, FIFO
	busy     bool            // other runs may be waiting (until told otherwise)
	stamp    int64           // of the latest message from the permits workflow
	seq      int64
	known    bool // a message was delivered: the permits workflow may know this run
	leaving  bool
	left     bool
}

// newPermitClient starts the workflow's side of a tree cap; start says
// this run starts the permits workflow (it is the root of the cap) and
// waits until it has started.
func newPermitClient(ctx workflow.Context, cfg TreeCap, start bool) *permitClient {
	exec := workflow.GetInfo(ctx).WorkflowExecution
	c := &permitClient{cfg: cfg, self: PermitHolder{ID: exec.ID, RunID: exec.RunID}, busy: true}
	// Grants, returns and leaving must go on while the run is cancelled.
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	if start {
		// Wait until it runs, so that the runs of the tree (started later)
		// find it rather than race to start it.
		c.startPermits(dctx)
		_ = c.start.GetChildWorkflowExecution().Get(dctx, nil)
		c.start = nil
	}
	workflow.Go(dctx, c.receive)
	workflow.Go(dctx, c.send)
	return c
}

// permitWaiter is an attempt waiting for a permit: granted is set, and
// settled (the event-driven engine's wait, if any) is settled, once it has
// one.
type permitWaiter struct {
	granted bool
	settled workflow.Settable
}

func (w *permitWaiter) grant() {
	w.granted = true
	if w.settled != nil {
		w.settled.SetValue(nil)
	}
}

// ask asks for a permit: nil if one is at hand, else the waiter, granted
// later (settling settled, if not nil).
func (c *permitClient) ask(settled workflow.Settable) *permitWaiter {
	if !c.busy && c.toReturn > 0 && len(c.waiters) == 0 {
		c.toReturn-- // a permit not given back yet
		return nil
	}
	w := &permitWaiter{settled: settled}
	c.waiters = append(c.waiters, w)
	if c.asked < len(c.waiters) {
		c.asked++
		c.toAsk++
	}
	return w
}

// withdraw gives up a wait: the permit goes back if granted already.
func (c *permitClient) withdraw(w *permitWaiter) {
	if w.granted {
		c.release()
		return
	}
	for i, x := range c.waiters {
		if x == w {
			c.waiters = append(c.waiters[:i], c.waiters[i+1:]...)
			break
		}
	}
}

// release gives a permit back, or to a waiting attempt whose ask has not
// gone out yet if no other run waits.
func (c *permitClient) release() {
	if !c.busy && c.toAsk > 0 && len(c.waiters) > 0 {
		c.waiters[0].grant()
		c.waiters = c.waiters[1:]
		c.toAsk--
		c.asked--
		return
	}
	c.toReturn++
}

// leave gives everything back and withdraws every ask, and waits until the
// permits workflow has it: a signal sent in the workflow's last task would
// be dropped.
func (c *permitClient) leave(ctx workflow.Context) {
	c.leaving = true
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	_ = workflow.Await(dctx, func() bool { return c.left })
}

// receive takes grants (and probes, which need nothing).
func (c *permitClient) receive(ctx workflow.Context) {
	ch := workflow.GetSignalChannel(ctx, SignalPermitsGrant)
	for {
		var g PermitGrant
		ch.Receive(ctx, &g)
		if g.Stamp > c.stamp {
			c.stamp, c.busy = g.Stamp, g.Waiting
		}
		n := g.N
		c.asked = max(c.asked-n, 0)
		for n > 0 && len(c.waiters) > 0 {
			c.waiters[0].grant()
			c.waiters = c.waiters[1:]
			n--
		}
		c.toReturn += n // granted for an attempt that stopped waiting
	}
}

// send delivers asks and returns, one signal at a time, then the leave.
func (c *permitClient) send(ctx workflow.Context) {
	for {
		_ = workflow.Await(ctx, func() bool { return c.toAsk > 0 || c.toReturn > 0 || c.leaving })
		c.settle(ctx)
		if c.toAsk == 0 && c.toReturn == 0 && !c.leaving {
			continue // they cancelled out
		}
		m := PermitRequest{From: c.self}
		if c.leaving {
			if c.known || c.owner {
				m.Leave = true
				c.deliver(ctx, &m)
			}
			c.left = true
			return
		}
		c.seq++
		m.Seq, m.Ask, m.Return, m.Limit = c.seq, c.toAsk, c.toReturn, c.cfg.Limit
		c.toAsk, c.toReturn = 0, 0
		c.deliver(ctx, &m)
	}
}

// settle lets the workflow's other coroutines run first, until three
// passes of the dispatcher in a row make no more asks or returns: a step
// that ends and the next one that starts in the same workflow task (a few
// passes later: the run, the loop, the next iteration) share one signal.
func (c *permitClient) settle(ctx workflow.Context) {
	for quiet := 0; quiet < 3; quiet++ {
		asks, returns := c.toAsk, c.toReturn
		// Yield: a coroutine started now runs after every coroutine already
		// there has had its turn.
		ch := workflow.NewChannel(ctx)
		workflow.Go(ctx, func(ctx workflow.Context) { ch.Send(ctx, true) })
		ch.Receive(ctx, nil)
		if asks != c.toAsk || returns != c.toReturn {
			quiet = -1
		}
	}
}

// deliver signals m to the permits workflow. If it has ended (it ends once
// its owner has left and nothing is held or asked, so this run holds
// nothing), returns are moot and asks go to a new one, which this run
// starts; another run may have started it first, which is as good.
func (c *permitClient) deliver(ctx workflow.Context, m *PermitRequest) {
	for restarts := 0; ; {
		if c.start != nil {
			// Started, or already running: either way it takes signals now.
			_ = c.start.GetChildWorkflowExecution().Get(ctx, nil)
			c.start = nil
		}
		err := workflow.SignalExternalWorkflow(ctx, c.cfg.Permits, "", SignalPermitsRequest, m).Get(ctx, nil)
		if err == nil {
			c.known = true
			return
		}
		var gone *temporal.UnknownExternalWorkflowExecutionError
		switch {
		case !errors.As(err, &gone):
			workflow.GetLogger(ctx).Warn("baton: signalling the permits workflow failed; trying again", "permits", c.cfg.Permits, "error", err)
			_ = workflow.Sleep(ctx, time.Second)
			continue
		case m.Leave || m.Ask == 0:
			return
		}
		m.Return = 0
		if restarts > 0 {
			_ = workflow.Sleep(ctx, time.Second) // do not spin if starting keeps failing
		}
		restarts++
		c.startPermits(ctx)
	}
}

// startPermits starts the permits workflow as a child that outlives this
// run (other runs of the tree may still use it), owned by this run.
func (c *permitClient) startPermits(ctx workflow.Context) {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            c.cfg.Permits,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	})
	c.start = workflow.ExecuteChildWorkflow(cctx, PermitsWorkflowName, PermitsInput{Cap: c.cfg.Cap, Owner: c.self})
	c.owner = true
}

// loopTree is a loop workflow's side of its tree cap, nil without one.
func loopTree(ctx workflow.Context, tc *TreeCap) *permitClient {
	if tc == nil || workflow.GetVersion(ctx, ChangeTreeCap, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	return newPermitClient(ctx, *tc, false)
}
