// Package batontest runs Baton definitions in Temporal's test environment
// (go.temporal.io/sdk/testsuite): no server, timers and retry backoffs
// skipped, a typical DAG test in milliseconds.
//
//	env := batontest.New(t)
//	env.Mock("LoadTable").Returns(map[string]any{"rows": 42}).FailsOn(activities.PlatformError(nil), 1)
//	res := env.Run(def, nil) // *definition.Request, *definition.WorkflowBuilder, *translator.Plan or JSON
//	res.RequireStatus(t, workflows.InstanceSucceeded)
//	res.RequireStep(t, "load", workflows.Succeeded)
//	res.RequireAttempts(t, "load", 2)
//
// An Env registers Baton's interpreter and built-in steps, real step types
// (Register) and mocked ones (Mock): a mock returns outputs, fails given
// attempts with a user, platform or fatal error, and takes virtual time
// (Takes), so step timeouts can be tested without waiting. Each Run starts
// a fresh TestWorkflowEnvironment; StopAfter and KillAfter stop or kill the
// run at a point of workflow time. Restart runs the next run of an ended
// one (RESTART_FROM_INCOMPLETE or RESTART_FROM_BEGINNING), as
// client.Restart does on a server.
//
// RecordHistory and Replay keep runs' histories as JSON and replay them
// against the current interpreter with worker.WorkflowReplayer, to catch
// non-deterministic changes.
package batontest
