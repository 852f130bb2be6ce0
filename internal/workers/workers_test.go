package workers

import (
	"sync"
	"testing"
	"time"
)

// TestPool: every function runs, a function that blocks holds up only its
// own worker, and an idle worker takes the next function.
func TestPool(t *testing.T) {
	p := New()
	block := make(chan struct{})
	p.Run(func() { <-block })

	var wg sync.WaitGroup
	var mu sync.Mutex
	ran := 0
	for range 100 {
		wg.Add(1)
		p.Run(func() {
			defer wg.Done()
			mu.Lock()
			ran++
			mu.Unlock()
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("functions waited for a blocked worker")
	}
	if ran != 100 {
		t.Fatalf("%d of 100 functions ran", ran)
	}
	close(block)

	// A worker now idle takes the next function rather than a new one.
	got := make(chan struct{})
	deadline := time.Now().Add(5 * time.Second)
	for {
		select {
		case p.idle <- func() { close(got) }:
			<-got
			return
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no idle worker after the functions finished")
		}
		time.Sleep(time.Millisecond)
	}
}
