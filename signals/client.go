package signals

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.temporal.io/api/serviceerror"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/batonhq/baton/internal/retry"
	"github.com/batonhq/baton/internal/taskqueue"
)

// DefaultTaskQueue is Baton's worker queue (worker.DefaultTaskQueue).
const DefaultTaskQueue = taskqueue.Default

// ClientOptions configure a Client.
type ClientOptions struct {
	// TaskQueue of the workers that run the store; DefaultTaskQueue if empty.
	TaskQueue string
	// Store bounds a store the client starts (a running store keeps its own).
	Store Options
}

// Client sends, lists and matches signals.
type Client struct {
	tc   sdkclient.Client
	opts ClientOptions

	mu       sync.Mutex
	inFlight map[string]chan struct{} // per name: the updates this client has in flight
}

// MaxInFlightPerName bounds the updates one Client sends to one store at
// once: Temporal refuses more than 10 in flight per workflow
// (history.maxInFlightUpdates) and the SDK then retries them with
// backoff, which made 32 concurrent sends to one name take seconds each.
const MaxInFlightPerName = 8

// slot waits for a free in-flight slot for name; release frees it.
func (c *Client) slot(ctx context.Context, name string) (release func(), err error) {
	c.mu.Lock()
	if c.inFlight == nil {
		c.inFlight = map[string]chan struct{}{}
	}
	ch, ok := c.inFlight[name]
	if !ok {
		ch = make(chan struct{}, MaxInFlightPerName)
		c.inFlight[name] = ch
	}
	c.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// NewClient returns a Client on tc.
func NewClient(tc sdkclient.Client, opts ClientOptions) *Client {
	if opts.TaskQueue == "" {
		opts.TaskQueue = DefaultTaskQueue
	}
	return &Client{tc: tc, opts: opts}
}

// SendOptions is one signal to send.
type SendOptions struct {
	Name   string
	Params map[string]Value
	// Payload is a JSON object, not indexed.
	Payload []byte
	// RequestID, when set, makes a repeated send store nothing.
	RequestID string
}

// Send stores a signal instance and returns it once it is durable (in the
// store's history). It starts the name's store when none runs.
func (c *Client) Send(ctx context.Context, opts SendOptions) (*SendResult, error) {
	req := SendRequest{Params: opts.Params, Payload: opts.Payload, RequestID: opts.RequestID}
	if err := checkSend(opts.Name, req); err != nil {
		return nil, &refusedError{fmt.Errorf("send signal: %w", err)}
	}
	var res SendResult
	if err := c.update(ctx, opts.Name, UpdateSend, req, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// List returns the instances of name matching req, newest first; none
// when the name never received a signal.
func (c *Client) List(ctx context.Context, name string, req ListRequest) ([]*Instance, error) {
	var out []*Instance
	found, err := c.query(ctx, name, QueryList, req, &out)
	if err != nil || !found {
		return nil, err
	}
	return out, nil
}

// Match returns the oldest instance of name with Seq > req.AfterSeq that
// satisfies every condition of req.Match, or nil when none does yet.
func (c *Client) Match(ctx context.Context, name string, req MatchRequest) (*Instance, error) {
	var out *Instance
	if _, err := c.query(ctx, name, QueryMatch, req, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Client) query(ctx context.Context, name, query string, arg, out any) (bool, error) {
	if err := CheckName(name); err != nil {
		return false, fmt.Errorf("%s signals: %w", query, err)
	}
	v, err := retry.NotReady(ctx, "query "+query, func() (converter.EncodedValue, error) {
		return c.tc.QueryWorkflow(ctx, WorkflowID(name), "", query, arg)
	})
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s signals %q: %w", query, name, err)
	}
	if err := v.Get(out); err != nil {
		return false, fmt.Errorf("%s signals %q: %w", query, name, err)
	}
	return true, nil
}
