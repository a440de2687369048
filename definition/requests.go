package definition

import (
	"errors"
	"fmt"
	"os"
)

// RunPolicy says how a run starts or restarts (§4.17).
type RunPolicy string

// The run policies.
const (
	StartFreshNewRun      RunPolicy = "START_FRESH_NEW_RUN"
	StartCustomizedRun    RunPolicy = "START_CUSTOMIZED_RUN"
	RestartFromBeginning  RunPolicy = "RESTART_FROM_BEGINNING"
	RestartFromIncomplete RunPolicy = "RESTART_FROM_INCOMPLETE"
	RestartFromSpecific   RunPolicy = "RESTART_FROM_SPECIFIC"
	RestartCustomizedRun  RunPolicy = "RESTART_CUSTOMIZED_RUN"
)

var runPolicies = []string{
	string(StartFreshNewRun), string(StartCustomizedRun), string(RestartFromBeginning),
	string(RestartFromIncomplete), string(RestartFromSpecific), string(RestartCustomizedRun),
}

// UpstreamRestartMode says where a step restart begins.
type UpstreamRestartMode string

// The upstream restart modes; "" means RestartFromStep.
const (
	RestartFromStep       UpstreamRestartMode = "RESTART_FROM_STEP"
	RestartFromInlineRoot UpstreamRestartMode = "RESTART_FROM_INLINE_ROOT"
)

// Initiator says who starts a run; only manual starts come from users.
type Initiator struct {
	Type  string // MANUAL, TIME, SIGNAL, SUBWORKFLOW, FOREACH, WHILE, TEMPLATE
	Extra map[string]any
}

var initiatorTypes = []string{"MANUAL", "TIME", "SIGNAL", "SUBWORKFLOW", "FOREACH", "WHILE", "TEMPLATE"}

// StartRequest is Maestro's workflow start request.
type StartRequest struct {
	Initiator        *Initiator
	RequestID        string // de-duplicates starts
	RunParams        Params
	PersistFailedRun *bool
	Extra            map[string]any
}

// RestartRequest is Maestro's workflow instance restart request.
type RestartRequest struct {
	RequestID     string
	RestartPolicy RunPolicy
	RunParams     Params
	Extra         map[string]any
}

// StepRestartRequest is Maestro's step restart request.
type StepRestartRequest struct {
	RequestID           string
	RestartPolicy       RunPolicy // for the downstream steps
	UpstreamRestartMode UpstreamRestartMode
	StepRunParams       Params
	Extra               map[string]any
}

// RestartNode is one hop of a restart path through nested runs.
type RestartNode struct {
	WorkflowID string
	InstanceID int64
	StepID     string
}

// RestartConfig is Maestro's internal restart configuration.
type RestartConfig struct {
	RestartPath       []RestartNode
	RestartPolicy     RunPolicy
	DownstreamPolicy  RunPolicy
	RestartParams     Params
	StepRestartParams map[string]Params
	SkipSteps         []string
}

// WorkflowDefinition is the stored form of a workflow version (Maestro's
// WorkflowDefinition): the workflow plus a properties snapshot and
// metadata.
type WorkflowDefinition struct {
	PropertiesSnapshot *Properties
	Metadata           map[string]any
	IsActive           *bool
	Workflow           *Workflow
	Extra              map[string]any // activate_time, is_default, ...
}

// Request returns the create request equivalent to the stored definition.
func (wd *WorkflowDefinition) Request() *Request {
	return &Request{Properties: wd.PropertiesSnapshot, Workflow: wd.Workflow, IsActive: wd.IsActive}
}

// Validate validates the definition as the equivalent create request.
func (wd *WorkflowDefinition) Validate() error { return wd.Request().Validate() }

// DecodeStartRequest reads a start request.
func DecodeStartRequest(data []byte) (*StartRequest, error) {
	return decodeWith(data, (*dec).startRequest)
}

// DecodeRestartRequest reads a workflow instance restart request.
func DecodeRestartRequest(data []byte) (*RestartRequest, error) {
	return decodeWith(data, (*dec).restartRequest)
}

