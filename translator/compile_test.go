package translator

import (
	"errors"
	"testing"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	"github.com/stretchr/testify/require"
)

func ids(nodes []*Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.ID
	}
	return out
}

func compileErrs(t *testing.T, req *definition.Request, opts Options) Errors {
	t.Helper()
	p, err := Compile(req, opts)
	require.Error(t, err)
	require.Nil(t, p)
	var es Errors
	require.True(t, errors.As(err, &es), "error %T", err)
	return es
}

func errStrings(es Errors) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Error()
	}
	return out
}

func TestCompileBasic(t *testing.T) {
	req := request(
		noop("a", edge("b", "true"), edge("c", "x > 1")),
		noop("b", edge("d", "")),
		noop("c", edge("d", "true")),
		noop("d"),
	)
	req.Workflow.Params = definition.Params{"x": longParam(3)}
	p, err := Compile(req, Options{})
	require.NoError(t, err)
	require.Equal(t, FormatVersion, p.FormatVersion)
	require.Equal(t, "wf", p.WorkflowID)
	require.Equal(t, "wf", p.Name)
	require.Equal(t, "tester", p.Owner)
	require.Equal(t, "SEQUENTIAL", p.RunStrategy)
	require.Equal(t, []string{"run_strategy SEQUENTIAL: instances are not queued yet"}, p.Warnings)
	require.Equal(t, int64(20), p.StepConcurrency)
	require.Equal(t, Number{Value: DefaultTimeoutSecs}, p.Timeout)
	require.Equal(t, []string{"a", "b", "c", "d"}, ids(p.Steps))
	require.Equal(t, []Edge{{"b", "true"}, {"c", "x > 1"}}, p.Steps[0].Successors)
	require.Equal(t, []Edge{{"d", "true"}}, p.Steps[1].Successors)
	require.Equal(t, []string{"b", "c"}, p.Steps[3].Predecessors)
	require.Equal(t, &Param{Type: sel.Long, Literal: int64(3), Mode: "MUTABLE"}, p.Params["x"])
	for _, n := range p.Steps {
		require.Equal(t, ModeInline, n.Mode)
		require.Equal(t, "FAIL_AFTER_RUNNING", n.FailureMode)
		require.Equal(t, Number{Value: 864000}, n.Timeout)
		require.Equal(t, DefaultRetry(), n.Retry)
	}
	require.Len(t, p.Hash, 64)
	require.NoError(t, Verify(p))
	require.Equal(t, []string{"a"}, ids(p.Roots()))
	require.Equal(t, []string{"d"}, ids(p.Leaves()))
	require.Equal(t, "c", p.Node("c").ID)
	require.Nil(t, p.Node("zz"))
	require.Equal(t, 2, p.Index()["c"])
}
