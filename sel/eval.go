package sel

type slot struct {
	v   any
	set bool
	typ string // declared Java type ("" = untyped)
}

type state struct {
	env   *Env
	lim   *Limits
	slots []slot
	steps int64
	mem   int64
	ret   any
	last  any
	owned map[string]any // copies of params' arrays and maps, by name
}

const (
	ctlNone = iota
	ctlBreak
	ctlContinue
	ctlReturn
)

// step charges n evaluation steps.
// The count never passes MaxSteps+1: a refused charge is not counted.
func (st *state) step(pos int, n int64) error {
	if n > st.lim.MaxSteps-st.steps {
		st.steps = st.lim.MaxSteps + 1
		return limitErr(pos, "steps", st.lim.MaxSteps)
	}
	st.steps += n
	return nil
}

// alloc charges n bytes (plus 32 for the header) against the memory cap,
// and the steps to write them. Callers charge before they allocate; the
// count never passes MaxMemory+1.
func (st *state) alloc(pos int, n int64) error {
	if n < 0 {
		n = 0
	}
	if n+32 > st.lim.MaxMemory-st.mem { // the count never passes MaxMemory+1
		st.mem = st.lim.MaxMemory + 1
		return limitErr(pos, "memory", st.lim.MaxMemory)
	}
	st.mem += n + 32
	return st.step(pos, n/bytesPerStep)
}

func (st *state) arrayLen(pos int, n int) error {
	if n > st.lim.MaxArrayLen {
		return limitErr(pos, "array size", int64(st.lim.MaxArrayLen))
	}
	if n < 0 {
		return errAt(pos, "negative array size %d", n)
	}
	return nil
}

func (st *state) exec(n node) (int, error) {
	if err := st.step(n.at(), 1); err != nil {
		return 0, err
	}
	switch s := n.(type) {
	case *exprStmt:
		v, err := st.eval(s.x)
		if err != nil {
			return 0, err
		}
		st.last = v
	case *declStmt:
		for i, name := range s.names {
			sl := &st.slots[s.slots[i]]
			var v any
			if s.inits[i] != nil {
				var err error
				if v, err = st.eval(s.inits[i]); err != nil {
					return 0, err
				}
				if v, err = checkDecl(s.pos, s.typ, name, v); err != nil {
					return 0, err
				}
			} else {
				v = zeroOf(s.typ)
			}
			sl.v, sl.set, sl.typ = v, true, s.typ
			st.last = v
		}
	case *blockStmt:
		for _, c := range s.stmts {
			ctl, err := st.exec(c)
			if err != nil || ctl != ctlNone {
				return ctl, err
			}
		}
	case *ifStmt:
		c, err := st.cond(s.cond)
		if err != nil {
			return 0, err
		}
		if c {
			return st.exec(s.then)
		} else if s.els_ != nil {
			return st.exec(s.els_)
		}
	case *whileStmt:
		return st.loop(s.pos, s.cond, nil, s.body)
	case *forStmt:
		for _, i := range s.init {
			if _, err := st.exec(i); err != nil {
				return 0, err
			}
		}
		return st.loop(s.pos, s.cond, s.post, s.body)
	case *branchStmt:
		if s.kind == brBreak {
			return ctlBreak, nil
		}
		return ctlContinue, nil
	case *returnStmt:
		st.ret = nil
		if s.x != nil {
			v, err := st.eval(s.x)
			if err != nil {
				return 0, err
			}
			st.ret = v
		}
		return ctlReturn, nil
	case *throwStmt:
		v, err := st.eval(s.x)
		if err != nil {
			return 0, err
		}
		msg, err := st.text(s.pos, v)
		if err != nil {
			return 0, err
		}
		return 0, &posErr{pos: s.pos, kind: ThrowError, msg: msg}
	case *emptyStmt:
	default:
		// an expression used as a for-init or post element
		v, err := st.eval(n)
		if err != nil {
			return 0, err
		}
		st.last = v
	}
	return ctlNone, nil
}

func (st *state) loop(pos int, cond node, post []node, body node) (int, error) {
	for iter := 0; ; iter++ {
		if cond != nil {
			c, err := st.cond(cond)
			if err != nil {
				return 0, err
			}
			if !c {
				return ctlNone, nil
			}
		}
		if iter >= st.lim.MaxLoopIters {
			return 0, limitErr(pos, "loop iterations", int64(st.lim.MaxLoopIters))
		}
		ctl, err := st.exec(body)
		if err != nil {
			return 0, err
		}
		if ctl == ctlBreak {
			return ctlNone, nil
		}
		if ctl == ctlReturn {
			return ctl, nil
		}
		for _, p := range post {
			if _, err := st.eval(p); err != nil {
				return 0, err
			}
		}
	}
}

func (st *state) cond(n node) (bool, error) {
	v, err := st.eval(n)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, errAt(n.at(), "condition must be boolean, got %s", typeName(v))
	}
	return b, nil
}

func zeroOf(typ string) any {
	switch typ {
	case "long":
		return int64(0)
	case "double":
		return float64(0)
	case "boolean":
		return false
	}
	return nil
}

