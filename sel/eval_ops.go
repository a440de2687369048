package sel

import (
	"fmt"
	"math"
)

// binop applies a non-logical binary operator with SEL's Java semantics.
func (st *state) binop(pos int, op string, l, r any) (any, error) {
	if l == nil && st.env.WorkflowParams != nil {
		if v, ok := nullOp(op, r); ok {
			return v, nil
		}
	}
	// fast path: long op long
	if a, ok := l.(int64); ok {
		if b, ok := r.(int64); ok {
			switch op {
			case "+":
				return a + b, nil
			case "-":
				return a - b, nil
			case "*":
				return a * b, nil
			case "/":
				if b == 0 {
					return nil, errAt(pos, "division by zero")
				}
				return a / b, nil
			case "%":
				if b == 0 {
					return nil, errAt(pos, "division by zero")
				}
				return a % b, nil
			case "==":
				return a == b, nil
			case "!=":
				return a != b, nil
			case "<":
				return a < b, nil
			case ">":
				return a > b, nil
			case "<=":
				return a <= b, nil
			case ">=":
				return a >= b, nil
			}
		}
	}
	if op == "==" || op == "!=" {
		if ls, ok := l.(string); ok { // comparing strings reads them
			if err := st.scan(pos, len(ls)); err != nil {
				return nil, err
			}
		}
		eq, err := equal(pos, l, r)
		if err != nil {
			return nil, err
		}
		return eq == (op == "=="), nil
	}
	// string concatenation: a String on the left takes anything; a number
	// on the left takes a String (SEL converts the number first).
	if op == "+" {
		ls, lok := l.(string)
		rs, rok := r.(string)
		if lok || (rok && isNumber(l)) {
			var err error
			if !lok {
				ls = javaString(l)
			}
			if !rok {
				if rs, err = st.text(pos, r); err != nil {
					return nil, err
				}
			}
			if err := st.alloc(pos, int64(len(ls)+len(rs))); err != nil {
				return nil, err
			}
			return ls + rs, nil
		}
	}
	a, aok := toDouble(l)
	b, bok := toDouble(r)
	if !aok || !bok {
		return nil, errAt(pos, "operator %s is not defined on %s and %s", op, typeName(l), typeName(r))
	}
	switch op {
	case "+":
		return a + b, nil
	case "-":
		return a - b, nil
	case "*":
		return a * b, nil
	case "/":
		return a / b, nil
	case "%":
		return math.Mod(a, b), nil
	case "<":
		return a < b, nil
	case ">":
		return a > b, nil
	case "<=":
		return a <= b, nil
	case ">=":
		return a >= b, nil
	}
	return nil, errAt(pos, "unknown operator %s", op)
}

func isNumber(v any) bool {
	switch v.(type) {
	case int64, float64:
		return true
	}
	return false
}

