package sel

import "sort"

type parser struct {
	toks     []token
	p        int
	depth    int
	maxDepth int
	locals   map[string]int
	refs     map[string]bool // free names read
	keys     map[string]bool // constant params keys
	idents   []*identExpr
}

func (ps *parser) tok() token { return ps.toks[ps.p] }
func (ps *parser) peek(k int) token {
	if ps.p+k < len(ps.toks) {
		return ps.toks[ps.p+k]
	}
	return ps.toks[len(ps.toks)-1]
}
func (ps *parser) next() token {
	t := ps.toks[ps.p]
	if t.kind != tEOF {
		ps.p++
	}
	return t
}
func (ps *parser) back(t token) {
	if t.kind != tEOF {
		ps.p--
	}
}

func (ps *parser) is(op string) bool {
	t := ps.toks[ps.p]
	return t.kind == tOp && t.text == op
}
func (ps *parser) isKw(kw string) bool {
	t := ps.toks[ps.p]
	return t.kind == tIdent && t.text == kw
}
func (ps *parser) got(op string) bool {
	if ps.is(op) {
		ps.p++
		return true
	}
	return false
}

func (ps *parser) errExpected(what string) error {
	t := ps.tok()
	return &posErr{pos: t.pos, kind: SyntaxError, msg: "expected " + what + ", found " + t.String()}
}

func (ps *parser) expect(op string) (int, error) {
	if !ps.is(op) {
		return 0, ps.errExpected("'" + op + "'")
	}
	return ps.next().pos, nil
}

func (ps *parser) enter() error {
	ps.depth++
	if ps.depth > ps.maxDepth {
		return &posErr{pos: ps.tok().pos, limit: "stack depth", max: int64(ps.maxDepth)}
	}
	return nil
}

func (ps *parser) leave() { ps.depth-- }

// parseProgram parses the statements of a whole program.
func parseProgram(src string, lim *Limits) (*blockStmt, int, []string, error) {
	if len(src) > lim.MaxSourceLen {
		return nil, 0, nil, &posErr{pos: -1, limit: "source length", max: int64(lim.MaxSourceLen)}
	}
	toks, err := scan(src)
	if err != nil {
		return nil, 0, nil, err
	}
	ps := &parser{toks: toks, maxDepth: lim.MaxStackDepth, locals: map[string]int{},
		refs: map[string]bool{}, keys: map[string]bool{}}
	body := &blockStmt{}
	for ps.tok().kind != tEOF {
		s, err := ps.stmt(true)
		if err != nil {
			return nil, 0, nil, err
		}
		body.stmts = append(body.stmts, s)
	}
	// resolve names: anything declared or assigned anywhere is a local.
	for _, id := range ps.idents {
		if slot, ok := ps.locals[id.name]; ok {
			id.slot = slot
		} else {
			id.slot = -1
			ps.refs[id.name] = true
		}
	}
	for k := range ps.keys {
		ps.refs[k] = true
	}
	refs := make([]string, 0, len(ps.refs))
	for k := range ps.refs {
		refs = append(refs, k)
	}
	sort.Strings(refs)
	return body, len(ps.locals), refs, nil
}

func (ps *parser) local(name string) int {
	if s, ok := ps.locals[name]; ok {
		return s
	}
	s := len(ps.locals)
	ps.locals[name] = s
	return s
}

// stmt parses one statement. top is true at the top level, where the final
// `;` may be missing.
func (ps *parser) stmt(top bool) (node, error) {
	if err := ps.enter(); err != nil {
		return nil, err
	}
	defer ps.leave()
	t := ps.tok()
	if t.kind == tOp {
		switch t.text {
		case "{":
			return ps.block()
		case ";":
			ps.next()
			return &emptyStmt{pos: t.pos}, nil
		}
	}
	if t.kind == tIdent {
		switch t.text {
		case "if":
			return ps.ifStmt()
		case "while":
			ps.next()
			if _, err := ps.expect("("); err != nil {
				return nil, err
			}
			c, err := ps.expr()
			if err != nil {
				return nil, err
			}
			if _, err := ps.expect(")"); err != nil {
				return nil, err
			}
			body, err := ps.stmt(false)
			if err != nil {
				return nil, err
			}
			return &whileStmt{pos: t.pos, cond: c, body: body}, nil
		case "for":
			return ps.forStmt()
		case "break", "continue":
			ps.next()
			if err := ps.semi(); err != nil {
				return nil, err
			}
			k := brBreak
			if t.text == "continue" {
				k = brContinue
			}
			return &branchStmt{pos: t.pos, kind: k}, nil
		case "return":
			ps.next()
			var x node
			if !ps.is(";") && ps.tok().kind != tEOF && !ps.is("}") {
				var err error
				if x, err = ps.expr(); err != nil {
					return nil, err
				}
			}
			return &returnStmt{pos: t.pos, x: x}, ps.semi()
		case "throw":
			ps.next()
			x, err := ps.expr()
			if err != nil {
				return nil, err
			}
			return &throwStmt{pos: t.pos, x: x}, ps.semi()
		case "import":
			for ps.tok().kind != tEOF && !ps.is(";") {
				ps.next()
			}
			ps.got(";")
			return &emptyStmt{pos: t.pos}, nil
		}
		if d, ok, err := ps.tryDecl(); ok || err != nil {
			if err != nil {
				return nil, err
			}
			return d, ps.semi()
		}
	}
	x, err := ps.expr()
	if err != nil {
		return nil, err
	}
	return &exprStmt{pos: t.pos, x: x}, ps.semi()
}

