package definition

// TimeTrigger is one entry of workflow.time_triggers (§3.14). Decoded and
// validated; not run yet.
type TimeTrigger struct {
	Type          string // CRON, PREDEFINED, INTERVAL
	Cron          string
	Expression    string
	Timezone      string
	Interval      string
	Start         string
	FuzzyMaxDelay *ParsableLong
	Extra         map[string]any
}

// SignalTrigger is one entry of workflow.signal_triggers (§3.14).
type SignalTrigger struct {
	Definitions map[string]*SignalTriggerDefinition
	Condition   string
	DedupExpr   string
	Params      Params
}

// SignalTriggerDefinition matches one named signal.
type SignalTriggerDefinition struct {
	MatchParams map[string]*SignalMatchParam
	JoinKeys    []string
}

// SignalMatchParam is a param compared with an operator (=, >, >=, <, <=).
type SignalMatchParam struct {
	Param    *Param
	Operator string
}

// SignalDependency is one entry of a step's signal_dependencies (§3.13).
type SignalDependency struct {
	Name        string
	MatchParams map[string]*SignalMatchParam
}

// SignalOutput is one entry of a step's signal_outputs (§3.13).
type SignalOutput struct {
	Name    string
	Params  Params
	Payload Params
}
