package devserver

import "errors"

// UIAvailable reports whether this build can serve the Temporal Web UI.
const UIAvailable = false

func startUI(host string, port int, frontend string) (interface{ Stop() error }, error) {
	return nil, errors.New("this build of baton does not include the Temporal Web UI")
}
