package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/definition"
)

func defJSON(id, desc string, active *bool) json.RawMessage {
	s := fmt.Sprintf(`{"properties":{"owner":{"name":"tester"},"description":%q},"workflow":{"id":%q,"name":"name of %s","steps":[{"step":{"id":"a","type":"NoOp"}}]}`, desc, id, id)
	if active != nil {
		s += fmt.Sprintf(`,"is_active":%v`, *active)
	}
	return json.RawMessage(s + "}")
}

func push(desc string, activate bool) PushInput {
	return PushInput{Definition: defJSON("wf", desc, &activate), PlanHash: "hash-" + desc, Description: desc, Activate: activate}
}

// entityRun runs an entity in the test environment; script sends updates
// and queries through h. The entity continues as new after maxUpdates
// updates; the state it carries is returned.
type entityRun struct {
	t    *testing.T
	env  *testsuite.TestWorkflowEnvironment
	n    int
	v    Version
	err  error
	done bool
}

// update sends an update; its outcome is in h.v and h.err at the next
// step of the script.
func (h *entityRun) update(name string, arg any) {
	h.v, h.err, h.done = Version{}, nil, false
	h.env.UpdateWorkflow(name, fmt.Sprintf("u%d", h.n), &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(err error) { h.err, h.done = err, true },
		OnComplete: func(res any, err error) {
			h.err, h.done = err, true
			if err == nil {
				h.v = res.(Version)
			}
		},
	}, arg)
	h.n++
}

// result returns the outcome of the previous step's update.
func (h *entityRun) result() (Version, error) {
	require.True(h.t, h.done, "the update finished")
	return h.v, h.err
}

func (h *entityRun) versions() []Version {
	val, err := h.env.QueryWorkflow(QueryVersions)
	require.NoError(h.t, err)
	var out []Version
	require.NoError(h.t, val.Get(&out))
	return out
}

func (h *entityRun) get(sel string) GetResult {
	val, err := h.env.QueryWorkflow(QueryGet, sel)
	require.NoError(h.t, err)
	var out GetResult
	require.NoError(h.t, val.Get(&out))
	return out
}

func runEntity(t *testing.T, in EntityInput, script ...func(h *entityRun)) State {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(Entity, workflow.RegisterOptions{Name: WorkflowName})
	h := &entityRun{t: t, env: env}
	for i, step := range script {
		env.RegisterDelayedCallback(func() { step(h) }, time.Duration(i+1)*time.Millisecond)
	}
	env.ExecuteWorkflow(WorkflowName, in)
	require.True(t, env.IsWorkflowCompleted())
	err := env.GetWorkflowError()
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(err, &can), "continued as new, got %v", err)
	require.Equal(t, WorkflowName, can.WorkflowType.Name)
	var next EntityInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	require.Equal(t, in.MaxUpdates, next.MaxUpdates)
	return next.State
}

