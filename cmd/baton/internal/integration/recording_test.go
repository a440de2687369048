package integration

import (
	"context"
	"os"
	"testing"
	"time"
)

// recording skips t unless BATON_RECORD_HISTORIES=1 asks for the replay
// histories to be recorded.
func recording(t *testing.T) {
	t.Helper()
	if os.Getenv("BATON_RECORD_HISTORIES") != "1" {
		t.Skip("set BATON_RECORD_HISTORIES=1 to record the replay histories")
	}
}

// testContext bounds one test's calls: it is done after timeout, or when
// the test ends.
func testContext(t *testing.T, timeout time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx
}
