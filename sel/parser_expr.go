package sel

import "math"

var assignOps = map[string]bool{"=": true, "+=": true, "-=": true, "*=": true, "/=": true, "%=": true}

func (ps *parser) expr() (node, error) {
	if err := ps.enter(); err != nil {
		return nil, err
	}
	defer ps.leave()
	lhs, err := ps.ternary()
	if err != nil {
		return nil, err
	}
	t := ps.tok()
	if t.kind == tOp && assignOps[t.text] {
		switch l := lhs.(type) {
		case *identExpr:
			ps.local(l.name)
		case *indexExpr:
		default:
			return nil, &posErr{pos: t.pos, kind: SyntaxError, msg: "expected a variable or element on the left of " + clip(t.text)}
		}
		ps.next()
		rhs, err := ps.expr()
		if err != nil {
			return nil, err
		}
		return &assignExpr{pos: lhs.at(), op: t.text, lhs: lhs, rhs: rhs}, nil
	}
	return lhs, nil
}

func (ps *parser) ternary() (node, error) {
	c, err := ps.binary(0)
	if err != nil {
		return nil, err
	}
	if !ps.is("?") {
		return c, nil
	}
	ps.next()
	if err := ps.enter(); err != nil {
		return nil, err
	}
	defer ps.leave()
	a, err := ps.expr()
	if err != nil {
		return nil, err
	}
	if _, err := ps.expect(":"); err != nil {
		return nil, err
	}
	b, err := ps.expr()
	if err != nil {
		return nil, err
	}
	return &condExpr{pos: c.at(), c: c, a: a, b: b}, nil
}

var precLevels = [][]string{
	{"||"}, {"&&"}, {"==", "!="}, {"<", ">", "<=", ">="}, {"+", "-"}, {"*", "/", "%"},
}

