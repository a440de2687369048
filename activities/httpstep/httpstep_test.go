package httpstep

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/sel"
)

// echoServer answers /status/N with status N and a JSON echo of the
// request; /big with a large body; /slow after a delay; /redirect?to=URL
// with a redirect.
func echoServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.URL.Path == "/big":
			_, _ = io.WriteString(w, strings.Repeat("x", 2000))
			return
		case r.URL.Path == "/slow":
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
			return
		case r.URL.Path == "/redirect":
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
			return
		}
		status := 200
		_, _ = fmt.Sscanf(r.URL.Path, "/status/%d", &status)
		w.WriteHeader(status)
		fmt.Fprintf(w, "%s %s ct=%s user=%s body=%s", r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("User"), body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func httpParam(m map[string]any) map[string]sel.Value {
	return map[string]sel.Value{ParamHTTP: {Type: sel.Map, Value: m}}
}

// run runs the step through activities.Runner, as the worker does, and
// returns the outputs or the error class and message.
func run(t *testing.T, opts Options, params map[string]sel.Value) (map[string]sel.Value, string, string) {
	t.Helper()
	r := activities.NewRunner(map[string]activities.StepType{TypeName: New(opts)})
	out, err := r.RunStep(context.Background(), activities.Input{Step: activities.Step{StepID: "s", Type: TypeName, Params: params}})
	if err != nil {
		return nil, activities.ErrorClass(err), err.Error()
	}
	return out.Outputs, "", ""
}

func loopback(srv *httptest.Server) Options {
	u, _ := url.Parse(srv.URL)
	return Options{AllowedHosts: []string{u.Hostname()}}
}

func TestGetAndPost(t *testing.T) {
	srv := echoServer(t)
	out, class, msg := run(t, loopback(srv), httpParam(map[string]any{"url": srv.URL + "/status/200"}))
	require.Empty(t, class, msg)
	require.Equal(t, sel.Value{Type: sel.Long, Value: int64(200)}, out[OutputStatusCode])
	require.Equal(t, "GET /status/200 ct=application/json user= body=", out[OutputResponse].Value, "default method and headers")

	out, class, msg = run(t, loopback(srv), httpParam(map[string]any{
		"url": srv.URL + "/status/201", "method": "post",
		"headers": map[string]string{"Content-Type": "application/yaml", "user": "tester"},
		"body":    "Workflow: {}",
	}))
	require.Empty(t, class, msg)
	require.Equal(t, int64(201), out[OutputStatusCode].Value)
	require.Equal(t, "POST /status/201 ct=application/yaml user=tester body=Workflow: {}", out[OutputResponse].Value)

	// Headers as a MAP of strings (a MAP param's nested map) work too.
	out, class, msg = run(t, loopback(srv), httpParam(map[string]any{
		"url": srv.URL + "/status/200", "method": "PUT", "headers": map[string]any{"user": "u2"},
	}))
	require.Empty(t, class, msg)
	require.Equal(t, "PUT /status/200 ct= user=u2 body=", out[OutputResponse].Value)
}

func TestStateExpr(t *testing.T) {
	srv := echoServer(t)
	for status, want := range map[int]string{
		204: "",
		404: activities.ErrorTypeFatal,
		400: activities.ErrorTypeFatal,
		500: activities.ErrorTypeUser,
		302: activities.ErrorTypeUser, // redirect to a non-URL: served as is
	} {
		path := fmt.Sprintf("/status/%d", status)
		_, class, msg := run(t, loopback(srv), httpParam(map[string]any{"url": srv.URL + path}))
		require.Equal(t, want, class, "status %d: %s", status, msg)
		if want != "" {
			require.Contains(t, msg, fmt.Sprintf("returned status %d", status))
			require.Contains(t, msg, "GET "+path) // the body excerpt
		}
	}

	// A custom state_expr, as job.5 of sample-http-wf: 404 is success.
	params := httpParam(map[string]any{"url": srv.URL + "/status/404"})
	params[ParamStateExpr] = sel.Value{Type: sel.String, Value: "if (status_code == 404) return \"DONE\";\nelse return \"FATAL_ERROR\";"}
	out, class, msg := run(t, loopback(srv), params)
	require.Empty(t, class, msg)
	require.Equal(t, int64(404), out[OutputStatusCode].Value)

	// The response body and step params are visible; PLATFORM_ERROR maps.
	params = httpParam(map[string]any{"url": srv.URL + "/status/200"})
	params["want"] = sel.Value{Type: sel.String, Value: "nothing"}
	params[ParamStateExpr] = sel.Value{Type: sel.String, Value: `if (response_body.contains(want)) return "DONE"; return "PLATFORM_ERROR";`}
	_, class, msg = run(t, loopback(srv), params)
	require.Equal(t, activities.ErrorTypePlatform, class, msg)

	// A state_expr giving something else, or failing, is fatal.
	params[ParamStateExpr] = sel.Value{Type: sel.String, Value: `return "MAYBE";`}
	_, class, msg = run(t, loopback(srv), params)
	require.Equal(t, activities.ErrorTypeFatal, class)
	require.Contains(t, msg, `state_expr gave "MAYBE"`)
	params[ParamStateExpr] = sel.Value{Type: sel.String, Value: `return Util.dateIntToTs(20200101) > 0 ? "DONE" : "DONE"; x(`}
	_, class, msg = run(t, loopback(srv), params)
	require.Equal(t, activities.ErrorTypeFatal, class)
	require.Contains(t, msg, "state_expr")
}

func TestAllowList(t *testing.T) {
	srv := echoServer(t)
	u, _ := url.Parse(srv.URL)
	p := httpParam(map[string]any{"url": srv.URL + "/status/200"})

	_, class, msg := run(t, Options{}, p)
	require.Equal(t, activities.ErrorTypeFatal, class)
	require.Contains(t, msg, fmt.Sprintf("host %q is not allowed", u.Hostname()))
	require.Contains(t, msg, "httpstep.Options.AllowedHosts")

	_, class, msg = run(t, Options{AllowedHosts: []string{"example.com", "*.internal"}}, p)
	require.Equal(t, activities.ErrorTypeFatal, class)
	require.Contains(t, msg, "not in the worker's allow-list")

	_, class, msg = run(t, Options{AllowedHosts: []string{u.Hostname() + ":1"}}, p)
	require.Equal(t, activities.ErrorTypeFatal, class, "another port")
	require.Contains(t, msg, "not in the worker's allow-list")

	_, class, msg = run(t, Options{AllowedHosts: []string{u.Host}}, p)
	require.Empty(t, class, msg)

	// A redirect to a host outside the list is refused too.
	p = httpParam(map[string]any{"url": srv.URL + "/redirect?to=" + url.QueryEscape("http://localhost.invalid/")})
	_, class, msg = run(t, loopback(srv), p)
	require.Equal(t, activities.ErrorTypeFatal, class)
	require.Contains(t, msg, `"localhost.invalid:80" is not in the worker's allow-list`)

	require.True(t, allows("*.example.com", "a.b.example.com", "443"))
	require.False(t, allows("*.example.com", "example.com", "443"))
	require.True(t, allows("[::1]:8080", "::1", "8080"))
	require.True(t, allows("[::1]", "::1", "80"))
}

func TestBadRequests(t *testing.T) {
	srv := echoServer(t)
	opts := loopback(srv)
	for want, params := range map[string]map[string]sel.Value{
		`missing the "http" param`:  {},
		"must be a MAP":             {ParamHTTP: {Type: sel.String, Value: "x"}},
		"http.url is required":      httpParam(map[string]any{"method": "GET"}),
		"not an absolute http":      httpParam(map[string]any{"url": "ftp://x/y"}),
		"http.method must be a STR": httpParam(map[string]any{"url": srv.URL, "method": int64(1)}),
		"http.headers must be":      httpParam(map[string]any{"url": srv.URL, "headers": "x"}),
	} {
		_, class, msg := run(t, opts, params)
		require.Equal(t, activities.ErrorTypeFatal, class, want)
		require.Contains(t, msg, want)
	}
}

func TestBodyCapAndTimeout(t *testing.T) {
	srv := echoServer(t)
	opts := loopback(srv)
	opts.MaxResponseBytes = 1000
	_, class, msg := run(t, opts, httpParam(map[string]any{"url": srv.URL + "/big"}))
	require.Equal(t, activities.ErrorTypeFatal, class)
	require.Contains(t, msg, "response body exceeds 1000 bytes")
	opts.MaxResponseBytes = 2000
	out, class, msg := run(t, opts, httpParam(map[string]any{"url": srv.URL + "/big"}))
	require.Empty(t, class, msg)
	require.Len(t, out[OutputResponse].Value, 2000)

	// The worker's cap: a platform error, retried as Maestro retries
	// platform failures.
	opts.Timeout = 100 * time.Millisecond
	start := time.Now()
	_, class, msg = run(t, opts, httpParam(map[string]any{"url": srv.URL + "/slow"}))
	require.Equal(t, activities.ErrorTypePlatform, class)
	require.Contains(t, msg, "no response within 100ms")
	require.Less(t, time.Since(start), 3*time.Second)

	// The step's own deadline (the activity's context) ends it too.
	opts.Timeout = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := New(opts).Run(ctx, &activities.Step{Params: httpParam(map[string]any{"url": srv.URL + "/slow"})})
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// Connection refused: a platform error.
	closed := httptest.NewServer(http.NotFoundHandler())
	addr := closed.URL
	closed.Close()
	_, class, _ = run(t, opts, httpParam(map[string]any{"url": addr}))
	require.Equal(t, activities.ErrorTypePlatform, class)
}
