package main

import (
	"io"
	"log/slog"
	"math"
	"runtime/debug"
	"testing"
)

func TestLimitMemory(t *testing.T) {
	if debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Skip("GOMEMLIMIT is set for this test process")
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name   string
		mb     int
		preset int64 // a limit already in force (GOMEMLIMIT), or MaxInt64
		want   int64
	}{
		{"no limit configured", 0, math.MaxInt64, math.MaxInt64},
		{"configured", 1280, math.MaxInt64, 1280 << 20},
		{"GOMEMLIMIT wins", 1280, 900 << 20, 900 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetMemoryLimit(tt.preset)
			defer debug.SetMemoryLimit(math.MaxInt64)
			restore := limitMemory(tt.mb, log)
			if got := debug.SetMemoryLimit(-1); got != tt.want {
				t.Errorf("limit in force = %d, want %d", got, tt.want)
			}
			restore()
			if got := debug.SetMemoryLimit(-1); got != tt.preset {
				t.Errorf("after restore = %d, want %d", got, tt.preset)
			}
		})
	}
}
