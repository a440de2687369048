package workflows

import (
	"go.temporal.io/sdk/workflow"
)

// withChildCancel is workflow.WithCancel for a context child workflows
// are started on (a loop or subworkflow attempt, a step's coroutine on the
// legacy engine, a loop iteration): its cancel first aligns the SDK's
// command ids (alignCommandIDs), so that every cancel of a child goes
// through the workaround.
func withChildCancel(parent workflow.Context) (workflow.Context, func()) {
	ctx, cancel := workflow.WithCancel(parent)
	return ctx, func() {
		alignCommandIDs(ctx)
		cancel()
	}
}

// alignCommandIDs works around a replay bug of the pinned Go SDK (v1.50)
// that made a run nondeterministic after any replay; withChildCancel calls
// it right before cancelling a context that a started child workflow
// waits on.
//
// The SDK predicts the event id of each command it creates (an activity is
// known by it). On replay, a GetVersion whose marker is in history creates
// no command; the SDK skips the marker's event ids (and its search
// attribute upsert's) when the next command asks for an id. Cancelling a
// started child workflow moves the counter on without that skip
// (childWorkflowCommandStateMachine.cancel calls incrementNextCommandEventID
// directly). So a first step action on a running foreach or subworkflow
// step (GetVersion(ChangeStepActions), then the cancel of its child)
// numbered every later command of that workflow task two lower on replay
// than when it ran, and an activity started after it in that task (a
// successor activity step, a subworkflow admission) failed the replay with
// "[TMPRL1100] lookup failed for scheduledEventID to activityID": the run
// then stayed stuck, its workflow task failing, after any cache eviction
// or worker restart.
//
// Asking the SDK for a sequence number makes it do the skip. Nothing in the
// public API asks without creating a command, except a child workflow
// start that fails before its command: ExecuteChildWorkflow takes a
// sequence number for the child's id before it encodes the arguments, and
// an argument that cannot be encoded ends it there. So this records
// nothing in the history and changes nothing when no marker is pending
// (as in every task that is not a replay), and it needs no version: old
// histories replay with it too. TestStepActionThenActivityReplays and the
// history event-skip-loop-then-activity.json guard it.
func alignCommandIDs(ctx workflow.Context) {
	ctx, _ = workflow.NewDisconnectedContext(ctx) // a cancelled context returns before the sequence number
	ctx = workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{})
	_ = workflow.ExecuteChildWorkflow(ctx, AlignCommandIDsType, unencodable{})
}

// AlignCommandIDsType is the child workflow type alignCommandIDs names:
// no such child is ever started, but interceptors see the call (a tracer
// leaves it out).
const AlignCommandIDsType = "baton.align-command-ids"

// unencodable is an argument the data converter refuses (a channel is not
// JSON).
type unencodable struct {
	C chan struct{} `json:"c"`
}
