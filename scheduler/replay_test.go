package scheduler

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestReplayHistories replays queue histories recorded on the embedded
// server (cmd/baton/internal/integration, BATON_RECORD_HISTORIES=1): a
// change of the queue's behaviour without a workflow.GetVersion gate
// fails here.
func TestReplayHistories(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, paths, "no stored histories")
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(Queue, workflow.RegisterOptions{Name: QueueWorkflowName})
			h, err := client.HistoryFromJSON(openFile(t, p), client.HistoryJSONOptions{})
			require.NoError(t, err)
			require.NoError(t, r.ReplayWorkflowHistory(nil, h))
		})
	}
}

func openFile(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	return f
}
