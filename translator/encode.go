package translator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/batonhq/baton/sel"
)

// Encode writes the plan's stable JSON encoding: struct fields in
// declaration order, map keys sorted (encoding/json sorts them; the order
// of a MAP literal's entries is its "keys" array), steps in topological
// order. Equal plans encode to equal bytes.
func Encode(p *Plan) ([]byte, error) {
	if p == nil {
		return nil, fmt.Errorf("nil plan")
	}
	if err := checkLimits(p); err != nil {
		return nil, fmt.Errorf("encoding plan: %w", err)
	}
	return json.Marshal(p)
}

// Decode reads a plan written by Encode and refuses a format version this
// build does not know.
func Decode(b []byte) (*Plan, error) {
	// a plan's nesting is bounded (checkLimits); refuse a deeper document
	// before decoding it, since each MAP level is decoded again by the one
	// above: a MAP level is 5 JSON levels, a body level 4
	if d := sel.JSONDepth(b); d > 5*sel.MaxValueDepth+4*MaxBodyDepth+16 {
		return nil, fmt.Errorf("decoding plan: nested %d levels deep", d)
	}
	var p Plan
	if err := UnmarshalPlan(b, &p); err != nil {
		return nil, fmt.Errorf("decoding plan: %w", err)
	}
	if p.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("plan format version %d: this build reads version %d", p.FormatVersion, FormatVersion)
	}
	return &p, nil
}

// Hash returns the hex SHA-256 of the plan's encoding with Hash empty: the
// value Compile stores in p.Hash.
func Hash(p *Plan) (string, error) { return hashOf(p) }

// Verify checks that p.Hash matches the plan's content.
func Verify(p *Plan) error {
	h, err := hashOf(p)
	if err != nil {
		return err
	}
	if h != p.Hash {
		return fmt.Errorf("plan hash %q does not match its content (%s)", p.Hash, h)
	}
	return nil
}

func hashOf(p *Plan) (string, error) {
	if p == nil {
		return "", fmt.Errorf("nil plan")
	}
	c := *p
	c.Hash = ""
	b, err := Encode(&c)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
