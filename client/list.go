package client

import (
	"context"
	"fmt"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/batonhq/baton/internal/retry"
	"github.com/batonhq/baton/workflows"
)

// RunInfo is what Temporal's visibility store knows of a run, without
// asking a worker.
type RunInfo struct {
	// ID and RunID name the Temporal execution.
	ID    string `json:"id"`
	RunID string `json:"run_id"`
	// WorkflowID is the Maestro workflow id (BatonWorkflowId).
	WorkflowID string `json:"workflow_id,omitempty"`
	// Version is the registry version (BatonVersion), 0 if unknown.
	Version int64 `json:"version,omitempty"`
	// Status is the Maestro instance status (BatonStatus). For a run
	// without Baton's search attributes it is derived from the Temporal
	// status where that decides it, else "".
	Status workflows.InstanceStatus `json:"status,omitempty"`
	// TemporalStatus is the Temporal execution status (RUNNING, COMPLETED, ...).
	TemporalStatus string     `json:"temporal_status"`
	StartTime      time.Time  `json:"start_time"`
	CloseTime      *time.Time `json:"close_time,omitempty"`
	// ParentID is the workflow id of the parent run of a subworkflow run.
	ParentID string `json:"parent_id,omitempty"`
}

// ListOptions filter List. Filters on Maestro fields need the namespace
// to have Baton's search attributes.
type ListOptions struct {
	// WorkflowID keeps the runs of one Maestro workflow id.
	WorkflowID string
	// Statuses keeps the runs in any of these instance statuses.
	Statuses []workflows.InstanceStatus
	// Query is a further Temporal visibility query, ANDed with the rest
	// (e.g. "StartTime > '2026-01-01T00:00:00Z'").
	Query string
	// Limit caps the runs returned (default 100).
	Limit int
}

// ListQuery is the visibility query List sends for opts.
func ListQuery(opts ListOptions) (string, error) {
	parts := []string{fmt.Sprintf("WorkflowType = '%s'", workflows.WorkflowName)}
	if opts.WorkflowID != "" {
		if err := checkQueryValue("workflow id", opts.WorkflowID); err != nil {
			return "", err
		}
		parts = append(parts, fmt.Sprintf("%s = '%s'", workflows.SearchAttributeWorkflowID.GetName(), opts.WorkflowID))
	}
	if len(opts.Statuses) > 0 {
		quoted := make([]string, len(opts.Statuses))
		for i, s := range opts.Statuses {
			if err := checkQueryValue("status", string(s)); err != nil {
				return "", err
			}
			quoted[i] = "'" + string(s) + "'"
		}
		parts = append(parts, fmt.Sprintf("%s IN (%s)", workflows.SearchAttributeStatus.GetName(), strings.Join(quoted, ", ")))
	}
	if q := strings.TrimSpace(opts.Query); q != "" {
		parts = append(parts, "("+q+")")
	}
	return strings.Join(parts, " AND "), nil
}

