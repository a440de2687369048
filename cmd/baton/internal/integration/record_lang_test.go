package integration

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/definition"
	W "github.com/batonhq/baton/workflows"
)

// TestRecordLangHistories records a run under the four Maestro rules
// (system param chain, params map, interpolation) to
// workflows/testdata/histories/maestro-rules.json, so their GetVersion
// markers stay replayable. It runs only when asked:
//
//	cd cmd/baton && BATON_RECORD_HISTORIES=1 go test ./internal/integration -run TestRecordLangHistories
func TestRecordLangHistories(t *testing.T) {
	recording(t)
	req, err := definition.DecodeYAML([]byte(`Workflow:
  id: maestro-rules
  RUN_TS: 1704067200000
  _x: X
  jobs:
    - job:
        id: s
        type: NoOp
        text: "a $_x ${foo"
        '!day': TARGET_RUN_DATE + DERIVED_RUN_HOUR_UTC
        '!missing<boolean>': params['nope'] == null && !(params['nope'] > 3)
        transition: [IF missing THEN t]
    - job: {id: t, type: NoOp}
`))
	require.NoError(t, err)
	st := record(t, "maestro-rules", req, W.InstanceSucceeded, nil)
	require.Equal(t, "a $_x ${foo", st.Step("s").Params["text"].Value)
	require.Equal(t, "2024010100", st.Step("s").Params["day"].Value)
	require.Equal(t, W.Succeeded, st.Step("t").Status)
}
