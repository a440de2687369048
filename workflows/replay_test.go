package workflows_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/batontest"
)

// TestReplayHistories replays every stored history of a real run (recorded
// on the embedded server by cmd/baton/internal/integration's
// TestRecordHistories) against the current interpreter. A failure means
// the interpreter no longer makes the decisions those runs recorded: gate
// the change with workflow.GetVersion so runs in flight keep working, and
// re-record only for a deliberate, versioned change.
func TestReplayHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no stored histories")
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			batontest.Replay(t, f)
		})
	}
}
