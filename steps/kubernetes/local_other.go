//go:build !unix

package kubernetes

import (
	"os"
	"os/exec"
	"time"
)

func setProcessGroup(*exec.Cmd) {}

func terminate(cmd *exec.Cmd, _ time.Duration, done <-chan error) {
	_ = cmd.Process.Kill()
	<-done
}

func reap(*exec.Cmd) {}

func signalOf(*os.ProcessState) int { return 0 }