func checkQueryValue(what, v string) error {
	if strings.ContainsAny(v, `'"\`) {
		return fmt.Errorf("baton: list: %s %q: quotes and backslashes are not allowed", what, v)
	}
	return nil
}

// List lists runs from Temporal's visibility store, newest first. It
// reads no workflow state, so it needs no worker; visibility lags the
// runs by a moment.
func (c *Client) List(ctx context.Context, opts ListOptions) ([]RunInfo, error) {
	query, err := ListQuery(opts)
	if err != nil {
		return nil, err
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = 100
	}
	var runs []RunInfo
	var token []byte
	for len(runs) < limit {
		resp, err := c.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: query, PageSize: int32(min(limit-len(runs), 1000)), NextPageToken: token,
		})
		if err != nil {
			if isUnknownSearchAttribute(err) || strings.Contains(err.Error(), "Baton") {
				return nil, fmt.Errorf("baton: list: %w (does the namespace have Baton's search attributes? see the README)", err)
			}
			return nil, fmt.Errorf("baton: list: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			runs = append(runs, runInfo(e))
		}
		token = resp.GetNextPageToken()
		if len(token) == 0 {
			break
		}
	}
	if len(runs) > limit {
		runs = runs[:limit]
	}
	return runs, nil
}

// Describe returns what visibility and the run know of one run: its
// RunInfo, the summary it was started with, and its State (the result of
// an ended run, else a query answered by a worker). runID "" means the
// latest run of the id.
func (c *Client) Describe(ctx context.Context, id, runID string) (*RunDescription, error) {
	resp, err := c.tc.DescribeWorkflowExecution(ctx, id, runID)
	if err != nil {
		return nil, fmt.Errorf("baton: describe %s: %w", id, err)
	}
	info := resp.GetWorkflowExecutionInfo()
	if t := info.GetType().GetName(); t != workflows.WorkflowName {
		return nil, fmt.Errorf("baton: describe %s: it is a %s workflow, not a run of %s", id, t, workflows.WorkflowName)
	}
	d := &RunDescription{RunInfo: runInfo(info), HistoryLength: info.GetHistoryLength()}
	if md := resp.GetExecutionConfig().GetUserMetadata(); md != nil {
		_ = converter.GetDefaultDataConverter().FromPayload(md.GetSummary(), &d.Summary)
	}
	run := c.GetRun(id, d.RunID)
	switch info.GetStatus() {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		d.State, err = run.State(ctx)
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		d.State, err = run.Wait(ctx)
	default:
		return d, nil // failed, terminated, ...: no final state
	}
	if err != nil {
		return d, fmt.Errorf("baton: describe %s: %w", id, err)
	}
	if d.Status == "" || d.Status == workflows.InProgress {
		d.Status = d.State.Status
	}
	return d, nil
}

// RunDescription is Describe's answer.
type RunDescription struct {
	RunInfo
	Summary       string           `json:"summary,omitempty"`
	HistoryLength int64            `json:"history_length"`
	State         *workflows.State `json:"state,omitempty"`
}

func runInfo(e *workflowpb.WorkflowExecutionInfo) RunInfo {
	ri := RunInfo{
		ID:             e.GetExecution().GetWorkflowId(),
		RunID:          e.GetExecution().GetRunId(),
		TemporalStatus: strings.TrimPrefix(enumspb.WorkflowExecutionStatus_name[int32(e.GetStatus())], "WORKFLOW_EXECUTION_STATUS_"),
		StartTime:      e.GetStartTime().AsTime(),
		ParentID:       e.GetParentExecution().GetWorkflowId(),
	}
	if e.GetCloseTime() != nil {
		t := e.GetCloseTime().AsTime()
		ri.CloseTime = &t
	}
	sa := e.GetSearchAttributes()
	ri.WorkflowID, _ = searchAttributeString(sa, workflows.SearchAttributeWorkflowID.GetName())
	ri.Version, _ = searchAttributeInt(sa, workflows.SearchAttributeVersion.GetName())
	if s, ok := searchAttributeString(sa, workflows.SearchAttributeStatus.GetName()); ok {
		ri.Status = workflows.InstanceStatus(s)
	}
	// A Temporal status other than RUNNING or COMPLETED decides the
	// instance status: the interpreter never ended the run itself.
	switch e.GetStatus() {
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		ri.Status = workflows.InstanceFailed
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		ri.Status = workflows.InstanceStopped
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		ri.Status = workflows.InstanceTimedOut
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		if ri.Status == "" {
			ri.Status = workflows.InProgress
		}
	}
	return ri
}

func searchAttributeString(sa *commonpb.SearchAttributes, name string) (string, bool) {
	p := sa.GetIndexedFields()[name]
	if p == nil {
		return "", false
	}
	var s string
	if err := converter.GetDefaultDataConverter().FromPayload(p, &s); err != nil {
		return "", false
	}
	return s, true
}

func searchAttributeInt(sa *commonpb.SearchAttributes, name string) (int64, bool) {
	p := sa.GetIndexedFields()[name]
	if p == nil {
		return 0, false
	}
	var n int64
	if err := converter.GetDefaultDataConverter().FromPayload(p, &n); err != nil {
		return 0, false
	}
	return n, true
}

// LoopProgress asks the loop workflow of a foreach or while step of the
// run for its progress (workflows.QueryLoop). It fails when the loop
// workflow has not started or a worker cannot answer.
func (r *Run) LoopProgress(ctx context.Context, stepID string) (*workflows.LoopProgress, error) {
	v, err := retry.NotReady(ctx, "query "+workflows.QueryLoop, func() (converter.EncodedValue, error) {
		return r.c.tc.QueryWorkflow(ctx, r.id+"/"+stepID, "", workflows.QueryLoop)
	})
	if err != nil {
		return nil, fmt.Errorf("baton: query loop %s of run %s: %w", stepID, r.id, err)
	}
	var p workflows.LoopProgress
	if err := v.Get(&p); err != nil {
		return nil, fmt.Errorf("baton: decode loop progress %s of run %s: %w", stepID, r.id, err)
	}
	for k := range p.Shards { // a wide foreach's shards run its iterations
		shard := workflows.ShardID(r.id+"/"+stepID, k+1)
		v, err := retry.NotReady(ctx, "query "+workflows.QueryLoop, func() (converter.EncodedValue, error) {
			return r.c.tc.QueryWorkflow(ctx, shard, "", workflows.QueryLoop)
		})
		var sp workflows.LoopProgress
		if err == nil {
			err = v.Get(&sp)
		}
		if err != nil {
			return nil, fmt.Errorf("baton: query loop %s of run %s: shard %s: %w", stepID, r.id, shard, err)
		}
		p.AddShard(sp)
	}
	return &p, nil
}
