package devserver

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
)

func TestTempDBOwner(t *testing.T) {
	tests := []struct {
		name string
		pid  int
		ok   bool
	}{
		{"baton-dev-123-00000000000000ff.db", 123, true},
		{"baton-dev-0-00000000000000ff.db", 0, false},
		{"baton-dev-x-00000000000000ff.db", 0, false},
		{"baton-dev-123.db", 0, false},
		{"other-123-ff.db", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pid, ok := tempDBOwner(tc.name)
			require.Equal(t, tc.ok, ok)
			if ok {
				require.Equal(t, tc.pid, pid)
			}
		})
	}
}

// TestTempDBDeletedOnStop: a server without DBFile keeps its state in one
// file of its own in TempDir, with the owner's mode, and Stop deletes it
// with its WAL files.
func TestTempDBDeletedOnStop(t *testing.T) {
	dir := t.TempDir()
	s, err := Start(context.Background(), Options{TempDir: dir})
	require.NoError(t, err)
	c, err := s.NewClient(client.Options{Logger: quietSDKLogger{}})
	require.NoError(t, err)
	_, err = c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: "temp-db", TaskQueue: taskQueue}, EmptyWorkflow)
	require.NoError(t, err)
	for _, f := range requireOwnerOnly(t, filepath.Join(dir, tempDBPrefix+"*")) {
		require.True(t, strings.HasPrefix(filepath.Base(f), fmt.Sprintf("%s%d-", tempDBPrefix, os.Getpid())), f)
	}
	c.Close()
	require.NoError(t, s.Stop())
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, left)
}

// TestTempDBOfKilledProcess: a server process killed with SIGKILL leaves
// its temporary database behind; the next server in that directory deletes
// it, and never a live process's.
func TestTempDBOfKilledProcess(t *testing.T) {
	if dir := os.Getenv("BATON_DEVSERVER_CHILD_TEMPDIR"); dir != "" {
		s, err := Start(context.Background(), Options{TempDir: dir})
		require.NoError(t, err)
		fmt.Println("ready", s.Address())
		time.Sleep(time.Minute) // until killed
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestTempDBOfKilledProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "BATON_DEVSERVER_CHILD_TEMPDIR="+dir)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := bufio.NewScanner(stdout)
	ready := false
	for lines.Scan() {
		if strings.HasPrefix(lines.Text(), "ready ") {
			ready = true
			break
		}
	}
	require.True(t, ready, "the child server did not start")
	childFiles, err := filepath.Glob(filepath.Join(dir, fmt.Sprintf("%s%d-*.db", tempDBPrefix, cmd.Process.Pid)))
	require.NoError(t, err)
	require.Len(t, childFiles, 1)

	// A live process's file stays.
	removeOrphanDBs(dir)
	require.FileExists(t, childFiles[0])

	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	require.FileExists(t, childFiles[0], "a killed process leaves its file")

	s, err := Start(context.Background(), Options{TempDir: dir})
	require.NoError(t, err)
	require.NoFileExists(t, childFiles[0])
	require.NoFileExists(t, childFiles[0]+"-wal")
	require.NoError(t, s.Stop())
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, left)
}

// TestInMemoryStore: Options.InMemory runs on SQLite's in-memory mode and
// writes no file.
func TestInMemoryStore(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, Options{InMemory: true, TempDir: dir})
	c := newClient(t, s)
	startWorker(t, c)
	runSteps(t, c, "in-memory")
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, left)
}

// TestDefaultTempDir: $TMPDIR, when set, is where temporary databases go;
// without it, Linux's /dev/shm when it has room, else os.TempDir().
func TestDefaultTempDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("TMPDIR is a Unix variable")
	}
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	require.Equal(t, dir, defaultTempDir())
	t.Setenv("TMPDIR", "")
	got := defaultTempDir()
	if runtime.GOOS == "linux" && got != os.TempDir() {
		require.Equal(t, "/dev/shm", got)
	} else {
		require.Equal(t, os.TempDir(), got)
	}
}
