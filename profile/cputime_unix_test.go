//go:build unix

package profile_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used (user and system): a
// benchmark's CPU per operation does not grow when other processes share
// the cores, as its wall time per operation does.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
