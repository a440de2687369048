//go:build !baton_noui

package devserver

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/labstack/echo/v4"
	uiserver "github.com/temporalio/ui-server/v2/server"
	uiapi "github.com/temporalio/ui-server/v2/server/api"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// UIAvailable reports whether this build can serve the Temporal Web UI
// (false when built with -tags baton_noui).
const UIAvailable = true

type uiServer struct {
	srv  *uiserver.Server
	done chan error
}

func (u *uiServer) Stop() error {
	u.srv.Stop()
	return <-u.done
}

// loopbackOnly refuses every API request (reads and write actions alike)
// whose Host header is not a loopback name or the bound address (see
// allowedUIHost): a web page whose DNS name an attacker rebinds to 127.0.0.1
// is same-origin with the UI, so the browser's CORS and the UI's CSRF cookie
// do not stop it; its Host header still names the attacker's domain.
func loopbackOnly(bind string) uiapi.Middleware {
	return func(c echo.Context) runtime.ServeMuxOption {
		host := c.Request().Host
		return runtime.WithMiddlewares(func(next runtime.HandlerFunc) runtime.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request, params map[string]string) {
				if !allowedUIHost(host, bind) {
					http.Error(w, "baton dev: the Web UI API answers only to loopback host names (localhost, 127.0.0.1, [::1]); Host "+strconv.Quote(bounded(host, 100))+" refused", http.StatusMisdirectedRequest)
					return
				}
				next(w, r, params)
			}
		})
	}
}

// startUI serves the Temporal Web UI for the frontend at frontend on
// host:port and returns once it answers /healthz.
func startUI(ctx context.Context, host string, port int, frontend, namespace string) (*uiServer, error) {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	// ui-server exits the process (echo Logger.Fatal) if it cannot bind, so
	// check the port first.
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	_ = l.Close()
	srv := uiserver.NewServer(uioptions.WithAPIMiddleware([]uiapi.Middleware{loopbackOnly(host)}), uioptions.WithConfigProvider(&uiconfig.Config{
		Host:                host,
		Port:                port,
		TemporalGRPCAddress: frontend,
		EnableUI:            true,
		DefaultNamespace:    namespace,
		CORS:                uiconfig.CORS{CookieInsecure: true},
		HideLogs:            true,
		DisableNewsFetch:    true,
	}))
	u := &uiServer{srv: srv, done: make(chan error, 1)}
	go func() { u.done <- srv.Start() }()

	health := "http://" + net.JoinHostPort(clientHost(host), strconv.Itoa(port)) + "/healthz"
	hc := &http.Client{Timeout: time.Second}
	for {
		resp, err := hc.Get(health)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return u, nil
			}
		}
		select {
		case <-ctx.Done():
			_ = u.Stop()
			return nil, fmt.Errorf("not ready on %s: %w", addr, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
