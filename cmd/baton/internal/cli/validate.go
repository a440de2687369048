package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/batonhq/baton/translator"
)

func validateCmd(_ context.Context, args []string, out, errOut io.Writer) int {
	fs := newFlagSet("validate", errOut, "FILE...")
	files, err := parseArgs(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(files) == 0 {
		fs.Usage()
		return exitUsage
	}
	code := exitOK
	for _, f := range files {
		plan, ok := loadPlan(f, errOut)
		if !ok {
			code = exitFailed
			continue
		}
		fmt.Fprintf(out, "%s: ok (%d steps, plan %s)\n", f, len(plan.Steps), short(plan.Hash))
		for _, w := range plan.Warnings {
			fmt.Fprintf(out, "%s: warning: %s\n", f, w)
		}
	}
	return code
}

func graphCmd(_ context.Context, args []string, out, errOut io.Writer) int {
	fs := newFlagSet("graph", errOut, "FILE [--format mermaid|dot]")
	format := fs.String("format", "mermaid", "mermaid or dot")
	files, err := parseArgs(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(files) != 1 {
		fs.Usage()
		return exitUsage
	}
	plan, ok := loadSketch(files[0], errOut)
	if !ok {
		return exitFailed
	}
	switch *format {
	case "mermaid":
		fmt.Fprint(out, translator.Mermaid(plan))
	case "dot":
		fmt.Fprint(out, translator.DOT(plan))
	default:
		fmt.Fprintf(errOut, "baton graph: unknown --format %q (want mermaid or dot)\n", *format)
		return exitUsage
	}
	return exitOK
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}
