package client

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/translator"
)

// TestRunMeta: the summary and details a start gives Temporal's UI, with
// and without a name, a registry version and an owner, also through the
// exported RunMetadata.
func TestRunMeta(t *testing.T) {
	const hash = "e6ba6eb84bb0c0ffee"
	steps := []*translator.Node{{ID: "a"}, {ID: "b"}}
	tests := []struct {
		name        string
		meta        runMeta
		wantSummary string
		wantDetails string
	}{
		{"bare", runMeta{plan: &translator.Plan{WorkflowID: "w", Hash: hash, Steps: steps[:1]}},
			"Maestro w (1 steps)",
			"Maestro workflow `w`, plan e6ba6eb84bb0. The instance status is the search attribute BatonStatus and the current details."},
		{"everything", runMeta{plan: &translator.Plan{WorkflowID: "w", Name: "Nightly", Owner: "ann", Hash: hash, Steps: steps}, version: 12},
			"Maestro w v12 (2 steps)",
			"**Nightly**\n\nMaestro workflow `w` version 12, owner ann, plan e6ba6eb84bb0. The instance status is the search attribute BatonStatus and the current details."},
		{"a short hash", runMeta{plan: &translator.Plan{WorkflowID: "w", Hash: "abc"}},
			"Maestro w (0 steps)",
			"Maestro workflow `w`, plan abc. The instance status is the search attribute BatonStatus and the current details."},
		{"a hash of other characters", runMeta{plan: &translator.Plan{WorkflowID: "w", Hash: strings.Repeat("é", 14)}},
			"Maestro w (0 steps)",
			fmt.Sprintf("Maestro workflow `w`, plan %s. The instance status is the search attribute BatonStatus and the current details.", strings.Repeat("é", 12))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.wantSummary, tt.meta.summary())
			require.Equal(t, tt.wantDetails, tt.meta.details())
			summary, details := RunMetadata(tt.meta.plan, tt.meta.version)
			require.Equal(t, tt.wantSummary, summary)
			require.Equal(t, tt.wantDetails, details)
		})
	}
}