// DecodeStepRestartRequest reads a step restart request.
func DecodeStepRestartRequest(data []byte) (*StepRestartRequest, error) {
	return decodeWith(data, (*dec).stepRestartRequest)
}

// DecodeRestartConfig reads Maestro's internal restart config.
func DecodeRestartConfig(data []byte) (*RestartConfig, error) {
	return decodeWith(data, (*dec).restartConfig)
}

// DecodeWorkflowDefinition reads a stored workflow definition.
func DecodeWorkflowDefinition(data []byte) (*WorkflowDefinition, error) {
	return decodeWith(data, (*dec).workflowDefinition)
}

func addExtra(m *map[string]any, k string, v *node) {
	if *m == nil {
		*m = map[string]any{}
	}
	(*m)[k] = v.plain()
}

func (d *dec) startRequest(n *node, path string) *StartRequest {
	r := &StartRequest{}
	if !d.object(n, path) {
		return r
	}
	for i, k := range n.keys {
		v, p := n.vals[i], pathKey(path, k)
		switch k {
		case "initiator":
			if !d.object(v, p) {
				continue
			}
			r.Initiator = &Initiator{}
			for j, ik := range v.keys {
				if ik == "type" {
					r.Initiator.Type = d.enum(v.vals[j], pathKey(p, ik), initiatorTypes...)
				} else {
					addExtra(&r.Initiator.Extra, ik, v.vals[j])
				}
			}
		case "request_id":
			r.RequestID = d.str(v, p)
		case "run_params":
			r.RunParams = d.params(v, p)
		case "persist_failed_run":
			r.PersistFailedRun = d.boolp(v, p)
		default:
			addExtra(&r.Extra, k, v)
		}
	}
	return r
}

func (d *dec) restartRequest(n *node, path string) *RestartRequest {
	r := &RestartRequest{}
	if !d.object(n, path) {
		return r
	}
	for i, k := range n.keys {
		v, p := n.vals[i], pathKey(path, k)
		switch k {
		case "request_id":
			r.RequestID = d.str(v, p)
		case "restart_policy":
			r.RestartPolicy = RunPolicy(d.enum(v, p, runPolicies...))
		case "run_params":
			r.RunParams = d.params(v, p)
		default:
			addExtra(&r.Extra, k, v)
		}
	}
	return r
}

func (d *dec) stepRestartRequest(n *node, path string) *StepRestartRequest {
	r := &StepRestartRequest{}
	if !d.object(n, path) {
		return r
	}
	for i, k := range n.keys {
		v, p := n.vals[i], pathKey(path, k)
		switch k {
		case "request_id":
			r.RequestID = d.str(v, p)
		case "restart_policy":
			r.RestartPolicy = RunPolicy(d.enum(v, p, runPolicies...))
		case "upstream_restart_mode":
			r.UpstreamRestartMode = UpstreamRestartMode(d.enum(v, p, string(RestartFromStep), string(RestartFromInlineRoot)))
		case "step_run_params":
			r.StepRunParams = d.params(v, p)
		default:
			addExtra(&r.Extra, k, v)
		}
	}
	return r
}

func (d *dec) restartConfig(n *node, path string) *RestartConfig {
	r := &RestartConfig{}
	d.each(n, path, func(k string, v *node, p string) bool {
		switch k {
		case "restart_path":
			r.RestartPath = listOf(d, v, p, d.restartNode)
		case "restart_policy":
			r.RestartPolicy = RunPolicy(d.enum(v, p, runPolicies...))
		case "downstream_policy":
			r.DownstreamPolicy = RunPolicy(d.enum(v, p, runPolicies...))
		case "restart_params":
			r.RestartParams = d.params(v, p)
		case "step_restart_params":
			if v.kind == kNull || !d.object(v, p) {
				return true
			}
			r.StepRestartParams = map[string]Params{}
			for i, step := range v.keys {
				r.StepRestartParams[step] = d.params(v.vals[i], pathName(p, step))
			}
		case "skip_steps":
			r.SkipSteps = d.strList(v, p)
		default:
			return false
		}
		return true
	})
	return r
}

