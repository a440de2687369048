package devserver

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"
)

// compressorSeen records the compressor each of a client's calls asks for
// (the last CompressorCallOption among the call's options, the dial's
// defaults included; "" for none).
type compressorSeen struct {
	mu   sync.Mutex
	seen map[string]int
}

func (c *compressorSeen) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	name := ""
	for _, o := range opts {
		if co, ok := o.(grpc.CompressorCallOption); ok {
			name = co.CompressorType
		}
	}
	c.mu.Lock()
	c.seen[name]++
	c.mu.Unlock()
	return invoker(ctx, method, req, reply, cc, opts...)
}

// TestNewClientCompression: a client of the embedded server does not
// compress unless asked to (client and server share the process), and one
// that asks for gzip gets it.
func TestNewClientCompression(t *testing.T) {
	s := startServer(t, Options{})
	for _, tc := range []struct {
		name        string
		compression client.GrpcCompression
		want        string
	}{
		{"default: none", nil, ""},
		{"none", &client.GrpcCompressionNone{}, ""},
		{"gzip when asked", &client.GrpcCompressionGzip{}, "gzip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &compressorSeen{seen: map[string]int{}}
			c, err := s.NewClient(client.Options{Logger: quietSDKLogger{}, ConnectionOptions: client.ConnectionOptions{
				GrpcCompression: tc.compression,
				DialOptions:     []grpc.DialOption{grpc.WithChainUnaryInterceptor(rec.intercept)},
			}})
			require.NoError(t, err)
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err = c.WorkflowService().GetSystemInfo(ctx, nil)
			require.NoError(t, err)
			rec.mu.Lock()
			defer rec.mu.Unlock()
			require.NotZero(t, rec.seen[tc.want], "calls by compressor: %v", rec.seen)
			require.Len(t, rec.seen, 1, "calls by compressor: %v", rec.seen)
		})
	}
}
