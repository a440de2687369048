package definition

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/batonhq/baton/sel"
)

// Error is one decoding or validation problem at a JSON path such as
// workflow.steps[2].step.transition.successors["job.9"]. A definition read
// from YAML also carries the position in the file the path came from.
type Error struct {
	Pos  Position
	Path string
	Msg  string
}

func (e *Error) Error() string {
	var sb strings.Builder
	if e.Pos.IsValid() {
		sb.WriteString(e.Pos.String())
		sb.WriteString(": ")
	}
	if e.Path != "" {
		sb.WriteString(e.Path)
		sb.WriteString(": ")
	}
	sb.WriteString(e.Msg)
	return sb.String()
}

// Position is a place in a source file, as go/token.Position: a line and
// column starting at 1, and the file name when known.
type Position struct {
	Filename string
	Line     int
	Column   int
}

// IsValid reports whether the position is set.
func (p Position) IsValid() bool { return p.Line > 0 }

// String is "file:line:column", "line:column" without a file name, or ""
// when the position is not set.
func (p Position) String() string {
	if !p.IsValid() {
		return p.Filename
	}
	s := strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
	if p.Filename != "" {
		s = p.Filename + ":" + s
	}
	return s
}

// Errors is every problem found in one document. Decode and Validate
// return it (as error) when it is non-empty.
type Errors []*Error

func (es Errors) Error() string {
	switch len(es) {
	case 0:
		return "no errors"
	case 1:
		return es[0].Error()
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d errors:", len(es))
	for _, e := range es {
		sb.WriteString("\n  ")
		sb.WriteString(e.Error())
	}
	return sb.String()
}

// Unwrap exposes the single errors to errors.Is / errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// AsErrors returns the problems inside err: the Errors it is or wraps,
// a single *Error, or nil.
func AsErrors(err error) Errors {
	var es Errors
	if errors.As(err, &es) {
		return es
	}
	var e *Error
	if errors.As(err, &e) {
		return Errors{e}
	}
	return nil
}

// MaxErrors is how many problems one Decode or Validate reports; a last
// error says how many more were found.
const MaxErrors = 100

// errList collects problems while walking a document: each (path,
// message) once, the first MaxErrors of them, and a count of the rest.
type errList struct {
	errs    Errors
	seen    map[Error]bool
	dropped int
}

// maxQuoted is the longest string argument an error message quotes whole.
const maxQuoted = 256

// add records a problem. A long string argument is clipped (sel.Clip): no
// error quotes a huge input whole.
func (l *errList) add(path, format string, args ...any) {
	for i, a := range args {
		if s, ok := a.(string); ok && len(s) > maxQuoted {
			args[i] = sel.Clip(s)
		}
	}
	e := Error{Path: path, Msg: fmt.Sprintf(format, args...)}
	if l.seen[e] {
		return
	}
	if len(l.errs) >= MaxErrors {
		l.dropped++
		return
	}
	if l.seen == nil {
		l.seen = map[Error]bool{}
	}
	l.seen[e] = true
	l.errs = append(l.errs, &e)
}

// err returns the collected problems in the order they were found (the
// walk is deterministic), or nil.
func (l *errList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	if l.dropped > 0 {
		return append(l.errs[:len(l.errs):len(l.errs)], &Error{Msg: fmt.Sprintf("and %d more errors", l.dropped)})
	}
	return l.errs
}

// NotSupportedPrefix starts the message of every error about a feature
// Baton accepts in definitions but does not run yet.
const NotSupportedPrefix = "not supported yet: "

// IsNotSupported reports whether e is a "not supported yet" error.
func (e *Error) IsNotSupported() bool { return strings.HasPrefix(e.Msg, NotSupportedPrefix) }

// ErrNotSupported is wrapped by every "not supported yet" refusal.
var ErrNotSupported = errors.New("not supported yet")

// notSupported reports a feature Baton does not handle yet.
func notSupported(feature string) error {
	return fmt.Errorf("%w: %s", ErrNotSupported, feature)
}
