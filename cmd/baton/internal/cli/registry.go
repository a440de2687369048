package cli

import (
	"context"
	"fmt"
	"io"
)

func pushCmd(_ context.Context, _ []string, _, errOut io.Writer) int {
	fmt.Fprintln(errOut, "baton push: not supported yet: the definition registry")
	return exitUsage
}

func versionsCmd(_ context.Context, _ []string, _, errOut io.Writer) int {
	fmt.Fprintln(errOut, "baton versions: not supported yet: the definition registry")
	return exitUsage
}

func startCmd(_ context.Context, _ []string, _, errOut io.Writer) int {
	fmt.Fprintln(errOut, "baton start: not supported yet: the definition registry")
	return exitUsage
}
