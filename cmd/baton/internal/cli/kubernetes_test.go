package cli

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRunLocalKubernetes: Kubernetes steps run as local processes only
// with --local-kubernetes; without it (and without a cluster) the step
// fails with the reason and the way to opt in.
func TestRunLocalKubernetes(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	code, out, errOut := runMain(t, "run", "--local-kubernetes", sample("server__sample-kubernetes-output-wf.json"))
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "foo=bar")

	code, out, _ = runMain(t, "run", "--output", "json", sample("server__sample-kubernetes-output-wf.json"))
	require.Equal(t, exitFailed, code)
	require.Contains(t, out, "no Kubernetes cluster")
	require.Contains(t, out, "--local-kubernetes")
}
