package sel

// AST. Every node records the byte offset of its first token; errors turn
// offsets into line:col.

type node interface{ at() int }

type (
	// statements
	blockStmt struct {
		pos   int
		stmts []node
	}
	exprStmt struct {
		pos int
		x   node
	}
	declStmt struct {
		pos   int
		typ   string // Java type name ("" for none), "long[]" for arrays
		names []string
		slots []int
		inits []node // nil entries when there is no initializer
	}
	ifStmt struct {
		pos        int
		cond       node
		then, els_ node
	}
	forStmt struct {
		pos  int
		init []node
		cond node // nil = true
		post []node
		body node
	}
	whileStmt struct {
		pos  int
		cond node
		body node
	}
	branchStmt struct {
		pos  int
		kind int // brBreak, brContinue
	}
	returnStmt struct {
		pos int
		x   node // may be nil
	}
	throwStmt struct {
		pos int
		x   node
	}
	emptyStmt struct{ pos int }

	// expressions
	litExpr struct {
		pos int
		val any
	}
	identExpr struct {
		pos  int
		name string
		slot int // -1: not a local
	}
	classExpr struct { // a whitelisted class name used as a receiver
		pos  int
		name string
	}
	paramsExpr struct{ pos int }
	unaryExpr  struct {
		pos int
		op  string
		x   node
	}
	binaryExpr struct {
		pos  int
		op   string
		x, y node
	}
	condExpr struct {
		pos     int
		c, a, b node
	}
	assignExpr struct {
		pos int
		op  string // "=", "+=", ...
		lhs node   // *identExpr or *indexExpr
		rhs node
	}
	incDecExpr struct {
		pos    int
		op     string // "++" or "--"
		prefix bool
		x      node
	}
	indexExpr struct {
		pos  int
		x, i node
	}
	callExpr struct {
		pos  int
		recv node
		name string
		args []node
	}
	fieldExpr struct {
		pos  int
		x    node
		name string
	}
	newExpr struct {
		pos  int
		typ  string
		args []node
	}
	newArrayExpr struct {
		pos   int
		elem  string // Java element type
		size  node   // new long[n]
		elems []node // new long[]{...}
	}
)

const (
	brBreak = iota
	brContinue
)

func (n *blockStmt) at() int    { return n.pos }
func (n *exprStmt) at() int     { return n.pos }
func (n *declStmt) at() int     { return n.pos }
func (n *ifStmt) at() int       { return n.pos }
func (n *forStmt) at() int      { return n.pos }
func (n *whileStmt) at() int    { return n.pos }
func (n *branchStmt) at() int   { return n.pos }
func (n *returnStmt) at() int   { return n.pos }
func (n *throwStmt) at() int    { return n.pos }
func (n *emptyStmt) at() int    { return n.pos }
func (n *litExpr) at() int      { return n.pos }
func (n *identExpr) at() int    { return n.pos }
func (n *classExpr) at() int    { return n.pos }
func (n *paramsExpr) at() int   { return n.pos }
func (n *unaryExpr) at() int    { return n.pos }
func (n *binaryExpr) at() int   { return n.pos }
func (n *condExpr) at() int     { return n.pos }
func (n *assignExpr) at() int   { return n.pos }
func (n *incDecExpr) at() int   { return n.pos }
func (n *indexExpr) at() int    { return n.pos }
func (n *callExpr) at() int     { return n.pos }
func (n *fieldExpr) at() int    { return n.pos }
func (n *newExpr) at() int      { return n.pos }
func (n *newArrayExpr) at() int { return n.pos }

// classNames are the whitelisted classes that may appear as receivers of
// static calls and fields, or after `new`.
var classNames = map[string]bool{
	"String": true, "Long": true, "Integer": true, "Double": true, "Float": true,
	"Math": true, "Arrays": true, "System": true, "UUID": true, "Util": true,
	"DateTime": true, "DateTimeZone": true, "DateTimeFormat": true, "DateTimeFormatter": true,
	"DateTimeConstants": true, "Days": true, "Map": true, "HashMap": true, "LinkedHashMap": true,
	"Boolean": true,
}

// javaTypes are the type names accepted in local declarations.
var javaTypes = map[string]string{
	"int": "long", "long": "long", "Integer": "long", "Long": "long",
	"double": "double", "float": "double", "Double": "double", "Float": "double",
	"boolean": "boolean", "Boolean": "boolean", "String": "String",
	"Map": "Map", "HashMap": "Map", "LinkedHashMap": "Map",
	"DateTime": "DateTime", "DateTimeZone": "DateTimeZone", "DateTimeFormatter": "DateTimeFormatter",
	"DateTime.Property": "Property", "Property": "Property", "Days": "Days", "UUID": "UUID",
	"Object": "", "var": "", "def": "",
}
