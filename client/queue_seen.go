package client

import (
	"sync"

	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/workflows"
)

// Bounds of what a client remembers of the runs it saw end.
const (
	seenPerWorkflow = 16
	seenWorkflows   = 256
)

// seenEnds are the ends of queued runs a client waited for, by workflow
// id, until its next start through that workflow id's queue reports them
// (scheduler.StartRequest.Ended): a caller that waited for one instance's
// result and starts the next spares the queue its check of the running
// instances.
type seenEnds struct {
	mu sync.Mutex
	by map[string][]scheduler.Ended
}

// add remembers that a run of instance id of workflowID ended as st.
func (s *seenEnds) add(workflowID, id, runID string, st *workflows.State) {
	if st == nil || st.Run == 0 {
		return
	}
	e := scheduler.Ended{ID: id, RunID: runID, Status: string(st.Status), Run: st.Run, Reason: st.Error}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.by == nil {
		s.by = map[string][]scheduler.Ended{}
	}
	if _, ok := s.by[workflowID]; !ok && len(s.by) >= seenWorkflows {
		for k := range s.by { // forget one workflow id's: it only costs a check
			delete(s.by, k)
			break
		}
	}
	list := append(s.by[workflowID], e)
	if len(list) > seenPerWorkflow {
		list = list[len(list)-seenPerWorkflow:]
	}
	s.by[workflowID] = list
}

// take returns and forgets what was seen of workflowID.
func (s *seenEnds) take(workflowID string) []scheduler.Ended {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.by[workflowID]
	delete(s.by, workflowID)
	return list
}
