package definition

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestYAMLRoundTripSamples converts every sample create request to the
// YAML DSL and back: the request must encode to the same JSON.
func TestYAMLRoundTripSamples(t *testing.T) {
	n := 0
	for _, name := range sampleFiles(t) {
		if !strings.HasSuffix(name, ".json") {
			continue
		}
		r, err := DecodeFile(filepath.Join(samplesDir, name))
		if err != nil {
			continue // not a create request
		}
		n++
		t.Run(name, func(t *testing.T) {
			want, err := Encode(r)
			require.NoError(t, err)
			y, err := EncodeYAML(r)
			require.NoError(t, err)
			back, err := DecodeYAML(y)
			require.NoError(t, err, "%s", y)
			got, err := Encode(back)
			require.NoError(t, err)
			require.Equal(t, string(want), string(got), "%s", y)
		})
	}
	require.Greater(t, n, 20)
}
