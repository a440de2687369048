package cli

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/batonhq/baton/signals"
)

// signalStoreHelp: like the registry, the signal store lives in Temporal.
const signalStoreHelp = "signals are kept by Temporal: use --db FILE (embedded server) or --address so they outlive this command"

func newSignalCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "signal",
		Short: "Send and list Maestro signal instances",
		Long: "Signals are Maestro's signal instances: a name, indexed params (LONG or STRING)\n" +
			"and an unindexed JSON payload. Each name is stored by one Temporal entity\n" +
			"workflow (baton-signal/NAME) that Baton's workers run.",
		Example: "  baton signal send db/prod/table1 -p vtts_utc_dateint=20260101 --db runs.db\n" +
			"  baton signal list db/prod/table1 --match 'vtts_utc_dateint>=20260101' --db runs.db",
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newSignalSendCmd(a), newSignalListCmd(a))
	return cmd
}

// signalFlags are the connection and worker flags of the signal commands.
type signalFlags struct{ entityFlags }

// connect connects and starts a worker in this process (it runs the
// signal store) unless --no-worker.
func (f *signalFlags) connect(a *app, cmd string) (*conn, sdkworker.Worker, *signals.Client, int) {
	if err := f.output.validate(); err != nil {
		return nil, nil, nil, a.usage(cmd, err)
	}
	cn, err := a.connect(a.ctx, &f.cf)
	if err != nil {
		fmt.Fprintf(a.errOut, "baton %s: %v\n", cmd, err)
		return nil, nil, nil, exitRuntime
	}
	if cn.srv != nil && f.cf.db == "" {
		fmt.Fprintf(a.errOut, "warning: %s\n", signalStoreHelp)
	}
	var w sdkworker.Worker
	if !f.noWorker {
		if w, err = startWorker(cn, &f.wf); err != nil {
			cn.Close()
			fmt.Fprintf(a.errOut, "baton %s: %v\n", cmd, err)
			return nil, nil, nil, exitRuntime
		}
	}
	return cn, w, signals.NewClient(cn.tc, signals.ClientOptions{TaskQueue: f.wf.taskQueue}), exitOK
}

func newSignalSendCmd(a *app) *cobra.Command {
	var f signalFlags
	var params []string
	var payload, requestID string
	cmd := &cobra.Command{
		Use:   "send NAME [-p name=value]... [--payload JSON] [--request-id ID]",
		Short: "Send a signal instance and print its id once it is stored",
		Long: "Send stores a signal instance and prints its id (NAME#SEQ) once it is durable.\n" +
			"A -p value that is an integer is a LONG; anything else is a STRING (quote it,\n" +
			"-p 'd=\"20260101\"', to send digits as a STRING). --payload is a JSON object,\n" +
			"stored but never matched. A --request-id sent again stores nothing and prints\n" +
			"the first instance.",
		Example: "  baton signal send db/prod/table1 -p vtts_utc_dateint=20260101 -p table=t1 --db runs.db\n" +
			"  baton signal send out_1 --payload '{\"by\":\"me\"}' --request-id run-7 --address 127.0.0.1:7233",
		Args: exactArgs(1, "one signal NAME"),
	}
	f.register(cmd)
	cmd.Flags().StringArrayVarP(&params, "param", "p", nil, "an indexed param name=value; repeatable")
	cmd.Flags().StringVar(&payload, "payload", "", "the payload, a JSON object (not indexed)")
	cmd.Flags().StringVar(&requestID, "request-id", "", "de-duplicates: a repeated send with it stores nothing")
	cmd.RunE = runE(func(_ *cobra.Command, args []string) int {
		opts := signals.SendOptions{Name: args[0], RequestID: requestID, Params: map[string]signals.Value{}}
		if payload != "" {
			opts.Payload = []byte(payload)
		}
		for _, p := range params {
			k, v, ok := strings.Cut(p, "=")
			if !ok || k == "" {
				return a.usage("signal send", fmt.Errorf("-p %q: want name=value", p))
			}
			if _, dup := opts.Params[k]; dup {
				return a.usage("signal send", fmt.Errorf("-p %q: param %q given twice", p, k))
			}
			opts.Params[k] = signals.ParseValue(v)
		}
		cn, w, sc, code := f.connect(a, "signal send")
		if code != exitOK {
			return code
		}
		defer closeConn(cn, w)
		res, err := sc.Send(a.ctx, opts)
		if err != nil {
			fmt.Fprintf(a.errOut, "baton signal send: %v\n", err)
			return exitFailed
		}
		if f.output.value != "table" {
			return a.print("signal send", f.output.value, res)
		}
		if res.Duplicate {
			fmt.Fprintf(a.out, "%s (duplicate of request id %s, nothing stored)\n", res.Instance.ID(), res.Instance.RequestID)
			return exitOK
		}
		fmt.Fprintln(a.out, res.Instance.ID())
		return exitOK
	})
	return cmd
}

