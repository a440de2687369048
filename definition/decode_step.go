package definition

import (
	"strings"
)

// DecodeStep reads one step wrapper object, e.g. {"foreach": {...}}, as
// in Maestro's standalone step fixtures.
func DecodeStep(data []byte) (*Step, error) {
	root, err := parseTree(data)
	if err != nil {
		return nil, Errors{AsErrors(err)[0]}
	}
	d := &dec{}
	s := d.step(root, "")
	if err := d.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// DecodeRetryPolicy reads a retry_policy object.
func DecodeRetryPolicy(data []byte) (*RetryPolicy, error) {
	root, err := parseTree(data)
	if err != nil {
		return nil, Errors{AsErrors(err)[0]}
	}
	d := &dec{}
	rp := d.retryPolicy(root, "")
	if err := d.err(); err != nil {
		return nil, err
	}
	return rp, nil
}

var stepKinds = []StepKind{KindStep, KindForeach, KindWhile, KindSubworkflow, KindTemplate}

func (d *dec) steps(n *node, path string) []*Step {
	return listOf(d, n, path, d.step)
}

// step reads a single-key wrapper {"<kind>": {...}}.
func (d *dec) step(n *node, path string) *Step {
	if !d.object(n, path) {
		return nil
	}
	if len(n.keys) != 1 {
		d.add(path, "a step must be an object with exactly one key (step, foreach, while, subworkflow or template), got %d keys", len(n.keys))
		return nil
	}
	kind := StepKind(n.keys[0])
	known := false
	for _, k := range stepKinds {
		known = known || k == kind
	}
	p := pathKey(path, string(kind))
	if !known {
		d.add(p, "unknown step kind (want step, foreach, while, subworkflow or template)")
		return nil
	}
	s := &Step{Kind: kind}
	d.each(n.vals[0], p, func(k string, v *node, fp string) bool {
		return d.stepField(s, k, v, fp)
	})
	return s
}

// stepField decodes one field of a step, if it belongs to the step's kind.
func (d *dec) stepField(s *Step, k string, v *node, p string) bool {
	switch k {
	case "id":
		s.ID = d.str(v, p)
	case "name":
		s.Name = d.str(v, p)
	case "description":
		s.Description = d.str(v, p)
	case "transition":
		s.Transition = d.transition(v, p)
	case "failure_mode":
		s.FailureMode = FailureMode(d.enum(v, p, string(FailImmediately), string(FailAfterRunning), string(IgnoreFailure)))
	case "tags":
		s.Tags = d.tags(v, p)
	case "timeout":
		s.Timeout = d.parsableLong(v, p)
	case "params":
		s.Params = d.params(v, p)
	case "signal_dependencies":
		s.SignalDependencies = listOf(d, v, p, d.signalDependency)
	case "signal_outputs":
		s.SignalOutputs = listOf(d, v, p, d.signalOutput)
	default:
		return d.kindField(s, k, v, p)
	}
	return true
}

func (d *dec) kindField(s *Step, k string, v *node, p string) bool {
	switch s.Kind {
	case KindStep:
		switch k {
		case "type":
			s.Type = CanonicalStepType(d.str(v, p))
		case "sub_type":
			s.SubType = d.str(v, p)
		case "sub_type_version":
			s.SubTypeVersion = d.str(v, p)
		case "retry_policy":
			s.RetryPolicy = d.retryPolicy(v, p)
		default:
			return false
		}
	case KindForeach, KindWhile:
		switch {
		case k == "steps":
			s.Steps = d.steps(v, p)
		case k == "concurrency" && s.Kind == KindForeach:
			s.Concurrency = d.int64p(v, p)
		case k == "strict_ordering" && s.Kind == KindForeach:
			s.StrictOrdering = d.boolp(v, p)
		case k == "condition" && s.Kind == KindWhile:
			s.Condition = d.str(v, p)
		default:
			return false
		}
	case KindSubworkflow:
		switch k {
		case "sync":
			s.Sync = d.boolp(v, p)
		case "explicit_params":
			s.ExplicitParams = d.boolp(v, p)
		default:
			return false
		}
	case KindTemplate:
		if k != "sub_type" {
			return false
		}
		s.SubType = d.str(v, p)
	default:
		return false
	}
	return true
}

// Maestro's built-in step type names; they are matched ignoring case and
// stored in this spelling. Other type names are user step types, kept as
// written.
var builtinStepTypes = []string{"NoOp", "Sleep", "Titus", "Notebook", "Kubernetes", "Http", "Join"}

// CanonicalStepType returns Maestro's spelling of a built-in step type
// ("noop" -> "NoOp"), or t unchanged.
func CanonicalStepType(t string) string {
	for _, b := range builtinStepTypes {
		if strings.EqualFold(b, t) {
			return b
		}
	}
	return t
}

// transition reads {predecessors?, successors?}; successors keep the
// order they were written in.
func (d *dec) transition(n *node, path string) Transition {
	var t Transition
	if n.kind == kNull {
		return t
	}
	d.each(n, path, func(k string, v *node, p string) bool {
		switch k {
		case "predecessors":
			t.Predecessors = d.strList(v, p)
		case "successors":
			if v.kind == kNull {
				return true
			}
			if !d.object(v, p) {
				return true
			}
			t.Successors = make([]Edge, 0, len(v.keys))
			for i, to := range v.keys {
				c := v.vals[i]
				cond := ""
				switch c.kind {
				case kString:
					cond = c.str
				case kBool:
					// Jackson reads a JSON boolean into the String map.
					cond = describe(c)
				default:
					d.add(pathName(p, to), "edge condition must be a SEL string, got %s", describe(c))
				}
				t.Successors = append(t.Successors, Edge{To: to, Condition: cond})
			}
		default:
			return false
		}
		return true
	})
	return t
}

func (d *dec) retryPolicy(n *node, path string) *RetryPolicy {
	if n.kind == kNull {
		return nil
	}
	rp := &RetryPolicy{}
	d.each(n, path, func(k string, v *node, p string) bool {
		switch k {
		case "error_retry_limit":
			rp.ErrorRetryLimit = d.parsableLong(v, p)
		case "platform_retry_limit":
			rp.PlatformRetryLimit = d.parsableLong(v, p)
		case "timeout_retry_limit":
			rp.TimeoutRetryLimit = d.parsableLong(v, p)
		case "backoff":
			rp.Backoff = d.backoff(v, p)
		default:
			return false
		}
		return true
	})
	return rp
}

func (d *dec) backoff(n *node, path string) *Backoff {
	if n.kind == kNull {
		return nil
	}
	b := &Backoff{}
	fields := b.fields()
	d.each(n, path, func(k string, v *node, p string) bool {
		if k == "type" {
			b.Type = BackoffType(d.enum(v, p, string(ExponentialBackoff), string(FixedBackoff)))
			return true
		}
		for _, f := range fields {
			if f.name == k {
				*f.ptr = d.parsableLong(v, p)
				return true
			}
		}
		return false
	})
	if b.Type == "" {
		// Maestro's backoff is polymorphic on "type", so it is required.
		d.add(pathKey(path, "type"), "required (EXPONENTIAL_BACKOFF or FIXED_BACKOFF)")
	} else {
		for _, f := range fields {
			if *f.ptr != nil && b.Type == FixedBackoff && !f.fixed {
				d.add(pathKey(path, f.name), "not a field of FIXED_BACKOFF")
			}
		}
	}
	return b
}

type backoffField struct {
	name  string
	ptr   **ParsableLong
	fixed bool // also a field of FIXED_BACKOFF
	secs  bool // a number of seconds (a duration string is allowed)
	limit bool // *_limit_in_secs
}

// fields lists the backoff's numeric fields in Maestro's order.
func (b *Backoff) fields() []backoffField {
	return []backoffField{
		{"error_retry_backoff_in_secs", &b.ErrorRetryBackoffInSecs, true, true, false},
		{"error_retry_exponent", &b.ErrorRetryExponent, false, false, false},
		{"error_retry_limit_in_secs", &b.ErrorRetryLimitInSecs, false, true, true},
		{"platform_retry_backoff_in_secs", &b.PlatformRetryBackoffInSecs, true, true, false},
		{"platform_retry_exponent", &b.PlatformRetryExponent, false, false, false},
		{"platform_retry_limit_in_secs", &b.PlatformRetryLimitInSecs, false, true, true},
		{"timeout_retry_backoff_in_secs", &b.TimeoutRetryBackoffInSecs, true, true, false},
		{"timeout_retry_exponent", &b.TimeoutRetryExponent, false, false, false},
		{"timeout_retry_limit_in_secs", &b.TimeoutRetryLimitInSecs, false, true, true},
	}
}
