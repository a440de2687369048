package devserver

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
)

const taskQueue = "devserver-test"

var batonWorkflowID = temporal.NewSearchAttributeKeyKeyword("BatonWorkflowId")

func greet(_ context.Context, name string) (string, error) { return "hello " + name, nil }

func shout(_ context.Context, s string) (string, error) { return s + "!", nil }

// StepsWorkflow runs a local activity and then an activity.
func StepsWorkflow(ctx workflow.Context, name string) (string, error) {
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var s string
	if err := workflow.ExecuteLocalActivity(lctx, shout, name).Get(ctx, &s); err != nil {
		return "", err
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var out string
	if err := workflow.ExecuteActivity(actx, greet, s).Get(ctx, &out); err != nil {
		return "", err
	}
	return out, nil
}

// EmptyWorkflow does nothing.
func EmptyWorkflow(workflow.Context) error { return nil }

// startWorker starts a worker for the test workflows on c.
func startWorker(t testing.TB, c client.Client) {
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(StepsWorkflow)
	w.RegisterWorkflow(EmptyWorkflow)
	w.RegisterActivity(greet)
	w.RegisterActivity(shout)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
}

func newClient(t testing.TB, s *Server) client.Client {
	c, err := s.NewClient(client.Options{Logger: quietSDKLogger{}})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func startServer(t testing.TB, opts Options) *Server {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if os.Getenv("BATON_DEVSERVER_LOG") != "" && opts.Logger == nil {
		opts.Logger = zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	}
	s, err := Start(ctx, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

// runSteps starts StepsWorkflow with id and checks its result.
func runSteps(t testing.TB, c client.Client, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    id,
		TaskQueue:             taskQueue,
		EnableEagerStart:      true,
		TypedSearchAttributes: temporal.NewSearchAttributes(batonWorkflowID.ValueSet("wf-" + id)),
	}, StepsWorkflow, "baton")
	require.NoError(t, err)
	var out string
	require.NoError(t, run.Get(ctx, &out))
	require.Equal(t, "hello baton!", out)
}

func TestInMemoryWorkflow(t *testing.T) {
	opts := Options{}
	if UIAvailable {
		p, err := FreePort("127.0.0.1")
		require.NoError(t, err)
		opts.UIPort = p
	}
	s := startServer(t, opts)
	require.Equal(t, "default", s.Namespace())
	require.Contains(t, s.Address(), "127.0.0.1:")
	c := newClient(t, s)
	startWorker(t, c)
	runSteps(t, c, "steps-1")

	// The custom search attributes are registered.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	desc, err := c.DescribeWorkflowExecution(ctx, "steps-1", "")
	require.NoError(t, err)
	require.Contains(t, desc.WorkflowExecutionInfo.SearchAttributes.GetIndexedFields(), "BatonWorkflowId")

	if UIAvailable {
		// The Web UI serves its pages and proxies the API to the frontend.
		require.Equal(t, "http://127.0.0.1:"+strconv.Itoa(opts.UIPort), s.UIAddress())
		for path, want := range map[string]string{
			"/": "<html",
			"/api/v1/namespaces/default/workflows/steps-1": "steps-1",
		} {
			resp, err := http.Get(s.UIAddress() + path)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, body)
			require.Contains(t, string(body), want, path)
		}
		// A page that rebound its DNS name to 127.0.0.1 reaches the UI with
		// its own name in Host: the API refuses it, reads and writes alike.
		// Such a page is same-origin with the UI: it can read the CSRF
		// cookie and send it back as the header the UI wants.
		resp, err := http.Get(s.UIAddress() + "/")
		require.NoError(t, err)
		_ = resp.Body.Close()
		var csrf *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "_csrf" {
				csrf = c
			}
		}
		require.NotNil(t, csrf, "the UI sets its CSRF cookie")
		for method, path := range map[string]string{
			http.MethodGet:  "/api/v1/namespaces/default/workflows/steps-1",
			http.MethodPost: "/api/v1/namespaces/default/workflows/steps-1/terminate",
		} {
			req, err := http.NewRequest(method, s.UIAddress()+path, strings.NewReader("{}"))
			require.NoError(t, err)
			req.Host = "attacker.example:" + strconv.Itoa(opts.UIPort)
			req.AddCookie(csrf)
			req.Header.Set("X-Csrf-Token", csrf.Value)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			require.Equal(t, http.StatusMisdirectedRequest, resp.StatusCode, "%s: %s", method, body)
			require.NotContains(t, string(body), "steps-1")
		}
		// Write actions stay on for the UI's own (loopback) pages: the
		// terminate reaches the server, which refuses it as the run ended.
		req, err := http.NewRequest(http.MethodPost, s.UIAddress()+"/api/v1/namespaces/default/workflows/steps-1/terminate", strings.NewReader("{}"))
		require.NoError(t, err)
		req.AddCookie(csrf)
		req.Header.Set("X-Csrf-Token", csrf.Value)
		req.Header.Set("Content-Type", "application/json")
		resp, err = http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		require.Contains(t, string(body), "already completed", "status %d", resp.StatusCode)
	}

	require.NoError(t, s.Stop())
	require.NoError(t, s.Stop(), "Stop is idempotent")
}

