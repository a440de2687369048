package main

import (
	"testing"

	"github.com/batonhq/baton/batontest"
	W "github.com/batonhq/baton/workflows"
)

// The same DAG as main.go, tested without a server: the real CountRows,
// then a mock of it. Sleep's timer is skipped by the test environment.
func TestDiamondFullBranch(t *testing.T) {
	env := batontest.New(t).Register("CountRows", CountRows)
	res := env.Run(Definition(10), nil)
	res.RequireStatus(t, W.InstanceSucceeded)
	res.RequireSteps(t, map[string]W.StepStatus{
		"count": W.Succeeded, "full": W.Succeeded, "partial": W.Unsatisfied, "publish": W.Succeeded})
	res.RequireParam(t, "count", "rows", 60) // "events" has 6 letters
	res.RequireParam(t, "publish", "summary", "published 60 rows")
}

func TestDiamondPartialBranchAfterPlatformErrors(t *testing.T) {
	env := batontest.New(t)
	env.Mock("CountRows").Returns(map[string]any{"rows": 3}).PlatformErrorOn(1, 2)
	res := env.Run(Definition(10), nil)
	res.RequireStatus(t, W.InstanceSucceeded)
	res.RequireAttempts(t, "count", 3)
	res.RequireRetries(t, "count", W.Retries{Platform: 2})
	res.RequireStep(t, "full", W.Unsatisfied)
	res.RequireStep(t, "partial", W.Succeeded)
	res.RequireStep(t, "publish", W.Succeeded)
}

func TestDiamondRunParam(t *testing.T) {
	env := batontest.New(t).Register("CountRows", CountRows)
	res := env.Run(Definition(10), map[string]any{"min_rows": 100})
	res.RequireStep(t, "full", W.Unsatisfied)
	res.RequireStep(t, "partial", W.Succeeded)
}

func TestDiamondPlatformRetriesExhausted(t *testing.T) {
	env := batontest.New(t)
	env.Mock("CountRows").PlatformErrorOn(1, 2, 3, 4)
	res := env.Run(Definition(10), nil)
	res.RequireStatus(t, W.InstanceFailed)
	res.RequireStep(t, "count", W.FatallyFailed)
	res.RequireSteps(t, map[string]W.StepStatus{"full": W.NotCreated, "partial": W.NotCreated, "publish": W.NotCreated})
}