// checkDecl checks (and widens) a value assigned to a typed local.
func checkDecl(pos int, typ, name string, v any) (any, error) {
	if typ == "" || v == nil {
		if v == nil && (typ == "long" || typ == "double" || typ == "boolean") {
			return nil, errAt(pos, "cannot assign null to %s %s", typ, name)
		}
		return v, nil
	}
	ok := false
	switch typ {
	case "long":
		_, ok = v.(int64)
	case "double":
		switch x := v.(type) {
		case float64:
			ok = true
		case int64:
			v, ok = float64(x), true
		}
	case "boolean":
		_, ok = v.(bool)
	case "String":
		_, ok = v.(string)
	case "long[]":
		_, ok = v.([]int64)
	case "double[]":
		_, ok = v.([]float64)
	case "boolean[]":
		_, ok = v.([]bool)
	case "String[]":
		_, ok = v.([]string)
	case "Map":
		_, ok = v.(map[string]any)
	case "DateTime":
		_, ok = v.(*dateTime)
	case "DateTimeZone":
		_, ok = v.(*zoneVal)
	case "DateTimeFormatter":
		_, ok = v.(*formatter)
	case "Property":
		_, ok = v.(*property)
	case "Days":
		_, ok = v.(daysVal)
	default:
		ok = true
	}
	if !ok {
		return nil, errAt(pos, "cannot assign %s to %s %s", typeName(v), typ, name)
	}
	return v, nil
}

func (st *state) eval(n node) (any, error) {
	st.steps++
	if st.steps > st.lim.MaxSteps {
		return nil, limitErr(n.at(), "steps", st.lim.MaxSteps)
	}
	switch x := n.(type) {
	case *litExpr:
		return x.val, nil
	case *identExpr:
		if x.slot >= 0 && st.slots[x.slot].set {
			return st.slots[x.slot].v, nil
		}
		return st.lookup(x.pos, x.name)
	case *binaryExpr:
		l, err := st.eval(x.x)
		if err != nil {
			return nil, err
		}
		switch x.op {
		case "&&", "||":
			lb, ok := l.(bool)
			if !ok {
				return nil, errAt(x.pos, "operator %s needs boolean operands, got %s", x.op, typeName(l))
			}
			if lb == (x.op == "||") {
				return lb, nil
			}
			r, err := st.eval(x.y)
			if err != nil {
				return nil, err
			}
			rb, ok := r.(bool)
			if !ok {
				return nil, errAt(x.pos, "operator %s needs boolean operands, got %s", x.op, typeName(r))
			}
			return rb, nil
		}
		r, err := st.eval(x.y)
		if err != nil {
			return nil, err
		}
		return st.binop(x.pos, x.op, l, r)
	case *unaryExpr:
		v, err := st.eval(x.x)
		if err != nil {
			return nil, err
		}
		switch x.op {
		case "!":
			if b, ok := v.(bool); ok {
				return !b, nil
			}
		case "-":
			switch n := v.(type) {
			case int64:
				return -n, nil
			case float64:
				return -n, nil
			}
		case "+":
			switch v.(type) {
			case int64, float64:
				return v, nil
			}
		}
		return nil, errAt(x.pos, "operator %s is not defined on %s", x.op, typeName(v))
	case *condExpr:
		c, err := st.cond(x.c)
		if err != nil {
			return nil, err
		}
		if c {
			return st.eval(x.a)
		}
		return st.eval(x.b)
	case *assignExpr:
		return st.assign(x)
	case *incDecExpr:
		return st.incDec(x)
	case *indexExpr:
		return st.index(x)
	case *callExpr:
		return st.call(x)
	case *fieldExpr:
		return st.field(x)
	case *newExpr:
		return st.newObj(x)
	case *newArrayExpr:
		return st.newArray(x)
	case *paramsExpr:
		return nil, errAt(x.pos, "params can only be indexed or called (params['x'], params.get('x'))")
	case *classExpr:
		return nil, errAt(x.pos, "class %s is not a value", x.name)
	}
	return nil, errAt(n.at(), "unsupported syntax")
}

func (st *state) lookup(pos int, name string) (any, error) {
	if st.env.Params == nil {
		return nil, errAt(pos, "unknown name %s (no params available)", name)
	}
	v, ok := st.env.Params.Lookup(name)
	if !ok {
		return nil, errAt(pos, "unknown name %s: not a local variable or a param", name)
	}
	nv, ok := normalize(v)
	if !ok {
		return nil, errAt(pos, "param %s has unsupported Go type %T", name, v)
	}
	return st.own(pos, name, nv)
}

// own returns the evaluation's own copy of a param's array or map, made on
// first use: an expression may change what it reads (a[0] = 1, m.put), and
// must not change the caller's state.
func (st *state) own(pos int, name string, v any) (any, error) {
	switch v.(type) {
	case []string, []int64, []float64, []bool, map[string]any:
	default:
		return v, nil
	}
	if c, ok := st.owned[name]; ok {
		return c, nil
	}
	n, err := st.sizeOf(pos, v, 0, st.lim.MaxMemory)
	if err != nil {
		return nil, err
	}
	if err := st.alloc(pos, n); err != nil {
		return nil, err
	}
	c := deepCopy(v)
	if st.owned == nil {
		st.owned = map[string]any{}
	}
	st.owned[name] = c
	return c, nil
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case []string:
		return append([]string(nil), x...)
	case []int64:
		return append([]int64(nil), x...)
	case []float64:
		return append([]float64(nil), x...)
	case []bool:
		return append([]bool(nil), x...)
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = e
		}
		return m
	}
	return v
}
