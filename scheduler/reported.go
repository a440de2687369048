package scheduler

import "go.temporal.io/sdk/workflow"

// changeReportedEnds makes a start take in the ends its caller reports
// (StartRequest.Ended) before it decides.
const changeReportedEnds = "queue-reported-ends"

// reportedEnds takes in the ends of running instances that the start's
// caller saw (it waited for their results and starts the next one): the
// queue would learn them only a moment later from its watch, and without
// them a start that finds every slot taken checks the running instances
// with a local activity (checkEnded), two more round trips to the server
// while the caller waits. A report counts only for an instance the queue
// counts as running, whose run it names: a later run than the last one the
// queue saw end (so the end of a run before a restart is not taken for the
// restart's), of the run id the queue knows, if it knows one, and not one
// whose child start is still to be issued.
func (q *queue) reportedEnds(ctx workflow.Context, ends []Ended) {
	if len(ends) == 0 || workflow.GetVersion(ctx, changeReportedEnds, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	taken := false
	for _, e := range ends {
		in := q.running(e.ID)
		if in == nil || in.Launch || !terminal(e.Status) || e.Run <= in.Run || in.RunID != "" && e.RunID != in.RunID {
			continue
		}
		q.ended = append(q.ended, ending{id: e.ID, status: e.Status, run: e.Run, reason: e.Reason})
		taken = true
	}
	if taken {
		q.settle(ctx)
	}
}

// terminal tells whether status is one an instance ends with.
func terminal(status string) bool {
	switch status {
	case StatusSucceeded, StatusFailed, StatusStopped, StatusTimedOut:
		return true
	}
	return false
}
