package registry_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/registry"
)

// TestReplayHistories replays registry entity histories recorded on the embedded
// server (cmd/baton/internal/integration, BATON_RECORD_HISTORIES=1): a
// change of the entity's behaviour without a workflow.GetVersion gate
// fails here.
func TestReplayHistories(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, paths, "no stored histories")
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) { batontest.ReplayEntity(t, p, registry.WorkflowName, registry.Entity) })
	}
}
