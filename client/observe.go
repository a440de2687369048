package client

import (
	"context"
	"errors"
	"strconv"
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
	b := make([]byte, 0, 48+len(m.plan.WorkflowID))
	b = append(append(b, "Maestro "...), m.plan.WorkflowID...)
	if m.version > 0 {
		b = strconv.AppendInt(append(b, " v"...), m.version, 10)
	}
	b = strconv.AppendInt(append(b, " ("...), int64(len(m.plan.Steps)), 10)
	return string(append(b, " steps)"...))
}

// details are the static details Temporal's UI shows for a run.
func (m runMeta) details() string {
	p := m.plan
	size := 120 + len(p.WorkflowID) // what every run's details say, and a 12-character hash
	if p.Name != "" {
		size += 6 + len(p.Name)
	}
	if m.version > 0 {
		size += 29
	}
	if p.Owner != "" {
		size += 8 + len(p.Owner)
	}
	b := make([]byte, 0, size)
	if p.Name != "" {
		b = append(append(append(b, "**"...), p.Name...), "**\n\n"...)
	}
	b = append(append(append(b, "Maestro workflow `"...), p.WorkflowID...), '`')
	if m.version > 0 {
		b = strconv.AppendInt(append(b, " version "...), m.version, 10)
	}
	if p.Owner != "" {
		b = append(append(b, ", owner "...), p.Owner...)
	}
	hash, n := p.Hash, 0 // its first 12 characters
	for i := range hash {
		if n == 12 {
			hash = hash[:i]
			break
		}
		n++
	}
	b = append(append(b, ", plan "...), hash...)
	return string(append(b, ". The instance status is the search attribute BatonStatus and the current details."...))
}

// RunMetadata is the summary and the static details a start gives a run of
// plan (registry version, 0 if unknown) in Temporal's user metadata: what
// Temporal's UI shows for it. Hand-written code that wants to carry what
// a Baton start carries (the bench's features floor) uses it too.
func RunMetadata(plan *translator.Plan, version int64) (summary, details string) {
	m := runMeta{plan: plan, version: version}
	return m.summary(), m.details()
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
