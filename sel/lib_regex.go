package sel

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
)

// Java's regular expression methods (split, replaceAll) on Go's regexp.
// Each bounds its matches and its output before building them.

var regexCache sync.Map // Java pattern → *javaRE

// javaRE is a compiled pattern and the size of its program, which sets the
// cost of a scan: Go's regexp runs in time proportional to input × program.
type javaRE struct {
	*regexp.Regexp
	insts int
}

// regexp compiles a Java pattern, charging its compilation whether or not
// it is cached (the count of steps must not depend on a cache).
func (st *state) regexp(pos int, pattern string) (*javaRE, error) {
	if len(pattern) > st.lim.MaxSourceLen {
		return nil, limitErr(pos, "regex length", int64(st.lim.MaxSourceLen))
	}
	if err := st.step(pos, 1+int64(len(pattern))*8); err != nil {
		return nil, err
	}
	if re, ok := regexCache.Load(pattern); ok {
		return re.(*javaRE), nil
	}
	parsed, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, errAt(pos, "invalid or unsupported regular expression %q: %v", pattern, err)
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil, errAt(pos, "invalid or unsupported regular expression %q: %v", pattern, err)
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, errAt(pos, "invalid or unsupported regular expression %q: %v", pattern, err)
	}
	jre := &javaRE{Regexp: re, insts: len(prog.Inst)}
	if len(pattern) < 256 {
		regexCache.Store(pattern, jre)
	}
	return jre, nil
}

// regexCost estimates the steps a regexp scan of s costs: Go's regexp runs
// at several steps' time per byte, more for a large program, unless the
// pattern is a literal.
func regexCost(re *javaRE, s string) int64 {
	if _, complete := re.LiteralPrefix(); complete {
		return 1 + int64(len(s)/16)
	}
	return 1 + int64(len(s))*(4+int64(re.insts)/16)
}

// javaSplit implements String.split(regex, limit). It finds at most
// maxParts+1 parts (the caller refuses more), so its work and memory are
// bounded by the array limit, not by the input.
func javaSplit(re *javaRE, s string, limit, maxParts int) []string {
	if s == "" {
		return []string{""}
	}
	want := maxParts + 1 // parts to find before giving up
	if limit > 0 && limit < want {
		want = limit
	}
	var out []string
	start := 0
	// cut ends a part at a match [m0, m1); false stops the scan. Once out
	// is full, a split without limit (limit 0) keeps scanning while the
	// parts are empty: Java drops trailing empty parts, so they may pass
	// the array limit.
	cut := func(m0, m1 int) bool {
		if m1 == 0 { // zero-width match at the start never splits
			return true
		}
		if m0 == m1 && m0 >= len(s) {
			return false
		}
		if len(out) == want-1 {
			if limit != 0 || m0 != start {
				return false
			}
			start = m1
			return true
		}
		out = append(out, s[start:m0])
		start = m1
		return true
	}
	if lit, complete := re.LiteralPrefix(); complete && lit != "" {
		for i := 0; ; {
			j := strings.Index(s[i:], lit)
			if j < 0 || !cut(i+j, i+j+len(lit)) {
				break
			}
			i += j + len(lit)
		}
	} else {
		// a regular expression: the matches found are bounded too (a
		// zero-width match at 0 does not count, hence the +1), so trailing
		// empty parts past the limit make it fail
		for _, m := range re.FindAllStringIndex(s, want+1) {
			if !cut(m[0], m[1]) {
				break
			}
		}
	}
	out = append(out, s[start:])
	if limit == 0 {
		for len(out) > 1 && out[len(out)-1] == "" {
			out = out[:len(out)-1]
		}
		if len(out) == 1 && out[0] == "" && s != "" {
			return []string{}
		}
	}
	return out
}

func (st *state) split(pos int, s, pattern string, limit int) (any, error) {
	re, err := st.regexp(pos, pattern)
	if err != nil {
		return nil, err
	}
	if err := st.step(pos, regexCost(re, s)); err != nil {
		return nil, err
	}
	max := st.lim.MaxArrayLen
	// the parts found (at most max+1): 16 bytes each, twice while the slice
	// grows, and a regexp's matches about 160 bytes each
	perPart := int64(48)
	if _, complete := re.LiteralPrefix(); !complete {
		perPart += 160
	}
	if err := st.alloc(pos, perPart*int64(min(max+2, len(s)+1))); err != nil {
		return nil, err
	}
	parts := javaSplit(re, s, limit, max)
	if err := st.arrayLen(pos, len(parts)); err != nil {
		return nil, err
	}
	return parts, nil
}

// replacement is a parsed Java replacement string: literal text and group
// references, alternating.
type replacement struct {
	lits   []string // len(groups)+1 pieces of literal text
	groups []int
}

