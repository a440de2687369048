// Package retry resends a Temporal query or update the server answered
// with WorkflowNotReady: the run has not completed its first workflow task
// (a new run, or one just continued as new), or the workflow task that
// took an update failed. In both cases nothing was applied, and the
// server asks for another try.
package retry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
)

// Policy bounds the tries: at most Attempts calls, waiting First before
// the second, twice as long before each next one, never more than Max.
type Policy struct {
	Attempts   int
	First, Max time.Duration
}

// Default is the policy NotReady uses: 10 calls over about 4 s, enough for
// a loaded worker to take a first workflow task.
var Default = Policy{Attempts: 10, First: 20 * time.Millisecond, Max: time.Second}

// NotReady calls call until it returns anything but a WorkflowNotReady
// error, under the Default policy; what names the call in the errors it
// adds.
func NotReady[T any](ctx context.Context, what string, call func() (T, error)) (T, error) {
	return Do(ctx, Default, what, call)
}

// Do is NotReady under policy p. Another error than WorkflowNotReady is
// returned as call gave it. When the attempts run out the last error is
// returned wrapped, naming what and the count; when ctx ends during a
// wait, ctx's error and the last one are.
func Do[T any](ctx context.Context, p Policy, what string, call func() (T, error)) (T, error) {
	if p.Attempts < 1 {
		p.Attempts = 1
	}
	wait := p.First
	for attempt := 1; ; attempt++ {
		v, err := call()
		var notReady *serviceerror.WorkflowNotReady
		if err == nil || !errors.As(err, &notReady) {
			return v, err
		}
		if attempt == p.Attempts {
			return v, fmt.Errorf("%s: workflow not ready after %d attempts: %w", what, attempt, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			var zero T
			return zero, fmt.Errorf("%s: workflow not ready after %d attempts: %w (last try: %w)", what, attempt, ctx.Err(), err)
		case <-t.C:
		}
		if wait = 2 * wait; wait > p.Max {
			wait = p.Max
		}
	}
}

// UpdateID returns a random update id. An update resent with the id of
// the first send is applied at most once by the run (Temporal keeps the
// outcome of an update id), so give one to every update that NotReady
// may send twice.
func UpdateID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
