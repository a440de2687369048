package translator

import "github.com/batonhq/baton/definition"

// Error is one reason a definition does not compile, at a definition path
// such as workflow.steps[3].step.signal_dependencies: the same type as
// definition's validation errors, so callers handle both alike.
type Error = definition.Error

// Errors is every reason a definition does not compile, in definition
// order. Compile returns it (as error) when it is not empty.
type Errors = definition.Errors

// NotSupportedPrefix starts the message of every error about a feature
// Baton accepts in definitions but does not run yet.
const NotSupportedPrefix = definition.NotSupportedPrefix

type errList struct{ errs Errors }

func (l *errList) add(path, msg string) { l.errs = append(l.errs, &Error{Path: path, Msg: msg}) }

func (l *errList) notSupported(path, feature string) { l.add(path, NotSupportedPrefix+feature) }
