package definition

import "github.com/batonhq/baton/sel"

// Request is Maestro's workflow create request: the envelope of every
// definition file.
type Request struct {
	Properties *Properties
	Workflow   *Workflow
	IsActive   *bool
	GitInfo    map[string]any
	// Extra holds every other top-level key (Maestro's metadata.extra_info).
	Extra map[string]any

	// source maps paths to YAML positions for a definition read from YAML.
	source *sourceMap
}

// Properties are the workflow-wide settings (MAESTRO.md §3.2).
type Properties struct {
	Owner                 *User
	AccessControl         map[string]any
	RunStrategy           *RunStrategy
	StepConcurrency       *int64
	Alerting              map[string]any
	AlertingDisabled      *bool
	SignalTriggerDisabled *bool
	TimeTriggerDisabled   *bool
	Description           string
	Tags                  TagList
}

// User is an owner: a name plus free-form extra fields.
type User struct {
	Name  string
	Extra map[string]any
}

// RunStrategyRule names how instances of one workflow id share the engine.
type RunStrategyRule string

// The run strategy rules of MAESTRO.md §3.3.
const (
	Sequential       RunStrategyRule = "SEQUENTIAL"
	StrictSequential RunStrategyRule = "STRICT_SEQUENTIAL"
	FirstOnly        RunStrategyRule = "FIRST_ONLY"
	LastOnly         RunStrategyRule = "LAST_ONLY"
	Parallel         RunStrategyRule = "PARALLEL"
	SerialLatestOnly RunStrategyRule = "SERIAL_LATEST_ONLY"
)

// RunStrategy is the decoded run_strategy (string, number or object form).
type RunStrategy struct {
	Rule                RunStrategyRule
	WorkflowConcurrency int64
}

// Workflow is the versioned definition (MAESTRO.md §3.4).
type Workflow struct {
	ID                      string
	Name                    string
	Description             string
	Tags                    TagList
	Timeout                 *ParsableLong // seconds, or a duration string
	TimeTriggers            []*TimeTrigger
	SignalTriggers          []*SignalTrigger
	Criticality             string
	InstanceStepConcurrency *int64
	Params                  Params
	Steps                   []*Step
}

// StepKind is the wrapper key of a step: which kind of step it is.
type StepKind string

// The step kinds.
const (
	KindStep        StepKind = "step"
	KindForeach     StepKind = "foreach"
	KindWhile       StepKind = "while"
	KindSubworkflow StepKind = "subworkflow"
	KindTemplate    StepKind = "template"
)

// FailureMode says what a fatally failed step does to the run (§4.6).
type FailureMode string

// The failure modes; the empty value means the default, FailAfterRunning.
const (
	FailAfterRunning FailureMode = "FAIL_AFTER_RUNNING"
	FailImmediately  FailureMode = "FAIL_IMMEDIATELY"
	IgnoreFailure    FailureMode = "IGNORE_FAILURE"
)

// Step is one element of a steps list, of any kind. Fields that do not
// belong to its Kind are zero.
type Step struct {
	Kind               StepKind
	ID                 string
	Name               string
	Description        string
	Transition         Transition
	FailureMode        FailureMode // "" means FAIL_AFTER_RUNNING
	Tags               TagList
	Timeout            *ParsableLong
	Params             Params
	SignalDependencies []*SignalDependency
	SignalOutputs      []*SignalOutput

	// Typed steps ("step").
	Type           string
	SubType        string // also the only field of "template"
	SubTypeVersion string
	RetryPolicy    *RetryPolicy

	// Foreach.
	Concurrency    *int64
	StrictOrdering *bool

	// Foreach and while: the inner DAG.
	Steps []*Step

	// While.
	Condition string

	// Subworkflow.
	Sync           *bool
	ExplicitParams *bool
}

// Transition lists a step's outgoing edges, in definition order.
type Transition struct {
	Predecessors []string // optional; if given must match the DAG
	Successors   []Edge
}

// Edge is a conditional edge to a successor step; Condition is SEL
// ("true" for an unconditional edge).
type Edge struct {
	To        string
	Condition string
}

// ParamMode says when a param may change (§3.9).
type ParamMode string

// The param modes; the empty value means the default, Mutable.
const (
	Mutable               ParamMode = "MUTABLE"
	MutableOnStart        ParamMode = "MUTABLE_ON_START"
	MutableOnStartRestart ParamMode = "MUTABLE_ON_START_RESTART"
	Immutable             ParamMode = "IMMUTABLE"
	Constant              ParamMode = "CONSTANT"
)

// Params maps param names to definitions. Code that iterates it must sort
// the names: evaluation order is by dependency, ties by name. A map keeps
// no order; the order of a MAP literal's entries is in its Param.Keys.
type Params map[string]*Param

// Param is a param definition: exactly one of a literal Value or an
// Expression.
type Param struct {
	Type sel.Type
	// Value is the literal, in sel's Go representation of Type, except
	// MAP literals, which are Params (each entry a nested definition).
	Value any
	// Keys is the order of a MAP literal's entries: the names of Value as
	// written in the definition. It matters for a foreach's loop_params,
	// whose first entry varies fastest (MAESTRO.md §4.11). The decoder and
	// the builder set it for every MAP literal; nil means sorted by name.
	// When set, it must list each entry of Value exactly once (Validate).
	Keys          []string
	Expression    string
	HasExpression bool
	Mode          ParamMode // "" means MUTABLE
	Validator     string    // carried, never evaluated (as in Maestro)
	Tags          TagList
	Meta          map[string]any // any other key
}

// ParsableLong is Maestro's ParsableLong: a JSON number, a numeric string,
// "$param"/"${param}" (workflow params only), or a duration string such as
// "1 min 40 s". Text is resolved at run start, after interpolation.
type ParsableLong struct {
	Literal *int64 // set when given as a number or numeric string
	Text    string // otherwise the raw string
}

// BackoffType selects exponential or fixed retry delays.
type BackoffType string

// The backoff types.
const (
	ExponentialBackoff BackoffType = "EXPONENTIAL_BACKOFF"
	FixedBackoff       BackoffType = "FIXED_BACKOFF"
)

// RetryPolicy is a typed step's retry_policy; nil fields take Maestro's
// defaults (§3.10).
type RetryPolicy struct {
	ErrorRetryLimit    *ParsableLong
	PlatformRetryLimit *ParsableLong
	TimeoutRetryLimit  *ParsableLong
	Backoff            *Backoff
}

// Backoff holds the delays of the three retry classes.
type Backoff struct {
	Type                       BackoffType
	ErrorRetryBackoffInSecs    *ParsableLong
	ErrorRetryExponent         *ParsableLong
	ErrorRetryLimitInSecs      *ParsableLong
	PlatformRetryBackoffInSecs *ParsableLong
	PlatformRetryExponent      *ParsableLong
	PlatformRetryLimitInSecs   *ParsableLong
	TimeoutRetryBackoffInSecs  *ParsableLong
	TimeoutRetryExponent       *ParsableLong
	TimeoutRetryLimitInSecs    *ParsableLong
}

// Tag is a plain string tag (only Name set) or an object tag.
type Tag struct {
	Name       string
	Namespace  string
	Attributes map[string]any // any other key, e.g. "value"
}

// TagList is a list of tags with unique names.
type TagList []Tag
