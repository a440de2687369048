package retry

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
)

func TestDo(t *testing.T) {
	notReady := serviceerror.NewWorkflowNotReady("not ready")
	other := errors.New("boom")
	quick := Policy{Attempts: 4, First: time.Millisecond, Max: 2 * time.Millisecond}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name      string
		ctx       context.Context
		policy    Policy
		errs      []error // what each call returns; nil: success
		wantCalls int
		wantErr   []error // errors.Is targets; none: no error
		wantMsg   string
	}{
		{name: "first call succeeds", policy: quick, errs: []error{nil}, wantCalls: 1},
		{name: "other error is not retried", policy: quick, errs: []error{other}, wantCalls: 1, wantErr: []error{other}, wantMsg: "boom"},
		{name: "not ready then success", policy: quick, errs: []error{notReady, notReady, nil}, wantCalls: 3},
		{name: "not ready then other error", policy: quick, errs: []error{notReady, other}, wantCalls: 2, wantErr: []error{other}, wantMsg: "boom"},
		{name: "attempts run out", policy: quick, errs: []error{notReady, notReady, notReady, notReady, nil}, wantCalls: 4,
			wantErr: []error{notReady}, wantMsg: "query x: workflow not ready after 4 attempts: not ready"},
		{name: "zero attempts means one", policy: Policy{}, errs: []error{notReady, nil}, wantCalls: 1,
			wantErr: []error{notReady}, wantMsg: "after 1 attempts"},
		{name: "context ended during the wait", ctx: cancelled, policy: Policy{Attempts: 3, First: time.Hour, Max: time.Hour},
			errs: []error{notReady, nil}, wantCalls: 1, wantErr: []error{context.Canceled, notReady}, wantMsg: "query x: workflow not ready after 1 attempts: context canceled (last try: not ready)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			calls := 0
			v, err := Do(ctx, tt.policy, "query x", func() (int, error) {
				err := tt.errs[calls]
				calls++
				if err != nil {
					return 0, err
				}
				return 42, nil
			})
			require.Equal(t, tt.wantCalls, calls)
			if len(tt.wantErr) == 0 {
				require.NoError(t, err)
				require.Equal(t, 42, v)
				return
			}
			require.Error(t, err)
			for _, target := range tt.wantErr {
				require.ErrorIs(t, err, target)
			}
			require.Contains(t, err.Error(), tt.wantMsg)
		})
	}
}

func TestUpdateIDDiffers(t *testing.T) {
	a, b := UpdateID(), UpdateID()
	require.Len(t, a, 32)
	require.NotEqual(t, a, b)
}
