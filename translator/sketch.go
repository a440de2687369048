package translator

import "github.com/batonhq/baton/definition"

// Sketch compiles a definition for rendering only (Mermaid, DOT): a
// feature Baton does not run yet (a template step, a Titus step) becomes a warning of the plan instead of an error,
// so any valid definition can be drawn. Other errors are returned as by
// Compile. A sketch has no hash and is not for running.
func Sketch(req *definition.Request, opts Options) (*Plan, error) {
	c := &compiler{opts: opts}
	p := c.compile(req)
	var errs Errors
	for _, e := range c.errs.errs {
		if e.IsNotSupported() {
			p.Warnings = append(p.Warnings, e.Error())
			continue
		}
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return p, nil
}
