package main

import (
	"log/slog"
	"math"
	"runtime/debug"
)

// limitMemory sets the Go runtime's soft memory limit to mb MiB, unless mb
// is 0 or a limit is already in force (GOMEMLIMIT in the process's
// environment, which the runtime applied at start and which an operator's
// command line should win). It returns a function that restores the
// previous limit; serve calls it on return, so that run can be called
// again in one process (tests).
func limitMemory(mb int, log *slog.Logger) (restore func()) {
	if mb <= 0 || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		return func() {}
	}
	previous := debug.SetMemoryLimit(int64(mb) << 20)
	log.Info("memory limit", "mib", mb)
	return func() { debug.SetMemoryLimit(previous) }
}
