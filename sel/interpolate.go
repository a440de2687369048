package sel

import (
	"fmt"
	"strings"
)

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// bracedName is the name of "${name}" at the start of s (after "${"), as
// Maestro's LiteralEvaluator reads it: a letter, then letters, digits and
// '_', '-', '.', '/'; ok is false when s does not start with one and '}'.
func bracedName(s string) (name string, ok bool) {
	if s == "" || !isLetter(s[0]) {
		return "", false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '}':
			return s[:i], true
		case isNameChar(c) || c == '-' || c == '.' || c == '/':
		default:
			return "", false
		}
	}
	return "", false
}

// Interpolate expands Maestro string interpolation in a literal STRING
// value, as Maestro's LiteralEvaluator does: $name, where name is a letter
// then letters, digits and '_', and ${name}, which also allows '-', '.'
// and '/'; $$ is a literal '$'. Anything else after a '$' ($_a, $9, ${9},
// an unterminated ${) stays literal text. Values are rendered with Format.
// A name that is not defined is an error naming it.
func Interpolate(text string, p Params) (string, error) {
	return interpolate(text, p, maestroVariable)
}

// maestroVariable reads the variable after the '$' at text[i]: its name
// and the index of its last byte; "" when there is none.
func maestroVariable(text string, i int) (string, int, error) {
	switch n := text[i+1]; {
	case n == '{':
		if b, ok := bracedName(text[i+2:]); ok {
			return b, i + 2 + len(b), nil
		}
	case isLetter(n):
		j := i + 2
		for j < len(text) && isNameChar(text[j]) {
			j++
		}
		return text[i+1 : j], j - 1, nil
	}
	return "", i, nil
}

// interpolate expands text with variable, which reads the variable after
// a '$' (after $$, a literal '$', is taken care of).
func interpolate(text string, p Params, variable func(text string, i int) (string, int, error)) (string, error) {
	if strings.IndexByte(text, '$') < 0 {
		return text, nil
	}
	var sb strings.Builder // the literal text since the last reference
	var parts []string
	total := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '$' || i+1 >= len(text) {
			sb.WriteByte(c)
			continue
		}
		if text[i+1] == '$' {
			sb.WriteByte('$')
			i++
			continue
		}
		name, end, err := variable(text, i)
		if err != nil {
			return "", err
		}
		if name == "" {
			sb.WriteByte(c)
			continue
		}
		i = end
		var v any
		ok := false
		if p != nil {
			v, ok = p.Lookup(name)
		}
		if !ok {
			return "", fmt.Errorf("interpolation: param %q is not defined", clip(name))
		}
		piece := Format(v)
		if total+sb.Len()+len(piece) > maxInterpolated {
			return "", fmt.Errorf("interpolation: the result would pass %d bytes (at $%s)", maxInterpolated, clip(name))
		}
		// keep the pieces and join them once: growing one builder to the
		// limit would allocate several times the result
		parts = append(parts, sb.String(), piece)
		total += sb.Len() + len(piece)
		sb.Reset()
	}
	return strings.Join(append(parts, sb.String()), ""), nil
}

// maxInterpolated bounds the string interpolation builds, as MaxMemory
// bounds an evaluation: many references to a long param would otherwise
// multiply its size.
const maxInterpolated = 16 << 20

// InterpolationChanged reports whether Interpolate and InterpolateLegacy
// may read text differently: it has a $ followed by '_', or a ${ that is
// not a ${name} of Interpolate.
func InterpolationChanged(text string) bool {
	for i := 0; i+1 < len(text); i++ {
		if text[i] != '$' {
			continue
		}
		switch text[i+1] {
		case '$':
			i++
		case '_':
			return true
		case '{':
			if _, ok := bracedName(text[i+2:]); !ok {
				return true
			}
		}
	}
	return false
}
