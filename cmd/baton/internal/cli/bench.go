package cli

import (
	"context"
	"fmt"
	"io"
)

func benchCmd(_ context.Context, _ []string, _, errOut io.Writer) int {
	fmt.Fprintln(errOut, "baton bench: not supported yet: the benchmark")
	return exitUsage
}