func toDouble(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// equal implements SEL's ==: value equality for strings (like equals), numeric
// comparison with promotion, a number compared with a String is compared
// as text, null equals only null; other mixes are type errors.
func equal(pos int, l, r any) (bool, error) {
	if l == nil || r == nil {
		return l == nil && r == nil, nil
	}
	switch a := l.(type) {
	case string:
		if b, ok := r.(string); ok {
			return a == b, nil
		}
	case int64:
		switch b := r.(type) {
		case int64:
			return a == b, nil
		case float64:
			return float64(a) == b, nil
		case string:
			return javaString(a) == b, nil
		}
	case float64:
		switch b := r.(type) {
		case float64:
			return a == b, nil
		case int64:
			return a == float64(b), nil
		case string:
			return javaDouble(a) == b, nil
		}
	case bool:
		if b, ok := r.(bool); ok {
			return a == b, nil
		}
	case *dateTime:
		if b, ok := r.(*dateTime); ok {
			return a.ms == b.ms && a.zone.id == b.zone.id, nil
		}
	case *zoneVal:
		if b, ok := r.(*zoneVal); ok {
			return a.id == b.id, nil
		}
	}
	return false, errAt(pos, "cannot compare %s with %s using ==", typeName(l), typeName(r))
}

func (st *state) assign(x *assignExpr) (any, error) {
	rhs, err := st.eval(x.rhs)
	if err != nil {
		return nil, err
	}
	switch lhs := x.lhs.(type) {
	case *identExpr:
		sl := &st.slots[lhs.slot]
		v := rhs
		if x.op != "=" {
			cur := sl.v
			if !sl.set {
				if cur, err = st.lookup(lhs.pos, lhs.name); err != nil {
					return nil, err
				}
			}
			if v, err = st.compound(x.pos, x.op, cur, rhs); err != nil {
				return nil, err
			}
		}
		if sl.typ != "" {
			if v, err = checkDecl(x.pos, sl.typ, lhs.name, v); err != nil {
				return nil, err
			}
		}
		sl.v, sl.set = v, true
		return v, nil
	case *indexExpr:
		coll, err := st.eval(lhs.x)
		if err != nil {
			return nil, err
		}
		idx, err := st.eval(lhs.i)
		if err != nil {
			return nil, err
		}
		v := rhs
		if x.op != "=" {
			cur, err := st.indexValue(lhs.pos, coll, idx)
			if err != nil {
				return nil, err
			}
			if v, err = st.compound(x.pos, x.op, cur, rhs); err != nil {
				return nil, err
			}
		}
		return v, st.setIndex(lhs.pos, coll, idx, v)
	}
	return nil, errAt(x.pos, "cannot assign")
}

// compound applies op= keeping the left operand's type, as SEL does.
func (st *state) compound(pos int, op string, cur, rhs any) (any, error) {
	switch c := cur.(type) {
	case int64:
		if _, ok := rhs.(int64); !ok {
			return nil, errAt(pos, "operator %s needs a long on the right, got %s", op, typeName(rhs))
		}
	case float64:
		if _, ok := rhs.(float64); !ok {
			return nil, errAt(pos, "operator %s needs a double on the right, got %s", op, typeName(rhs))
		}
	case string:
		if op != "+=" {
			return nil, errAt(pos, "operator %s is not defined on String", op)
		}
		s, err := st.text(pos, rhs)
		if err != nil {
			return nil, err
		}
		if err := st.alloc(pos, int64(len(c)+len(s))); err != nil {
			return nil, err
		}
		return c + s, nil
	default:
		return nil, errAt(pos, "operator %s is not defined on %s", op, typeName(cur))
	}
	return st.binop(pos, op[:1], cur, rhs)
}

func (st *state) incDec(x *incDecExpr) (any, error) {
	op := "+="
	if x.op == "--" {
		op = "-="
	}
	a := &assignExpr{pos: x.pos, op: op, lhs: x.x, rhs: &litExpr{pos: x.pos, val: int64(1)}}
	var old any
	if !x.prefix {
		var err error
		if old, err = st.eval(x.x); err != nil {
			return nil, err
		}
		if _, ok := old.(int64); !ok {
			return nil, errAt(x.pos, "operator %s needs a long, got %s", x.op, typeName(old))
		}
	}
	v, err := st.assign(a)
	if err != nil || x.prefix {
		return v, err
	}
	return old, nil
}

func (st *state) index(x *indexExpr) (any, error) {
	if _, ok := x.x.(*paramsExpr); ok {
		k, err := st.eval(x.i)
		if err != nil {
			return nil, err
		}
		ks, ok := k.(string)
		if !ok {
			return nil, errAt(x.i.at(), "params key must be a String, got %s", typeName(k))
		}
		if err := st.scan(x.pos, len(ks)); err != nil {
			return nil, err
		}
		if st.env.WorkflowParams != nil {
			return st.workflowParam(x.pos, ks)
		}
		return st.lookup(x.pos, ks)
	}
	coll, err := st.eval(x.x)
	if err != nil {
		return nil, err
	}
	idx, err := st.eval(x.i)
	if err != nil {
		return nil, err
	}
	return st.indexValue(x.pos, coll, idx)
}

func arrayIndex(pos int, idx any, n int) (int, error) {
	i, ok := idx.(int64)
	if !ok {
		return 0, errAt(pos, "array index must be a long, got %s", typeName(idx))
	}
	if i < 0 || i >= int64(n) {
		return 0, errAt(pos, "array index %d out of bounds for length %d", i, n)
	}
	return int(i), nil
}

func (st *state) indexValue(pos int, coll, idx any) (any, error) {
	switch c := coll.(type) {
	case map[string]any:
		k, ok := idx.(string)
		if !ok {
			return nil, errAt(pos, "map key must be a String, got %s", typeName(idx))
		}
		if err := st.scan(pos, len(k)); err != nil { // hashing the key
			return nil, err
		}
		return c[k], nil
	case []string:
		i, err := arrayIndex(pos, idx, len(c))
		if err != nil {
			return nil, err
		}
		return c[i], nil
	case []int64:
		i, err := arrayIndex(pos, idx, len(c))
		if err != nil {
			return nil, err
		}
		return c[i], nil
	case []float64:
		i, err := arrayIndex(pos, idx, len(c))
		if err != nil {
			return nil, err
		}
		return c[i], nil
	case []bool:
		i, err := arrayIndex(pos, idx, len(c))
		if err != nil {
			return nil, err
		}
		return c[i], nil
	}
	return nil, errAt(pos, "cannot index %s", typeName(coll))
}

func (st *state) setIndex(pos int, coll, idx, v any) error {
	bad := func() error {
		return errAt(pos, "cannot store %s in %s", typeName(v), typeName(coll))
	}
	switch c := coll.(type) {
	case map[string]any:
		k, ok := idx.(string)
		if !ok {
			return errAt(pos, "map key must be a String, got %s", typeName(idx))
		}
		if !storable(v) {
			return bad()
		}
		if err := st.scan(pos, len(k)); err != nil { // hashing the key
			return err
		}
		if _, exists := c[k]; !exists && len(c) >= st.lim.MaxArrayLen {
			return limitErr(pos, "array size", int64(st.lim.MaxArrayLen))
		}
		c[k] = v
		return st.alloc(pos, int64(len(k)))
	case []string:
		return storeElem(pos, c, idx, v, bad)
	case []int64:
		return storeElem(pos, c, idx, v, bad)
	case []float64:
		return storeElem(pos, c, idx, v, bad)
	case []bool:
		return storeElem(pos, c, idx, v, bad)
	}
	return errAt(pos, "cannot index %s", typeName(coll))
}

// storeElem stores v at index idx of an array whose elements must have v's
// exact type (arrays are typed, as in Java).
func storeElem[T any](pos int, arr []T, idx, v any, bad func() error) error {
	i, err := arrayIndex(pos, idx, len(arr))
	if err != nil {
		return err
	}
	x, ok := v.(T)
	if !ok {
		return bad()
	}
	arr[i] = x
	return nil
}

// storable reports whether v may be stored in a MAP (a Maestro type).
func storable(v any) bool {
	_, ok := TypeOf(v)
	return ok
}

func (st *state) newArray(x *newArrayExpr) (any, error) {
	if x.size != nil {
		sz, err := st.eval(x.size)
		if err != nil {
			return nil, err
		}
		n, ok := sz.(int64)
		if !ok {
			return nil, errAt(x.pos, "array size must be a long, got %s", typeName(sz))
		}
		if n > int64(st.lim.MaxArrayLen) {
			return nil, limitErr(x.pos, "array size", int64(st.lim.MaxArrayLen))
		}
		if err := st.arrayLen(x.pos, int(n)); err != nil {
			return nil, err
		}
		if err := st.alloc(x.pos, n*8); err != nil {
			return nil, err
		}
		switch x.elem {
		case "long":
			return make([]int64, n), nil
		case "double":
			return make([]float64, n), nil
		case "boolean":
			return make([]bool, n), nil
		default:
			return make([]string, n), nil
		}
	}
	if err := st.arrayLen(x.pos, len(x.elems)); err != nil {
		return nil, err
	}
	if err := st.alloc(x.pos, int64(len(x.elems))*8); err != nil {
		return nil, err
	}
	vals := make([]any, len(x.elems))
	for i, e := range x.elems {
		v, err := st.eval(e)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return makeArray(x.pos, x.elem, vals)
}

func makeArray(pos int, elem string, vals []any) (any, error) {
	bad := func(v any) error {
		return errAt(pos, "cannot put %s in a %s[]", typeName(v), elem)
	}
	switch elem {
	case "long":
		r := make([]int64, len(vals))
		for i, v := range vals {
			n, ok := v.(int64)
			if !ok {
				return nil, bad(v)
			}
			r[i] = n
		}
		return r, nil
	case "double":
		r := make([]float64, len(vals))
		for i, v := range vals {
			f, ok := toDouble(v)
			if !ok {
				return nil, bad(v)
			}
			r[i] = f
		}
		return r, nil
	case "boolean":
		r := make([]bool, len(vals))
		for i, v := range vals {
			b, ok := v.(bool)
			if !ok {
				return nil, bad(v)
			}
			r[i] = b
		}
		return r, nil
	}
	r := make([]string, len(vals))
	for i, v := range vals {
		s, ok := v.(string)
		if !ok {
			return nil, bad(v)
		}
		r[i] = s
	}
	return r, nil
}

// evalArgs evaluates call arguments into buf (reused when small). A call
// reads its String arguments at least once: that work is charged here.
func (st *state) evalArgs(args []node, buf []any) ([]any, error) {
	out := buf[:0]
	for _, a := range args {
		v, err := st.eval(a)
		if err != nil {
			return nil, err
		}
		if s, ok := v.(string); ok && len(s) >= bytesPerStep {
			if err := st.scan(a.at(), len(s)); err != nil {
				return nil, err
			}
		}
		out = append(out, v)
	}
	return out, nil
}

func argErr(pos int, what string, args []any) error {
	types := make([]string, len(args))
	for i, a := range args {
		types[i] = typeName(a)
	}
	return errAt(pos, "%s is not supported with arguments (%s)", what, fmt.Sprint(joinStr(types)))
}

func joinStr(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}
