// Package sel implements Maestro's Simple Expression Language (SEL): a small,
// sandboxed subset of Java used by Maestro definitions for params, edge
// conditions, loop ranges and retry values.
//
// Evaluation is deterministic: the clock, random numbers and UUIDs come from
// the Env the caller passes (Baton's interpreter passes workflow time and
// seeded sources), and every evaluation runs under hard limits (Limits) far
// below Temporal's deadlock detector. The package imports nothing of Temporal.
//
// # Language
//
// Statements: blocks, if/else if/else, for(;;), while, break, continue,
// return, throw "msg" (a *Error of Kind ThrowError), local declarations
// with or without a Java type (long x = 1; String s; x = 2;), // and /* */
// comments, and import (parsed, ignored). A missing final ';' is accepted.
// The result is the return value, else the value of the last expression
// statement (or declaration) executed.
//
// Expressions: ?:, || && (short-circuit), == != < > <= >=, + - * / %, unary
// + - !, = += -= *= /= %=, ++ and --, a[i], m['k'], method calls, arr.length,
// new T(...), new long[n], new long[]{...} and {...} initializers, string
// literals in single or double quotes, long literals with an L suffix.
//
// Types follow SEL's Java semantics: int/Integer/long/Long are all LONG
// (int64, wrapping arithmetic, truncating division, Java's %, division or
// modulo by zero is an error); float/double are DOUBLE (1.0/0 is Infinity);
// boolean; String; one-dimensional arrays of those; maps with String keys.
// There are no implicit conversions beyond numeric promotion: "a" * 2,
// true + 1 and if (1) are errors.
//
// String + anything concatenates, rendering the other operand as Java prints
// it (15, 1.0, 1.0E7, true, null). A number + a String also concatenates.
//
// == on Strings compares values (SEL's SelString uses Objects.equals, unlike
// Java's reference comparison). A number == a String compares the number's
// text with the String (1 == "1" is true, as in SEL, which converts the
// number); "1" == 1 is an error (SEL checks the right operand's type when
// the left one is a String). null == x is true only for null; comparing
// other unrelated types is an error.
//
// # Built-ins
//
// Only a fixed whitelist is callable: String methods (split, toUpperCase,
// toLowerCase, replaceAll, replace, valueOf, startsWith, endsWith, contains,
// compareTo, equals, isEmpty, lastIndexOf, length, substring, trim, format,
// join, escape), Map (get, getOrDefault, put, containsKey, size; new HashMap()
// / LinkedHashMap()), Long/Integer and Double conversions, Arrays.asList,
// Math.min/max/pow/random, System.currentTimeMillis, UUID.randomUUID,
// DateTimeConstants, the Joda-Time subset (DateTime, DateTimeZone,
// DateTimeFormat/DateTimeFormatter, DateTime.Property, Days.daysBetween) and
// Maestro's Util.* functions. Java regular expressions run on Go's regexp
// (RE2): back-references and look-around are not available.
//
// Joda patterns are compiled by this package (no Go layouts); supported
// letters are G C Y y x w e D d E M a H k K h m s S z Z, and 'quoted' text
// (two single quotes make a literal quote).
// Other letters are errors. Zones come from the tz database (time/tzdata is
// embedded; Go prefers a system zoneinfo when present). Local-time
// arithmetic follows Joda: plusDays etc. keep the wall time across DST and
// move forward out of a gap; an ambiguous local time keeps the original
// offset, else takes the earlier instant; constructing or parsing a local
// time inside a gap is an error. The default zone is UTC.
//
// # Params
//
// Bare names resolve to locals first, then Params.Lookup; params['x'] and
// params.get('x') use Params.Lookup; the params.getFrom* extension calls and
// nextUniqueId go to the Params interface. MapParams is a map-backed Params
// for tools and tests.
//
// # Helpers
//
// Coerce converts a result to a declared param type as Maestro's typed
// params do; Format renders values as interpolation does; Interpolate
// expands $name / ${name} / $$ in literal strings; Program.References lists
// the names an expression reads.
package sel
