package client

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
)

// ParseRunParams reads "name=value" pairs (the CLI's -p flags). A value is
// read as the declared type of a workflow param of that name; for an
// undeclared name the type is inferred: whole number, decimal, true/false,
// a JSON array or object, else a string.
func ParseRunParams(plan *translator.Plan, pairs []string) (map[string]sel.Value, error) {
	out := make(map[string]sel.Value, len(pairs))
	for _, pair := range pairs {
		name, text, ok := strings.Cut(pair, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("run param %q: want name=value", sel.Clip(pair))
		}
		var v sel.Value
		var err error
		var decl *translator.Param
		if plan != nil {
			decl = plan.Params[name]
		}
		if decl != nil {
			v, err = parseAs(decl.Type, text)
		} else {
			v = infer(text)
		}
		if err != nil {
			return nil, fmt.Errorf("run param %q: %w", name, err)
		}
		out[name] = v
	}
	return out, nil
}

func parseAs(t sel.Type, text string) (sel.Value, error) {
	switch t {
	case sel.String:
		return sel.Value{Type: t, Value: text}, nil
	case sel.Long:
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return sel.Value{}, fmt.Errorf("%q is not a LONG", sel.Clip(text))
		}
		return sel.Value{Type: t, Value: n}, nil
	case sel.Double:
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil {
			return sel.Value{}, fmt.Errorf("%q is not a DOUBLE", sel.Clip(text))
		}
		return sel.Value{Type: t, Value: f}, nil
	case sel.Boolean:
		b, err := strconv.ParseBool(strings.TrimSpace(text))
		if err != nil {
			return sel.Value{}, fmt.Errorf("%q is not a BOOLEAN", sel.Clip(text))
		}
		return sel.Value{Type: t, Value: b}, nil
	}
	v, err := sel.DecodeJSON(t, json.RawMessage(text))
	if err != nil {
		return sel.Value{}, fmt.Errorf("%q is not a JSON %v: %w", sel.Clip(text), t, err)
	}
	return sel.Value{Type: t, Value: v}, nil
}

func infer(text string) sel.Value {
	t := strings.TrimSpace(text)
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		return sel.Value{Type: sel.Long, Value: n}
	}
	if f, err := strconv.ParseFloat(t, 64); err == nil {
		return sel.Value{Type: sel.Double, Value: f}
	}
	if b, err := strconv.ParseBool(t); err == nil && (t == "true" || t == "false") {
		return sel.Value{Type: sel.Boolean, Value: b}
	}
	for _, typ := range []sel.Type{sel.LongArray, sel.DoubleArray, sel.BooleanArray, sel.StringArray, sel.StringMap} {
		if v, err := sel.DecodeJSON(typ, json.RawMessage(t)); err == nil && strings.HasPrefix(t, "[") == typ.IsArray() {
			return sel.Value{Type: typ, Value: v}
		}
	}
	return sel.Value{Type: sel.String, Value: text}
}
