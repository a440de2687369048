package definition

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// durationTerm matches one "<number> <unit>" term of Maestro's duration
// strings. Longer unit names come first so "ms" is not read as "m"+"s".
var durationTerm = regexp.MustCompile(`(?i)^(\d+)\s*(milliseconds|millisecond|ms|minutes|minute|mins|min|seconds|second|secs|sec|s|hours|hour|h|days|day|d)\b`)

// ParseDuration parses Maestro's duration strings (DurationParser): a bare
// number means seconds; otherwise terms such as "1 day", "2 hours, 5 mins"
// or "1 min 40 s", in any order, separated by spaces or commas.
func ParseDuration(s string) (time.Duration, error) {
	text := strings.TrimSpace(s)
	if text == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return secondsToDuration(n)
	}
	var total time.Duration
	rest := text
	for rest != "" {
		m := durationTerm.FindStringSubmatch(rest)
		if m == nil {
			return 0, fmt.Errorf("invalid duration %q: cannot read %q (want terms like \"2 hours\", \"5 mins\", \"30s\")", s, rest)
		}
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: %w", s, err)
		}
		unit := time.Second
		switch u := strings.ToLower(m[2]); {
		case strings.HasPrefix(u, "ms") || strings.HasPrefix(u, "milli"):
			unit = time.Millisecond
		case strings.HasPrefix(u, "min"):
			unit = time.Minute
		case strings.HasPrefix(u, "s"):
			unit = time.Second
		case strings.HasPrefix(u, "h"):
			unit = time.Hour
		case strings.HasPrefix(u, "d"):
			unit = 24 * time.Hour
		}
		if n > int64(1<<62)/int64(unit) {
			return 0, fmt.Errorf("invalid duration %q: too large", s)
		}
		total += time.Duration(n) * unit
		rest = strings.TrimLeft(rest[len(m[0]):], " \t,")
	}
	return total, nil
}

func secondsToDuration(n int64) (time.Duration, error) {
	if n < 0 || n > int64(1<<62)/int64(time.Second) {
		return 0, fmt.Errorf("duration %d s out of range", n)
	}
	return time.Duration(n) * time.Second, nil
}
