package bench

import (
	"context"
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

// idleWindow is how long idleCPU watches the idle process.
const idleWindow = 2 * time.Second

// idle measures, while nothing runs, the process's CPU per second of wall
// time; the store operations sys makes meanwhile become background (not
// counted), and persist is the rate of what is still counted at idle
// (zeros if ctx ends first).
func idle(ctx context.Context, sys *system) (cpu, persist float64) {
	ops, c0, t0 := sys.persist.snapshot(), processCPU(), time.Now()
	select {
	case <-time.After(idleWindow):
	case <-ctx.Done():
		return 0, 0
	}
	wall := time.Since(t0)
	cpu = float64(processCPU()-c0) / float64(wall)
	sys.persist.markBackground(ops)
	// What remains counted at idle (an operation made once in the window
	// is background, so this is usually 0).
	p0 := sys.persist.count()
	time.Sleep(idleWindow / 4)
	return cpu, float64(sys.persist.count()-p0) / (idleWindow / 4).Seconds()
}

// busyCPU is the CPU a measurement used beyond the idle process's over its
// wall time (never below zero).
func (b *bench) busyCPU(cpu, wall time.Duration) time.Duration {
	return max(cpu-time.Duration(b.idleCPU*float64(wall)), 0)
}

// busyPersist is the store requests a measurement made beyond the idle
// server's over its wall time (never below zero).
func (b *bench) busyPersist(n int64, wall time.Duration) float64 {
	return max(float64(n)-b.idlePersist*wall.Seconds(), 0)
}
