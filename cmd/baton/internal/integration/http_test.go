package integration

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/activities/httpstep"
	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/worker"
	W "github.com/batonhq/baton/workflows"
)

// httpEnv is a worker with the Http step type on its own task queue,
// allowed to call only the loopback test server, and a client for it.
func httpEnv(t *testing.T, srv *httptest.Server) *client.Client {
	t.Helper()
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	queue := "baton-http-" + strings.ReplaceAll(t.Name(), "/", "-")
	w, err := worker.New(env.tc, worker.Options{TaskQueue: queue, HTTP: &httpstep.Options{AllowedHosts: []string{u.Host}}})
	require.NoError(t, err)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	return client.New(env.tc, client.Options{TaskQueue: queue, EagerStart: true})
}

func runOn(t *testing.T, bc *client.Client, def string, runParams map[string]sel.Value) *W.State {
	t.Helper()
	req, err := definition.Decode([]byte(def))
	require.NoError(t, err)
	return runOnClient(t, bc, req, runParams)
}

// fakeMaestro is enough of Maestro's REST API for sample-http-wf.
type fakeMaestro struct {
	mu       sync.Mutex
	defs     map[string]string
	requests []string
}

func (f *fakeMaestro) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, fmt.Sprintf("%s %s user=%s ct=%s", r.Method, r.URL.Path, r.Header.Get("user"), r.Header.Get("Content-Type")))
	switch {
	case r.Method == http.MethodPut && r.URL.Path == "/api/v3/workflows/actions/validate/yaml":
		if !strings.Contains(string(body), `id: "sample-wf-2"`) {
			http.Error(w, "bad yaml", http.StatusBadRequest)
			return
		}
		fmt.Fprint(w, `{"status":"valid"}`)
	case r.Method == http.MethodPost && r.URL.Path == "/api/v3/workflows/yaml":
		f.defs["sample-wf-2"] = string(body)
		fmt.Fprint(w, `{"workflow_id":"sample-wf-2","version":1}`)
	case r.Method == http.MethodGet && r.URL.Path == "/api/v3/workflows/sample-wf-2/versions/latest":
		if _, ok := f.defs["sample-wf-2"]; !ok {
			http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
			return
		}
		fmt.Fprint(w, `{"workflow_id":"sample-wf-2","version":1}`)
	case r.Method == http.MethodDelete && r.URL.Path == "/api/v3/workflows/sample-wf-2":
		delete(f.defs, "sample-wf-2")
		fmt.Fprint(w, `{"deleted":true}`)
	default:
		http.Error(w, "no route", http.StatusNotFound)
	}
}

// sampleHTTPWF is server__yaml__sample-http-wf.yaml as Maestro JSON; the
// URLs' host is the param "api_base" (the YAML's http://localhost:8080).
const sampleHTTPWF = `{"properties":{"owner":{"name":"tester"},"run_strategy":"parallel"},
"workflow":{"id":"sample-http-wf","name":"Test http workflow","description":"Long description about this workflow",
"params":{
  "param0":{"type":"LONG","value":15},
  "wf_body":{"type":"STRING","value":"Workflow:\n  id: \"sample-wf-2\"\n  owner: tester\n  jobs:\n    - job:\n        id: \"job.1\"\n        type: \"NoOp\"\n"},
  "api_base":{"type":"STRING","value":"http://localhost:8080"}},
"steps":[
 {"step":{"id":"job.1","type":"http","transition":{"successors":{"job.2":"true"}},"params":{"http":{"type":"MAP","value":{
   "url":{"type":"STRING","value":"${api_base}/api/v3/workflows/actions/validate/yaml"},
   "method":{"type":"STRING","value":"PUT"},
   "headers":{"type":"STRING_MAP","value":{"Content-Type":"application/yaml","Accept":"application/json","user":"tester"}},
   "body":{"type":"STRING","value":"${wf_body}"}}}}}},
 {"step":{"id":"job.2","type":"http","transition":{"successors":{"job.3":"true"}},"params":{"http":{"type":"MAP","value":{
   "url":{"type":"STRING","value":"${api_base}/api/v3/workflows/yaml"},
   "method":{"type":"STRING","value":"POST"},
   "headers":{"type":"STRING_MAP","value":{"Content-Type":"application/yaml","Accept":"application/json","user":"tester"}},
   "body":{"type":"STRING","value":"${wf_body}"}}}}}},
 {"step":{"id":"job.3","type":"http","transition":{"successors":{"job.4":"true"}},"params":{"http":{"type":"MAP","value":{
   "url":{"type":"STRING","value":"${api_base}/api/v3/workflows/sample-wf-2/versions/latest"},
   "method":{"type":"STRING","value":"GET"}}}}}},
 {"step":{"id":"job.4","type":"http","transition":{"successors":{"job.5":"true"}},"params":{"http":{"type":"MAP","value":{
   "url":{"type":"STRING","value":"${api_base}/api/v3/workflows/sample-wf-2"},
   "method":{"type":"STRING","value":"DELETE"},
   "headers":{"type":"STRING_MAP","value":{"user":"tester"}}}}}}},
 {"step":{"id":"job.5","type":"http","params":{
   "http":{"type":"MAP","value":{
     "url":{"type":"STRING","value":"${api_base}/api/v3/workflows/sample-wf-2/versions/latest"},
     "method":{"type":"STRING","value":"GET"}}},
   "state_expr":{"type":"STRING","value":"if (status_code == 404) return \"DONE\";\nelse return \"FATAL_ERROR\";\n"}}}}
]}}`

