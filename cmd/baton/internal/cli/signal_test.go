package cli

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSignalUsageErrors: bad arguments are refused before connecting.
func TestSignalUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"signal", "send"}, "want one signal NAME"},
		{[]string{"signal", "send", "s", "-p", "novalue"}, `-p "novalue": want name=value`},
		{[]string{"signal", "send", "s", "-p", "a=1", "-p", "a=2"}, `param "a" given twice`},
		{[]string{"signal", "list", "s", "--match", "a~1"}, `--match: match "a~1": want name<op>value`},
		{[]string{"signal", "list", "s", "--limit", "0"}, "--limit 0: want 1 to 1000"},
		{[]string{"signal", "list", "maestro_s"}, "prefix maestro_ is reserved"},
		{[]string{"signal", "list", "s", "-o", "xml"}, "xml"},
	} {
		code, out, errOut := runMain(t, tc.args...)
		require.Equal(t, exitUsage, code, tc.args)
		require.Empty(t, out, tc.args)
		require.Contains(t, errOut, tc.want, tc.args)
	}
}
