package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/batontest"

	"github.com/batonhq/baton/cmd/baton/internal/cli"
	"github.com/batonhq/baton/signals"
)

// baton runs the command line against the shared server and its worker.
func baton(t *testing.T, ctx context.Context, args ...string) (string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append(args, "--address", env.srv.Address(), "--namespace", env.srv.Namespace(), "--no-worker")
	code := cli.Main(ctx, args, &out, &errOut)
	return out.String() + errOut.String(), code
}

// TestSignalSendListMatch sends through the CLI and the client, lists
// with --match and matches after a sequence id.
func TestSignalSendListMatch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := "db/it/" + t.Name()
	for _, d := range []string{"20260101", "20260102", "20260103"} {
		out, code := baton(t, ctx, "signal", "send", name, "-p", "vtts_utc_dateint="+d, "-p", "table=t1")
		require.Equal(t, 0, code, out)
		require.Regexp(t, `^db/it/TestSignalSendListMatch#\d\n$`, out)
	}
	out, code := baton(t, ctx, "signal", "list", name, "--match", "vtts_utc_dateint>=20260102", "--match", "vtts_utc_dateint<20260103", "-o", "json")
	require.Equal(t, 0, code, out)
	var listed []signals.Instance
	require.NoError(t, json.Unmarshal([]byte(out), &listed))
	require.Len(t, listed, 1)
	require.Equal(t, int64(2), listed[0].Seq)
	require.Equal(t, signals.Long(20260102), listed[0].Params["vtts_utc_dateint"])

	// A STRING never matches a LONG, as in Maestro.
	out, code = baton(t, ctx, "signal", "list", name, "--match", `vtts_utc_dateint="20260102"`, "-o", "json")
	require.Equal(t, 0, code, out)
	require.JSONEq(t, `[]`, out)

	sc := signals.NewClient(env.tc, signals.ClientOptions{})
	res, err := sc.Send(ctx, signals.SendOptions{Name: name, Params: map[string]signals.Value{"vtts_utc_dateint": signals.Long(20260105)}, Payload: []byte(`{"by":"client"}`), RequestID: "once"})
	require.NoError(t, err)
	require.Equal(t, name+"#4", res.Instance.ID())
	again, err := sc.Send(ctx, signals.SendOptions{Name: name, RequestID: "once"})
	require.NoError(t, err)
	require.True(t, again.Duplicate)
	require.Equal(t, int64(4), again.Instance.Seq)

	ge := []signals.MatchParam{{Name: "vtts_utc_dateint", Operator: signals.GreaterEqual, Value: signals.Long(20260102)}}
	first, err := sc.Match(ctx, name, signals.MatchRequest{Match: ge})
	require.NoError(t, err)
	require.Equal(t, int64(2), first.Seq)
	next, err := sc.Match(ctx, name, signals.MatchRequest{Match: ge, AfterSeq: 3})
	require.NoError(t, err)
	require.Equal(t, int64(4), next.Seq)
	require.JSONEq(t, `{"by":"client"}`, string(next.Payload))
	none, err := sc.Match(ctx, name, signals.MatchRequest{Match: ge, AfterSeq: 4})
	require.NoError(t, err)
	require.Nil(t, none)

	// Refused before anything is stored: exit 1 with the reason.
	out, code = baton(t, ctx, "signal", "send", name, "--payload", "[1]")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "payload: want a JSON object")
	out, code = baton(t, ctx, "signal", "list", "never/sent", "-o", "json")
	require.Equal(t, 0, code, out)
	require.JSONEq(t, `[]`, out)
}

// TestSignalStoreSurvivesContinueAsNew sends across several runs of the
// store entity and finds every instance and the dedupe afterwards.
func TestSignalStoreSurvivesContinueAsNew(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := "db/it/" + t.Name()
	sc := signals.NewClient(env.tc, signals.ClientOptions{Store: signals.Options{SendsPerRun: 3}})
	firstRun := ""
	for i := int64(1); i <= 10; i++ {
		res, err := sc.Send(ctx, signals.SendOptions{Name: name, Params: map[string]signals.Value{"n": signals.Long(i)}, RequestID: "r" + strings.Repeat("x", int(i))})
		require.NoError(t, err)
		require.Equal(t, i, res.Instance.Seq)
		if i == 1 {
			d, err := env.tc.DescribeWorkflowExecution(ctx, signals.WorkflowID(name), "")
			require.NoError(t, err)
			firstRun = d.WorkflowExecutionInfo.Execution.RunId
		}
	}
	d, err := env.tc.DescribeWorkflowExecution(ctx, signals.WorkflowID(name), "")
	require.NoError(t, err)
	require.NotEqual(t, firstRun, d.WorkflowExecutionInfo.Execution.RunId, "the store continued as new")

	// The first run (sends, queries, continue-as-new) replays on the
	// current code; BATON_RECORD_HISTORIES=1 keeps it for signals' replay test.
	path := filepath.Join(t.TempDir(), "store.json")
	if os.Getenv("BATON_RECORD_HISTORIES") == "1" {
		path = filepath.Join("..", "..", "..", "..", "signals", "testdata", "histories", "store-continue-as-new.json")
	}
	require.NoError(t, batontest.RecordHistory(ctx, env.tc, signals.WorkflowID(name), firstRun, path))
	require.NoError(t, batontest.ReplayFile(path))

	all, err := sc.List(ctx, name, signals.ListRequest{})
	require.NoError(t, err)
	require.Len(t, all, 10)
	require.Equal(t, int64(10), all[0].Seq)
	dup, err := sc.Send(ctx, signals.SendOptions{Name: name, RequestID: "rx"})
	require.NoError(t, err)
	require.True(t, dup.Duplicate, "dedupe survives continue-as-new")
	require.Equal(t, int64(1), dup.Instance.Seq)
	m, err := sc.Match(ctx, name, signals.MatchRequest{Match: []signals.MatchParam{{Name: "n", Operator: signals.Greater, Value: signals.Long(7)}}})
	require.NoError(t, err)
	require.Equal(t, int64(8), m.Seq)
}
