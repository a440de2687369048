//go:build baton_noui

package devserver

import (
	"context"
	"errors"
)

// UIAvailable reports whether this build can serve the Temporal Web UI
// (false when built with -tags baton_noui).
const UIAvailable = false

type uiServer struct{}

func (*uiServer) Stop() error { return nil }

func startUI(context.Context, string, int, string, string) (*uiServer, error) {
	return nil, errors.New("this build of baton does not include the Temporal Web UI")
}