func newSignalListCmd(a *app) *cobra.Command {
	var f signalFlags
	var matches []string
	var req signals.ListRequest
	cmd := &cobra.Command{
		Use:   "list NAME [--match name<op>value]...",
		Short: "List a signal's stored instances, newest first",
		Long: "List prints the stored instances of NAME, newest first, that satisfy every\n" +
			"--match (op one of = > >= < <=, as Maestro's signal match params: a LONG\n" +
			"never matches a STRING; strings compare lexicographically).",
		Example: "  baton signal list db/prod/table1 --match 'vtts_utc_dateint>=20260101' --db runs.db\n" +
			"  baton signal list out_1 --after 10 --output json --address 127.0.0.1:7233",
		Args: exactArgs(1, "one signal NAME"),
	}
	f.register(cmd)
	cmd.Flags().StringArrayVarP(&matches, "match", "m", nil, "a condition name<op>value; repeatable (all must hold)")
	cmd.Flags().Int64Var(&req.AfterSeq, "after", 0, "only instances with a sequence id above this")
	cmd.Flags().IntVar(&req.Limit, "limit", 100, "list at most this many instances (1 to 1000)")
	cmd.RunE = runE(func(_ *cobra.Command, args []string) int {
		for _, s := range matches {
			m, err := signals.ParseMatch(s)
			if err != nil {
				return a.usage("signal list", fmt.Errorf("--match: %w", err))
			}
			req.Match = append(req.Match, m)
		}
		if err := signals.CheckMatch(req.Match); err != nil {
			return a.usage("signal list", fmt.Errorf("--match: %w", err))
		}
		if req.Limit < 1 || req.Limit > 1000 {
			return a.usage("signal list", fmt.Errorf("--limit %d: want 1 to 1000", req.Limit))
		}
		if err := signals.CheckName(args[0]); err != nil {
			return a.usage("signal list", err)
		}
		cn, w, sc, code := f.connect(a, "signal list")
		if code != exitOK {
			return code
		}
		defer closeConn(cn, w)
		ins, err := sc.List(a.ctx, args[0], req)
		if err != nil {
			fmt.Fprintf(a.errOut, "baton signal list: %v\n", err)
			return exitRuntime
		}
		if f.output.value != "table" {
			if ins == nil {
				ins = []*signals.Instance{}
			}
			return a.print("signal list", f.output.value, ins)
		}
		tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCREATED\tPARAMS\tPAYLOAD")
		for _, in := range ins {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", in.ID(), in.CreateTime.Local().Format(time.DateTime), signalParamsText(in.Params), in.Payload)
		}
		_ = tw.Flush()
		return exitOK
	})
	return cmd
}

// signalParamsText renders params sorted by name: a=1 b="x".
func signalParamsText(params map[string]signals.Value) string {
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(params)) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k + "=" + params[k].String())
	}
	return b.String()
}
