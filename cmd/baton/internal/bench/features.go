package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"

	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

// startFeaturesMode is the start scenario's second floor row: a
// hand-written workflow that carries what a Baton start carries (its
// search attributes, summary and details, the same input bytes, the
// BatonStatus upsert and a result of the lean State's size) and does
// nothing else. Baton's start against it is what Baton's own code costs;
// it against the empty workflow is what those features cost in any
// Temporal code (issue 10's start target is against the empty one).
const startFeaturesMode = "features"

const floorFeaturesWorkflowName = "bench.FloorFeatures"

// featuresResultBytes is about the size of the lean State a one-step run
// returns (README, Performance, session 9: 372 bytes).
const featuresResultBytes = 372

// fiveStepResultBytes is about the size of the lean State a run of the
// throughput scenario's DAG of local activities returns (session 12: 524
// bytes, TestDiagStart's history shape of one such run).
const fiveStepResultBytes = 524

// floorFeaturesInput is the features workflow's input: Baton's run input
// for the same plan, as bytes, so the start request, the history and the
// eager task carry the same payload.
type floorFeaturesInput struct {
	Run    json.RawMessage `json:"run"`
	Result int             `json:"result"`
	// Steps, if set, are the floor workflow's steps, run first.
	Steps *floorInput `json:"steps,omitempty"`
}

// floorFeaturesWorkflow runs its steps as the floor workflow does, then
// upserts BatonStatus as a run's last task does and returns Result bytes
// of its input (real JSON, as a State is).
func floorFeaturesWorkflow(ctx workflow.Context, in floorFeaturesInput) (string, error) {
	if in.Steps != nil {
		if err := floorWorkflow(ctx, *in.Steps); err != nil {
			return "", err
		}
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, workflows.SearchAttributeStatus.ValueSet(string(workflows.InstanceSucceeded))); err != nil {
		return "", err
	}
	return string(in.Run[:min(len(in.Run), in.Result)]), nil
}

// featuresVariant is the start scenario's features row for the plan of
// def (a compile error is the row's error, as in planVariantWith).
func (b *bench) featuresVariant(def []byte) variant {
	r := &Row{Scenario: ScenarioStart, System: "floor", Mode: startFeaturesMode, N: 1}
	run, err := b.featuresRun(def, featuresResultBytes, nil)
	if err != nil {
		r.Error = err.Error()
		return variant{row: r, sys: b.baton}
	}
	return variant{row: r, sys: b.baton, fn: run}
}

// featuresRun is one run of the features workflow for the plan of def:
// Baton's run input for it, a result of result bytes, and steps (if not
// nil) run first.
func (b *bench) featuresRun(def []byte, result int, steps *floorInput) (func(context.Context) error, error) {
	sys := b.baton
	plan, in, err := sys.featuresInput(def, result, steps)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		_, _, err := sys.runFloorFeatures(ctx, plan, in)
		return err
	}, nil
}

// featuresInput is the features workflow's plan and input for def: Baton's
// run input for the plan, a result of result bytes, and steps (if not nil)
// run first.
func (s *system) featuresInput(def []byte, result int, steps *floorInput) (*translator.Plan, floorFeaturesInput, error) {
	plan, err := s.compile(def)
	if err != nil {
		return nil, floorFeaturesInput{}, fmt.Errorf("compile: %w", err)
	}
	run, err := json.Marshal(workflows.RunInput{Plan: plan, Initiator: "MANUAL", LeanLocal: workflows.LeanLocalInput,
		BreakpointsRead: true, Compact: true, LeanResult: true, ResultFormat: workflows.ChainedStateFormat})
	if err != nil {
		return nil, floorFeaturesInput{}, fmt.Errorf("input: %w", err)
	}
	return plan, floorFeaturesInput{Run: run, Result: result, Steps: steps}, nil
}

// runFloorFeatures runs the features workflow with the search attributes
// and user metadata a Baton client gives a run of plan (client/observe.go)
// and waits for it; it returns the workflow id and run id, as
// runFloorWorkflow does.
func (s *system) runFloorFeatures(ctx context.Context, plan *translator.Plan, in floorFeaturesInput) (id, runID string, err error) {
	so := sdkclient.StartWorkflowOptions{
		ID:               plan.WorkflowID + "/" + newRunSuffix(),
		TaskQueue:        taskQueue,
		EnableEagerStart: s.eager,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.SearchAttributeStatus.ValueSet(string(workflows.InProgress)),
			workflows.SearchAttributeWorkflowID.ValueSet(plan.WorkflowID)),
	}
	so.StaticSummary, so.StaticDetails = client.RunMetadata(plan, 0)
	wr, err := s.tc.ExecuteWorkflow(ctx, so, floorFeaturesWorkflowName, in)
	if err != nil {
		return "", "", err
	}
	var out string
	return wr.GetID(), wr.GetRunID(), wr.Get(ctx, &out)
}

// newRunSuffix is a random suffix of the shape a Baton client gives a
// run's workflow id (12 random bytes in hex).
func newRunSuffix() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
