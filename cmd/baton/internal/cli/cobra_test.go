package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"
	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/cmd/baton/internal/devserver"
)

// allCommands walks the command tree as Main builds it.
func allCommands() []*cobra.Command {
	a := &app{ctx: context.Background(), out: &bytes.Buffer{}, errOut: &bytes.Buffer{}}
	var all []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		all = append(all, c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(a.rootCmd())
	return all
}

func TestEveryCommandHelpHasAnExampleOnStdout(t *testing.T) {
	cmds := allCommands()
	require.Greater(t, len(cmds), len(commands))
	for _, c := range cmds {
		path := c.CommandPath()
		t.Run(path, func(t *testing.T) {
			args := append(regexp.MustCompile(`\s+`).Split(path, -1)[1:], "--help")
			code, out, errOut := runMain(t, args...)
			require.Equal(t, exitOK, code)
			require.Empty(t, errOut)
			require.Contains(t, out, "Examples:")
			require.NotEmpty(t, c.Example, path)
		})
	}
}

// TestHelpListsOnlyHonouredFlags: a command lists only flags it uses.
func TestHelpListsOnlyHonouredFlags(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		want, not []string
	}{
		{[]string{"dev", "--help"}, []string{"--db", "--port", "--ui-port", "--server-log-level"}, []string{"--tls", "--api-key", "--http-allow", "--address", "--no-worker"}},
		{[]string{"worker", "--help"}, []string{"--address", "--tls", "--api-key", "--http-allow", "--profile"}, []string{"--db", "--no-worker", "--output"}},
		{[]string{"validate", "--help"}, nil, []string{"--address", "--db", "--param"}},
		{[]string{"eval", "--help"}, []string{"--param"}, []string{"--address", "--db"}},
		{[]string{"push", "--help"}, []string{"--db", "--address"}, []string{"--http-allow", "--output"}},
		{[]string{"run", "--help"}, []string{"--db", "--address", "--http-allow", "--output", "--log-level"}, nil},
	} {
		code, out, _ := runMain(t, tc.args...)
		require.Equal(t, exitOK, code)
		out = out[strings.Index(out, "Flags:"):] // the flag lists
		for _, w := range tc.want {
			require.Contains(t, out, w, tc.args)
		}
		for _, n := range tc.not {
			require.NotContains(t, out, n, tc.args)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runMain(t, "--version")
	require.Equal(t, exitOK, code)
	require.Regexp(t, `^baton \S+ \(.*go1\.`, out)

	v := versionOf(&debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Version: "v1.2.3"},
		Deps:      []*debug.Module{{Path: "go.temporal.io/sdk", Version: "v1.50.0"}},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"},
			{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	})
	require.Equal(t, "baton v1.2.3 (commit 0123456789ab+dirty, 2026-12-01T10:00:00Z, go1.26.8, temporal sdk v1.50.0)", v)
}

func TestCompletion(t *testing.T) {
	for shell, want := range map[string]string{
		"bash": "__start_baton",
		"zsh":  "#compdef baton",
		"fish": "complete -c baton",
	} {
		code, out, errOut := runMain(t, "completion", shell)
		require.Equal(t, exitOK, code, errOut)
		require.Contains(t, out, want, shell)
	}
	// Dynamic completion of flag values.
	code, out, _ := runMain(t, "__complete", "run", "x.json", "--output", "")
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "yaml")
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run"}, "want one definition FILE"},
		{[]string{"run", "x.json", "--frob"}, "unknown flag: --frob"},
		{[]string{"graph", "x.json", "--format", "png"}, `unknown --format "png"`},
		{[]string{"eval", "1", "--log-level", "loud"}, `--log-level "loud"`},
		{[]string{"worker", "extra"}, `unknown command "extra"`},
	} {
		code, out, errOut := runMain(t, tc.args...)
		require.Equal(t, exitUsage, code, tc.args)
		require.Empty(t, out, tc.args)
		require.Contains(t, errOut, tc.want, tc.args)
		require.Contains(t, errOut, "--help' for usage", tc.args)
	}
}

// TestEvalNegativeArgs: an expression may start with '-', with or without "--".
func TestEvalNegativeArgs(t *testing.T) {
	for _, args := range [][]string{
		{"eval", "-7 % 3"},
		{"eval", "--", "-7 % 3"},
		{"eval", "-p", "x=7", "-x % 3"},
		{"eval", "-x % 3", "-p", "x=7"},
		{"eval", "-x % 3", "--param=x=7"},
	} {
		code, out, errOut := runMain(t, args...)
		require.Equal(t, exitOK, code, "%v: %s", args, errOut)
		require.Equal(t, "-1 (LONG)\n", out, args)
	}
	code, out, _ := runMain(t, "eval", "-3")
	require.Equal(t, exitOK, code)
	require.Equal(t, "-3 (LONG)\n", out)
}

