package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/definition"
)

func newConvertCmd(a *app) *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "convert FILE --to json|yaml",
		Short: "Convert a definition between Maestro JSON and the YAML DSL",
		Long: "Convert writes FILE (Maestro JSON or the YAML DSL) to stdout in the form --to\n" +
			"names; the result compiles to the same plan (same hash). Fields the DSL has no\n" +
			"key for go under __json, Baton's one extension of the DSL.",
		Example: "  baton convert flow.json --to yaml > flow.yaml\n" +
			"  baton convert flow.yaml --to json",
		Args: exactArgs(1, "one definition FILE"),
	}
	choiceFlag(cmd, &to, "to", "", "json or yaml (required)", "json", "yaml")
	cmd.RunE = runE(func(_ *cobra.Command, args []string) int {
		if to != "json" && to != "yaml" {
			return a.usage("convert", fmt.Errorf("--to must be json or yaml, got %q", to))
		}
		file := args[0]
		req, err := definition.DecodeFile(file)
		if err != nil {
			printErrors(a.errOut, file, err)
			return exitFailed
		}
		var b []byte
		if to == "json" {
			b, err = definition.Encode(req)
			b = append(b, '\n')
		} else {
			b, err = definition.EncodeYAML(req)
		}
		if err != nil {
			fmt.Fprintf(a.errOut, "%s: %v\n", file, err)
			return exitFailed
		}
		_, _ = a.out.Write(b)
		return exitOK
	})
	return cmd
}