func TestEntityPushActivateGet(t *testing.T) {
	ok := func(h *entityRun) Version {
		v, err := h.result()
		require.NoError(t, err)
		return v
	}
	st := runEntity(t, EntityInput{State: State{WorkflowID: "wf"}, MaxUpdates: 4},
		func(h *entityRun) {
			require.Empty(t, h.versions())
			require.Contains(t, h.get("latest").NotFound, `workflow "wf" has no versions`)
			require.Contains(t, h.get("active").NotFound, "no active version")
			h.update(UpdatePush, push("one", true))
		},
		func(h *entityRun) {
			v1 := ok(h)
			require.Equal(t, 1, v1.Version)
			require.True(t, v1.Active)
			require.Equal(t, "hash-one", v1.PlanHash)
			require.False(t, v1.CreateTime.IsZero())
			h.update(UpdatePush, push("two", false)) // is_active false
		},
		func(h *entityRun) {
			v2 := ok(h)
			require.Equal(t, 2, v2.Version)
			require.False(t, v2.Active)
			require.Equal(t, 1, h.get("active").Version.Version)
			require.Equal(t, 1, h.get("default").Version.Version)
			require.Equal(t, 1, h.get("").Version.Version)
			require.Equal(t, 2, h.get("LATEST").Version.Version)
			require.Equal(t, 2, h.get("2").Version.Version)
			require.Contains(t, h.get("3").NotFound, "no version 3 (versions 1 to 2)")
			require.Contains(t, h.get("nope").NotFound, "invalid version selector")
			require.Contains(t, h.get("0").NotFound, "invalid version selector")
			req, err := definition.Decode(h.get("2").Definition)
			require.NoError(t, err)
			require.Equal(t, "two", req.Properties.Description)
			h.update(UpdateActivate, 7)
		},
		func(h *entityRun) {
			// Unknown versions are rejected by the validator.
			_, err := h.result()
			var appErr *temporal.ApplicationError
			require.True(t, errors.As(err, &appErr), "%v", err)
			require.Equal(t, ErrorTypeNotFound, appErr.Type())
			h.update(UpdateActivate, 2)
		},
		func(h *entityRun) {
			require.True(t, ok(h).Active)
			vs := h.versions()
			require.Len(t, vs, 2)
			require.False(t, vs[0].Active)
			require.True(t, vs[1].Active)
			require.Equal(t, "two", vs[1].Description)
			require.Equal(t, 2, h.get("active").Version.Version)
			h.update(UpdatePush, push("three", false)) // fourth update: continue as new
		},
	)
	// Continue-as-new keeps the state.
	require.Equal(t, "wf", st.WorkflowID)
	require.Equal(t, 2, st.Active)
	require.Len(t, st.Versions, 3)
	require.Equal(t, 3, st.get("latest").Version.Version)
	require.Equal(t, 2, st.get("default").Version.Version)

	// And the next run serves it.
	st = runEntity(t, EntityInput{State: st, MaxUpdates: 1},
		func(h *entityRun) {
			require.Len(t, h.versions(), 3)
			require.Equal(t, 2, h.get("active").Version.Version)
			h.update(UpdatePush, push("four", true))
		},
	)
	require.Equal(t, 4, st.Active)
	require.Len(t, st.Versions, 4)
}

func TestEntityDefaultWithoutActive(t *testing.T) {
	st := runEntity(t, EntityInput{State: State{WorkflowID: "wf"}, MaxUpdates: 2},
		func(h *entityRun) { h.update(UpdatePush, push("one", false)) },
		func(h *entityRun) { h.update(UpdatePush, push("two", false)) },
	)
	require.Equal(t, 0, st.Active)
	require.Len(t, st.Versions, 2)
	require.Contains(t, st.get("active").NotFound, "no active version")
	require.Equal(t, 2, st.get("default").Version.Version, "default falls back to latest, as in Maestro")
}

func TestEntityRefusesMalformedPush(t *testing.T) {
	cases := []struct {
		want string
		in   PushInput
	}{
		{"without a definition", PushInput{PlanHash: "h"}},
		{"malformed definition", PushInput{Definition: json.RawMessage(`{"workflow":5}`), PlanHash: "h"}},
		{"invalid definition", PushInput{Definition: json.RawMessage(`{"workflow":{"id":"wf","steps":[]}}`), PlanHash: "h"}},
		{`not "wf"`, PushInput{Definition: defJSON("other", "x", nil), PlanHash: "h"}},
		{"without a plan hash", PushInput{Definition: defJSON("wf", "x", nil)}},
		{"the limit is", PushInput{Definition: json.RawMessage(`"` + strings.Repeat("x", MaxDefinitionBytes) + `"`), PlanHash: "h"}},
	}
	var script []func(h *entityRun)
	for i := range cases {
		script = append(script, func(h *entityRun) {
			if i > 0 {
				checkRefused(t, h, cases[i-1].want)
			}
			h.update(UpdatePush, cases[i].in)
		})
	}
	script = append(script, func(h *entityRun) {
		checkRefused(t, h, cases[len(cases)-1].want)
		require.Empty(t, h.versions(), "refused pushes leave no version")
		h.update(UpdatePush, push("ok", true))
	})
	st := runEntity(t, EntityInput{State: State{WorkflowID: "wf"}, MaxUpdates: 1}, script...)
	require.Len(t, st.Versions, 1)
}

