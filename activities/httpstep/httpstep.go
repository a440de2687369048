// Package httpstep is Maestro's Http step type: one HTTP request per
// attempt, its status code and body as the step's outputs, and a SEL
// state_expr that maps them to the step's outcome.
//
// Params (MAESTRO.md §3.16, default-http-step-params.yaml), evaluated by
// the interpreter before the activity runs, so ${param} references in the
// url, headers and body arrive interpolated:
//
//	http: MAP {url (required), method (default GET), headers (STRING_MAP,
//	      default Content-Type and Accept application/json), body}
//	state_expr: STRING, a SEL program returning DONE, USER_ERROR,
//	      PLATFORM_ERROR or FATAL_ERROR (default: 2xx DONE, 4xx FATAL_ERROR,
//	      anything else USER_ERROR)
//
// Outputs: status_code (LONG) and response_body (STRING), which the
// translator declares as MUTABLE params of every Http step.
//
// A definition must not be able to make a worker call anything it likes:
// only hosts in Options.AllowedHosts are reached (redirects included), and
// an empty list refuses every request with a fatal error.
package httpstep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/sel"
)

// TypeName is the step type's name (Maestro's "Http"; the translator
// canonicalises "http", "HTTP"...).
const TypeName = "Http"

// Param and output names.
const (
	ParamHTTP         = "http"
	ParamStateExpr    = "state_expr"
	OutputStatusCode  = "status_code"
	OutputResponse    = "response_body"
	DefaultMethod     = http.MethodGet
	DefaultTimeout    = 60 * time.Second
	DefaultMaxBody    = 1 << 20
	maxRedirects      = 10
	maxErrorBodyChars = 512
)

// DefaultStateExpr is Maestro's default state_expr.
const DefaultStateExpr = `if (status_code >= 200 && status_code < 300) return "DONE";
else if (status_code >= 400 && status_code < 500) return "FATAL_ERROR";
else return "USER_ERROR";`

// DefaultHeaders are the headers a request gets when its http param has
// no headers entry (Maestro's defaults).
func DefaultHeaders() map[string]string {
	return map[string]string{"Content-Type": "application/json", "Accept": "application/json"}
}

// Options configure the Http step type on a worker.
type Options struct {
	// AllowedHosts the step may call: "example.com" (any port),
	// "example.com:8443" (that port only), "*.example.com" (any subdomain)
	// or an IP address, matched case-insensitively against the URL's host.
	// Empty refuses every request.
	AllowedHosts []string
	// Timeout caps one request (connection, headers and body); the step's
	// own timeout applies too, whichever ends first. 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxResponseBytes caps the response body; a longer body fails the
	// step with a fatal error. 0 means DefaultMaxBody (1 MiB).
	MaxResponseBytes int64
	// Transport sends the requests; nil means http.DefaultTransport.
	Transport http.RoundTripper
}

// Step is the Http step type.
type Step struct {
	opts    Options
	allowed []string
	client  *http.Client
}

var _ activities.StepType = (*Step)(nil)

// New builds the Http step type.
func New(opts Options) *Step {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxResponseBytes <= 0 {
		opts.MaxResponseBytes = DefaultMaxBody
	}
	s := &Step{opts: opts}
	for _, h := range opts.AllowedHosts {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			s.allowed = append(s.allowed, h)
		}
	}
	s.client = &http.Client{
		Transport: opts.Transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			return s.checkHost(req.URL)
		},
	}
	return s
}

// request is the decoded http param.
type request struct {
	url, method, body string
	headers           map[string]string
}

