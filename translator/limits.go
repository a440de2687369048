package translator

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/batonhq/baton/sel"
)

// MaxBodyDepth bounds how deeply foreach and while bodies nest in a plan
// (the definition validator allows 10; a plan decoded from elsewhere gets
// the same bound as a JSON document's nesting).
const MaxBodyDepth = 64

// checkLimits refuses a plan whose MAP literals nest deeper than
// sel.MaxValueDepth or whose bodies nest deeper than MaxBodyDepth, naming
// the param or step, before anything recursive encodes it: each level of a
// MAP is encoded again by the level above.
func checkLimits(p *Plan) error {
	if err := checkParams(p.Params, "params"); err != nil {
		return err
	}
	return checkNodes(p.Steps, "steps", 0)
}

func checkNodes(nodes []*Node, path string, depth int) error {
	if depth > MaxBodyDepth {
		return fmt.Errorf("%s: foreach and while bodies nest more than %d deep", path, MaxBodyDepth)
	}
	for _, n := range nodes {
		if n == nil {
			continue
		}
		np := path + "[" + strconv.Quote(n.ID) + "]"
		if err := checkParams(n.Params, np+".params"); err != nil {
			return err
		}
		if n.Body != nil {
			if err := checkNodes(n.Body.Steps, np+".body.steps", depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkParams checks the nesting of MAP literals, in name order so the
// error named is always the same one.
func checkParams(ps map[string]*Param, path string) error {
	names := make([]string, 0, len(ps))
	for k := range ps {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if d := paramDepth(ps[k], sel.MaxValueDepth); d > sel.MaxValueDepth {
			return fmt.Errorf("%s[%s]: MAP value nests more than %d levels deep", path, strconv.Quote(sel.Clip(k)), sel.MaxValueDepth)
		}
	}
	return nil
}

// paramDepth is the nesting depth of a param's MAP literals, counting no
// further than limit+1.
func paramDepth(p *Param, limit int) int {
	if p == nil || p.IsExpr {
		return 0
	}
	switch v := p.Literal.(type) {
	case map[string]*Param:
		if limit < 0 {
			return 1
		}
		d := 0
		for _, e := range v {
			if d = max(d, paramDepth(e, limit-1)); d > limit {
				break
			}
		}
		return d + 1
	case map[string]any:
		return sel.ValueDepth(v, limit)
	}
	return 0
}