func (ps *parser) binary(level int) (node, error) {
	if level == len(precLevels) {
		return ps.unary()
	}
	x, err := ps.binary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		t := ps.tok()
		if t.kind != tOp || !contains(precLevels[level], t.text) {
			return x, nil
		}
		ps.next()
		y, err := ps.binary(level + 1)
		if err != nil {
			return nil, err
		}
		x = &binaryExpr{pos: t.pos, op: t.text, x: x, y: y}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (ps *parser) unary() (node, error) {
	t := ps.tok()
	if t.kind == tOp {
		switch t.text {
		case "-", "+", "!":
			if err := ps.enter(); err != nil {
				return nil, err
			}
			defer ps.leave()
			ps.next()
			// fold a negative literal so that -9223372036854775808 works
			if nt := ps.tok(); t.text == "-" && (nt.kind == tInt || nt.kind == tFloat) && !isPostfixOp(ps.peek(1)) {
				ps.next()
				if nt.kind == tInt {
					return &litExpr{pos: t.pos, val: -nt.ival}, nil
				}
				return &litExpr{pos: t.pos, val: -nt.fval}, nil
			}
			x, err := ps.unary()
			if err != nil {
				return nil, err
			}
			return &unaryExpr{pos: t.pos, op: t.text, x: x}, nil
		case "++", "--":
			ps.next()
			x, err := ps.unary()
			if err != nil {
				return nil, err
			}
			if err := ps.assignable(x, t); err != nil {
				return nil, err
			}
			return &incDecExpr{pos: t.pos, op: t.text, prefix: true, x: x}, nil
		}
	}
	return ps.postfix()
}

func isPostfixOp(t token) bool {
	return t.kind == tOp && (t.text == "." || t.text == "[" || t.text == "++" || t.text == "--")
}

func (ps *parser) assignable(x node, t token) error {
	switch l := x.(type) {
	case *identExpr:
		ps.local(l.name)
		return nil
	case *indexExpr:
		return nil
	}
	return &posErr{pos: t.pos, kind: SyntaxError, msg: "expected a variable or element for " + clip(t.text)}
}

func (ps *parser) postfix() (node, error) {
	x, err := ps.primary()
	if err != nil {
		return nil, err
	}
	for {
		t := ps.tok()
		if t.kind != tOp {
			return x, nil
		}
		switch t.text {
		case ".":
			ps.next()
			nt := ps.next()
			if nt.kind != tIdent {
				ps.back(nt)
				return nil, ps.errExpected("a name after '.'")
			}
			if ps.is("(") {
				args, err := ps.args()
				if err != nil {
					return nil, err
				}
				x = &callExpr{pos: nt.pos, recv: x, name: nt.text, args: args}
				if _, ok := x.(*callExpr).recv.(*paramsExpr); ok && (nt.text == "get") && len(args) == 1 {
					if l, ok := args[0].(*litExpr); ok {
						if s, ok := l.val.(string); ok {
							ps.keys[s] = true
						}
					}
				}
			} else {
				x = &fieldExpr{pos: nt.pos, x: x, name: nt.text}
			}
		case "[":
			ps.next()
			if err := ps.enter(); err != nil {
				return nil, err
			}
			i, err := ps.expr()
			ps.leave()
			if err != nil {
				return nil, err
			}
			if _, err := ps.expect("]"); err != nil {
				return nil, err
			}
			if _, ok := x.(*paramsExpr); ok {
				if l, ok := i.(*litExpr); ok {
					if s, ok := l.val.(string); ok {
						ps.keys[s] = true
					}
				}
			}
			x = &indexExpr{pos: t.pos, x: x, i: i}
		case "++", "--":
			if err := ps.assignable(x, t); err != nil {
				return nil, err
			}
			ps.next()
			x = &incDecExpr{pos: t.pos, op: t.text, x: x}
		default:
			return x, nil
		}
	}
}

func (ps *parser) args() ([]node, error) {
	if err := ps.enter(); err != nil {
		return nil, err
	}
	defer ps.leave()
	ps.next() // (
	var args []node
	if ps.got(")") {
		return args, nil
	}
	for {
		a, err := ps.expr()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		if ps.got(")") {
			return args, nil
		}
		if !ps.got(",") {
			return nil, ps.errExpected("',' or ')'")
		}
	}
}

func (ps *parser) primary() (node, error) {
	t := ps.next()
	switch t.kind {
	case tInt:
		if t.ival == math.MinInt64 {
			return nil, &posErr{pos: t.pos, kind: SyntaxError, msg: "integer number too large " + clip(t.text)}
		}
		return &litExpr{pos: t.pos, val: t.ival}, nil
	case tFloat:
		return &litExpr{pos: t.pos, val: t.fval}, nil
	case tString:
		return &litExpr{pos: t.pos, val: t.text}, nil
	case tIdent:
		switch t.text {
		case "true":
			return &litExpr{pos: t.pos, val: true}, nil
		case "false":
			return &litExpr{pos: t.pos, val: false}, nil
		case "null":
			return &litExpr{pos: t.pos, val: nil}, nil
		case "new":
			return ps.newExpr(t)
		}
		if isKeyword(t.text) {
			ps.back(t)
			return nil, ps.errExpected("an expression")
		}
		if ps.is("(") {
			return nil, &posErr{pos: t.pos, kind: SyntaxError, msg: "expected a method receiver before " + clip(t.text) + "(...)"}
		}
		if _, isLocal := ps.locals[t.text]; !isLocal && ps.is(".") {
			if t.text == "params" {
				return &paramsExpr{pos: t.pos}, nil
			}
			if classNames[t.text] {
				return &classExpr{pos: t.pos, name: t.text}, nil
			}
		}
		if _, isLocal := ps.locals[t.text]; !isLocal && t.text == "params" && ps.is("[") {
			return &paramsExpr{pos: t.pos}, nil
		}
		id := &identExpr{pos: t.pos, name: t.text}
		ps.idents = append(ps.idents, id)
		return id, nil
	case tOp:
		if t.text == "(" {
			if err := ps.enter(); err != nil {
				return nil, err
			}
			x, err := ps.expr()
			ps.leave()
			if err != nil {
				return nil, err
			}
			if _, err := ps.expect(")"); err != nil {
				return nil, err
			}
			return x, nil
		}
	}
	ps.back(t)
	return nil, ps.errExpected("an expression")
}

func (ps *parser) newExpr(t token) (node, error) {
	nt := ps.next()
	if nt.kind != tIdent {
		ps.back(nt)
		return nil, ps.errExpected("a type name after new")
	}
	typ := nt.text
	if ps.is("[") {
		norm := javaTypes[typ]
		switch norm {
		case "long", "double", "boolean", "String":
		default:
			return nil, &posErr{pos: nt.pos, kind: SyntaxError, msg: "unsupported array type " + clip(typ) + "[]"}
		}
		ps.next()
		if ps.got("]") {
			if !ps.is("{") {
				return nil, ps.errExpected("'{'")
			}
			return ps.arrayInit(t.pos, norm)
		}
		size, err := ps.expr()
		if err != nil {
			return nil, err
		}
		if _, err := ps.expect("]"); err != nil {
			return nil, err
		}
		if ps.is("[") {
			return nil, &posErr{pos: ps.tok().pos, kind: SyntaxError, msg: "multi-dimensional arrays are not supported"}
		}
		return &newArrayExpr{pos: t.pos, elem: norm, size: size}, nil
	}
	if !ps.is("(") {
		return nil, ps.errExpected("'(' or '['")
	}
	args, err := ps.args()
	if err != nil {
		return nil, err
	}
	return &newExpr{pos: t.pos, typ: typ, args: args}, nil
}

func (ps *parser) arrayInit(pos int, elem string) (node, error) {
	if err := ps.enter(); err != nil {
		return nil, err
	}
	defer ps.leave()
	ps.next() // {
	n := &newArrayExpr{pos: pos, elem: elem, elems: []node{}}
	if ps.got("}") {
		return n, nil
	}
	for {
		x, err := ps.expr()
		if err != nil {
			return nil, err
		}
		n.elems = append(n.elems, x)
		if ps.got("}") {
			return n, nil
		}
		if !ps.got(",") {
			return nil, ps.errExpected("',' or '}'")
		}
		if ps.got("}") {
			return n, nil
		}
	}
}
