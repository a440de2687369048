package cli

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/sel"
)

func evalCmd(_ context.Context, args []string, out, errOut io.Writer) int {
	fs := newFlagSet("eval", errOut, "EXPR [-p name=value]...")
	var params stringList
	fs.Var(&params, "p", "a param the expression can read, name=value (repeatable; type inferred)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitUsage
	}
	values, err := client.ParseRunParams(nil, params)
	if err != nil {
		fmt.Fprintf(errOut, "baton eval: %v\n", err)
		return exitUsage
	}
	m := make(sel.MapParams, len(values))
	for k, v := range values {
		m[k] = v.Value
	}
	prog, err := sel.Parse(pos[0])
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
