// Package workers runs short functions on goroutines that outlive them.
//
// A new goroutine's stack starts small and is grown and copied again for
// every call that needs more; a function run on a reused worker finds the
// stack already grown. The WeChat door runs the Responder on a Pool, and
// the dialogue its store calls.
package workers

import "time"

// Idle is how long a worker waits for work before it ends.
const Idle = 10 * time.Second

// Pool runs functions on workers. A function goes to an idle worker when
// there is one and to a new worker otherwise, so a function that never
// returns holds up only its own worker; a worker idle for Idle ends. The
// zero value is not usable; use New. A Pool is safe for concurrent use.
type Pool struct {
	idle chan func() // unbuffered: a send succeeds only to an idle worker
}

// New returns an empty Pool.
func New() *Pool { return &Pool{idle: make(chan func())} }

// Run calls f on a worker and returns at once. f must not panic: a panic
// ends the program, as on any goroutine.
func (p *Pool) Run(f func()) {
	select {
	case p.idle <- f:
	default:
		go p.work(f)
	}
}

func (p *Pool) work(f func()) {
	t := time.NewTimer(Idle)
	defer t.Stop()
	for {
		f()
		f = nil // drop what it holds while idle
		t.Reset(Idle)
		select {
		case f = <-p.idle:
		case <-t.C:
			return
		}
	}
}