// parseReplacement reads Java's replacement syntax: \x is x, $n is group n
// (more digits are taken while the number names a group, as Java does).
func parseReplacement(pos int, r string, ngroups int) (*replacement, error) {
	out := &replacement{}
	var sb strings.Builder
	for i := 0; i < len(r); i++ {
		switch c := r[i]; c {
		case '\\':
			i++
			if i >= len(r) {
				return nil, errAt(pos, "character to be escaped is missing in replacement")
			}
			sb.WriteByte(r[i])
		case '$':
			i++
			if i >= len(r) || !isDigit(r[i]) {
				return nil, errAt(pos, "Illegal group reference in replacement %q", r)
			}
			g := int(r[i] - '0')
			if g > ngroups {
				return nil, errAt(pos, "IndexOutOfBoundsException: No group %d", g)
			}
			for i+1 < len(r) && isDigit(r[i+1]) && g*10+int(r[i+1]-'0') <= ngroups {
				g = g*10 + int(r[i+1]-'0')
				i++
			}
			out.lits = append(out.lits, sb.String())
			out.groups = append(out.groups, g)
			sb.Reset()
		default:
			sb.WriteByte(c)
		}
	}
	out.lits = append(out.lits, sb.String())
	return out, nil
}

// size is the length of the replacement for match m (submatch indexes).
func (r *replacement) size(s string, m []int) int64 {
	n := int64(0)
	for _, l := range r.lits {
		n += int64(len(l))
	}
	for _, g := range r.groups {
		if m[2*g] >= 0 {
			n += int64(m[2*g+1] - m[2*g])
		}
	}
	return n
}

func (r *replacement) append(sb *strings.Builder, s string, m []int) {
	for i, g := range r.groups {
		sb.WriteString(r.lits[i])
		if m[2*g] >= 0 {
			sb.WriteString(s[m[2*g]:m[2*g+1]])
		}
	}
	sb.WriteString(r.lits[len(r.lits)-1])
}

// stepsPerMatch is the time a regexp takes to report one match, in steps.
const stepsPerMatch = 16

// replaceLimit names the limit that stopped a replaceAll's search.
func (st *state) replaceLimit(pos int, room, stepRoom int64) error {
	if stepRoom <= room {
		return limitErr(pos, "steps", st.lim.MaxSteps)
	}
	return limitErr(pos, "memory", st.lim.MaxMemory)
}

// replaceAll implements String.replaceAll. The matches it looks for are
// bounded by the memory left, and the output's exact size is charged
// before it is built.
func (st *state) replaceAll(pos int, s, pattern, repl string) (any, error) {
	re, err := st.regexp(pos, pattern)
	if err != nil {
		return nil, err
	}
	if err := st.step(pos, regexCost(re, s)); err != nil {
		return nil, err
	}
	// each match found costs its index slice and the regexp's own work
	// (about 140 bytes for a match without groups, measured), 16 bytes more
	// per group
	perMatch := int64(160 + 16*re.NumSubexp())
	room := (st.lim.MaxMemory - st.mem) / perMatch
	// and its time, about stepsPerMatch steps: the matches looked for are
	// bounded by the steps left too
	stepRoom := (st.lim.MaxSteps - st.steps) / stepsPerMatch
	if room < 1 || stepRoom < 1 {
		return nil, st.replaceLimit(pos, room, stepRoom)
	}
	want := min(room, stepRoom, int64(len(s))+2)
	matches := re.FindAllStringSubmatchIndex(s, int(want))
	if int64(len(matches)) == want && want < int64(len(s))+2 { // there may be more
		_ = st.step(pos, stepsPerMatch*want) // the work done, for the count
		return nil, st.replaceLimit(pos, room, stepRoom)
	}
	if err := st.step(pos, stepsPerMatch*int64(len(matches))); err != nil {
		return nil, err
	}
	if err := st.alloc(pos, perMatch*int64(len(matches))); err != nil {
		return nil, err
	}
	if len(matches) == 0 {
		return s, nil
	}
	tmpl, err := parseReplacement(pos, repl, re.NumSubexp())
	if err != nil {
		return nil, err
	}
	size, prev := int64(0), 0
	for _, m := range matches {
		size += int64(m[0]-prev) + tmpl.size(s, m)
		prev = m[1]
		if size > st.lim.MaxMemory {
			return nil, limitErr(pos, "memory", st.lim.MaxMemory)
		}
	}
	size += int64(len(s) - prev)
	if err := st.alloc(pos, size); err != nil {
		return nil, err
	}
	var sb strings.Builder
	sb.Grow(int(size))
	prev = 0
	for _, m := range matches {
		sb.WriteString(s[prev:m[0]])
		tmpl.append(&sb, s, m)
		prev = m[1]
	}
	sb.WriteString(s[prev:])
	return sb.String(), nil
}
