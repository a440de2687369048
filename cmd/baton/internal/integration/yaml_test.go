package integration

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	W "github.com/batonhq/baton/workflows"
)

func runOnClient(t *testing.T, bc *client.Client, req *definition.Request, runParams map[string]sel.Value) *W.State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run, _, err := bc.StartDefinition(ctx, req, client.StartOptions{RunParams: runParams})
	require.NoError(t, err)
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	return st
}

// stepSummary is each step's status, attempts and params: what must be
// the same for a definition and its conversion.
func stepSummary(st *W.State) map[string]any {
	out := map[string]any{"": st.Status}
	for _, s := range st.Steps {
		out[s.ID] = []any{s.Status, s.Attempts, len(s.Params)}
	}
	return out
}

// TestYAMLRunsLikeJSON runs YAML DSL definitions on the embedded server
// beside their JSON form: Maestro's conditional sample (YAML and JSON
// fixtures) and a DSL file with loops (and its conversion to JSON).
func TestYAMLRunsLikeJSON(t *testing.T) {
	yamlCond := loadSample(t, "server__yaml__sample-conditional-wf.yaml")
	jsonCond := loadSample(t, "server__sample-conditional-wf.json")
	a, b := runRequest(t, yamlCond, nil), runRequest(t, jsonCond, nil)
	require.Equal(t, W.InstanceSucceeded, a.Status, a.Error)
	require.Equal(t, stepSummary(b), stepSummary(a))
	want := all(W.Succeeded, "job.1", "job.2", "job.3", "job.6", "job.7")
	want["job.4"], want["job.5"] = W.Unsatisfied, W.Unsatisfied
	requireStatuses(t, a, want)
	require.Equal(t, "15", a.Step("job.7").Params["param5"].Value, "the YAML's !param5 is a STRING expression")

	loops, err := definition.DecodeFile(filepath.Join("testdata", "dsl-loops.yaml"))
	require.NoError(t, err)
	require.NoError(t, loops.Validate())
	js, err := definition.Encode(loops)
	require.NoError(t, err)
	asJSON, err := definition.Decode(js)
	require.NoError(t, err)
	a, b = runRequest(t, loops, nil), runRequest(t, asJSON, nil)
	require.Equal(t, W.InstanceSucceeded, a.Status, a.Error)
	require.Equal(t, stepSummary(b), stepSummary(a))
	want = all(W.Succeeded, "start", "fan_out", "count_up", "done")
	want["big"], want["small"] = W.Unsatisfied, W.Unsatisfied
	requireStatuses(t, a, want)
	require.Equal(t, "run-3:6", a.Step("done").Params["seen"].Value, "2 days x 3 hours")
	require.Equal(t, b.Step("done").Params["seen"], a.Step("done").Params["seen"])
}

// TestYAMLHTTPSample runs Maestro's sample-http-wf.yaml with its host
// pointed at the fake Maestro API: the same requests as its JSON form.
func TestYAMLHTTPSample(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(samplesDir, "server__yaml__sample-http-wf.yaml"))
	require.NoError(t, err)
	req, err := definition.DecodeYAML([]byte(strings.ReplaceAll(string(src), "http://localhost:8080", "${api_base}")))
	require.NoError(t, err)
	require.NoError(t, req.Validate())

	// Each run has its own worker, task queue (named after the subtest)
	// and fake server.
	run := func(name string, req *definition.Request) (st *W.State, requests []string) {
		t.Run(name, func(t *testing.T) {
			fake := &fakeMaestro{defs: map[string]string{}}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			st = runOnClient(t, httpEnv(t, srv), req, map[string]sel.Value{"api_base": {Type: sel.String, Value: srv.URL}})
			requests = fake.requests
		})
		return st, requests
	}
	yst, yreq := run("yaml", req)
	jsonReq, err := definition.Decode([]byte(sampleHTTPWF))
	require.NoError(t, err)
	jst, jreq := run("json", jsonReq)
	require.Equal(t, W.InstanceSucceeded, jst.Status, jst.Error)
	require.Equal(t, W.InstanceSucceeded, yst.Status, yst.Error)
	requireStatuses(t, yst, all(W.Succeeded, "job.1", "job.2", "job.3", "job.4", "job.5"))
	require.Equal(t, jreq, yreq)
	require.Equal(t, stepSummary(jst)["job.5"], stepSummary(yst)["job.5"])
	require.Equal(t, int64(404), yst.Step("job.5").Params["status_code"].Value)
}
