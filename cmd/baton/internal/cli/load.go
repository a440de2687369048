package cli

import (
	"fmt"
	"io"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/worker"
)

// loadPlan decodes, validates and compiles a definition file. On failure it
// prints every error, each with the file and its path, and returns false.
func loadPlan(path string, errOut io.Writer) (*translator.Plan, bool) {
	req, err := definition.DecodeFile(path)
	if err != nil {
		printErrors(errOut, path, err)
		return nil, false
	}
	if err := req.Validate(); err != nil {
		printErrors(errOut, path, err)
		return nil, false
	}
	plan, err := translator.Compile(req, translator.Options{DefaultTaskQueue: worker.DefaultTaskQueue})
	if err != nil {
		printErrors(errOut, path, req.Locate(err))
		return nil, false
	}
	return plan, true
}

// loadSketch decodes and validates a definition file and compiles it for
// rendering only (translator.Sketch): features Baton does not run yet are
// printed as warnings, not refused.
func loadSketch(path string, errOut io.Writer) (*translator.Plan, bool) {
	req, err := definition.DecodeFile(path)
	if err == nil {
		err = req.Validate()
	}
	if err != nil {
		printErrors(errOut, path, err)
		return nil, false
	}
	plan, err := translator.Sketch(req, translator.Options{DefaultTaskQueue: worker.DefaultTaskQueue})
	if err != nil {
		printErrors(errOut, path, req.Locate(err))
		return nil, false
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(errOut, "%s: warning: %s\n", path, w)
	}
	return plan, true
}

// printErrors prints one line per problem: "file: path: reason", or
// "file:line:column: path: reason" for a YAML definition. Decoding,
// validation and compile errors are all definition.Errors.
func printErrors(w io.Writer, file string, err error) {
	if es := definition.AsErrors(err); len(es) > 0 {
		for _, e := range es {
			if e.Pos.Filename != "" {
				fmt.Fprintln(w, e.Error())
				continue
			}
			fmt.Fprintf(w, "%s: %s\n", file, e.Error())
		}
		return
	}
	fmt.Fprintf(w, "%s: %v\n", file, err)
}
