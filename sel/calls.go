package sel

import (
	"math"
	"strconv"
	"strings"
)

// uuidVal is the result of UUID.randomUUID(); only toString() is allowed.
type uuidVal string

func (uuidVal) selType() string      { return "UUID" }
func (u uuidVal) javaString() string { return string(u) }

func (st *state) call(x *callExpr) (any, error) {
	var buf [5]any
	switch r := x.recv.(type) {
	case *paramsExpr:
		args, err := st.evalArgs(x.args, buf[:])
		if err != nil {
			return nil, err
		}
		return st.paramsCall(x.pos, x.name, args)
	case *classExpr:
		args, err := st.evalArgs(x.args, buf[:])
		if err != nil {
			return nil, err
		}
		return st.staticCall(x.pos, r.name, x.name, args)
	}
	recv, err := st.eval(x.recv)
	if err != nil {
		return nil, err
	}
	args, err := st.evalArgs(x.args, buf[:])
	if err != nil {
		return nil, err
	}
	switch v := recv.(type) {
	case nil:
		return nil, errAt(x.pos, "cannot call %s on null", x.name)
	case string:
		return st.stringMethod(x.pos, v, x.name, args)
	case int64:
		return longMethod(x.pos, v, x.name, args)
	case float64:
		return doubleMethod(x.pos, v, x.name, args)
	case map[string]any:
		return st.mapMethod(x.pos, v, x.name, args)
	case []string, []int64, []float64, []bool:
		if err := st.step(x.pos, int64(arrayLen(v))); err != nil {
			return nil, err
		}
		return arrayMethod(x.pos, v, x.name, args)
	case uuidVal:
		if x.name == "toString" && len(args) == 0 {
			return string(v), nil
		}
	case *dateTime:
		if err := st.step(x.pos, 30); err != nil {
			return nil, err
		}
		return st.dateTimeMethod(x.pos, v, x.name, args)
	case *zoneVal:
		return zoneMethod(x.pos, v, x.name, args)
	case *formatter:
		if err := st.step(x.pos, 30); err != nil {
			return nil, err
		}
		return st.formatterMethod(x.pos, v, x.name, args)
	case *property:
		return st.propertyMethod(x.pos, v, x.name, args)
	case daysVal:
		if x.name == "getDays" && len(args) == 0 {
			return int64(v), nil
		}
	}
	return nil, argErr(x.pos, typeName(recv)+"."+x.name, args)
}

func (st *state) field(x *fieldExpr) (any, error) {
	if c, ok := x.x.(*classExpr); ok {
		switch c.name + "." + x.name {
		case "DateTimeZone.UTC":
			return utcZone, nil
		case "Long.MAX_VALUE":
			return int64(math.MaxInt64), nil
		case "Long.MIN_VALUE":
			return int64(math.MinInt64), nil
		case "Integer.MAX_VALUE":
			return int64(math.MaxInt32), nil
		case "Integer.MIN_VALUE":
			return int64(math.MinInt32), nil
		}
		if c.name == "DateTimeConstants" {
			if v, ok := dateTimeConstants[x.name]; ok {
				return v, nil
			}
		}
		return nil, errAt(x.pos, "unknown field %s.%s", c.name, x.name)
	}
	if _, ok := x.x.(*paramsExpr); ok {
		return nil, errAt(x.pos, "params fields are not supported; use params['%s']", x.name)
	}
	v, err := st.eval(x.x)
	if err != nil {
		return nil, err
	}
	if x.name == "length" {
		switch a := v.(type) {
		case []string:
			return int64(len(a)), nil
		case []int64:
			return int64(len(a)), nil
		case []float64:
			return int64(len(a)), nil
		case []bool:
			return int64(len(a)), nil
		}
	}
	return nil, errAt(x.pos, "%s has no field %s", typeName(v), x.name)
}

func (st *state) newObj(x *newExpr) (any, error) {
	var buf [8]any
	args, err := st.evalArgs(x.args, buf[:])
	if err != nil {
		return nil, err
	}
	if err := st.step(x.pos, 10); err != nil {
		return nil, err
	}
	switch x.typ {
	case "HashMap", "LinkedHashMap", "Map":
		if len(args) == 0 {
			if err := st.alloc(x.pos, 48); err != nil {
				return nil, err
			}
			return map[string]any{}, nil
		}
	case "DateTime":
		return st.newDateTime(x.pos, args)
	case "String":
		if len(args) == 0 {
			return "", nil
		}
		if len(args) == 1 {
			switch a := args[0].(type) {
			case string:
				return a, nil
			case int64:
				return javaString(a), nil
			}
		}
	case "Long", "Integer":
		if len(args) == 1 {
			return longMethod(x.pos, 0, "valueOf", args)
		}
	case "Double", "Float":
		if len(args) == 1 {
			return doubleMethod(x.pos, 0, "valueOf", args)
		}
	}
	return nil, argErr(x.pos, "new "+x.typ, args)
}