// semi consumes a `;`; a missing one is accepted at the end of input or
// before a closing brace.
func (ps *parser) semi() error {
	if ps.got(";") || ps.tok().kind == tEOF {
		return nil
	}
	return ps.errExpected("';'")
}

func (ps *parser) block() (node, error) {
	pos, _ := ps.expect("{")
	b := &blockStmt{pos: pos}
	for !ps.is("}") {
		if ps.tok().kind == tEOF {
			return nil, ps.errExpected("'}'")
		}
		s, err := ps.stmt(false)
		if err != nil {
			return nil, err
		}
		b.stmts = append(b.stmts, s)
	}
	ps.next()
	return b, nil
}

func (ps *parser) ifStmt() (node, error) {
	pos := ps.next().pos
	if _, err := ps.expect("("); err != nil {
		return nil, err
	}
	c, err := ps.expr()
	if err != nil {
		return nil, err
	}
	if _, err := ps.expect(")"); err != nil {
		return nil, err
	}
	then, err := ps.stmt(false)
	if err != nil {
		return nil, err
	}
	n := &ifStmt{pos: pos, cond: c, then: then}
	if ps.isKw("else") {
		ps.next()
		if n.els_, err = ps.stmt(false); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (ps *parser) forStmt() (node, error) {
	pos := ps.next().pos
	if _, err := ps.expect("("); err != nil {
		return nil, err
	}
	n := &forStmt{pos: pos}
	if !ps.is(";") {
		if d, ok, err := ps.tryDecl(); ok || err != nil {
			if err != nil {
				return nil, err
			}
			n.init = []node{d}
		} else {
			list, err := ps.exprList()
			if err != nil {
				return nil, err
			}
			n.init = list
		}
	}
	if _, err := ps.expect(";"); err != nil {
		return nil, err
	}
	if !ps.is(";") {
		c, err := ps.expr()
		if err != nil {
			return nil, err
		}
		n.cond = c
	}
	if _, err := ps.expect(";"); err != nil {
		return nil, err
	}
	if !ps.is(")") {
		list, err := ps.exprList()
		if err != nil {
			return nil, err
		}
		n.post = list
	}
	if _, err := ps.expect(")"); err != nil {
		return nil, err
	}
	body, err := ps.stmt(false)
	if err != nil {
		return nil, err
	}
	n.body = body
	return n, nil
}

func (ps *parser) exprList() ([]node, error) {
	var list []node
	for {
		x, err := ps.expr()
		if err != nil {
			return nil, err
		}
		list = append(list, x)
		if !ps.got(",") {
			return list, nil
		}
	}
}

// tryDecl parses `Type name [= init] {, name [= init]}` when the tokens
// look like a declaration (a type followed by a name).
func (ps *parser) tryDecl() (node, bool, error) {
	t := ps.tok()
	if t.kind != tIdent || isKeyword(t.text) {
		return nil, false, nil
	}
	k := 1
	typ := t.text
	if ps.peek(1).kind == tOp && ps.peek(1).text == "." && ps.peek(2).kind == tIdent && ps.peek(3).kind == tIdent {
		typ += "." + ps.peek(2).text
		k = 3
	}
	array := false
	if ps.peek(k).kind == tOp && ps.peek(k).text == "[" && ps.peek(k+1).kind == tOp && ps.peek(k+1).text == "]" {
		array = true
		k += 2
	}
	if ps.peek(k).kind != tIdent {
		return nil, false, nil
	}
	norm, ok := javaTypes[typ]
	if !ok {
		return nil, true, &posErr{pos: t.pos, kind: SyntaxError, msg: "unsupported type " + clip(typ)}
	}
	if array {
		switch norm {
		case "long", "double", "boolean", "String":
			norm += "[]"
		default:
			return nil, true, &posErr{pos: t.pos, kind: SyntaxError, msg: "unsupported array type " + clip(typ) + "[]"}
		}
	}
	ps.p += k
	d := &declStmt{pos: t.pos, typ: norm}
	for {
		nt := ps.next()
		if nt.kind != tIdent || isKeyword(nt.text) {
			ps.back(nt)
			return nil, true, ps.errExpected("variable name")
		}
		d.names = append(d.names, nt.text)
		d.slots = append(d.slots, ps.local(nt.text))
		var init node
		if ps.got("=") {
			var err error
			if array && ps.is("{") {
				init, err = ps.arrayInit(nt.pos, norm[:len(norm)-2])
			} else {
				init, err = ps.expr()
			}
			if err != nil {
				return nil, true, err
			}
		}
		d.inits = append(d.inits, init)
		if !ps.got(",") {
			return d, true, nil
		}
	}
}

func isKeyword(s string) bool {
	switch s {
	case "if", "else", "for", "while", "break", "continue", "return", "throw", "new",
		"import", "true", "false", "null":
		return true
	}
	return false
}
