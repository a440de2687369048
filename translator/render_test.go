package translator

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/batonhq/baton/definition"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./translator -run Render -update to create it")
	require.Equal(t, string(want), got)
}

// trickyRequest has ids and conditions that need escaping in both formats.
func trickyRequest() *definition.Request {
	a := typed(`job."1"`, "spark", edge("job.2", "true"), edge(`b\c`, `x > 1 && s == "a|b" # c`))
	a.Tags = definition.TagList{tag(TagTaskQueue, "gpu")}
	a.SubType = "pyspark"
	b := noop("job.2", edge(`b\c`, ""))
	c := typed(`b\c`, "Sleep")
	return request(a, b, c)
}

func TestRender(t *testing.T) {
	p, err := Compile(trickyRequest(), Options{})
	require.NoError(t, err)
	golden(t, "tricky.mmd", Mermaid(p))
	golden(t, "tricky.dot", DOT(p))

	req, err := definition.DecodeFile(filepath.Join(samplesDir, "server__sample-conditional-wf.json"))
	if err != nil {
		t.Skipf("sample: %v", err)
	}
	p, err = Compile(req, Options{})
	require.NoError(t, err)
	golden(t, "conditional-wf.mmd", Mermaid(p))
	golden(t, "conditional-wf.dot", DOT(p))
}

// TestRenderLoops draws each loop's inner DAG as a subgraph (Mermaid) or
// a cluster (DOT), nested loops inside their parent's.
func TestRenderLoops(t *testing.T) {
	req, err := definition.DecodeFile(filepath.Join(samplesDir, "server__sample-nested-foreach-wf.json"))
	if err != nil {
		t.Skipf("sample: %v", err)
	}
	p, err := Compile(req, Options{})
	require.NoError(t, err)
	golden(t, "nested-foreach-wf.mmd", Mermaid(p))
	golden(t, "nested-foreach-wf.dot", DOT(p))
}

// TestSketchRendersRefusedFeatures draws definitions Compile refuses,
// with the refusals as warnings; other errors still fail.
func TestSketchRendersRefusedFeatures(t *testing.T) {
	// Every sample compiles now; a Titus step is still refused.
	req := request(noop("a", edge("k", "true")), typed("k", "titus"))
	_, err := Compile(req, Options{})
	require.ErrorContains(t, err, NotSupportedPrefix)
	p, err := Sketch(req, Options{})
	require.NoError(t, err)
	require.NotEmpty(t, p.Warnings)
	require.Contains(t, p.Warnings[0], NotSupportedPrefix)
	require.Empty(t, p.Hash, "a sketch is not for running")
	for _, n := range p.Steps {
		require.Contains(t, Mermaid(p), mermaidEscape(n.ID))
		require.Contains(t, DOT(p), dotQuote(n.ID))
	}
	bad := request(noop("a", edge("a", "true")))
	_, err = Sketch(bad, Options{})
	require.Error(t, err)
}
