package httpstep

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// CheckAllowedHosts refuses allow-list entries that could never match a
// request, each with its reason, so a mistyped list fails when the worker
// starts rather than refusing every request later. An entry is a host name,
// an IP address (IPv6 in brackets), either with ":port", or "*.suffix".
func CheckAllowedHosts(entries []string) error {
	var errs []error
	for i, entry := range entries {
		if reason := badEntry(strings.TrimSpace(entry)); reason != "" {
			errs = append(errs, fmt.Errorf("http allow-list entry %d %q: %s", i+1, excerpt(entry), reason))
		}
	}
	return errors.Join(errs...)
}

// badEntry says why entry can never match, or "" if it can.
func badEntry(entry string) string {
	switch {
	case entry == "":
		return ""
	case strings.Contains(entry, "://") || strings.ContainsAny(entry, "/?#@"):
		return "a host, not a URL, is expected: write example.com or example.com:8443"
	case strings.ContainsAny(entry, " \t\r\n\\\"'<>"):
		return "a host name has no spaces, quotes or backslashes"
	}
	host, port := entry, ""
	if strings.HasPrefix(entry, "[") {
		end := strings.Index(entry, "]")
		if end < 0 {
			return "an IPv6 address in brackets lacks its closing ']'"
		}
		host, port = entry[1:end], entry[end+1:]
		if port != "" {
			if !strings.HasPrefix(port, ":") {
				return "only ':port' may follow ']'"
			}
			port = port[1:]
		}
		if ip := net.ParseIP(host); ip == nil || ip.To4() != nil {
			return "only an IPv6 address goes in brackets"
		}
	} else if strings.Count(entry, ":") > 1 {
		return "an IPv6 address needs brackets: write [" + entry + "] (or [" + entry + "]:port)"
	} else if h, p, ok := strings.Cut(entry, ":"); ok {
		host, port = h, p
	}
	if ok := strings.Contains(entry, ":") && !strings.HasSuffix(entry, "]"); ok {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
			return "the port must be a number from 1 to 65535"
		}
	}
	if strings.Contains(host, "*") {
		suffix, ok := strings.CutPrefix(host, "*.")
		if !ok || suffix == "" || strings.Contains(suffix, "*") {
			return "the only wildcard is a leading '*.' (as in *.example.com); '*' alone would allow every host and is not supported"
		}
		host = suffix
	}
	if host == "" {
		return "no host"
	}
	if strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") || strings.Contains(host, "..") {
		return "a host name has no empty labels"
	}
	return ""
}
