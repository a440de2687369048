package sel

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tInt
	tFloat
	tString
	tOp
)

type token struct {
	kind tokKind
	pos  int
	text string // identifier, operator, or decoded string literal
	ival int64
	fval float64
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of input"
	case tString:
		return strconv.Quote(clip(t.text))
	}
	return "'" + clip(t.text) + "'"
}

// three-, two- and one-character operators, longest first.
var ops3 = []string{">>>", "<<=", ">>="}
var ops2 = []string{"==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=", "%="}

const ops1 = "+-*/%<>=!?:;,.()[]{}"

// scan tokenizes src fully. Comments and white space are skipped.
func scan(src string) ([]token, error) {
	toks := make([]token, 0, len(src)/3+1)
	i := 0
	for {
		// skip white space and comments
		for i < len(src) {
			c := src[i]
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' {
				i++
				continue
			}
			if c == '/' && i+1 < len(src) && src[i+1] == '/' {
				for i < len(src) && src[i] != '\n' {
					i++
				}
				continue
			}
			if c == '/' && i+1 < len(src) && src[i+1] == '*' {
				end := strings.Index(src[i+2:], "*/")
				if end < 0 {
					return nil, &posErr{pos: i, msg: "comment not terminated"}
				}
				i += end + 4
				continue
			}
			break
		}
		if i >= len(src) {
			toks = append(toks, token{kind: tEOF, pos: i})
			return toks, nil
		}
		c := src[i]
		start := i
		switch {
		case isIdentStart(c):
			for i < len(src) && isIdentPart(src[i]) {
				i++
			}
			toks = append(toks, token{kind: tIdent, pos: start, text: src[start:i]})
		case isDigit(c) || (c == '.' && i+1 < len(src) && isDigit(src[i+1])):
			t, n, err := scanNumber(src, i)
			if err != nil {
				return nil, err
			}
			i = n
			toks = append(toks, t)
		case c == '"' || c == '\'':
			s, n, err := scanString(src, i)
			if err != nil {
				return nil, err
			}
			i = n
			toks = append(toks, token{kind: tString, pos: start, text: s})
		default:
			op := ""
			for _, o := range ops3 {
				if strings.HasPrefix(src[i:], o) {
					op = o
				}
			}
			if op == "" {
				for _, o := range ops2 {
					if strings.HasPrefix(src[i:], o) {
						op = o
						break
					}
				}
			}
			if op == "" && strings.IndexByte(ops1, c) >= 0 {
				op = src[i : i+1]
			}
			if op == "" || len(op) == 3 {
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, &posErr{pos: i, msg: "unexpected character " + strconv.QuoteRune(r)}
			}
			i += len(op)
			toks = append(toks, token{kind: tOp, pos: start, text: op})
		}
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}
func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) }
func isDigit(c byte) bool     { return c >= '0' && c <= '9' }

func scanNumber(src string, i int) (token, int, error) {
	start := i
	isFloat := false
	if strings.HasPrefix(src[i:], "0x") || strings.HasPrefix(src[i:], "0X") {
		i += 2
		for i < len(src) && (isDigit(src[i]) || strings.IndexByte("abcdefABCDEF_", src[i]) >= 0) {
			i++
		}
		text := strings.ReplaceAll(src[start+2:i], "_", "")
		if i < len(src) && (src[i] == 'L' || src[i] == 'l') {
			i++
		}
		u, err := strconv.ParseUint(text, 16, 64)
		if err != nil {
			return token{}, 0, &posErr{pos: start, msg: "invalid hex literal " + clip(src[start:i])}
		}
		return token{kind: tInt, pos: start, text: src[start:i], ival: int64(u)}, i, nil
	}
	for i < len(src) && (isDigit(src[i]) || src[i] == '_') {
		i++
	}
	if i < len(src) && src[i] == '.' && !(i+1 < len(src) && isIdentStart(src[i+1]) && src[i+1] != 'e' && src[i+1] != 'E' && src[i+1] != 'd' && src[i+1] != 'D' && src[i+1] != 'f' && src[i+1] != 'F') {
		isFloat = true
		i++
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && isDigit(src[j]) {
			isFloat = true
			i = j
			for i < len(src) && isDigit(src[i]) {
				i++
			}
		}
	}
	text := strings.ReplaceAll(src[start:i], "_", "")
	if i < len(src) {
		switch src[i] {
		case 'L', 'l':
			if isFloat {
				return token{}, 0, &posErr{pos: start, msg: "invalid number " + clip(src[start:i+1])}
			}
			i++
		case 'd', 'D', 'f', 'F':
			isFloat = true
			i++
		}
	}
	if i < len(src) && isIdentPart(src[i]) {
		return token{}, 0, &posErr{pos: start, msg: "invalid number " + clip(src[start:i+1])}
	}
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil && !math.IsInf(f, 0) {
			return token{}, 0, &posErr{pos: start, msg: "invalid number " + clip(src[start:i])}
		}
		if math.IsInf(f, 0) {
			return token{}, 0, &posErr{pos: start, msg: "floating-point number too large " + clip(src[start:i])}
		}
		return token{kind: tFloat, pos: start, text: src[start:i], fval: f}, i, nil
	}
	// Java allows 9223372036854775808L only after unary minus; accept it
	// here and let the parser negate it (it wraps to MinInt64 either way).
	u, err := strconv.ParseUint(text, 10, 64)
	if err != nil || u > 1<<63 {
		return token{}, 0, &posErr{pos: start, msg: "integer number too large " + clip(src[start:i])}
	}
	return token{kind: tInt, pos: start, text: src[start:i], ival: int64(u)}, i, nil
}

func scanString(src string, i int) (string, int, error) {
	q := src[i]
	start := i
	i++
	var sb strings.Builder
	for {
		if i >= len(src) || src[i] == '\n' {
			return "", 0, &posErr{pos: start, msg: "string literal not terminated"}
		}
		c := src[i]
		if c == q {
			return sb.String(), i + 1, nil
		}
		if c != '\\' {
			sb.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(src) {
			return "", 0, &posErr{pos: start, msg: "string literal not terminated"}
		}
		e := src[i+1]
		i += 2
		switch e {
		case 'n':
			sb.WriteByte('\n')
		case 't':
			sb.WriteByte('\t')
		case 'r':
			sb.WriteByte('\r')
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case '0':
			sb.WriteByte(0)
		case '\\', '\'', '"':
			sb.WriteByte(e)
		case 'u':
			for i < len(src) && src[i] == 'u' {
				i++
			}
			if i+4 > len(src) {
				return "", 0, &posErr{pos: i - 2, msg: "invalid unicode escape"}
			}
			n, err := strconv.ParseUint(src[i:i+4], 16, 32)
			if err != nil {
				return "", 0, &posErr{pos: i - 2, msg: "invalid unicode escape"}
			}
			sb.WriteRune(rune(n))
			i += 4
		default:
			return "", 0, &posErr{pos: i - 2, msg: "invalid escape sequence \\" + string(e)}
		}
	}
}
