package kubernetes

import (
	"fmt"
	"sort"
	"strings"
)

// ParamKubernetes is the MAP param that describes the container.
const ParamKubernetes = "kubernetes"

// Command is the container a step runs: Maestro's KubernetesCommand.
type Command struct {
	Image   string
	Command []string
	Args    []string
	Env     map[string]string
	// Resource limits, as Kubernetes quantities ("2", "500m", "4Gi").
	CPU, Memory, Disk, GPU string
	// PreStop is the container's preStop exec hook, if any.
	PreStop             []string
	JobDeduplicationKey string
	AppName             string
	OwnerEmail          string
}

// Script is the command line, for messages: command and args joined by
// spaces, as Maestro's KubernetesArtifact.execution_script.
func (c *Command) Script() string {
	return strings.Join(append(append([]string{}, c.Command...), c.Args...), " ")
}

// decodeCommand reads the kubernetes MAP param (its evaluated value).
func decodeCommand(raw any, present bool) (*Command, error) {
	if !present {
		return nil, fmt.Errorf("missing the %q param (a MAP with image, command, args, env...)", ParamKubernetes)
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("param %q must be a MAP, got %T", ParamKubernetes, raw)
	}
	d := mapDecoder{m: m, path: ParamKubernetes}
	c := &Command{
		Image:               d.str("image"),
		Command:             d.strs("command"),
		Args:                d.strs("args"),
		Env:                 d.strMap("env"),
		CPU:                 d.str("cpu"),
		Memory:              d.str("memory"),
		Disk:                d.str("disk"),
		GPU:                 d.str("gpu"),
		JobDeduplicationKey: d.str("job_deduplication_key"),
		AppName:             d.str("app_name"),
		OwnerEmail:          d.str("owner_email"),
	}
	if ps, ok := d.sub("pre_stop"); ok {
		if ex, ok := ps.sub("exec"); ok {
			c.PreStop = ex.strs("command")
			d.keep(ex.err)
		}
		d.keep(ps.err)
	}
	// The deprecated entrypoint becomes command and args, as in Maestro.
	if ep := d.str("entrypoint"); ep != "" {
		c.Command, c.Args = []string{"/bin/sh", "-c"}, []string{ep}
	}
	if d.err != nil {
		return nil, d.err
	}
	if strings.TrimSpace(c.Image) == "" {
		return nil, fmt.Errorf("%s.image is required", ParamKubernetes)
	}
	if c.AppName == "" {
		c.AppName = "maestro-job"
	}
	for _, k := range sortedKeys(c.Env) {
		if !validEnvName(k) {
			return nil, fmt.Errorf("%s.env[%q]: not a valid environment variable name", ParamKubernetes, k)
		}
	}
	return c, nil
}

// mapDecoder reads typed entries of an evaluated MAP param, keeping the
// first error with its path.
type mapDecoder struct {
	m    map[string]any
	path string
	err  error
}

func (d *mapDecoder) fail(key, want string, v any) {
	if d.err == nil {
		d.err = fmt.Errorf("%s.%s must be a %s, got %T", d.path, key, want, v)
	}
}

func (d *mapDecoder) keep(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *mapDecoder) str(key string) string {
	switch v := d.m[key].(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		d.fail(key, "STRING", v)
		return ""
	}
}

func (d *mapDecoder) strs(key string) []string {
	switch v := d.m[key].(type) {
	case nil:
		return nil
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				d.fail(key, "STRING_ARRAY", v)
				return nil
			}
			out = append(out, s)
		}
		return out
	default:
		d.fail(key, "STRING_ARRAY", v)
		return nil
	}
}

func (d *mapDecoder) strMap(key string) map[string]string {
	switch v := d.m[key].(type) {
	case nil:
		return map[string]string{}
	case map[string]string:
		return v
	case map[string]any:
		out := make(map[string]string, len(v))
		for k, e := range v {
			s, ok := e.(string)
			if !ok {
				d.fail(key, "STRING_MAP", v)
				return nil
			}
			out[k] = s
		}
		return out
	default:
		d.fail(key, "STRING_MAP", v)
		return nil
	}
}

func (d *mapDecoder) sub(key string) (*mapDecoder, bool) {
	switch v := d.m[key].(type) {
	case nil:
		return nil, false
	case map[string]any:
		return &mapDecoder{m: v, path: d.path + "." + key}, true
	default:
		d.fail(key, "MAP", v)
		return nil, false
	}
}

// validEnvName: a C identifier, which both Kubernetes and a shell accept.
func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
