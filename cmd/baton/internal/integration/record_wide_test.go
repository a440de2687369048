package integration

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	W "github.com/batonhq/baton/workflows"
)

// TestRecordWideHistory records, as TestRecordHistories does, a run whose
// root fans out to 24 local-activity steps (one of which has a successor)
// and an activity step that is retried, all joining: the event loop moves
// behind the local activities' coroutines (workflows.ChangeEngineHop), so
// the history has that version's marker once, and the replay tests keep
// the order of commands it gives. Recorded only when asked:
//
//	cd cmd/baton && BATON_RECORD_HISTORIES=1 go test ./internal/integration -run TestRecordWideHistory
func TestRecordWideHistory(t *testing.T) {
	recording(t)
	const width = 24
	root := definition.NoOp("root")
	steps := []*definition.StepBuilder{root}
	var fan []string
	for i := 1; i <= width; i++ {
		id := fmt.Sprintf("w%d", i)
		fan = append(fan, id)
		next := "end"
		if i == 1 {
			next = "w1b"
		}
		steps = append(steps, definition.NewStep(id, "Echo").
			Param("reply", definition.String(id)).Param("out", definition.String("")).Next(next))
	}
	fan = append(fan, "flaky")
	steps = append(steps,
		definition.NewStep("w1b", "Echo").Param("reply", definition.String("b")).Param("out", definition.String("")).Next("end"),
		definition.NewStep("flaky", "FailFirst").Retry(definition.Retries().Fixed().ErrorBackoff(1)).Next("end"),
		definition.NoOp("end"))
	root.Next(fan...)
	req, err := definition.NewWorkflow("wide-hop").Steps(steps...).Build()
	require.NoError(t, err)
	ctx := testContext(t, 2*time.Minute)
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, W.Succeeded, st.Step("end").Status)
	require.Equal(t, 2, st.Step("flaky").Attempts)
	for _, id := range append(fan, "w1b") {
		require.Equal(t, W.Succeeded, st.Step(id).Status, id)
	}

	var markers []string
	for _, ev := range history(ctx, t, run.ID(), run.RunID()) {
		a := ev.GetMarkerRecordedEventAttributes()
		if ev.GetEventType() != enumspb.EVENT_TYPE_MARKER_RECORDED || a.GetMarkerName() != "Version" {
			continue
		}
		var id string
		p := a.GetDetails()["change-id"].GetPayloads()
		require.Len(t, p, 1)
		require.NoError(t, json.Unmarshal(p[0].GetData(), &id))
		markers = append(markers, id)
	}
	require.Equal(t, []string{W.ChangeEngineHop}, markers)
	writeHistory(ctx, t, "wide-hop", run.ID(), run.RunID())
}
