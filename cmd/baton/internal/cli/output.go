package cli

import (
	"encoding/json"
	"fmt"
	"io"

	"sigs.k8s.io/yaml"
)

// printValue prints v as indented JSON, or as YAML converted from its JSON
// (so both use the same field names).
func printValue(out io.Writer, format string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	switch format {
	case "json":
		_, err = fmt.Fprintf(out, "%s\n", b)
	case "yaml":
		if b, err = yaml.JSONToYAML(b); err == nil {
			_, err = out.Write(b)
		}
	default:
		err = fmt.Errorf("unknown output format %q", format)
	}
	return err
}
