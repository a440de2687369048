package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/converter"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

// maxListed bounds the runs one list page shows (and queries).
const maxListed = 200

// runSummary is one row of the run list.
type runSummary struct {
	ID         string     `json:"id"`
	RunID      string     `json:"run_id"`
	WorkflowID string     `json:"workflow_id"` // the Maestro workflow id
	Version    string     `json:"version"`     // the registry version, if known
	Status     string     `json:"status"`      // the Maestro instance status
	Start      time.Time  `json:"start"`
	End        *time.Time `json:"end,omitempty"`
	Duration   string     `json:"duration"`
}

// listRuns lists the newest runs through client.List (Temporal visibility
// with Baton's search attributes: BatonStatus, BatonWorkflowId,
// BatonVersion). status filters by Maestro status there; contains keeps
// runs whose Temporal or Maestro workflow id contains it. A run without
// Baton's search attributes (started by an older client) is asked for its
// state instead.
func (s *Server) listRuns(ctx context.Context, status, contains string) ([]runSummary, error) {
	opts := client.ListOptions{Limit: maxListed}
	if status != "" {
		if !slices.Contains(statuses, workflows.InstanceStatus(status)) {
			return nil, fmt.Errorf("unknown status %q", status)
		}
		opts.Statuses = []workflows.InstanceStatus{workflows.InstanceStatus(status)}
	}
	runs, err := s.baton.List(ctx, opts)
	if err != nil {
		return nil, err
	}
	rows := make([]runSummary, 0, len(runs))
	for _, r := range runs {
		if contains != "" && !strings.Contains(r.ID, contains) && !strings.Contains(r.WorkflowID, contains) {
			continue
		}
		row := runSummary{ID: r.ID, RunID: r.RunID, WorkflowID: r.WorkflowID, Status: string(r.Status), Start: r.StartTime, End: r.CloseTime}
		if r.Version > 0 {
			row.Version = fmt.Sprintf("v%d", r.Version)
		}
		end := time.Now()
		if r.CloseTime != nil {
			end = *r.CloseTime
		}
		row.Duration = end.Sub(r.StartTime).Round(time.Millisecond).String()
		rows = append(rows, row)
	}
	s.fillStates(ctx, rows)
	return rows, nil
}

// fillStates asks the runs that carry no Maestro status for their state, a
// few at a time.
func (s *Server) fillStates(ctx context.Context, rows []runSummary) {
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range rows {
		if rows[i].Status != "" && rows[i].WorkflowID != "" {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(r *runSummary) {
			defer func() { <-sem; wg.Done() }()
			qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			defer cancel()
			st, err := s.state(qctx, r.ID, r.RunID)
			if err != nil {
				if r.Status == "" {
					r.Status = "UNKNOWN"
				}
				return
			}
			r.WorkflowID, r.Status = st.WorkflowID, string(st.Status)
		}(&rows[i])
	}
	wg.Wait()
}

// state queries a run's Maestro state.
func (s *Server) state(ctx context.Context, id, runID string) (*workflows.State, error) {
	v, err := s.tc.QueryWorkflow(ctx, id, runID, workflows.QueryState)
	if err != nil {
		return nil, err
	}
	var st workflows.State
	if err := v.Get(&st); err != nil {
		return nil, fmt.Errorf("decode state: %w", err)
	}
	return &st, nil
}

// loopProgress queries a running loop step's child workflow for its
// progress; nil if it does not answer (not started, or ended).
func (s *Server) loopProgress(ctx context.Context, childID string) *workflows.LoopProgress {
	v, err := s.tc.QueryWorkflow(ctx, childID, "", workflows.QueryLoop)
	if err != nil {
		return nil
	}
	var p workflows.LoopProgress
	if v.Get(&p) != nil {
		return nil
	}
	for k := range p.Shards { // a wide foreach's shards run its iterations
		if sp := s.loopProgress(ctx, workflows.ShardID(childID, k+1)); sp != nil {
			p.AddShard(*sp)
		}
	}
	return &p
}

// errNotBaton is returned for a workflow that is not a Baton run.
var errNotBaton = errors.New("not a Baton run (workflow type baton.Run)")

// plan reads a run's plan from the input of its first history event; plans
// are immutable, so they are cached by run id.
func (s *Server) plan(ctx context.Context, id, runID string) (*translator.Plan, string, error) {
	if runID == "" {
		d, err := s.tc.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			return nil, "", fmt.Errorf("describe %s: %w", id, err)
		}
		runID = d.GetWorkflowExecutionInfo().GetExecution().GetRunId()
	}
	if p, ok := s.plans.get(runID); ok {
		return p, runID, nil
	}
	it := s.tc.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !it.HasNext() {
		return nil, "", fmt.Errorf("run %s has no history", id)
	}
	ev, err := it.Next()
	if err != nil {
		return nil, "", fmt.Errorf("history of %s: %w", id, err)
	}
	started := ev.GetWorkflowExecutionStartedEventAttributes()
	if started == nil || started.GetWorkflowType().GetName() != workflows.WorkflowName {
		return nil, "", fmt.Errorf("%s: %w", id, errNotBaton)
	}
	var in workflows.RunInput
	if err := converter.GetDefaultDataConverter().FromPayloads(started.GetInput(), &in); err != nil {
		return nil, "", fmt.Errorf("decode the input of %s: %w", id, err)
	}
	if in.Plan == nil {
		return nil, "", fmt.Errorf("run %s has no plan", id)
	}
	s.plans.put(runID, in.Plan)
	return in.Plan, runID, nil
}

// planCache keeps the plans of the last runs looked at.
type planCache struct {
	mu    sync.Mutex
	order []string
	plans map[string]*translator.Plan
}

const planCacheSize = 64

func (c *planCache) get(runID string) (*translator.Plan, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.plans[runID]
	return p, ok
}

func (c *planCache) put(runID string, p *translator.Plan) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.plans == nil {
		c.plans = map[string]*translator.Plan{}
	}
	if _, ok := c.plans[runID]; ok {
		return
	}
	if len(c.order) == planCacheSize {
		delete(c.plans, c.order[0])
		c.order = c.order[1:]
	}
	c.order = append(c.order, runID)
	c.plans[runID] = p
}
