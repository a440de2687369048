package definition

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Limits of the YAML reader, each checked before the work it guards: the
// file size before parsing, the nesting depth before descending into a
// mapping or sequence, and the alias count before expanding one (as
// SnakeYAML's maxAliasesForCollections, so an alias bomb stays small).
const (
	MaxYAMLBytes   = 8 << 20
	MaxYAMLDepth   = 64
	MaxYAMLAliases = 50
)

// DecodeYAML reads a workflow written in Maestro's YAML DSL (MAESTRO.md
// §3.15) and returns the same *Request the equivalent JSON create request
// decodes to. Every error carries the line and column it comes from as
// well as its definition path; so do the errors of Validate on the result.
func DecodeYAML(data []byte) (*Request, error) {
	return decodeYAML(data, "")
}

func decodeYAML(data []byte, filename string) (*Request, error) {
	if len(data) > MaxYAMLBytes {
		return nil, Errors{{Pos: Position{Filename: filename}, Msg: fmt.Sprintf("YAML file of %d bytes exceeds the limit of %d", len(data), MaxYAMLBytes)}}
	}
	var doc yaml.Node
	yd := yaml.NewDecoder(bytes.NewReader(data))
	if err := yd.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Errors{{Pos: Position{Filename: filename}, Msg: "empty YAML file: want a Workflow: mapping"}}
		}
		return nil, Errors{yamlSyntaxError(err, filename)}
	}
	var extra yaml.Node
	if err := yd.Decode(&extra); err == nil {
		return nil, Errors{{Pos: posOf(&extra, filename), Msg: "a definition is one YAML document; found another"}}
	}
	c := &dslConv{src: &sourceMap{filename: filename, pos: map[string]Position{}}}
	root := c.document(&doc)
	if err := c.errs.err(); err != nil {
		return nil, err
	}
	d := &dec{}
	r := d.request(root, "")
	if err := d.err(); err != nil {
		return nil, c.src.locate(err)
	}
	r.source = c.src
	return r, nil
}

// yamlSyntaxError turns the YAML library's "yaml: line N: msg" into an
// Error at that line.
func yamlSyntaxError(err error, filename string) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	pos := Position{Filename: filename}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ": "); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				pos.Line, pos.Column, msg = n, 1, rest[i+2:]
			}
		}
	}
	return &Error{Pos: pos, Msg: "invalid YAML: " + msg}
}

// IsYAML reports whether a definition file is YAML: by its extension
// (.yaml, .yml; .json is JSON), else by its content (JSON starts with '{').
func IsYAML(path string, data []byte) bool {
	if isYAMLPath(path) {
		return true
	}
	if strings.HasSuffix(strings.ToLower(path), ".json") {
		return false
	}
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	return len(t) > 0 && t[0] != '{'
}

// decodeAny reads a definition file's bytes as YAML or JSON.
func decodeAny(path string, data []byte) (*Request, error) {
	if IsYAML(path, data) {
		if isDefaultParamsYAML(data) {
			return nil, notSupported("YAML default-param files (Maestro system params, not a workflow definition)")
		}
		return decodeYAML(data, path)
	}
	return Decode(data)
}

// readDefinitionFile reads path, refusing a file over the YAML size limit
// before reading it all.
func readDefinitionFile(path string) ([]byte, error) {
	if fi, err := os.Stat(path); err == nil && fi.Size() > MaxYAMLBytes && isYAMLPath(path) {
		return nil, fmt.Errorf("%s: YAML file of %d bytes exceeds the limit of %d", path, fi.Size(), MaxYAMLBytes)
	}
	return os.ReadFile(path)
}

// isDefaultParamsYAML recognizes Maestro's default-param files, YAML maps
// of system params that are not a workflow.
func isDefaultParamsYAML(data []byte) bool {
	for _, line := range bytes.Split(data, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("Workflow:")) || bytes.HasPrefix(line, []byte("workflow:")) {
			return false
		}
	}
	return true
}

// sourceMap records where in a YAML file each definition path came from,
// so decoding and validation errors can point at a line and column.
type sourceMap struct {
	filename string
	pos      map[string]Position
}

func (s *sourceMap) set(path string, n *yaml.Node) {
	if _, ok := s.pos[path]; !ok {
		s.pos[path] = posOf(n, s.filename)
	}
}

func posOf(n *yaml.Node, filename string) Position {
	return Position{Filename: filename, Line: n.Line, Column: n.Column}
}

// position is the position of the longest recorded path that path starts
// with (a whole segment of it).
func (s *sourceMap) position(path string) Position {
	best, bestLen := Position{Filename: s.filename}, -1
	for p, pos := range s.pos {
		if len(p) <= bestLen || !strings.HasPrefix(path, p) {
			continue
		}
		if len(path) > len(p) && p != "" && path[len(p)] != '.' && path[len(p)] != '[' {
			continue
		}
		best, bestLen = pos, len(p)
	}
	return best
}

// locate sets the position of every Error in err that has none.
func (s *sourceMap) locate(err error) error {
	if s == nil || err == nil {
		return err
	}
	es := AsErrors(err)
	if es == nil {
		return err
	}
	for _, e := range es {
		if !e.Pos.IsValid() {
			e.Pos = s.position(e.Path)
		}
	}
	return es
}

// Locate adds the YAML positions of r's source to the Errors in err (from
// Validate, the translator or a registry check); a request decoded from
// JSON is returned unchanged.
func (r *Request) Locate(err error) error {
	if r == nil {
		return err
	}
	return r.source.locate(err)
}

