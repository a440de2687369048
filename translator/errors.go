package translator

import "strings"

// Error is one reason a definition does not compile, at a definition path
// such as workflow.steps[3].step.signal_dependencies.
type Error struct {
	Path string
	Msg  string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Errors is every reason a definition does not compile, in definition
// order. Compile returns it (as error) when it is not empty.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap lets errors.Is and errors.As look at each error.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// NotSupportedPrefix starts the message of every error about a feature
// Baton accepts in definitions but does not run yet.
const NotSupportedPrefix = "not supported yet: "

// IsNotSupported reports whether e is a "not supported yet" error.
func (e *Error) IsNotSupported() bool { return strings.HasPrefix(e.Msg, NotSupportedPrefix) }

type errList struct{ errs Errors }

func (l *errList) add(path, msg string) { l.errs = append(l.errs, &Error{Path: path, Msg: msg}) }

func (l *errList) notSupported(path, feature string) { l.add(path, NotSupportedPrefix+feature) }
