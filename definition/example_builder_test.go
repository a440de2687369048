package definition_test

import (
	"fmt"
	"sort"
	"time"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
)

// A diamond DAG with a condition: b runs only if x > 3; d joins b and c.
func ExampleNewWorkflow() {
	req, err := definition.NewWorkflow("diamond").Owner("me").
		Param("x", definition.Long(5)).
		Steps(
			definition.NoOp("a").Then("b", "x > 3").Next("c"),
			definition.Sleep("b", 1).Next("d"),
			definition.NewStep("c", "LoadTable").Param("table", definition.String("events")).
				Retry(definition.Retries().ErrorLimit(3).Fixed().ErrorBackoff(10)).
				Timeout(time.Minute).Next("d"),
			definition.NoOp("d").FailureMode(definition.IgnoreFailure),
		).Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range req.Workflow.Steps {
		fmt.Print(s.ID, " (", s.Type, ")")
		for _, e := range s.Transition.Successors {
			fmt.Printf(" -> %s if %s", e.To, e.Condition)
		}
		fmt.Println()
	}
	// Output:
	// a (NoOp) -> b if x > 3 -> c if true
	// b (Sleep) -> d if true
	// c (LoadTable) -> d if true
	// d (NoOp)
}

// Build reports every problem at once, each with its path.
func ExampleWorkflowBuilder_Build() {
	_, err := definition.NewWorkflow("broken").
		Steps(
			definition.NoOp("a").Next("nowhere"),
			definition.NoOp("b").Concurrency(3),
		).Build()
	fmt.Println(err)
	// Output:
	// 2 errors:
	//   workflow.steps[1].step.concurrency: not a field of a step step (only of foreach)
	//   workflow.steps[0].step.transition.successors["nowhere"]: no such step
}

// A builder's request encodes to Maestro JSON.
func ExampleEncode() {
	req, _ := definition.NewWorkflow("hello").
		Param("who", definition.Expr(sel.String, "'world'").Mode(definition.Constant)).
		Steps(definition.NoOp("greet")).Build()
	data, _ := definition.Encode(req)
	fmt.Println(string(data))
	// Output:
	// {
	//   "workflow": {
	//     "id": "hello",
	//     "params": {
	//       "who": {
	//         "expression": "'world'",
	//         "type": "STRING",
	//         "mode": "CONSTANT"
	//       }
	//     },
	//     "steps": [
	//       {
	//         "step": {
	//           "id": "greet",
	//           "type": "NoOp"
	//         }
	//       }
	//     ]
	//   }
	// }
}

// Foreach and while steps carry their loop params and an inner DAG.
func ExampleForeach() {
	req, err := definition.NewWorkflow("backfill").
		Steps(
			definition.Foreach("days").Concurrency(2).
				Loop("day", definition.Expr(sel.LongArray, "Util.dateIntsBetween(20240101, 20240104, 1)")).
				Steps(definition.NewStep("load", "LoadDay").Param("date", definition.Expr(sel.Long, "day"))),
			definition.While("poll", "tries < 3").
				Loop("tries", definition.Long(0)).
				Steps(definition.NoOp("check").Param("tries", definition.Expr(sel.Long, "tries + 1"))),
		).Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range req.Workflow.Steps {
		fmt.Println(s.Kind, s.ID, "loops over", sortedNames(s.Params["loop_params"].Value.(definition.Params)), "running", s.Steps[0].ID)
	}
	// Output:
	// foreach days loops over [day] running load
	// while poll loops over [tries] running check
}

func sortedNames(ps definition.Params) []string {
	var names []string
	for n := range ps {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
