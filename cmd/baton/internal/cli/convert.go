package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/batonhq/baton/definition"
)

// convertCmd writes a definition (JSON or YAML) as Maestro JSON or in the
// YAML DSL. The result compiles to the same plan (same hash).
func convertCmd(_ context.Context, args []string, out, errOut io.Writer) int {
	fs := newFlagSet("convert", errOut, "FILE --to json|yaml\n\nWrites FILE (JSON or the YAML DSL) to stdout in the other form; the result\ncompiles to the same plan. Fields the DSL has no key for go under __json.")
	to := fs.String("to", "", "json or yaml")
	files, err := parseArgs(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(files) != 1 || (*to != "json" && *to != "yaml") {
		fs.Usage()
		return exitUsage
	}
	req, err := definition.DecodeFile(files[0])
	if err != nil {
		printErrors(errOut, files[0], err)
		return exitFailed
	}
	var b []byte
	if *to == "json" {
		b, err = definition.Encode(req)
		b = append(b, '\n')
	} else {
		b, err = definition.EncodeYAML(req)
	}
	if err != nil {
		fmt.Fprintf(errOut, "%s: %v\n", files[0], err)
		return exitFailed
	}
	_, _ = out.Write(b)
	return exitOK
}
