package integration

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/cmd/baton/internal/devserver"
)

// The fault-injection suite runs Baton's real binary in child processes and
// kills them with SIGKILL: nothing gets to clean up, as when a machine dies.

var batonBin struct {
	once sync.Once
	path string
	err  error
}

// batonBinary builds cmd/baton once per test process, into a directory of
// its own under the system's temp dir (left there: no test owns it).
func batonBinary(t *testing.T) string {
	t.Helper()
	batonBin.once.Do(func() {
		dir, err := os.MkdirTemp("", "baton-fault-")
		if err != nil {
			batonBin.err = err
			return
		}
		batonBin.path = filepath.Join(dir, "baton")
		// Without the Web UI: the children are a worker and a server with
		// no UI port, and the binary links much faster.
		cmd := exec.Command("go", "build", "-tags", "baton_noui", "-o", batonBin.path, ".")
		cmd.Dir = filepath.Join("..", "..") // cmd/baton
		if out, err := cmd.CombinedOutput(); err != nil {
			batonBin.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	require.NoError(t, batonBin.err)
	return batonBin.path
}

// proc is a child process running the baton binary.
type proc struct {
	cmd    *exec.Cmd
	out    *syncBuffer
	waited chan struct{}
}

func startProc(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(batonBinary(t), args...), out: &syncBuffer{}, waited: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	require.NoError(t, p.cmd.Start())
	go func() { _ = p.cmd.Wait(); close(p.waited) }()
	t.Cleanup(func() { p.kill9(t) })
	return p
}

// kill9 sends SIGKILL and waits for the process to be gone.
func (p *proc) kill9(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.waited:
	case <-time.After(10 * time.Second):
		t.Fatalf("process %d did not die", p.cmd.Process.Pid)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startWorkerProc runs `baton worker` on queue, allowed to call allow.
func startWorkerProc(t *testing.T, address, queue, allow string) *proc {
	return startProc(t, "worker", "--address", address, "--task-queue", queue, "--http-allow", allow)
}

// startDevProc runs `baton dev` on db and port and dials it.
func startDevProc(t *testing.T, db string, port int) (*proc, sdkclient.Client) {
	t.Helper()
	p := startProc(t, "dev", "--db", db, "--port", strconv.Itoa(port))
	address := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(2 * time.Minute)
	for {
		c, err := sdkclient.Dial(sdkclient.Options{HostPort: address, Logger: quietLogger{}})
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, err = c.CheckHealth(ctx, &sdkclient.CheckHealthRequest{})
			cancel()
			if err == nil {
				t.Cleanup(c.Close)
				return p, c
			}
			c.Close()
		}
		select {
		case <-p.waited:
			t.Fatalf("baton dev exited:\n%s", p.out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("baton dev not ready on %s: %v\n%s", address, err, p.out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}

// sideEffects is the world outside Baton that Http steps act on: it counts
// every request by path (one path per step execution site), holds a request
// for ?hold=ms, and remembers when each path last answered.
type sideEffects struct {
	srv      *httptest.Server
	mu       sync.Mutex
	hits     map[string]int
	answered map[string]time.Time
	arrived  chan string
}

func newSideEffects(t *testing.T) *sideEffects {
	s := &sideEffects{hits: map[string]int{}, answered: map[string]time.Time{}, arrived: make(chan string, 10000)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		select {
		case s.arrived <- r.URL.Path:
		default:
		}
		if ms, _ := strconv.Atoi(r.URL.Query().Get("hold")); ms > 0 {
			select {
			case <-time.After(time.Duration(ms) * time.Millisecond):
			case <-r.Context().Done():
				return // the worker died
			}
		}
		s.mu.Lock()
		s.answered[r.URL.Path] = time.Now()
		s.mu.Unlock()
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// host is the server's host:port, for --http-allow.
func (s *sideEffects) host() string { return strings.TrimPrefix(s.srv.URL, "http://") }

// waitFor waits until a request for a path with the given suffix arrives.
func (s *sideEffects) waitFor(t *testing.T, suffix string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case p := <-s.arrived:
			if strings.HasSuffix(p, suffix) {
				return
			}
		case <-deadline:
			t.Fatalf("no request for %s within %v; hits %v", suffix, timeout, s.snapshot())
		}
	}
}

func (s *sideEffects) snapshot() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.hits))
	for k, v := range s.hits {
		out[k] = v
	}
	return out
}

// answeredBefore lists the paths that answered before t.
func (s *sideEffects) answeredBefore(t time.Time) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for p, at := range s.answered {
		if at.Before(t) {
			out = append(out, p)
		}
	}
	return out
}

// freeTCPPort finds a free loopback port outside the ephemeral range.
func freeTCPPort() (int, error) { return devserver.FreePort("127.0.0.1") }
