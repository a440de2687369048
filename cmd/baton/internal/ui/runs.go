package ui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

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
	Version    string     `json:"version"`     // run number and plan hash
	Status     string     `json:"status"`      // the Maestro instance status
	Start      time.Time  `json:"start"`
	End        *time.Time `json:"end,omitempty"`
	Duration   string     `json:"duration"`
}

// listRuns lists the newest runs of the interpreter through Temporal's
// visibility (WorkflowType = baton.Run) and asks each for its Maestro state.
// status and contains filter by Maestro status and by Temporal workflow id.
func (s *Server) listRuns(ctx context.Context, status, contains string) ([]runSummary, error) {
	query := fmt.Sprintf("WorkflowType = '%s'", workflows.WorkflowName)
	if status == string(workflows.InProgress) {
		query += " AND ExecutionStatus = 'Running'"
	}
	var rows []runSummary
	var token []byte
	for len(rows) < maxListed {
		resp, err := s.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: s.namespace, Query: query, PageSize: maxListed, NextPageToken: token,
		})
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			id := e.GetExecution().GetWorkflowId()
			if contains != "" && !strings.Contains(id, contains) {
				continue
			}
			r := runSummary{ID: id, RunID: e.GetExecution().GetRunId(), Start: e.GetStartTime().AsTime(), Status: e.GetStatus().String()}
			if e.GetCloseTime() != nil {
				end := e.GetCloseTime().AsTime()
				r.End = &end
			}
			rows = append(rows, r)
			if len(rows) == maxListed {
				break
			}
		}
		token = resp.GetNextPageToken()
		if len(token) == 0 {
			break
		}
	}
	s.fillStates(ctx, rows)
	if status != "" {
		kept := rows[:0]
		for _, r := range rows {
			if r.Status == status {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	return rows, nil
}

// fillStates asks each run for its state, a few at a time, and fills in
// the Maestro view. A run that does not answer keeps Temporal's status.
func (s *Server) fillStates(ctx context.Context, rows []runSummary) {
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range rows {
		wg.Add(1)
		sem <- struct{}{}
		go func(r *runSummary) {
			defer func() { <-sem; wg.Done() }()
			qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			defer cancel()
			st, err := s.state(qctx, r.ID, r.RunID)
			if err != nil {
				r.Status = "UNKNOWN (" + strings.ToLower(strings.TrimPrefix(r.Status, "WORKFLOW_EXECUTION_STATUS_")) + ")"
				return
			}
			r.WorkflowID, r.Status = st.WorkflowID, string(st.Status)
			r.Version = fmt.Sprintf("run %d", max(st.Run, 1))
			if len(st.PlanHash) >= 8 {
				r.Version += ", plan " + st.PlanHash[:8]
			}
			end := time.Now()
			if st.EndTime != nil {
				end = *st.EndTime
			} else if r.End != nil {
				end = *r.End
			}
			r.Duration = end.Sub(r.Start).Round(time.Millisecond).String()
		}(&rows[i])
	}
	wg.Wait()
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Start.After(rows[j].Start) })
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
	v, err := s.tc.QueryWorkflow(ctx, childID, "", workflows.QueryLoopProgress)
	if err != nil {
		return nil
	}
	var p workflows.LoopProgress
	if v.Get(&p) != nil {
		return nil
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
