//go:build unix

package kubernetes

import (
	"os"
	"os/exec"
	"syscall"
	"time"
)

// setProcessGroup puts the job in its own process group, so a stop ends
// the shell's children too.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// terminate sends SIGTERM to the job's process group, then SIGKILL after
// grace, and waits for the process.
func terminate(cmd *exec.Cmd, grace time.Duration, done <-chan error) {
	pgid := -cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(grace):
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-done
	}
	// Children that ignored SIGTERM may outlive the shell.
	_ = syscall.Kill(pgid, syscall.SIGKILL)
}

func signalOf(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return int(ws.Signal())
	}
	return 0
}

// reap kills what is left of the job's process group after it exited.
func reap(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
