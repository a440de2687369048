package translator

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
)

func i64(v int64) *int64 { return &v }

func lit(v int64) *definition.ParsableLong { return &definition.ParsableLong{Literal: i64(v)} }

func txt(s string) *definition.ParsableLong { return &definition.ParsableLong{Text: s} }

func edge(to, cond string) definition.Edge { return definition.Edge{To: to, Condition: cond} }

func noop(id string, succ ...definition.Edge) *definition.Step {
	return &definition.Step{Kind: definition.KindStep, ID: id, Type: "NoOp", Transition: definition.Transition{Successors: succ}}
}

func typed(id, typ string, succ ...definition.Edge) *definition.Step {
	s := noop(id, succ...)
	s.Type = typ
	return s
}

func tag(name, value string) definition.Tag {
	return definition.Tag{Name: name, Attributes: map[string]any{"value": value}}
}

func request(steps ...*definition.Step) *definition.Request {
	return &definition.Request{
		Properties: &definition.Properties{Owner: &definition.User{Name: "tester"}},
		Workflow:   &definition.Workflow{ID: "wf", Steps: steps},
	}
}

func longParam(v int64) *definition.Param { return &definition.Param{Type: sel.Long, Value: v} }

func exprParam(t sel.Type, e string) *definition.Param {
	return &definition.Param{Type: t, Expression: e, HasExpression: true}
}

// mapParams is a sel.Params over a plain map, for Resolve tests.
type mapParams map[string]any

func (m mapParams) Lookup(name string) (any, bool)           { v, ok := m[name]; return v, ok }
func (mapParams) GetFromStep(string, string) (any, error)    { return nil, errNo }
func (mapParams) GetFromInstance(string) (any, error)        { return nil, errNo }
func (mapParams) GetFromForeach(_, _, _ string) (any, error) { return nil, errNo }
func (mapParams) GetFromSubworkflow(_, _, _ string) (any, error) {
	return nil, errNo
}
func (mapParams) GetFromSignal(string, string) (any, error)           { return nil, errNo }
func (mapParams) GetFromSignalDependency(string, string) (any, error) { return nil, errNo }
func (mapParams) NextUniqueID() (any, error)                          { return nil, errNo }

type noErr struct{}

func (noErr) Error() string { return "not available" }

var errNo error = noErr{}

func mustDecode(t *testing.T, src string) *definition.Request {
	t.Helper()
	req, err := definition.Decode([]byte(src))
	require.NoError(t, err)
	require.NoError(t, req.Validate())
	return req
}
