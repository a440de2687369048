package definition

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
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

// errList collects problems while walking a document.
type errList struct{ errs Errors }

func (l *errList) add(path, format string, args ...any) {
	l.errs = append(l.errs, &Error{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// err returns the collected problems in the order they were found (the
// walk is deterministic), or nil.
func (l *errList) err() error {
	if len(l.errs) == 0 {
		return nil
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
