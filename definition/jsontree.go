package definition

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/batonhq/baton/sel"
)

// node is one JSON value that keeps object keys in document order, so
// transition.successors can keep the order the author wrote.
type node struct {
	kind  nodeKind
	str   string   // string value, or the number's text
	b     bool     // boolean value
	keys  []string // object keys, in order
	vals  []*node  // object values, parallel to keys
	elems []*node  // array elements
	off   int64    // byte offset of the value, for syntax-level errors
}

type nodeKind uint8

const (
	kNull nodeKind = iota
	kBool
	kNumber
	kString
	kObject
	kArray
)

func (k nodeKind) String() string {
	return [...]string{"null", "boolean", "number", "string", "object", "array"}[k]
}

// parseTree reads exactly one JSON value. Duplicate object keys are an
// error: which one Maestro would keep is not something to rely on.
// A UTF-8 byte order mark before the value is skipped. Nesting deeper than
// MaxJSONDepth is refused before it is read, with the path to where it
// passes the limit.
func parseTree(data []byte) (*node, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	r := &treeReader{dec: dec, data: data}
	n, err := r.node()
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, syntaxError(data, dec.InputOffset(), errors.New("unexpected data after the top-level value"))
	}
	return n, nil
}

// MaxJSONDepth is the deepest nesting of JSON arrays and objects a document
// may have (Jackson's default limit, which Maestro reads with, is 1000).
const MaxJSONDepth = 1000

// treeReader reads a node tree, keeping the path to the current value for
// the depth error.
type treeReader struct {
	dec  *json.Decoder
	data []byte
	path []string // one segment per enclosing array or object
}

func (r *treeReader) node() (*node, error) {
	dec, data := r.dec, r.data
	off := dec.InputOffset()
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, syntaxError(data, dec.InputOffset(), err)
	}
	switch t := tok.(type) {
	case nil:
		return &node{kind: kNull, off: off}, nil
	case bool:
		return &node{kind: kBool, b: t, off: off}, nil
	case json.Number:
		return &node{kind: kNumber, str: string(t), off: off}, nil
	case string:
		return &node{kind: kString, str: t, off: off}, nil
	case json.Delim:
		if len(r.path) >= MaxJSONDepth {
			return nil, &Error{Path: shortPath(r.path), Msg: fmt.Sprintf("nested more than %d levels deep (at line %d)", MaxJSONDepth, lineOf(data, off))}
		}
		switch t {
		case '{':
			n := &node{kind: kObject, off: off}
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, syntaxError(data, dec.InputOffset(), err)
				}
				key, ok := kt.(string)
				if !ok {
					return nil, syntaxError(data, dec.InputOffset(), errors.New("object key is not a string"))
				}
				if seen[key] {
					return nil, syntaxError(data, dec.InputOffset(), fmt.Errorf("duplicate key %q", key))
				}
				seen[key] = true
				r.path = append(r.path, "."+sel.Clip(key))
				v, err := r.node()
				r.path = r.path[:len(r.path)-1]
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, key)
				n.vals = append(n.vals, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, syntaxError(data, dec.InputOffset(), err)
			}
			return n, nil
		case '[':
			n := &node{kind: kArray, off: off, elems: []*node{}}
			for dec.More() {
				r.path = append(r.path, "["+strconv.Itoa(len(n.elems))+"]")
				v, err := r.node()
				r.path = r.path[:len(r.path)-1]
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, syntaxError(data, dec.InputOffset(), err)
			}
			return n, nil
		}
	}
	return nil, syntaxError(data, off, fmt.Errorf("unexpected token %v", tok))
}

// shortPath renders a path of segments, eliding the middle of a deep one.
func shortPath(segs []string) string {
	if len(segs) > 12 {
		segs = append(append(append([]string{}, segs[:6]...), fmt.Sprintf("...(%d levels)...", len(segs)-10)), segs[len(segs)-4:]...)
	}
	return strings.TrimPrefix(strings.Join(segs, ""), ".")
}

func lineOf(data []byte, off int64) int {
	return 1 + bytes.Count(data[:min(max(off, 0), int64(len(data)))], []byte("\n"))
}

// syntaxError reports a JSON syntax problem with its line and column.
func syntaxError(data []byte, off int64, err error) error {
	if off < 0 {
		off = 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "json: ")
	return &Error{Path: "", Msg: fmt.Sprintf("invalid JSON at line %d, column %d: %s", line, col, msg)}
}

// get returns the value of key in an object node, or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != kObject {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// plain converts a node to plain Go values for free-form fields: objects
// become map[string]any, arrays []any, numbers json.Number (so they
// encode back to the same text).
func (n *node) plain() any {
	switch n.kind {
	case kBool:
		return n.b
	case kNumber:
		return json.Number(n.str)
	case kString:
		return n.str
	case kObject:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			m[k] = n.vals[i].plain()
		}
		return m
	case kArray:
		a := make([]any, len(n.elems))
		for i, e := range n.elems {
			a[i] = e.plain()
		}
		return a
	}
	return nil
}

// Path helpers, in the style workflow.steps[2].step.params["foo"].

func pathKey(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

func pathIndex(base string, i int) string { return base + "[" + strconv.Itoa(i) + "]" }

func pathName(base, name string) string { return base + "[" + strconv.Quote(name) + "]" }
