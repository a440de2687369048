package bench

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user and system) this process has used:
// server, worker and client share it, so its growth over a row's runs is
// what those runs cost the machine, whatever else loads it (other
// processes' load stretches wall time, not this process's CPU).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
