package ui_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/cmd/baton/internal/devserver"
	"github.com/batonhq/baton/cmd/baton/internal/ui"
	D "github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/worker"
	W "github.com/batonhq/baton/workflows"
)

type testEnv struct {
	baton *client.Client
	ui    *ui.Server
}

// start runs an embedded server, a worker with types (as activities) and
// the DAG page.
func start(t *testing.T, types map[string]activities.StepType) *testEnv {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := devserver.Start(ctx, devserver.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Stop() })
	tc, err := srv.NewClient(sdkclient.Options{Logger: worker.NewLogger(nil)})
	require.NoError(t, err)
	t.Cleanup(tc.Close)
	w, err := worker.New(tc, worker.Options{StepTypes: types})
	require.NoError(t, err)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	infos := map[string]translator.StepTypeInfo{}
	for name := range types {
		infos[name] = translator.StepTypeInfo{Mode: translator.ModeActivity}
	}
	s, err := ui.New(ctx, ui.Options{Client: tc, Namespace: srv.Namespace(), TemporalUI: "http://127.0.0.1:8233", PollInterval: 100 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, s.Start("127.0.0.1", 0))
	t.Cleanup(func() { _ = s.Close() })
	return &testEnv{baton: client.New(tc, client.Options{StepTypes: infos}), ui: s}
}

func runPath(r *client.Run) string {
	return "/run?" + url.Values{"id": {r.ID()}, "run": {r.RunID()}}.Encode()
}

func get(t *testing.T, u, host string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// gate blocks each attempt until the test closes it.
type gate chan struct{}

func (g gate) Run(ctx context.Context, _ *activities.Step) (*activities.Result, error) {
	select {
	case <-g:
		return &activities.Result{}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func TestServerPagesAndAPI(t *testing.T) {
	g := gate(make(chan struct{}))
	e := start(t, map[string]activities.StepType{"Gate": g})
	req, err := D.NewWorkflow("shapes").Steps(
		D.NoOp("begin").Next("loop"),
		D.Foreach("loop").Loop("i", D.LongArray(1, 2, 3)).Concurrency(3).Steps(D.NewStep("wait", "Gate")),
	).Build()
	require.NoError(t, err)
	ctx := context.Background()
	run, _, err := e.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)

	// The loop reports its iterations while they run.
	var view struct {
		State *W.State                  `json:"state"`
		Kinds map[string]string         `json:"kinds"`
		Loops map[string]W.LoopProgress `json:"loops"`
		Ended bool                      `json:"ended"`
	}
	require.Eventually(t, func() bool {
		code, body := get(t, e.ui.URL()+"/api/state?"+url.Values{"id": {run.ID()}}.Encode(), "")
		require.Equal(t, http.StatusOK, code, body)
		require.NoError(t, json.Unmarshal([]byte(body), &view))
		return view.Loops["loop"].Running == 3
	}, 30*time.Second, 100*time.Millisecond)
	require.Equal(t, "foreach", view.Kinds["loop"])
	require.Equal(t, W.LoopProgress{Total: 3, Done: 0, Running: 3}, view.Loops["loop"])
	require.Equal(t, W.Running, view.State.Step("loop").Status)
	close(g)
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status)

	// The DAG and the loop's inner DAG are laid out by Graphviz, one node
	// per step named by its id.
	code, svg := get(t, e.ui.URL()+"/api/graph.svg?"+url.Values{"id": {run.ID()}}.Encode(), "")
	require.Equal(t, http.StatusOK, code, svg)
	require.Contains(t, svg, "<svg")
	require.Contains(t, svg, "<title>begin</title>")
	require.Contains(t, svg, "<title>loop</title>")
	require.Contains(t, svg, "<title>begin&#45;&gt;loop</title>", "an edge")
	code, inner := get(t, e.ui.URL()+"/api/graph.svg?"+url.Values{"id": {run.ID()}, "step": {"loop"}}.Encode(), "")
	require.Equal(t, http.StatusOK, code, inner)
	require.Contains(t, inner, "<title>wait</title>")

	// The run list and the run page.
	code, list := get(t, e.ui.URL()+"/?q=shapes", "")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, list, run.ID())
	require.Contains(t, list, "SUCCEEDED")
	code, page := get(t, e.ui.URL()+runPath(run), "localhost")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, page, "http://127.0.0.1:8233/namespaces/default/workflows/"+url.PathEscape(run.ID()), "a link to the Temporal Web UI")

	// Only loopback host names are answered (DNS rebinding).
	code, body := get(t, e.ui.URL()+"/", "evil.example.com:8080")
	require.Equal(t, http.StatusForbidden, code)
	require.Contains(t, body, "forbidden host")
	code, _ = get(t, e.ui.URL()+"/api/runs", "[::1]:1234")
	require.Equal(t, http.StatusOK, code)

	// An unknown run is a clear 404.
	code, body = get(t, e.ui.URL()+"/run?id=nope", "")
	require.Equal(t, http.StatusNotFound, code)
	require.True(t, strings.HasPrefix(body, "baton ui: "), body)
}

func TestStartRefusesNonLoopback(t *testing.T) {
	tc, err := sdkclient.NewLazyClient(sdkclient.Options{HostPort: "127.0.0.1:1"})
	require.NoError(t, err)
	defer tc.Close()
	s, err := ui.New(context.Background(), ui.Options{Client: tc})
	require.NoError(t, err)
	defer s.Close()
	require.ErrorContains(t, s.Start("0.0.0.0", 0), "not a loopback address")
}

func TestSubworkflowStepLinksToChildRun(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	child, err := D.NewWorkflow("child").Owner("tester").Steps(D.NoOp("work")).Build()
	require.NoError(t, err)
	_, err = e.baton.Registry().Push(ctx, child)
	require.NoError(t, err)
	parent, err := D.NewWorkflow("parent").Owner("tester").Steps(D.Subworkflow("sub", "child")).Build()
	require.NoError(t, err)
	run, _, err := e.baton.StartDefinition(ctx, parent, client.StartOptions{})
	require.NoError(t, err)
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)

	code, body := get(t, e.ui.URL()+"/api/state?"+url.Values{"id": {run.ID()}}.Encode(), "")
	require.Equal(t, http.StatusOK, code, body)
	var view struct {
		Kinds    map[string]string `json:"kinds"`
		Children map[string]string `json:"children"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &view))
	require.Equal(t, "subworkflow", view.Kinds["sub"])
	link := view.Children["sub"]
	require.Equal(t, "/run?"+url.Values{"id": {run.ID() + "/sub"}}.Encode(), link)
	// The link opens the child run's page, with the child's DAG.
	code, page := get(t, e.ui.URL()+link, "")
	require.Equal(t, http.StatusOK, code, page)
	code, svg := get(t, e.ui.URL()+"/api/graph.svg?"+url.Values{"id": {run.ID() + "/sub"}}.Encode(), "")
	require.Equal(t, http.StatusOK, code, svg)
	require.Contains(t, svg, "<title>work</title>")
}
