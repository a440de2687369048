package retry

import (
	"context"

	sdkclient "go.temporal.io/sdk/client"
)

// Update sends an update and reads its result into out (out may be nil),
// resending it while the server answers WorkflowNotReady. Every send
// carries one update id (opts.UpdateID, or a new one), so the run applies
// the update once. WaitForStage defaults to completed.
func Update(ctx context.Context, tc sdkclient.Client, opts sdkclient.UpdateWorkflowOptions, out any) error {
	prepare(&opts)
	_, err := NotReady(ctx, "update "+opts.UpdateName, func() (struct{}, error) {
		h, err := tc.UpdateWorkflow(ctx, opts)
		if err == nil {
			err = h.Get(ctx, out)
		}
		return struct{}{}, err
	})
	return err
}

// UpdateWithStart is Update starting the workflow (workflow, with input)
// first if it does not run; each send builds its own start operation
// (one can be executed only once).
func UpdateWithStart(ctx context.Context, tc sdkclient.Client, start sdkclient.StartWorkflowOptions, workflow, input any,
	opts sdkclient.UpdateWorkflowOptions, out any) error {
	prepare(&opts)
	_, err := NotReady(ctx, "update "+opts.UpdateName, func() (struct{}, error) {
		h, err := tc.UpdateWithStartWorkflow(ctx, sdkclient.UpdateWithStartWorkflowOptions{
			StartWorkflowOperation: tc.NewWithStartWorkflowOperation(start, workflow, input),
			UpdateOptions:          opts,
		})
		if err == nil {
			err = h.Get(ctx, out)
		}
		return struct{}{}, err
	})
	return err
}

func prepare(opts *sdkclient.UpdateWorkflowOptions) {
	if opts.UpdateID == "" {
		opts.UpdateID = UpdateID()
	}
	if opts.WaitForStage == sdkclient.WorkflowUpdateStageUnspecified {
		opts.WaitForStage = sdkclient.WorkflowUpdateStageCompleted
	}
}
