package definition

import (
	"github.com/batonhq/baton/sel"
	"math"
	"sort"
	"strconv"
	"strings"
)

// dec walks a node tree, converting it to the model and collecting every
// problem with its path instead of stopping at the first.
type dec struct {
	errList
	mapDepth int // MAP literals being read, for sel.MaxValueDepth
}

// object reports whether n is an object; otherwise it records an error.
func (d *dec) object(n *node, path string) bool {
	if n.kind != kObject {
		d.add(path, "must be an object, got %s", n.kind)
		return false
	}
	return true
}

// each calls f for every key of object n, and reports keys that f does not
// know (f returns false).
func (d *dec) each(n *node, path string, f func(key string, v *node, p string) bool) {
	if !d.object(n, path) {
		return
	}
	for i, k := range n.keys {
		p := pathKey(path, k)
		if !f(k, n.vals[i], p) {
			d.add(p, "unknown field")
		}
	}
}

func (d *dec) str(n *node, path string) string {
	switch n.kind {
	case kString:
		return n.str
	case kNull:
		return ""
	}
	d.add(path, "must be a string, got %s", n.kind)
	return ""
}

func (d *dec) strList(n *node, path string) []string {
	if n.kind == kNull {
		return nil
	}
	if n.kind != kArray {
		d.add(path, "must be an array of strings, got %s", n.kind)
		return nil
	}
	out := make([]string, 0, len(n.elems))
	for i, e := range n.elems {
		out = append(out, d.str(e, pathIndex(path, i)))
	}
	return out
}

// boolp reads a boolean; like Jackson it also accepts "true"/"false".
func (d *dec) boolp(n *node, path string) *bool {
	switch n.kind {
	case kNull:
		return nil
	case kBool:
		b := n.b
		return &b
	case kString:
		switch strings.ToLower(n.str) {
		case "true":
			b := true
			return &b
		case "false":
			b := false
			return &b
		}
	}
	d.add(path, "must be a boolean, got %s", describe(n))
	return nil
}

// int64p reads a whole number from a JSON number or a numeric string.
func (d *dec) int64p(n *node, path string) *int64 {
	if n.kind == kNull {
		return nil
	}
	if n.kind == kNumber || n.kind == kString {
		if v, ok := parseLong(n.str); ok {
			return &v
		}
	}
	d.add(path, "must be a whole number, got %s", describe(n))
	return nil
}

// parseLong reads a 64-bit whole number; "5.0" and "1e3" count if exact.
func parseLong(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

func parseDouble(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// parsableLong reads Maestro's ParsableLong: number, numeric string or
// any other string (kept as Text).
func (d *dec) parsableLong(n *node, path string) *ParsableLong {
	switch n.kind {
	case kNull:
		return nil
	case kNumber, kString:
		if v, ok := parseLong(n.str); ok {
			return &ParsableLong{Literal: &v}
		}
		if n.kind == kString {
			return &ParsableLong{Text: n.str}
		}
	}
	d.add(path, "must be a whole number or a string, got %s", describe(n))
	return nil
}

// enum reads a case-insensitive enum name and returns it upper-cased.
func (d *dec) enum(n *node, path string, allowed ...string) string {
	if n.kind == kNull {
		return ""
	}
	if n.kind == kString {
		up := strings.ToUpper(strings.TrimSpace(n.str))
		for _, a := range allowed {
			if a == up {
				return up
			}
		}
	}
	d.add(path, "must be one of %s, got %s", strings.Join(allowed, ", "), describe(n))
	return ""
}

func (d *dec) plainMap(n *node, path string) map[string]any {
	if n.kind == kNull {
		return nil
	}
	if !d.object(n, path) {
		return nil
	}
	return n.plain().(map[string]any)
}

// describe names a node for error messages: its kind and, for scalars,
// a short form of its value.
func describe(n *node) string {
	switch n.kind {
	case kString:
		return strconv.Quote(sel.Clip(n.str))
	case kNumber:
		return sel.Clip(n.str)
	case kBool:
		return strconv.FormatBool(n.b)
	}
	return n.kind.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
