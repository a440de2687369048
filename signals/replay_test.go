package signals_test

import (
	"path/filepath"
	"testing"

	"github.com/batonhq/baton/batontest"
)

// TestReplayHistories replays the store's recorded histories (recorded by
// cmd/baton/internal/integration with BATON_RECORD_HISTORIES=1): a change
// to the store that alters its decisions fails here.
func TestReplayHistories(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no histories: %v", err)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) { batontest.Replay(t, p) })
	}
}
