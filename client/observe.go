package client

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/api/serviceerror"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

// runMeta is what a start tells Temporal about a run beyond its input: the
// search attributes 'baton list' filters on and the summary its UI shows.
type runMeta struct {
	plan    *translator.Plan
	version int64 // registry version, 0 if unknown
}

// summary is the one line Temporal's UI shows for a run.
func (m runMeta) summary() string {
	s := "Maestro " + m.plan.WorkflowID
	if m.version > 0 {
		s += fmt.Sprintf(" v%d", m.version)
	}
	return s + fmt.Sprintf(" (%d steps)", len(m.plan.Steps))
}

// details are the static details Temporal's UI shows for a run.
func (m runMeta) details() string {
	var b strings.Builder
	if m.plan.Name != "" {
		fmt.Fprintf(&b, "**%s**\n\n", m.plan.Name)
	}
	fmt.Fprintf(&b, "Maestro workflow `%s`", m.plan.WorkflowID)
	if m.version > 0 {
		fmt.Fprintf(&b, " version %d", m.version)
	}
	if m.plan.Owner != "" {
		fmt.Fprintf(&b, ", owner %s", m.plan.Owner)
	}
	fmt.Fprintf(&b, ", plan %.12s. The instance status is the search attribute BatonStatus and the current details.", m.plan.Hash)
	return b.String()
}

// execute starts a run of the interpreter with Baton's search attributes
// and user metadata, as version 3 of workflows.ChangeLeanStart (no version
// marker) and workflows.LeanLocalInput's changes for local attempts, with the workflow id's breakpoints read just before. On a namespace without the search attributes it
// starts the run without them (and remembers not to try again), so Baton
// works on any cluster; runs without them keep no BatonStatus.
func (c *Client) execute(ctx context.Context, so sdkclient.StartWorkflowOptions, in workflows.RunInput, meta runMeta) (sdkclient.WorkflowRun, error) {
	so.StaticSummary, so.StaticDetails = meta.summary(), meta.details()
	in.LeanLocal = workflows.LeanLocalInput
	c.readBreakpoints(ctx, &in)
	in.Compact = !c.opts.FullPayloads
	in.LeanResult = in.Compact
	if in.Compact {
		in.ResultFormat = workflows.ChainedStateFormat // Run.Wait and Run.State read it
	}
	if c.opts.NoSearchAttributes || c.noSearchAttributes.Load() {
		return c.tc.ExecuteWorkflow(ctx, so, workflows.WorkflowName, in)
	}
	withSA := so
	updates := []temporal.SearchAttributeUpdate{
		workflows.SearchAttributeStatus.ValueSet(string(workflows.InProgress)),
		workflows.SearchAttributeWorkflowID.ValueSet(meta.plan.WorkflowID),
	}
	if meta.version > 0 {
		updates = append(updates, workflows.SearchAttributeVersion.ValueSet(meta.version))
	}
	withSA.TypedSearchAttributes = temporal.NewSearchAttributes(updates...)
	wr, err := c.tc.ExecuteWorkflow(ctx, withSA, workflows.WorkflowName, in)
	if err != nil && isUnknownSearchAttribute(err) {
		c.noSearchAttributes.Store(true)
		return c.tc.ExecuteWorkflow(ctx, so, workflows.WorkflowName, in)
	}
	return wr, err
}

// isUnknownSearchAttribute: the namespace has not registered a search
// attribute the request used.
func isUnknownSearchAttribute(err error) bool {
	var invalid *serviceerror.InvalidArgument
	return errors.As(err, &invalid) && strings.Contains(strings.ToLower(invalid.Message), "search attribute")
}
