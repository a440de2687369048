package cli

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/sel"
)

func newEvalCmd(a *app) *cobra.Command {
	var params []string
	cmd := &cobra.Command{
		Use:   "eval EXPR [-p name=value]...",
		Short: "Evaluate a SEL expression",
		Long: "Eval evaluates a SEL expression (Maestro's expression language) and prints the\n" +
			"value and its param type. An expression may start with '-'.",
		Example: "  baton eval 'x * 2 + 1' -p x=20\n" +
			"  baton eval 'Util.dateIntsBetween(20200101, 20200104, 1)'\n" +
			"  baton eval '-7 % 3'\n" +
			"  baton eval -- '-7 % 3'",
		Args: exactArgs(1, "one EXPR"),
	}
	cmd.Flags().StringArrayVarP(&params, "param", "p", nil, "a param the expression can read, name=value (repeatable; type inferred)")
	cmd.RunE = runE(func(_ *cobra.Command, args []string) int {
		return a.eval(args[0], params)
	})
	return cmd
}

func (a *app) eval(expr string, params []string) int {
	out, errOut := a.out, a.errOut
	values, err := client.ParseRunParams(nil, params)
	if err != nil {
		return a.usage("eval", err)
	}
	m := make(sel.MapParams, len(values))
	for k, v := range values {
		m[k] = v.Value
	}
	prog, err := sel.Parse(expr)
	if err != nil {
		fmt.Fprintf(errOut, "baton eval: %v\n", err)
		return exitFailed
	}
	// A terminal tool may read the machine's clock and randomness; the
	// interpreter never does.
	v, err := prog.Eval(&sel.Env{
		Params: m,
		Now:    time.Now,
		Random: func() float64 {
			n, _ := rand.Int(rand.Reader, big.NewInt(1<<53))
			return float64(n.Int64()) / (1 << 53)
		},
		UUID: func() string { return client.NewUUID() },
	})
	if err != nil {
		fmt.Fprintf(errOut, "baton eval: %v\n", err)
		return exitFailed
	}
	typ, ok := sel.TypeOf(v)
	if !ok {
		fmt.Fprintf(errOut, "baton eval: the result %v (%T) is not one of Maestro's param types\n", v, v)
		return exitFailed
	}
	text := sel.Format(v)
	if typ == sel.String {
		b, _ := json.Marshal(v)
		text = string(b)
	}
	fmt.Fprintf(out, "%s (%v)\n", text, typ)
	return exitOK
}
