package workflows

import (
	"go.temporal.io/sdk/workflow"
)

// Legacy engine: replay only. Delete when no run started before
// ChangeEventEngine remains (no loop workflow without its marker).

// legacyForeach runs a foreach loop run's iterations with one coroutine
// each, as runs started before the event-driven engine did.
func legacyForeach(l *foreachLoop) {
	ctx := l.ctx
	done := workflow.NewBufferedChannel(ctx, l.conc+1)
	launch := func(pos int) error {
		run, id, i, err := l.iterationRun(ctx, pos)
		if err != nil {
			return err
		}
		cctx, cancel := withChildCancel(ctx)
		l.running[pos] = cancel
		workflow.Go(cctx, func(gctx workflow.Context) {
			st := runInline(gctx, run, id, l.tree)
			done.SendAsync(iterationDone{Index: i, Pos: pos, State: st})
		})
		return nil
	}
	for {
		l.fill(launch)
		if len(l.running) == 0 {
			return
		}
		var d iterationDone
		done.Receive(ctx, &d)
		l.finish(d)
	}
}
