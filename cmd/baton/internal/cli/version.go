package cli

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// version describes this binary from its build info: the module version
// ("(devel)" for a build from a checkout), the commit when the build
// recorded it, and the Go and Temporal SDK versions.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "baton (no build info)"
	}
	return versionOf(bi)
}

func versionOf(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var parts []string
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if settings["vcs.modified"] == "true" {
			rev += "+dirty"
		}
		parts = append(parts, "commit "+rev)
	}
	if t := settings["vcs.time"]; t != "" {
		parts = append(parts, t)
	}
	parts = append(parts, bi.GoVersion)
	for _, d := range bi.Deps {
		if d.Path == "go.temporal.io/sdk" {
			parts = append(parts, "temporal sdk "+d.Version)
		}
	}
	return fmt.Sprintf("baton %s (%s)", v, strings.Join(parts, ", "))
}