func (d *dec) restartNode(n *node, path string) RestartNode {
	var rn RestartNode
	d.each(n, path, func(k string, v *node, p string) bool {
		switch k {
		case "workflow_id":
			rn.WorkflowID = d.str(v, p)
		case "instance_id":
			if id := d.int64p(v, p); id != nil {
				rn.InstanceID = *id
			}
		case "step_id":
			rn.StepID = d.str(v, p)
		default:
			return false
		}
		return true
	})
	return rn
}

func (d *dec) workflowDefinition(n *node, path string) *WorkflowDefinition {
	wd := &WorkflowDefinition{}
	if !d.object(n, path) {
		return wd
	}
	for i, k := range n.keys {
		v, p := n.vals[i], pathKey(path, k)
		switch k {
		case "properties_snapshot":
			wd.PropertiesSnapshot = d.properties(v, p)
		case "metadata":
			wd.Metadata = d.plainMap(v, p)
		case "is_active":
			wd.IsActive = d.boolp(v, p)
		case "workflow":
			wd.Workflow = d.workflow(v, p)
		default:
			addExtra(&wd.Extra, k, v)
		}
	}
	if wd.Workflow == nil {
		d.add(pathKey(path, "workflow"), "required")
	}
	return wd
}

// DecodeSample reads any Maestro document kind found in the sample corpus,
// choosing the decoder by the document's shape. The result is one of
// *Request, *WorkflowDefinition, *Step, *RetryPolicy, *TimeTrigger,
// *SignalTrigger, *StartRequest, *RestartRequest, *StepRestartRequest or
// *RestartConfig.
func DecodeSample(data []byte) (any, error) {
	root, err := parseTree(data)
	if err != nil {
		return nil, Errors{AsErrors(err)[0]}
	}
	if root.kind != kObject {
		return nil, Errors{{Msg: "a Maestro document must be a JSON object, got " + root.kind.String()}}
	}
	has := func(keys ...string) bool {
		for _, k := range keys {
			if root.get(k) != nil {
				return true
			}
		}
		return false
	}
	d := &dec{}
	var v any
	switch {
	case has("properties_snapshot", "metadata"):
		v = d.workflowDefinition(root, "")
	case has("workflow", "properties"):
		v = d.request(root, "")
	case len(root.keys) == 1 && isStepKind(root.keys[0]):
		v = d.step(root, "")
	case has("restart_path", "skip_steps", "step_restart_params", "downstream_policy", "restart_params"):
		v = d.restartConfig(root, "")
	case has("step_run_params", "upstream_restart_mode"):
		v = d.stepRestartRequest(root, "")
	case has("restart_policy"):
		v = d.restartRequest(root, "")
	case has("initiator", "run_params", "persist_failed_run"):
		v = d.startRequest(root, "")
	case has("definitions"):
		v = d.signalTrigger(root, "")
	case has("cron", "interval", "fuzzy_max_delay") || has("type") && !has("backoff"):
		v = d.timeTrigger(root, "")
	case has("error_retry_limit", "platform_retry_limit", "timeout_retry_limit", "backoff"):
		v = d.retryPolicy(root, "")
	default:
		return nil, errors.New("unrecognized Maestro document: not a create request, stored definition, step, retry policy, trigger, start/restart request or restart config")
	}
	if err := d.err(); err != nil {
		return nil, err
	}
	return v, nil
}

func isStepKind(k string) bool {
	for _, sk := range stepKinds {
		if string(sk) == k {
			return true
		}
	}
	return false
}

// DecodeSampleFile reads any sample file with DecodeSample; a YAML file
// is read as a definition in the YAML DSL (Maestro's default-param YAMLs
// are refused: they are not definitions).
func DecodeSampleFile(path string) (any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if IsYAML(path, data) {
		r, err := decodeAny(path, data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return r, nil
	}
	v, err := DecodeSample(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}
