package definition

import (
	"fmt"
	"strings"
)

// referenceIDProblem checks a name against Maestro's
// MaestroReferenceIdConstraint, the rule for step ids and param names:
// not empty, at most MaxIDLength characters, matching
// [_a-zA-Z][.\-_a-zA-Z0-9]*, without the step param separator "__" and
// without the reserved prefix maestro_ (in any case). It returns "" for a
// valid name.
func referenceIDProblem(what, id string) string {
	switch {
	case id == "":
		return what + " must not be empty"
	case len(id) > MaxIDLength:
		return fmt.Sprintf("%s too long: %d characters (at most %d)", what, len(id), MaxIDLength)
	case !stepIDPattern.MatchString(id):
		return fmt.Sprintf("invalid %s %q: must match %s", what, id, stepIDPattern)
	case strings.Contains(id, "__"):
		return fmt.Sprintf("invalid %s %q: must not contain __ (the step param separator)", what, id)
	case strings.HasPrefix(strings.ToLower(id), "maestro_"):
		return fmt.Sprintf("invalid %s %q: the prefix maestro_ is reserved", what, id)
	}
	return ""
}