// dslConv converts a YAML DSL document into the JSON create request tree
// the JSON decoder reads, recording each path's position.
type dslConv struct {
	src     *sourceMap
	errs    errList // bounded as the decoder's: MaxErrors, long quotes clipped
	aliases int
}

func (c *dslConv) fail(n *yaml.Node, path, format string, args ...any) {
	before := len(c.errs.errs)
	c.errs.add(path, format, args...)
	if len(c.errs.errs) > before {
		c.errs.errs[before].Pos = posOf(n, c.src.filename)
	}
}

// resolve follows an alias, counting it against MaxYAMLAliases.
func (c *dslConv) resolve(n *yaml.Node, path string) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		if c.aliases++; c.aliases > MaxYAMLAliases {
			c.fail(n, path, "more than %d YAML aliases", MaxYAMLAliases)
			return nil
		}
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		return c.resolve(n.Content[0], path)
	}
	return n
}

// yamlEntry is one key of a YAML mapping.
type yamlEntry struct {
	key     string
	keyNode *yaml.Node
	val     *yaml.Node
}

// mapping returns the entries of a mapping node in order, refusing
// duplicate, non-scalar and merge keys; nil after an error.
func (c *dslConv) mapping(n *yaml.Node, path, what string) ([]yamlEntry, bool) {
	n = c.resolve(n, path)
	if n == nil {
		return nil, false
	}
	if n.Kind != yaml.MappingNode {
		if isNull(n) {
			return nil, true
		}
		c.fail(n, path, "%s must be a mapping, got %s", what, yamlKind(n))
		return nil, false
	}
	out := make([]yamlEntry, 0, len(n.Content)/2)
	seen := make(map[string]bool, len(n.Content)/2)
	ok := true
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := c.resolve(n.Content[i], path), n.Content[i+1]
		if k == nil {
			return nil, false
		}
		switch {
		case k.Kind != yaml.ScalarNode:
			c.fail(k, path, "a key must be a scalar, got %s", yamlKind(k))
			ok = false
			continue
		case k.ShortTag() == "!!merge":
			c.fail(k, path, "YAML merge keys (<<) are not supported")
			ok = false
			continue
		case seen[k.Value]:
			c.fail(k, path, "duplicate key %q", k.Value)
			ok = false
			continue
		}
		seen[k.Value] = true
		out = append(out, yamlEntry{key: k.Value, keyNode: k, val: v})
	}
	return out, ok
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

func yamlKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a sequence"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		}
		return n.Value
	}
	return "a YAML node"
}

// plain converts any YAML value into a JSON node, recording positions;
// it descends at most MaxYAMLDepth levels.
func (c *dslConv) plain(n *yaml.Node, path string, depth int) *node {
	n = c.resolve(n, path)
	if n == nil {
		return &node{kind: kNull}
	}
	if path != "" { // the workflow's extension fields sit at the top level
		c.src.set(path, n)
	}
	if depth > MaxYAMLDepth {
		c.fail(n, path, "nested deeper than %d levels", MaxYAMLDepth)
		return &node{kind: kNull}
	}
	switch n.Kind {
	case yaml.MappingNode:
		entries, _ := c.mapping(n, path, "value")
		out := &node{kind: kObject}
		for _, e := range entries {
			p := pathKey(path, e.key)
			c.src.set(p, e.keyNode)
			out.keys = append(out.keys, e.key)
			out.vals = append(out.vals, c.plain(e.val, p, depth+1))
		}
		return out
	case yaml.SequenceNode:
		out := &node{kind: kArray, elems: make([]*node, 0, len(n.Content))}
		for i, e := range n.Content {
			out.elems = append(out.elems, c.plain(e, pathIndex(path, i), depth+1))
		}
		return out
	case yaml.ScalarNode:
		return c.scalar(n, path)
	}
	c.fail(n, path, "unexpected YAML node")
	return &node{kind: kNull}
}

// scalar converts a YAML scalar by its resolved tag (YAML 1.2 core
// schema); timestamps and other tags are kept as strings, as Jackson does.
func (c *dslConv) scalar(n *yaml.Node, path string) *node {
	switch n.ShortTag() {
	case "!!null":
		return &node{kind: kNull}
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			c.fail(n, path, "%v", err)
		}
		return &node{kind: kBool, b: b}
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			c.fail(n, path, "integer %s out of range", n.Value)
			return &node{kind: kNull}
		}
		return &node{kind: kNumber, str: strconv.FormatInt(i, 10)}
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			c.fail(n, path, "number %s is not a finite number", n.Value)
			return &node{kind: kNull}
		}
		s := strings.ReplaceAll(n.Value, "_", "")
		if _, err := strconv.ParseFloat(s, 64); err != nil || strings.ContainsAny(s, "xXoO") || strings.HasPrefix(s, "+") || strings.HasPrefix(s, ".") {
			s = strconv.FormatFloat(f, 'g', -1, 64)
		}
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return &node{kind: kNumber, str: s}
	}
	return &node{kind: kString, str: n.Value}
}

// text reads a scalar as a string, as Jackson coerces a scalar into a
// String field; ok is false (and an error recorded) for anything else.
func (c *dslConv) text(n *yaml.Node, path, what string) (string, bool) {
	n = c.resolve(n, path)
	if n == nil {
		return "", false
	}
	if n.Kind != yaml.ScalarNode || isNull(n) {
		c.fail(n, path, "%s must be a string, got %s", what, yamlKind(n))
		return "", false
	}
	return n.Value, true
}
