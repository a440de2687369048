package httpstep_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/activities/httpstep"
)

func TestCheckAllowedHosts(t *testing.T) {
	tests := []struct {
		entry  string
		reason string // "" when the entry is accepted
	}{
		{"api.example.com", ""},
		{"API.Example.com:8443", ""},
		{"*.example.com", ""},
		{"127.0.0.1", ""},
		{"127.0.0.1:8080", ""},
		{"[::1]", ""},
		{"[::1]:8080", ""},
		{"  example.com  ", ""},
		{"", ""},
		{"*", "'*' alone would allow every host"},
		{"*.", "the only wildcard"},
		{"api.*.com", "the only wildcard"},
		{"*example.com", "the only wildcard"},
		{"::1", "an IPv6 address needs brackets: write [::1]"},
		{"fe80::1:443", "needs brackets"},
		{"https://api.example.com", "a host, not a URL"},
		{"api.example.com/v1", "a host, not a URL"},
		{"user@api.example.com", "a host, not a URL"},
		{"api.example.com:", "the port must be a number"},
		{"api.example.com:http", "the port must be a number"},
		{"api.example.com:70000", "the port must be a number"},
		{"[127.0.0.1]", "only an IPv6 address goes in brackets"},
		{"[::1", "lacks its closing"},
		{"[::1]x", "only ':port' may follow"},
		{"api..example.com", "empty labels"},
		{"api example.com", "no spaces"},
		{":8080", "no host"},
	}
	for _, tt := range tests {
		err := httpstep.CheckAllowedHosts([]string{"ok.example.com", tt.entry})
		if tt.reason == "" {
			require.NoError(t, err, "%q", tt.entry)
			continue
		}
		require.ErrorContains(t, err, tt.reason, "%q", tt.entry)
		require.ErrorContains(t, err, "entry 2", "%q", tt.entry)
	}
}