func (st *state) staticCall(pos int, class, name string, args []any) (any, error) {
	if err := st.step(pos, 10); err != nil {
		return nil, err
	}
	switch class {
	case "String":
		if err := st.step(pos, 20+int64(len(args))*4); err != nil {
			return nil, err
		}
		return st.stringStatic(pos, name, args)
	case "Long", "Integer":
		return longMethod(pos, 0, name, args)
	case "Double", "Float":
		return doubleMethod(pos, 0, name, args)
	case "Math":
		return st.mathCall(pos, name, args)
	case "Arrays":
		if name == "asList" && len(args) == 1 {
			switch args[0].(type) {
			case []string, []int64, []float64, []bool:
				return args[0], nil
			}
		}
	case "System":
		if name == "currentTimeMillis" && len(args) == 0 {
			t, err := st.now(pos, "System.currentTimeMillis")
			if err != nil {
				return nil, err
			}
			return t.UnixMilli(), nil
		}
	case "UUID":
		if name == "randomUUID" && len(args) == 0 {
			if st.env.UUID == nil {
				return nil, errAt(pos, "UUID.randomUUID is not available: Env.UUID is nil")
			}
			return uuidVal(st.env.UUID()), nil
		}
	case "Util":
		if err := st.step(pos, 60); err != nil {
			return nil, err
		}
		return st.utilCall(pos, name, args)
	case "DateTimeZone":
		return zoneStatic(pos, name, args)
	case "DateTimeFormat":
		if name == "forPattern" && len(args) == 1 {
			p, ok := args[0].(string)
			if ok {
				return st.newFormatter(pos, p)
			}
		}
	case "Days":
		if name == "daysBetween" && len(args) == 2 {
			a, ok1 := args[0].(*dateTime)
			b, ok2 := args[1].(*dateTime)
			if ok1 && ok2 {
				return daysBetween(a, b), nil
			}
		}
	case "DateTime":
		if name == "now" {
			return st.newDateTime(pos, args)
		}
	}
	return nil, argErr(pos, class+"."+name, args)
}

func (st *state) mathCall(pos int, name string, args []any) (any, error) {
	if name == "random" && len(args) == 0 {
		if st.env.Random == nil {
			return nil, errAt(pos, "Math.random is not available: Env.Random is nil")
		}
		return st.env.Random(), nil
	}
	if len(args) == 2 {
		a, aok := args[0].(int64)
		b, bok := args[1].(int64)
		switch name {
		case "min", "max":
			if aok && bok {
				if (a < b) == (name == "min") {
					return a, nil
				}
				return b, nil
			}
			x, ok1 := toDouble(args[0])
			y, ok2 := toDouble(args[1])
			if ok1 && ok2 {
				if name == "min" {
					return math.Min(x, y), nil
				}
				return math.Max(x, y), nil
			}
		case "pow":
			x, ok1 := toDouble(args[0])
			y, ok2 := toDouble(args[1])
			if ok1 && ok2 {
				return math.Pow(x, y), nil
			}
		}
	}
	return nil, argErr(pos, "Math."+name, args)
}

// longMethod implements Long/Integer static methods and long instance methods.
func longMethod(pos int, v int64, name string, args []any) (any, error) {
	switch {
	case name == "intValue" && len(args) == 0, name == "longValue" && len(args) == 0:
		return v, nil
	case name == "doubleValue" && len(args) == 0:
		return float64(v), nil
	case name == "toString" && len(args) == 0:
		return strconv.FormatInt(v, 10), nil
	case name == "toString" && len(args) == 1:
		if n, ok := args[0].(int64); ok {
			return strconv.FormatInt(n, 10), nil
		}
	case (name == "valueOf" || name == "parseLong" || name == "parseInt") && len(args) == 1:
		switch a := args[0].(type) {
		case int64:
			if name == "valueOf" {
				return a, nil
			}
		case string:
			n, err := parseJavaLong(a)
			if err != nil {
				return nil, errAt(pos, "NumberFormatException: For input string: %q", a)
			}
			return n, nil
		}
	}
	return nil, argErr(pos, "Long."+name, args)
}

