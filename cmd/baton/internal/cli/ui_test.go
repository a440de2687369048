package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/cmd/baton/internal/devserver"
)

// lockedBuffer is an io.Writer safe for a command running in a goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	p, err := devserver.FreePort("127.0.0.1")
	require.NoError(t, err)
	return p
}

func httpGet(url string) (int, string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// TestDevServesDAGPageWorkerAndMetrics runs `baton dev` with its DAG page,
// a worker and a metrics endpoint, and a run against it through `baton run
// --no-worker`: the dev process's worker runs it, its metrics count the
// steps and the DAG page lists it.
func TestDevServesDAGPageWorkerAndMetrics(t *testing.T) {
	port, dag, metrics := freePort(t), freePort(t), freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"dev", "--port", strconv.Itoa(port), "--dag-port", strconv.Itoa(dag), "--metrics-port", strconv.Itoa(metrics)}, &out, &errOut)
	}()
	defer func() {
		cancel()
		require.Equal(t, exitOK, <-done, errOut.String())
	}()
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "Ctrl-C to stop") }, time.Minute, 50*time.Millisecond, "dev starts: %s %s", out.String(), errOut.String())
	require.Contains(t, out.String(), "Baton worker polling baton")
	require.Contains(t, out.String(), "Baton DAG page at http://127.0.0.1:"+strconv.Itoa(dag))

	var runOut, runErr bytes.Buffer
	code := Main(context.Background(), []string{"run", "--address", "127.0.0.1:" + strconv.Itoa(port), "--no-worker", sample("server__sample-conditional-wf.json")}, &runOut, &runErr)
	require.Equal(t, exitOK, code, runErr.String())

	status, body, err := httpGet("http://127.0.0.1:" + strconv.Itoa(metrics) + "/metrics")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `baton_step_finished_total{`)
	require.Regexp(t, `baton_step_finished_total\{[^}]*status="UNSATISFIED"[^}]*\} 2\n`, body)
	require.Regexp(t, `baton_step_finished_total\{[^}]*status="SUCCEEDED"[^}]*\} 5\n`, body)

	require.Eventually(t, func() bool {
		status, body, err := httpGet("http://127.0.0.1:" + strconv.Itoa(dag) + "/?q=sample-conditional-wf")
		return err == nil && status == http.StatusOK && strings.Contains(body, "SUCCEEDED")
	}, 30*time.Second, 200*time.Millisecond, "the DAG page lists the run")
}

func TestUIWithoutAddress(t *testing.T) {
	t.Setenv("TEMPORAL_ADDRESS", "")
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"ui", "--config-file", "/nonexistent/temporal.toml"}, &out, &errOut)
	require.Equal(t, exitRuntime, code)
	require.Contains(t, errOut.String(), "no Temporal address")
}
