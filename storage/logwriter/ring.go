package logwriter

import "fazhibot/console"

// ring is a FIFO queue of records in a circular slice that grows by
// doubling up to a limit and shrinks when mostly empty, so that an idle
// writer holds little memory after an outage. Its zero value is empty.
type ring struct {
	buf  []console.LogRecord
	head int // index of the oldest record
	n    int // number of records
}

// minRing is the smallest allocation of a ring.
const minRing = 64

func (r *ring) len() int { return r.n }

// push appends x; the caller keeps len below limit, which caps growth.
func (r *ring) push(x console.LogRecord, limit int) {
	if r.n == len(r.buf) {
		r.resize(min(max(minRing, 2*len(r.buf)), max(limit, r.n+1)))
	}
	r.buf[(r.head+r.n)%len(r.buf)] = x
	r.n++
}

// popFront removes the oldest record.
func (r *ring) popFront() {
	if r.n == 0 {
		return
	}
	r.buf[r.head] = console.LogRecord{} // let the collector have its strings
	r.head = (r.head + 1) % len(r.buf)
	r.n--
}

// take removes and returns up to k of the oldest records, oldest first.
func (r *ring) take(k int) []console.LogRecord {
	k = min(k, r.n)
	if k == 0 {
		return nil
	}
	out := make([]console.LogRecord, k)
	for i := range out {
		out[i] = r.buf[r.head]
		r.popFront()
	}
	if len(r.buf) > minRing && r.n < len(r.buf)/4 {
		r.resize(max(minRing, len(r.buf)/2))
	}
	return out
}

// resize moves the records to a new slice of size c >= r.n.
func (r *ring) resize(c int) {
	buf := make([]console.LogRecord, c)
	for i := range r.n {
		buf[i] = r.buf[(r.head+i)%len(r.buf)]
	}
	r.buf, r.head = buf, 0
}
