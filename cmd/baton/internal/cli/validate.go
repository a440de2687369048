package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newValidateCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Validate definitions; every error with its path",
		Long: "Validate decodes, validates and compiles each definition and prints every\n" +
			"problem as FILE: PATH: REASON. It exits 1 if any file has a problem.",
		Example: "  baton validate flow.json\n  baton validate defs/*.json",
		Args:    cobra.MinimumNArgs(1),
		RunE: runE(func(_ *cobra.Command, files []string) int {
			code := exitOK
			for _, f := range files {
				plan, ok := loadPlan(f, a.errOut)
				if !ok {
					code = exitFailed
					continue
				}
				fmt.Fprintf(a.out, "%s: ok (%d steps, plan %s)\n", f, len(plan.Steps), short(plan.Hash))
				for _, w := range plan.Warnings {
					fmt.Fprintf(a.out, "%s: warning: %s\n", f, w)
				}
			}
			return code
		}),
	}
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}