func checkRefused(t *testing.T, h *entityRun, want string) {
	_, err := h.result()
	require.ErrorContains(t, err, want)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr))
	require.Equal(t, ErrorTypeInvalid, appErr.Type())
}

func TestEntityManyPushesContinueAsNew(t *testing.T) {
	// 1,000 pushes through runs of DefaultMaxUpdates updates: each run's
	// history stays bounded and every version survives.
	st := State{WorkflowID: "wf"}
	for run := 0; run < 1000/DefaultMaxUpdates; run++ {
		var script []func(h *entityRun)
		for i := 0; i < DefaultMaxUpdates; i++ {
			n := run*DefaultMaxUpdates + i + 1
			script = append(script, func(h *entityRun) {
				if i > 0 {
					v, err := h.result()
					require.NoError(t, err)
					require.Equal(t, n-1, v.Version)
				}
				h.update(UpdatePush, push(fmt.Sprint(n), n%2 == 1))
			})
		}
		st = runEntity(t, EntityInput{State: st}, script...)
	}
	require.Len(t, st.Versions, 1000)
	require.Equal(t, 999, st.Active)
	require.Equal(t, "1000", st.get("latest").Version.Description)
	require.Empty(t, st.get("1").NotFound)
}

func TestStatePrune(t *testing.T) {
	st := State{WorkflowID: "wf"}
	now := time.Unix(0, 0)
	// Incompressible definitions of ~100 KiB: about ten fit.
	big := func(i int) PushInput {
		var b strings.Builder
		x := uint64(i + 1)
		for b.Len() < 100<<10 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			fmt.Fprintf(&b, "%016x", x)
		}
		return PushInput{Definition: json.RawMessage(`"` + b.String() + `"`), PlanHash: "h", Activate: i == 0}
	}
	for i := 0; i < 30; i++ {
		_, err := st.push(big(i), now)
		require.NoError(t, err)
	}
	total := 0
	for _, v := range st.Versions {
		total += len(v.Definition)
	}
	require.LessOrEqual(t, total, MaxStoredBytes)
	require.Empty(t, st.get("1").NotFound, "the active version is kept")
	require.Empty(t, st.get("latest").NotFound, "the latest version is kept")
	require.Contains(t, st.get("2").NotFound, "was pruned")
	require.True(t, st.list()[1].Pruned)
	require.Len(t, st.list(), 30, "metadata of pruned versions is kept")
}

func TestParseSelector(t *testing.T) {
	for in, want := range map[string]string{"": "active", "Active": "active", " latest ": "latest", "DEFAULT": "default", "12": "12"} {
		s, err := parseSelector(in)
		require.NoError(t, err)
		require.Equal(t, want, s.String())
	}
	for _, in := range []string{"0", "-1", "v1", "1.5"} {
		_, err := parseSelector(in)
		require.Error(t, err, in)
	}
}

func TestEntityMetadataCap(t *testing.T) {
	st := State{WorkflowID: "wf", Active: 1}
	long := strings.Repeat("é", 200) // 400 bytes: truncated to 256 on a rune boundary
	require.Len(t, truncate(long), 256)
	for st.metadataBytes(nil) <= MaxMetadataBytes-600 {
		st.Versions = append(st.Versions, stored{Version: Version{WorkflowID: "wf", Version: len(st.Versions) + 1, PlanHash: strings.Repeat("h", 64), Name: truncate(long)}, Definition: []byte{1}})
	}
	n := len(st.Versions)
	in := push("x", true)
	in.Name = long
	runEntity(t, EntityInput{State: st, MaxUpdates: 1},
		func(h *entityRun) { h.update(UpdatePush, in) },
		func(h *entityRun) {
			checkRefused(t, h, fmt.Sprintf("has %d versions: the registry keeps at most", n))
			h.update(UpdateActivate, 2)
		},
	)
}
