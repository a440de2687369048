package translator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/definition"
)

// TestYAMLRoundTripKeepsPlanHash converts every sample create request to
// the YAML DSL and back: the plan compiled from it has the same hash (and
// a sample Baton refuses is refused with the same errors).
func TestYAMLRoundTripKeepsPlanHash(t *testing.T) {
	entries, err := os.ReadDir(samplesDir)
	if os.IsNotExist(err) {
		t.Skip("samples not found")
	}
	require.NoError(t, err)
	compiled := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		req, err := definition.DecodeFile(filepath.Join(samplesDir, e.Name()))
		if err != nil {
			continue // not a create request
		}
		t.Run(e.Name(), func(t *testing.T) {
			y, err := definition.EncodeYAML(req)
			require.NoError(t, err)
			back, err := definition.DecodeYAML(y)
			require.NoError(t, err, "%s", y)
			want, wantErr := Compile(req, Options{})
			got, gotErr := Compile(back, Options{})
			if wantErr != nil {
				require.Equal(t, wantErr.Error(), gotErr.Error())
				return
			}
			require.NoError(t, gotErr)
			require.Equal(t, want.Hash, got.Hash)
			compiled++
		})
	}
	require.GreaterOrEqual(t, compiled, 15)
}
