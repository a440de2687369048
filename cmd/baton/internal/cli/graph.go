package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/translator"
)

func newGraphCmd(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "graph FILE",
		Short: "Render a definition's DAG as Mermaid or DOT",
		Long: "Graph prints a definition's DAG, edges labelled with their conditions, each\n" +
			"foreach or while body as a subgraph. It also draws definitions run refuses\n" +
			"(Kubernetes steps, signals...), printing the refusals as warnings.",
		Example: "  baton graph flow.json > flow.mmd\n" +
			"  baton graph flow.json --format dot | dot -Tsvg > flow.svg",
		Args: exactArgs(1, "one definition FILE"),
	}
	choiceFlag(cmd, &format, "format", "mermaid", "mermaid or dot", "mermaid", "dot")
	cmd.RunE = runE(func(_ *cobra.Command, args []string) int {
		if format != "mermaid" && format != "dot" {
			return a.usage("graph", fmt.Errorf("unknown --format %q (want mermaid or dot)", format))
		}
		plan, ok := loadSketch(args[0], a.errOut)
		if !ok {
			return exitFailed
		}
		if format == "dot" {
			fmt.Fprint(a.out, translator.DOT(plan))
		} else {
			fmt.Fprint(a.out, translator.Mermaid(plan))
		}
		return exitOK
	})
	return cmd
}