func TestPositionalAfterDashDash(t *testing.T) {
	a := &app{ctx: context.Background(), out: &bytes.Buffer{}, errOut: &bytes.Buffer{}}
	root := a.rootCmd()
	for _, tc := range []struct{ in, want []string }{
		{[]string{"eval", "1"}, []string{"eval", "1"}},
		{[]string{"eval", "-7 % 3", "-p", "x=1"}, []string{"eval", "-p", "x=1", "--", "-7 % 3"}},
		{[]string{"bench", "--reps", "-1"}, []string{"bench", "--reps", "-1"}},
		{[]string{"eval", "-1", "--", "-2"}, []string{"eval", "--", "-1", "-2"}},
		{[]string{"eval", "--log-level", "debug", "-(1)"}, []string{"eval", "--log-level", "debug", "--", "-(1)"}},
	} {
		require.Equal(t, tc.want, positionalAfterDashDash(root, tc.in), tc.in)
	}
}

// TestTemporalEnvConfig: TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE (read by
// the SDK's envconfig) point baton at a server; a config file profile
// works too; a flag overrides both.
func TestTemporalEnvConfig(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := devserver.Start(ctx, devserver.Options{Namespace: "envns"})
	require.NoError(t, err)
	defer func() { _ = srv.Stop() }()
	tc, err := srv.NewClient(sdkclient.Options{})
	require.NoError(t, err)
	defer tc.Close()
	ranOnServer := func(out string) {
		t.Helper()
		m := regexp.MustCompile(`\(workflow (\S+), run (\S+)\)`).FindStringSubmatch(out)
		require.NotNil(t, m, out)
		_, err := tc.DescribeWorkflowExecution(ctx, m[1], m[2])
		require.NoError(t, err, "the run is on the env-configured server")
	}
	t.Setenv("TEMPORAL_CONFIG_FILE", filepath.Join(t.TempDir(), "none.toml"))

	t.Setenv("TEMPORAL_ADDRESS", srv.Address())
	t.Setenv("TEMPORAL_NAMESPACE", "envns")
	code, out, errOut := runMain(t, "run", sample("server__sample-dag-test-1.json"))
	require.Equal(t, exitOK, code, errOut)
	ranOnServer(out)

	// A flag overrides the environment.
	t.Setenv("TEMPORAL_ADDRESS", "127.0.0.1:1")
	code, out, errOut = runMain(t, "run", sample("server__sample-dag-test-1.json"), "--address", srv.Address())
	require.Equal(t, exitOK, code, errOut)
	ranOnServer(out)

	// A profile of the Temporal config file.
	t.Setenv("TEMPORAL_ADDRESS", "")
	os.Unsetenv("TEMPORAL_ADDRESS")
	os.Unsetenv("TEMPORAL_NAMESPACE")
	cfg := filepath.Join(t.TempDir(), "temporal.toml")
	require.NoError(t, os.WriteFile(cfg, []byte("[profile.local]\naddress = \""+srv.Address()+"\"\nnamespace = \"envns\"\n"), 0o600))
	code, out, errOut = runMain(t, "run", sample("server__sample-dag-test-1.json"), "--config-file", cfg, "--profile", "local")
	require.Equal(t, exitOK, code, errOut)
	ranOnServer(out)
	code, _, errOut = runMain(t, "run", sample("server__sample-dag-test-1.json"), "--config-file", cfg, "--profile", "nope")
	require.Equal(t, exitRuntime, code)
	require.Contains(t, errOut, "unable to find profile nope")

	// A worker needs an address from somewhere.
	code, _, errOut = runMain(t, "worker")
	require.Equal(t, exitRuntime, code)
	require.Contains(t, errOut, "TEMPORAL_ADDRESS")
}

// TestLogFlags: --log-level/--log-format control Baton's and the SDK's
// logs on stderr; the embedded server stays quiet unless asked.
func TestLogFlags(t *testing.T) {
	code, _, errOut := runMain(t, "run", sample("server__sample-dag-test-1.json"))
	require.Equal(t, exitOK, code, errOut)
	require.Empty(t, errOut, "quiet by default")

	code, _, errOut = runMain(t, "run", sample("server__sample-dag-test-1.json"), "--log-level", "info", "--log-format", "json")
	require.Equal(t, exitOK, code, errOut)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	require.NotEmpty(t, lines)
	for _, l := range lines {
		var entry map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &entry), l)
		require.Contains(t, []any{"info", "warn", "error"}, entry["level"], l)
	}
	require.Contains(t, errOut, "Started Worker")
	require.Less(t, len(lines), 50, "the embedded server stays quiet")
}