// Run sends the request and maps the response to the step's outcome.
func (s *Step) Run(ctx context.Context, step *activities.Step) (*activities.Result, error) {
	rq, err := decodeRequest(step)
	if err != nil {
		return nil, activities.FatalError(err)
	}
	u, err := url.Parse(rq.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, activities.FatalError(fmt.Errorf("http step: url %q is not an absolute http or https URL", rq.url))
	}
	if err := s.checkHost(u); err != nil {
		return nil, activities.FatalError(err)
	}
	src := step.String(ParamStateExpr)
	if strings.TrimSpace(src) == "" {
		src = DefaultStateExpr
	}
	prog, err := sel.Compile(src)
	if err != nil {
		return nil, activities.FatalError(fmt.Errorf("http step: state_expr: %w", err))
	}

	rctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	req, err := http.NewRequestWithContext(rctx, rq.method, u.String(), body)
	if err != nil {
		return nil, activities.FatalError(fmt.Errorf("http step: %w", err))
	}
	for _, k := range sortedKeys(rq.headers) {
		req.Header.Set(k, rq.headers[k])
	}
	resp, err := s.client.Do(req)
	if err != nil {
		var he *hostError
		switch {
		case errors.As(err, &he):
			return nil, activities.FatalError(he)
		case ctx.Err() != nil:
			return nil, ctx.Err() // the step's own timeout or a stop
		case rctx.Err() != nil:
			return nil, activities.PlatformError(fmt.Errorf("http step: %s %s: no response within %v (httpstep.Options.Timeout)", rq.method, redact(u), s.opts.Timeout))
		}
		return nil, activities.PlatformError(fmt.Errorf("http step: %s %s: %w", rq.method, redact(u), err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, s.opts.MaxResponseBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, activities.PlatformError(fmt.Errorf("http step: %s %s: reading the response: %w", rq.method, redact(u), err))
	}
	if int64(len(data)) > s.opts.MaxResponseBytes {
		return nil, activities.FatalError(fmt.Errorf("http step: %s %s: response body exceeds %d bytes (httpstep.Options.MaxResponseBytes)", rq.method, redact(u), s.opts.MaxResponseBytes))
	}
	status, text := int64(resp.StatusCode), string(data)
	return s.outcome(prog, step, status, text, fmt.Sprintf("%s %s", rq.method, redact(u)))
}

// outcome evaluates state_expr over the response. It runs in an activity:
// no clock, random or UUID source is given, so SEL built-ins that need one
// fail (a state_expr should depend on the response only).
func (s *Step) outcome(prog *sel.Program, step *activities.Step, status int64, body, what string) (*activities.Result, error) {
	params := make(sel.MapParams, len(step.Params)+2)
	for k, v := range step.Params {
		params[k] = v.Value
	}
	params[OutputStatusCode] = status
	params[OutputResponse] = body
	v, err := prog.Eval(&sel.Env{Params: params})
	if err != nil {
		return nil, activities.FatalError(fmt.Errorf("http step: state_expr: %w", err))
	}
	state, _ := v.(string)
	why := fmt.Errorf("http step: %s returned status %d (state_expr gave %s): %s", what, status, state, excerpt(body))
	switch strings.ToUpper(strings.TrimSpace(state)) {
	case "DONE":
		return &activities.Result{Outputs: map[string]any{OutputStatusCode: status, OutputResponse: body}}, nil
	case "USER_ERROR":
		return nil, activities.UserError(why)
	case "PLATFORM_ERROR":
		return nil, activities.PlatformError(why)
	case "FATAL_ERROR":
		return nil, activities.FatalError(why)
	}
	got := sel.Format(v)
	if str, ok := v.(string); ok {
		got = fmt.Sprintf("%q", str)
	}
	return nil, activities.FatalError(fmt.Errorf("http step: state_expr gave %s for status %d; want DONE, USER_ERROR, PLATFORM_ERROR or FATAL_ERROR", got, status))
}

func decodeRequest(step *activities.Step) (*request, error) {
	raw, ok := step.Param(ParamHTTP)
	if !ok {
		return nil, fmt.Errorf("http step: missing the %q param (a MAP with url, method, headers, body)", ParamHTTP)
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("http step: param %q must be a MAP, got %T", ParamHTTP, raw)
	}
	rq := &request{method: DefaultMethod}
	var err error
	str := func(key string) string {
		v, ok := m[key]
		if !ok || v == nil {
			return ""
		}
		s, isStr := v.(string)
		if !isStr && err == nil {
			err = fmt.Errorf("http step: http.%s must be a STRING, got %T", key, v)
		}
		return s
	}
	rq.url = strings.TrimSpace(str("url"))
	if meth := strings.ToUpper(strings.TrimSpace(str("method"))); meth != "" {
		rq.method = meth
	}
	rq.body = str("body")
	if err != nil {
		return nil, err
	}
	if rq.url == "" {
		return nil, errors.New("http step: http.url is required")
	}
	switch h := m["headers"].(type) {
	case nil:
		if _, present := m["headers"]; !present {
			rq.headers = DefaultHeaders()
		}
	case map[string]string:
		rq.headers = h
	case map[string]any:
		rq.headers = make(map[string]string, len(h))
		for k, v := range h {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("http step: http.headers[%q] must be a STRING, got %T", k, v)
			}
			rq.headers[k] = s
		}
	default:
		return nil, fmt.Errorf("http step: http.headers must be a STRING_MAP, got %T", h)
	}
	return rq, nil
}

// hostError is a request to a host outside the allow-list.
type hostError struct{ msg string }

func (e *hostError) Error() string { return e.msg }

// checkHost refuses hosts that are not allowed.
func (s *Step) checkHost(u *url.URL) error {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if len(s.allowed) == 0 {
		return &hostError{fmt.Sprintf("http step: host %q is not allowed: the worker's allow-list (httpstep.Options.AllowedHosts) is empty, so every request is refused", host)}
	}
	for _, a := range s.allowed {
		if allows(a, host, port) {
			return nil
		}
	}
	return &hostError{fmt.Sprintf("http step: host %q is not in the worker's allow-list (httpstep.Options.AllowedHosts: %s)", hostPort(host, port), strings.Join(s.allowed, ", "))}
}

func hostPort(host, port string) string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + port
}

func allows(entry, host, port string) bool {
	eh, ep := entry, ""
	if u, err := url.Parse("//" + entry); err == nil && u.Port() != "" {
		eh, ep = strings.ToLower(u.Hostname()), u.Port()
	} else if strings.HasPrefix(entry, "[") && strings.HasSuffix(entry, "]") {
		eh = entry[1 : len(entry)-1]
	}
	if ep != "" && ep != port {
		return false
	}
	if suffix, ok := strings.CutPrefix(eh, "*."); ok {
		return strings.HasSuffix(host, "."+suffix)
	}
	return eh == host
}

// redact drops user info and the query from a URL in messages.
func redact(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.Fragment = ""
	return c.String()
}

func excerpt(body string) string {
	body = strings.TrimSpace(body)
	if len(body) > maxErrorBodyChars {
		return body[:maxErrorBodyChars] + "..."
	}
	if body == "" {
		return "(empty body)"
	}
	return body
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
