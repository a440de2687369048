package sel

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrorKind classifies an *Error.
type ErrorKind uint8

// The kinds of *Error.
const (
	SyntaxError  ErrorKind = iota // the source does not parse
	RuntimeError                  // evaluation failed (type error, bad argument, ...)
	ThrowError                    // the expression executed `throw "msg"`
)

// Error is a syntax or evaluation error at a position in the source.
// Its message reads "line:col: ...".
type Error struct {
	Line, Col int // 1-based; 0 when unknown
	Kind      ErrorKind
	Msg       string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
}

// LimitError reports that an evaluation (or a parse) hit one of the sandbox
// limits in Limits.
type LimitError struct {
	Line, Col int
	Limit     string // "source length", "loop iterations", "array size", "stack depth", "steps", "memory", "regex length"
	Max       int64
}

func (e *LimitError) Error() string {
	msg := fmt.Sprintf("sandbox limit exceeded: %s (max %d)", e.Limit, e.Max)
	if e.Line == 0 {
		return msg
	}
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, msg)
}

// lineCol converts a byte offset into 1-based line and column numbers.
func lineCol(src string, off int) (int, int) {
	if off < 0 {
		return 0, 0
	}
	if off > len(src) {
		off = len(src)
	}
	line := 1 + strings.Count(src[:off], "\n")
	col := off + 1
	if i := strings.LastIndexByte(src[:off], '\n'); i >= 0 {
		col = off - i
	}
	return line, col
}

// posErr carries an offset until the source is known; the evaluator and
// parser convert it to *Error or *LimitError.
type posErr struct {
	pos   int
	kind  ErrorKind
	msg   string
	limit string
	max   int64
}

func (e *posErr) Error() string { return e.msg }

// errAt formats an error at pos. String arguments are clipped: an error
// quotes at most clipLen bytes of any input.
func errAt(pos int, format string, args ...any) error {
	for i, a := range args {
		if s, ok := a.(string); ok && len(s) > clipLen {
			args[i] = clip(s)
		}
	}
	return &posErr{pos: pos, kind: RuntimeError, msg: fmt.Sprintf(format, args...)}
}

func limitErr(pos int, limit string, max int64) error {
	return &posErr{pos: pos, limit: limit, max: max}
}

// finish converts internal errors to the exported types.
func finish(src string, err error) error {
	if err == nil {
		return nil
	}
	pe, ok := err.(*posErr)
	if !ok {
		return err
	}
	line, col := lineCol(src, pe.pos)
	if pe.pos < 0 {
		line, col = 0, 0
	}
	if pe.limit != "" {
		return &LimitError{Line: line, Col: col, Limit: pe.limit, Max: pe.max}
	}
	return &Error{Line: line, Col: col, Kind: pe.kind, Msg: capMsg(pe.msg)}
}

// maxMsgLen bounds an error message whatever it quotes: the fragments it
// quotes are clipped where they are added, this is the backstop.
const maxMsgLen = 320

func capMsg(msg string) string {
	if len(msg) <= maxMsgLen {
		return msg
	}
	cut := maxMsgLen
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "...(" + strconv.Itoa(len(msg)) + " bytes)"
}
