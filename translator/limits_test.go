package translator

import (
	"strings"
	"testing"

	"github.com/batonhq/baton/sel"
	"github.com/stretchr/testify/require"
)

func deepMapParam(depth int) *Param {
	p := &Param{Type: sel.Long, Literal: int64(1)}
	for i := 0; i < depth; i++ {
		p = &Param{Type: sel.Map, Literal: map[string]*Param{"m": p}}
	}
	return p
}

// issue 16: a MAP param nested 5,000 deep took 12.7 s and 590 MB to fail
// encoding. The nesting is refused, naming the param, before encoding.
func TestEncodeRefusesDeepMapParam(t *testing.T) {
	p := &Plan{FormatVersion: FormatVersion, Params: map[string]*Param{"p": deepMapParam(5000)},
		Steps: []*Node{{ID: "a", Kind: "step", Params: map[string]*Param{"q": deepMapParam(3)}}}}
	_, err := Encode(p)
	require.ErrorContains(t, err, `params["p"]: MAP value nests more than 128 levels deep`)

	p.Params["p"] = deepMapParam(sel.MaxValueDepth)
	b, err := Encode(p)
	require.NoError(t, err)
	q, err := Decode(b)
	require.NoError(t, err)
	require.Equal(t, sel.Map, q.Params["p"].Type)

	p.Steps[0].Params["q"] = deepMapParam(sel.MaxValueDepth + 1)
	_, err = Encode(p)
	require.ErrorContains(t, err, `steps["a"].params["q"]: MAP value`)

	// a deep document is refused before it is decoded
	_, err = Decode([]byte(`{"params": {"p": ` + strings.Repeat(`{"type": "MAP", "value": {"m": `, 5000) + "1" + strings.Repeat("}}", 5000) + `}}`))
	require.ErrorContains(t, err, "nested")
}

func TestEncodeRefusesDeepBodies(t *testing.T) {
	steps := []*Node{{ID: "leaf", Kind: "step"}}
	for i := 0; i < MaxBodyDepth+2; i++ {
		steps = []*Node{{ID: "f", Kind: "foreach", Body: &Body{Steps: steps}}}
	}
	_, err := Encode(&Plan{FormatVersion: FormatVersion, Steps: steps})
	require.ErrorContains(t, err, "bodies nest more than")
}
