package bench

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/workflows"
)

// partsInput tells the parts workflow what to do beyond the floor's
// empty workflow: upsert BatonStatus, return a result of Result bytes.
type partsInput struct {
	Upsert bool   `json:"upsert,omitempty"`
	Result int    `json:"result,omitempty"`
	Pad    string `json:"pad,omitempty"` // makes the input as large as Baton's
}

// startMeta picks what of a Baton start's metadata a variant carries.
type startMeta int

const (
	metaSearchAttributes startMeta = 1 << iota // BatonStatus and BatonWorkflowId
	metaSummary                                // the static summary and details
	metaInput                                  // an input as large as Baton's
	metaStatusOnly                             // BatonStatus alone
)

func partsWorkflow(ctx workflow.Context, in partsInput) (string, error) {
	if in.Upsert {
		if err := workflow.UpsertTypedSearchAttributes(ctx, workflows.SearchAttributeStatus.ValueSet(string(workflows.InstanceSucceeded))); err != nil {
			return "", err
		}
	}
	return strings.Repeat("x", in.Result), nil
}

// TestDiagStartParts is a diagnostic, skipped unless BATON_START_DIAG=1
// (BATON_START_REPS runs per variant, 200 by default; BATON_START_PARTS=
// floor,meta,sa,sa-status,summary,input,upsert,result,result-lean,all,all-lean,baton,baton-nosa
// picks variants, one for a CPU profile of it alone): it takes apart
// what a Baton start carries beyond the floor's empty workflow, with
// hand-written workflows that add one thing each (the start's search
// attributes, also BatonStatus alone, summary and details and a 460-byte
// input, together and each alone; the BatonStatus upsert; a 1.7 KB result, and the 370-byte lean
// one), beside Baton's own one-step run with and without its search
// attributes, run interleaved, and prints the p50 of each phase of a
// start (README, Performance, sessions 7 and 10). all-lean against baton
// is what Baton's own code costs; all-lean against floor what its features
// cost in hand-written code.
func TestDiagStartParts(t *testing.T) {
	ctx, sys, wire, reps := diagStartSystem(t)
	const queue = "diag-start-parts"
	w := sdkworker.New(sys.tc, queue, sdkworker.Options{})
	w.RegisterWorkflowWithOptions(partsWorkflow, workflow.RegisterOptions{Name: "diag.Parts"})
	require.NoError(t, w.Start())
	defer w.Stop()
	variant := func(name string, meta startMeta, in partsInput) *startTally {
		so := sdkclient.StartWorkflowOptions{TaskQueue: queue, EnableEagerStart: true}
		if meta&(metaSearchAttributes|metaStatusOnly) != 0 {
			sa := []temporal.SearchAttributeUpdate{workflows.SearchAttributeStatus.ValueSet(string(workflows.InProgress))}
			if meta&metaSearchAttributes != 0 {
				sa = append(sa, workflows.SearchAttributeWorkflowID.ValueSet("bench-chain-1"))
			}
			so.TypedSearchAttributes = temporal.NewSearchAttributes(sa...)
		}
		if meta&metaSummary != 0 {
			so.StaticSummary = "Maestro bench-chain-1 (1 steps)"
			so.StaticDetails = "**bench-chain-1**\n\nMaestro workflow `bench-chain-1`, plan e6ba6eb84bb0. The instance status is the search attribute BatonStatus and the current details."
		}
		if meta&metaInput != 0 {
			in.Pad = strings.Repeat("p", 420)
		}
		return &startTally{name: name, run: func() (string, string, error) {
			wr, err := sys.tc.ExecuteWorkflow(ctx, so, "diag.Parts", in)
			if err != nil {
				return "", "", err
			}
			var out string
			return wr.GetID(), wr.GetRunID(), wr.Get(ctx, &out)
		}}
	}
	plan, err := sys.compile(chainDef(1, typeNoOp))
	require.NoError(t, err)
	baton := func(name string, c *client.Client) *startTally {
		return &startTally{name: name, run: func() (string, string, error) {
			run, err := sys.runPlanWith(ctx, c, plan)
			if err != nil {
				return "", "", err
			}
			return run.ID(), run.RunID(), nil
		}}
	}
	const meta = metaSearchAttributes | metaSummary | metaInput
	all := []*startTally{
		variant("floor", 0, partsInput{}),
		variant("meta", meta, partsInput{}),
		variant("sa", metaSearchAttributes, partsInput{}),
		variant("sa-status", metaStatusOnly, partsInput{}),
		variant("summary", metaSummary, partsInput{}),
		variant("input", metaInput, partsInput{}),
		variant("upsert", 0, partsInput{Upsert: true}),
		variant("result", 0, partsInput{Result: 1700}),
		variant("result-lean", 0, partsInput{Result: 370}),
		variant("all", meta, partsInput{Upsert: true, Result: 1700}),
		variant("all-lean", meta, partsInput{Upsert: true, Result: 370}),
		baton("baton", sys.bc),
		baton("baton-nosa", sys.bcNoSA),
	}
	var vs []*startTally
	only := os.Getenv("BATON_START_PARTS")
	for _, v := range all {
		if only == "" || slices.Contains(strings.Split(only, ","), v.name) {
			vs = append(vs, v)
		}
	}
	for i := 0; i < reps+2; i++ { // two warm-up runs each, in an order rotated each time (as the bench's measure)
		for j := range vs {
			vs[(i+j)%len(vs)].once(t, wire, i >= 2)
		}
	}
	for _, v := range vs {
		fmt.Printf("== %-15s p50 wall %v, CPU per run %v; phases: %s; %s\n", v.name, median(v.wall),
			(v.cpu / time.Duration(v.runs)).Round(time.Microsecond), v.formatPhases(), formatSizes(v.calls, v.runs))
	}
}