func TestNamespaceAndProfile(t *testing.T) {
	s := startServer(t, Options{Namespace: "baton-ns", Profile: ProfileDefault,
		ExtraDynamicConfig: map[string]any{"history.transferProcessorMaxPollRPS": 200}})
	require.Equal(t, "baton-ns", s.Namespace())
	c := newClient(t, s)
	startWorker(t, c)
	runSteps(t, c, "steps-ns")
}

// TestDBFileSurvivesRestart runs a workflow in a child process on a database
// file, then starts a new server on the same file and reads its history.
// (The sqlite plugin keeps one connection per file open for the life of a
// process, so a restart within one process would not prove much.)
func TestDBFileSurvivesRestart(t *testing.T) {
	if db := os.Getenv("BATON_DEVSERVER_CHILD_DB"); db != "" {
		s := startServer(t, Options{DBFile: db})
		c := newClient(t, s)
		startWorker(t, c)
		runSteps(t, c, "persisted")
		require.NoError(t, s.Stop())
		return
	}
	db := filepath.Join(t.TempDir(), "baton.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestDBFileSurvivesRestart$", "-test.count=1")
	cmd.Env = append(os.Environ(), "BATON_DEVSERVER_CHILD_DB="+db)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child process:\n%s", out)

	// Histories hold params and Http headers: the files are the owner's only.
	requireOwnerOnly(t, db+"*")

	s := startServer(t, Options{DBFile: db})
	c := newClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	desc, err := c.DescribeWorkflowExecution(ctx, "persisted", "")
	require.NoError(t, err)
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, desc.WorkflowExecutionInfo.Status)
	var out2 string
	require.NoError(t, c.GetWorkflow(ctx, "persisted", "").Get(ctx, &out2))
	require.Equal(t, "hello baton!", out2)
	it := c.GetWorkflowHistory(ctx, "persisted", "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n := 0
	for it.HasNext() {
		_, err := it.Next()
		require.NoError(t, err)
		n++
	}
	require.Greater(t, n, 5, "history events")

	// The restarted server runs new workflows too.
	startWorker(t, c)
	runSteps(t, c, "after-restart")
}

func TestStartErrors(t *testing.T) {
	_, err := Start(context.Background(), Options{DBFile: filepath.Join(t.TempDir(), "missing", "x.db")})
	require.Error(t, err)
	if !UIAvailable {
		_, err = Start(context.Background(), Options{UIPort: 8233})
		require.ErrorContains(t, err, "Web UI")
	}
}

func TestAllowedUIHost(t *testing.T) {
	tests := []struct {
		host, bind string
		want       bool
	}{
		{"localhost:8233", "127.0.0.1", true},
		{"LOCALHOST.", "127.0.0.1", true},
		{"ui.localhost:8233", "127.0.0.1", true},
		{"127.0.0.1:8233", "127.0.0.1", true},
		{"127.1.2.3", "127.0.0.1", true},
		{"[::1]:8233", "127.0.0.1", true},
		{"10.0.0.5:8233", "10.0.0.5", true},
		{"10.0.0.5:8233", "127.0.0.1", false},
		{"10.0.0.5:8233", "0.0.0.0", false},
		{"attacker.example:8233", "127.0.0.1", false},
		{"localhost.attacker.example", "127.0.0.1", false},
		{"", "127.0.0.1", false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, allowedUIHost(tt.host, tt.bind), "%q bound to %q", tt.host, tt.bind)
	}
}

func ExampleStart() {
	s, err := Start(context.Background(), Options{})
	if err != nil {
		panic(err)
	}
	defer func() { _ = s.Stop() }()
	c, err := s.NewClient(client.Options{})
	if err != nil {
		panic(err)
	}
	defer c.Close()
	fmt.Println(s.Address(), s.Namespace())
}

// FreePort never hands out a port twice in one process: a server binds its
// ports after it has picked all of them, so a repeat would make two
// services (or two servers) bind one port, and the frontend panic.
func TestFreePortDistinct(t *testing.T) {
	seen := map[int]bool{}
	for range 500 {
		p, err := FreePort("127.0.0.1")
		require.NoError(t, err)
		require.False(t, seen[p], "port %d handed out twice", p)
		require.GreaterOrEqual(t, p, pickPortMin)
		require.Less(t, p, pickPortMin+pickPortSpan)
		seen[p] = true
	}
}

// requireOwnerOnly: at least one file matches pattern, and every match is
// readable and writable by its owner only (a store holds params and Http
// headers). It returns the matches.
func requireOwnerOnly(t *testing.T, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(pattern)
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		fi, err := os.Stat(f)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), f)
	}
	return files
}
