package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/sel"
)

// StepType is a user step type, registered on a worker under its Maestro
// type name (the "type" field of a typed step).
type StepType interface {
	Run(ctx context.Context, step *Step) (*Result, error)
}

// StepFunc adapts a function to StepType.
type StepFunc func(ctx context.Context, step *Step) (*Result, error)

// Run calls f.
func (f StepFunc) Run(ctx context.Context, step *Step) (*Result, error) { return f(ctx, step) }

// Step is what a step type receives: the step's identity and its evaluated
// params.
type Step struct {
	WorkflowID string // the Maestro workflow id
	InstanceID string // the run's Temporal workflow id
	RunID      string
	StepID     string
	Type       string
	SubType    string
	Attempt    int // step_attempt_id: 1 for the first attempt
	Params     map[string]sel.Value
}

// Param returns a param's value in sel's Go representation.
func (s *Step) Param(name string) (any, bool) {
	v, ok := s.Params[name]
	return v.Value, ok
}

// String returns a STRING param, or "" if it is missing or of another type.
func (s *Step) String(name string) string {
	v, _ := s.Params[name].Value.(string)
	return v
}

// Long returns a LONG param, or 0 if it is missing or of another type.
func (s *Step) Long(name string) int64 {
	v, _ := s.Params[name].Value.(int64)
	return v
}

// Result is what a successful step returns. Outputs may set only params
// the step declares with mode MUTABLE (as in Maestro); values use sel's Go
// representation (int for LONG is accepted and widened).
type Result struct {
	Outputs map[string]any
	// Signals are dynamic signal outputs: sent, after the step's own
	// signal_outputs, once the step has succeeded (as Maestro's step
	// runtimes return output signals). Param values are STRING or LONG
	// (string, int or int64); the payload is any JSON-encodable map.
	Signals []SignalOutput
}

// SignalOutput is one signal a step type asks to send at its success.
type SignalOutput struct {
	Name    string         `json:"name"`
	Params  map[string]any `json:"params,omitempty"`
	Payload map[string]any `json:"payload,omitempty"`
}

// Error types carried by Temporal application errors; the interpreter maps
// them to Maestro's retry classes.
const (
	ErrorTypeUser            = "baton.UserError"
	ErrorTypePlatform        = "baton.PlatformError"
	ErrorTypeFatal           = "baton.FatalError"
	ErrorTypeUnknownStepType = "baton.UnknownStepType"
)

// UserError marks err as a user error: retried under error_retry_limit.
// A plain error returned by a step type is a user error too.
func UserError(err error) error { return classify(ErrorTypeUser, err) }

// PlatformError marks err as a platform error: retried under
// platform_retry_limit.
func PlatformError(err error) error { return classify(ErrorTypePlatform, err) }

// FatalError marks err as not retryable: the step becomes FATALLY_FAILED
// and its failure mode applies.
func FatalError(err error) error { return classify(ErrorTypeFatal, err) }

// classifiedError keeps the class of an error until the Runner turns it into
// a Temporal application error.
type classifiedError struct {
	class string
	err   error
}

func (e *classifiedError) Error() string { return e.err.Error() }
func (e *classifiedError) Unwrap() error { return e.err }

func classify(class string, err error) error {
	if err == nil {
		err = errors.New(class)
	}
	return &classifiedError{class: class, err: err}
}

// toApplicationError converts a step type's error into the non-retryable
// application error the interpreter reads (Temporal's own retries are off:
// the interpreter applies Maestro's three retry classes itself).
func toApplicationError(err error) error {
	class := ErrorTypeUser
	var ce *classifiedError
	if errors.As(err, &ce) {
		class = ce.class
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && ce == nil {
		// A Temporal error the step built itself: keep it, classed by its
		// own retryability.
		if appErr.NonRetryable() {
			class = ErrorTypeFatal
		}
	}
	return temporal.NewApplicationErrorWithOptions(err.Error(), class, temporal.ApplicationErrorOptions{NonRetryable: true})
}

// ErrorClass returns the class of an error returned by the step activity:
// one of the ErrorType constants, or "" if err is not a step error (a
// timeout or cancellation, say).
func ErrorClass(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		switch t := appErr.Type(); t {
		case ErrorTypeUser, ErrorTypePlatform, ErrorTypeFatal, ErrorTypeUnknownStepType:
			return t
		}
		return ErrorTypeUser
	}
	var panicErr *temporal.PanicError
	if errors.As(err, &panicErr) {
		return ErrorTypeFatal
	}
	return ""
}

func unknownStepType(name string) error {
	return temporal.NewApplicationErrorWithOptions(
		fmt.Sprintf("no step type %q is registered on the worker that ran this step", name),
		ErrorTypeUnknownStepType, temporal.ApplicationErrorOptions{NonRetryable: true})
}
