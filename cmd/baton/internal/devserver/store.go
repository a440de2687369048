package devserver

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"go.temporal.io/server/common/config"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	sqliteschema "go.temporal.io/server/schema/sqlite"
)

// A server without Options.DBFile keeps its state in a temporary SQLite
// file (WAL, no fsync) that Stop deletes, not in SQLite's in-memory mode.
// In memory, every write transaction copies each page it changes into an
// in-memory rollback journal, and the pure-Go SQLite allocates each copy
// (a page a time, often through mmap and munmap): measured on a one-step
// run, the visibility queue's close record alone took half the process's
// CPU, and a run cost about twice the CPU it costs with a WAL file (README,
// Performance, session 10). A WAL file has no rollback journal. The file
// is as temporary as memory was: runs are lost when the server stops.

// tempDBPrefix starts the name of every temporary database file; the
// process id follows, so a later server can tell a crashed process's file.
const tempDBPrefix = "baton-dev-"

// tempDBPath returns a new temporary database path in dir
// (defaultTempDir when ""), after deleting the files of servers whose
// process is gone (a kill -9 leaves them behind).
func tempDBPath(dir string) string {
	if dir == "" {
		dir = defaultTempDir()
	}
	removeOrphanDBs(dir)
	return filepath.Join(dir, fmt.Sprintf("%s%d-%016x.db", tempDBPrefix, os.Getpid(), rand.Uint64()))
}

// removeTempDB deletes a temporary database and its WAL and shared-memory
// files.
func removeTempDB(path string) error {
	var errs []error
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// removeOrphanDBs deletes the temporary databases in dir whose process has
// ended. A process that cannot be asked (another user's, or a platform
// without signal 0) keeps its files.
func removeOrphanDBs(dir string) {
	paths, _ := filepath.Glob(filepath.Join(dir, tempDBPrefix+"*.db"))
	for _, p := range paths {
		pid, ok := tempDBOwner(filepath.Base(p))
		if !ok || pid == os.Getpid() {
			continue
		}
		proc, err := os.FindProcess(pid)
		if err != nil {
			continue
		}
		if err := proc.Signal(signalZero); errors.Is(err, os.ErrProcessDone) {
			_ = removeTempDB(p)
		}
	}
}

// signalZero asks whether a process exists without signalling it.
var signalZero = syscall.Signal(0)

// tempDBOwner reads the process id out of a temporary database's name.
func tempDBOwner(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, tempDBPrefix)
	if !ok {
		return 0, false
	}
	digits, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(digits)
	return pid, err == nil && pid > 0
}

// storeConfig is the SQLite store of a server: opts.DBFile (the
// temporary database when temporary), or SQLite's in-memory mode when
// opts.DBFile is "" (Options.InMemory).
func storeConfig(opts Options, temporary bool) (*config.SQL, error) {
	sqlCfg := &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		ConnectAttributes: map[string]string{},
	}
	if opts.DBFile == "" {
		// A unique name: the sqlite plugin shares one connection per DSN
		// process-wide, so two in-memory servers must not share a name.
		sqlCfg.DatabaseName = fmt.Sprintf("baton-%d-%d", os.Getpid(), rand.Int64())
		sqlCfg.ConnectAttributes["mode"] = "memory"
		sqlCfg.ConnectAttributes["cache"] = "shared"
		return sqlCfg, nil
	}
	abs, err := filepath.Abs(opts.DBFile)
	if err != nil {
		return nil, fmt.Errorf("devserver: %w", err)
	}
	if _, err := os.Stat(filepath.Dir(abs)); err != nil {
		return nil, fmt.Errorf("devserver: database directory: %w", err)
	}
	// Every server has a file of its own (the plugin shares a connection
	// per DSN process-wide).
	sqlCfg.DatabaseName = abs
	sqlCfg.ConnectAttributes["mode"] = "rwc"
	sqlCfg.ConnectAttributes["journal_mode"] = "wal"
	sqlCfg.ConnectAttributes["synchronous"] = "normal"
	if temporary {
		sqlCfg.ConnectAttributes["synchronous"] = "off" // nothing to keep across a crash
	}
	return sqlCfg, nil
}

// setupFile creates a missing database file with the schema; an existing
// one is used as it is.
func setupFile(path string, sqlCfg *config.SQL) error {
	_, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := createPrivate(path); err != nil {
			return err
		}
		if err := sqliteschema.SetupSchema(sqlCfg); err != nil {
			return fmt.Errorf("devserver: set up schema in %s: %w", path, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("devserver: %w", err)
	}
	return nil
}

// createPrivate creates an empty database file readable by its owner only:
// histories hold params and Http headers. SQLite opens an empty file as a new
// database and gives its -wal and -shm files the database file's mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("devserver: create database file: %w", err)
	}
	return f.Close()
}
