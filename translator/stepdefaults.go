package translator

// applyTypeDefaults adds the params a step type declares by default (for
// Maestro's step types, its defaultparams), so that their outputs are
// declared params of the step.
func applyTypeDefaults(n *Node) {}
