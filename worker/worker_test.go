package worker_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/batonhq/baton/activities/httpstep"
	"github.com/batonhq/baton/worker"
)

// TestNewRefusesDeadAllowListEntries: an Http allow-list entry that can never
// match fails the worker's start, with the entry and the reason.
func TestNewRefusesDeadAllowListEntries(t *testing.T) {
	c, err := client.NewLazyClient(client.Options{})
	require.NoError(t, err)
	defer c.Close()
	_, err = worker.New(c, worker.Options{HTTP: &httpstep.Options{AllowedHosts: []string{"api.example.com", "*", "::1"}}})
	require.ErrorContains(t, err, `entry 2 "*"`)
	require.ErrorContains(t, err, `entry 3 "::1": an IPv6 address needs brackets`)

	_, err = worker.New(c, worker.Options{HTTP: &httpstep.Options{AllowedHosts: []string{"api.example.com", "[::1]:8080"}}})
	require.NoError(t, err)
}