func TestHTTPSample(t *testing.T) {
	fake := &fakeMaestro{defs: map[string]string{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	bc := httpEnv(t, srv)

	st := runOn(t, bc, sampleHTTPWF, map[string]sel.Value{"api_base": {Type: sel.String, Value: srv.URL}})
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	requireStatuses(t, st, all(W.Succeeded, "job.1", "job.2", "job.3", "job.4", "job.5"))
	require.Equal(t, []string{
		"PUT /api/v3/workflows/actions/validate/yaml user=tester ct=application/yaml",
		"POST /api/v3/workflows/yaml user=tester ct=application/yaml",
		"GET /api/v3/workflows/sample-wf-2/versions/latest user= ct=application/json",
		"DELETE /api/v3/workflows/sample-wf-2 user=tester ct=",
		"GET /api/v3/workflows/sample-wf-2/versions/latest user= ct=application/json",
	}, fake.requests)
	require.Equal(t, int64(200), st.Step("job.3").Params["status_code"].Value)
	require.Equal(t, `{"workflow_id":"sample-wf-2","version":1}`, st.Step("job.3").Params["response_body"].Value)
	require.Equal(t, int64(404), st.Step("job.5").Params["status_code"].Value)
	require.Contains(t, st.Step("job.5").Params["response_body"].Value, "not found")
}

// TestHTTPRetries: a 5xx is a user error (default state_expr) retried
// under error_retry_limit; a 4xx is fatal and not retried; a host outside
// the allow-list is refused.
func TestHTTPRetries(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		n := hits[r.URL.Path]
		mu.Unlock()
		switch {
		case r.URL.Path == "/flaky" && n < 3:
			http.Error(w, "try again", http.StatusServiceUnavailable)
		case r.URL.Path == "/gone":
			http.Error(w, "gone", http.StatusGone)
		default:
			fmt.Fprint(w, "ok")
		}
	}))
	defer srv.Close()
	bc := httpEnv(t, srv)

	step := func(id, url string) string {
		return fmt.Sprintf(`{"step":{"id":%q,"type":"Http","failure_mode":"IGNORE_FAILURE",
			"retry_policy":{"error_retry_limit":3,"backoff":{"type":"FIXED_BACKOFF","error_retry_backoff_in_secs":1}},
			"params":{"http":{"type":"MAP","value":{"url":{"type":"STRING","value":%q}}}}}}`, id, url)
	}
	def := fmt.Sprintf(`{"workflow":{"id":"http-retries","steps":[%s,%s,%s]}}`,
		step("flaky", srv.URL+"/flaky"), step("gone", srv.URL+"/gone"), step("elsewhere", "http://example.invalid/x"))
	st := runOn(t, bc, def, nil)

	flaky := st.Step("flaky")
	require.Equal(t, W.Succeeded, flaky.Status, flaky.Error)
	require.Equal(t, 3, flaky.Attempts, "two user errors retried")
	require.Equal(t, "ok", flaky.Params["response_body"].Value)

	gone := st.Step("gone")
	require.Equal(t, W.CompletedWithError, gone.Status)
	require.Equal(t, 1, gone.Attempts, "a fatal error is not retried")
	require.Contains(t, gone.Error, "returned status 410 (state_expr gave FATAL_ERROR)")

	elsewhere := st.Step("elsewhere")
	require.Equal(t, W.CompletedWithError, elsewhere.Status)
	require.Equal(t, 1, elsewhere.Attempts)
	require.Contains(t, elsewhere.Error, `"example.invalid:80" is not in the worker's allow-list`)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, map[string]int{"/flaky": 3, "/gone": 1}, hits)
}
