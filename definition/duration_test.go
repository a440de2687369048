package definition

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{in: "100", want: 100 * time.Second},
		{in: "100s", want: 100 * time.Second},
		{in: "10 minutes", want: 10 * time.Minute},
		{in: "1 min 40 s", want: 100 * time.Second},
		{in: "5mins", want: 5 * time.Minute},
		{in: "2hours", want: 2 * time.Hour},
		{in: "2 hours, 5 mins", want: 2*time.Hour + 5*time.Minute},
		{in: "10 minutes 5 seconds 1 day", want: 24*time.Hour + 10*time.Minute + 5*time.Second},
		{in: "3H", want: 3 * time.Hour},
		{in: "250ms", want: 250 * time.Millisecond},
		{in: "20 minutes", want: 20 * time.Minute},
		{in: "", err: true},
		{in: "soon", err: true},
		{in: "5 fortnights", err: true},
		{in: "-5", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if tt.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
