package batontest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/batontest"
	D "github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	W "github.com/batonhq/baton/workflows"
)

// TestRestart fails a run on purpose and restarts it from incomplete with
// a changed param: only the failed step and its downstream run again.
func TestRestart(t *testing.T) {
	env := batontest.New(t)
	env.Mock("Extract").Returns(map[string]any{"rows": 5})
	load := env.Mock("Load").Do(func(_ context.Context, s *activities.Step) (*activities.Result, error) {
		if broken, _ := s.Param("broken"); broken == true {
			return nil, activities.FatalError(errors.New("the target is broken"))
		}
		return &activities.Result{}, nil
	})
	def := D.NewWorkflow("restartable").Owner("me").
		Param("broken", D.Boolean(true)).
		Steps(
			D.NewStep("extract", "Extract").Param("rows", D.Long(0)).Next("load"),
			D.NewStep("load", "Load").Param("broken", D.Expr(sel.Boolean, "broken")),
		)
	first := env.Run(def, nil)
	first.RequireStatus(t, W.InstanceFailed)
	first.RequireStep(t, "load", W.FatallyFailed)

	second := env.Restart(first, W.RestartFromIncomplete, map[string]any{"broken": false})
	second.RequireStatus(t, W.InstanceSucceeded)
	require.Equal(t, 2, second.State.Run)
	require.Equal(t, 1, second.State.Step("extract").Run, "extract is kept")
	require.Equal(t, 2, second.State.Step("load").Run)
	require.Len(t, env.Mock("Extract").Calls(), 1)
	require.Len(t, load.Calls(), 2)

	third := env.Restart(second, W.RestartFromBeginning, nil)
	third.RequireStatus(t, W.InstanceSucceeded)
	require.Len(t, env.Mock("Extract").Calls(), 2)
}
