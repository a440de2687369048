//go:build !linux

package devserver

import "os"

// defaultTempDir is where a temporary database goes when Options.TempDir
// is "".
func defaultTempDir() string { return os.TempDir() }