func parseJavaLong(s string) (int64, error) {
	if strings.ContainsRune(s, '_') {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseInt(s, 10, 64)
}

// parseJavaDouble accepts what Double.parseDouble accepts, roughly:
// surrounding white space, an optional d/D/f/F suffix, NaN and Infinity.
func parseJavaDouble(s string) (float64, error) {
	t := javaTrim(s)
	switch t {
	case "NaN", "+NaN", "-NaN":
		return math.NaN(), nil
	case "Infinity", "+Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	if n := len(t); n > 0 && strings.IndexByte("dDfF", t[n-1]) >= 0 {
		t = t[:n-1]
	}
	if t == "" || strings.ContainsAny(t, "_iInNxXpP") {
		return 0, strconv.ErrSyntax
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, err
	}
	return f, nil
}

// doubleMethod implements Double static methods and double instance methods.
func doubleMethod(pos int, v float64, name string, args []any) (any, error) {
	switch {
	case (name == "intValue" || name == "longValue") && len(args) == 0:
		return javaD2L(v), nil
	case name == "doubleValue" && len(args) == 0:
		return v, nil
	case name == "toString" && len(args) == 0:
		return javaDouble(v), nil
	case name == "toString" && len(args) == 1:
		if f, ok := args[0].(float64); ok {
			return javaDouble(f), nil
		}
	case (name == "valueOf" || name == "parseDouble") && len(args) == 1:
		switch a := args[0].(type) {
		case float64:
			if name == "valueOf" {
				return a, nil
			}
		case string:
			f, err := parseJavaDouble(a)
			if err != nil {
				return nil, errAt(pos, "NumberFormatException: For input string: %q", a)
			}
			return f, nil
		}
	}
	return nil, argErr(pos, "Double."+name, args)
}

// javaD2L converts like Java's (long) cast: NaN → 0, saturating.
func javaD2L(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

func (st *state) mapMethod(pos int, m map[string]any, name string, args []any) (any, error) {
	key := func() (string, bool) {
		if len(args) == 0 {
			return "", false
		}
		s, ok := args[0].(string)
		return s, ok
	}
	switch {
	case name == "size" && len(args) == 0:
		return int64(len(m)), nil
	case name == "isEmpty" && len(args) == 0:
		return len(m) == 0, nil
	case name == "get" && len(args) == 1:
		if k, ok := key(); ok {
			return m[k], nil
		}
	case name == "containsKey" && len(args) == 1:
		if k, ok := key(); ok {
			_, has := m[k]
			return has, nil
		}
	case name == "getOrDefault" && len(args) == 2:
		if k, ok := key(); ok {
			if v, has := m[k]; has {
				return v, nil
			}
			return args[1], nil
		}
	case name == "put" && len(args) == 2:
		if k, ok := key(); ok {
			if !storable(args[1]) {
				return nil, errAt(pos, "cannot put %s in a Map", typeName(args[1]))
			}
			old, has := m[k]
			if !has && len(m) >= st.lim.MaxArrayLen {
				return nil, limitErr(pos, "array size", int64(st.lim.MaxArrayLen))
			}
			if err := st.alloc(pos, int64(len(k))); err != nil {
				return nil, err
			}
			m[k] = args[1]
			return old, nil
		}
	}
	return nil, argErr(pos, "Map."+name, args)
}

func arrayLen(a any) int {
	switch x := a.(type) {
	case []string:
		return len(x)
	case []int64:
		return len(x)
	case []float64:
		return len(x)
	case []bool:
		return len(x)
	}
	return 0
}

func arrayMethod(pos int, a any, name string, args []any) (any, error) {
	n := 0
	switch x := a.(type) {
	case []string:
		n = len(x)
	case []int64:
		n = len(x)
	case []float64:
		n = len(x)
	case []bool:
		n = len(x)
	}
	switch {
	case name == "size" && len(args) == 0:
		return int64(n), nil
	case name == "contains" && len(args) == 1:
		for i := 0; i < n; i++ {
			var e any
			switch x := a.(type) {
			case []string:
				e = x[i]
			case []int64:
				e = x[i]
			case []float64:
				e = x[i]
			case []bool:
				e = x[i]
			}
			eq, err := equal(pos, e, args[0])
			if err != nil {
				return nil, err
			}
			if eq {
				return true, nil
			}
		}
		return false, nil
	}
	return nil, argErr(pos, typeName(a)+"."+name, args)
}
