// Command diamond builds a diamond DAG with Baton's Go builder, registers a
// custom step type and runs the DAG on a Temporal cluster.
//
//	cd cmd/baton && go run . dev          # in one terminal: a local Temporal server on localhost:7233
//	go run ./samples/diamond              # in another, from the repository root
//	go run ./samples/diamond --min-rows 100
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/worker"
	"github.com/batonhq/baton/workflows"
)

// Definition is the DAG: count the rows of a table; take the "full" branch
// if there are at least min_rows of them, else the "partial" one; both
// join at publish, which runs if either edge was taken.
//
//	count --(rows >= min_rows)--> full ----\
//	      \--(rows < min_rows)--> partial --> publish
func Definition(minRows int64) *definition.WorkflowBuilder {
	return definition.NewWorkflow("diamond").Owner("samples").
		Param("min_rows", definition.Long(minRows)).
		Steps(
			definition.NewStep("count", "CountRows").
				Param("table", definition.String("events")).
				Param("rows", definition.Long(0)). // MUTABLE: CountRows sets it
				Retry(definition.Retries().PlatformLimit(3).Fixed().PlatformBackoff(1)).
				Timeout(30*time.Second).
				Then("full", "rows >= min_rows").
				Then("partial", "rows < min_rows"),
			definition.NoOp("full").Next("publish"),
			definition.NoOp("partial").Next("publish"),
			definition.Sleep("publish", 1).
				Param("summary", definition.Expr(sel.String, "'published ' + count__rows + ' rows'")),
		)
}

// CountRows is the custom step type: it "counts" the rows of its table
// param and returns them as the output param rows.
var CountRows = activities.StepFunc(func(ctx context.Context, s *activities.Step) (*activities.Result, error) {
	table := s.String("table")
	if table == "" {
		return nil, activities.FatalError(fmt.Errorf("no table given"))
	}
	rows := int64(len(table)) * 10 // a stand-in for a real query
	return &activities.Result{Outputs: map[string]any{"rows": rows}}, nil
})

func main() {
	address := flag.String("address", "localhost:7233", "Temporal frontend host:port (start one with `baton dev`)")
	namespace := flag.String("namespace", "default", "Temporal namespace")
	minRows := flag.Int64("min-rows", 10, "rows needed for the full branch")
	flag.Parse()
	if err := run(*address, *namespace, *minRows); err != nil {
		fmt.Fprintln(os.Stderr, "diamond:", err)
		os.Exit(1)
	}
}

func run(address, namespace string, minRows int64) error {
	req, err := Definition(minRows).Build()
	if err != nil {
		return err // every problem, with its path
	}
	tc, err := sdkclient.Dial(sdkclient.Options{HostPort: address, Namespace: namespace, Logger: worker.NewLogger(nil)})
	if err != nil {
		return fmt.Errorf("connect to %s (is `baton dev` running?): %w", address, err)
	}
	defer tc.Close()

	w, err := worker.New(tc, worker.Options{StepTypes: map[string]activities.StepType{"CountRows": CountRows}})
	if err != nil {
		return err
	}
	if err := w.Start(); err != nil {
		return err
	}
	defer w.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bc := client.New(tc, client.Options{EagerStart: true})
	r, _, err := bc.StartDefinition(ctx, req, client.StartOptions{})
	if err != nil {
		return err
	}
	fmt.Printf("started %s (run %s)\n", r.ID(), r.RunID())
	st, err := r.Wait(ctx)
	if err != nil {
		return err
	}
	for _, s := range st.Steps {
		fmt.Printf("  %-8s %-12s attempts=%d %s\n", s.ID, s.Status, s.Attempts, s.Error)
	}
	fmt.Println("instance:", st.Status, "-", st.Step("publish").Params["summary"].Value)
	if st.Status != workflows.InstanceSucceeded {
		return fmt.Errorf("run ended %s", st.Status)
	}
	return nil
}
