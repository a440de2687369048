package cli

import (
	"context"

	"github.com/batonhq/baton/cmd/baton/internal/devserver"
)

func startDev(ctx context.Context, cf *connFlags, port, uiPort int) (*devserver.Server, error) {
	opts := devserver.Options{DBFile: cf.db, Port: port, Namespace: cf.namespace, UIPort: uiPort}
	if cf.verbose {
		opts.Logger = cf.logger()
	}
	return devserver.Start(ctx, opts)
}
