// Package logwriter writes the bot's query log (bot.LogEntry) to the
// database off the reply path.
//
// A Writer is the bot.QueryLogger of a server: Log converts the entry to a
// console.LogRecord, pseudonymising the user, and appends it to a bounded
// in-memory buffer; a background goroutine writes the buffer in batches,
// one transaction per batch (sqldb.DB.InsertLogs). Log never waits for the
// database.
//
// While the database is unavailable, records wait in the buffer and the
// failed batch is retried with exponential backoff. When the buffer is
// full, each new record pushes out the oldest waiting one, which is
// counted as dropped; the batch being written is never dropped. Close
// writes what is left, within its context.
//
// Memory: a record takes about 1 KB plus its reply (at most 2 KB), so a
// full buffer of the default 100000 records holds about 100–300 MB. The
// buffer only fills during an outage; size logs.buffer_size to the
// messages expected during the longest outage to ride out.
//
// RunRetention purges records older than the retention period once a day.
package logwriter

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"time"

	"fazhibot/bot"
	"fazhibot/console"
)

// Sink stores batches of records; *sqldb.DB implements it. InsertLogs
// must store all of a batch or nothing, and storing a batch again must be
// harmless (the writer retries a batch whose outcome it does not know).
// An error wrapping console.ErrInvalid is taken as permanent.
type Sink interface {
	InsertLogs(ctx context.Context, records []console.LogRecord) error
}

// The defaults of Options.
const (
	DefaultBufferSize    = 100000
	DefaultBatchSize     = 200
	DefaultFlushInterval = 500 * time.Millisecond
	DefaultWriteTimeout  = 10 * time.Second
	DefaultMinBackoff    = 500 * time.Millisecond
	DefaultMaxBackoff    = 30 * time.Second
)

// closingBackoff caps the backoff once Close has been called, so that the
// drain retries often within Close's deadline.
const closingBackoff = 200 * time.Millisecond

// Options configure a Writer. Zero values mean the defaults.
type Options struct {
	// UserSecret is the HMAC key of the user pseudonyms (see Pseudonym).
	// Empty means a random key for this Writer: pseudonyms are then
	// stable only until the process restarts.
	UserSecret []byte
	// StoreOpenID keeps the raw user ID (the WeChat OpenID) in
	// LogRecord.OpenID. Otherwise it is stored nowhere.
	StoreOpenID bool

	// BufferSize is the most records waiting to be written, not counting
	// the batch being written.
	BufferSize int
	// BatchSize is the most records written per transaction; a full batch
	// is written at once, a partial one after FlushInterval.
	BatchSize     int
	FlushInterval time.Duration
	// WriteTimeout bounds each attempt to write a batch.
	WriteTimeout time.Duration
	// MinBackoff and MaxBackoff bound the wait between attempts to write a
	// failed batch: it doubles from MinBackoff up to MaxBackoff, with ±20%
	// jitter so that instances do not retry in step.
	MinBackoff, MaxBackoff time.Duration

	// Hooks for metrics and logs; nil means none. OnDrop is called with
	// the number of records dropped, from Log's goroutine (it must not
	// block), from the writing goroutine or from Close. OnWrite is called
	// after each batch written, OnError after each failed attempt, both
	// from the writing goroutine.
	OnDrop  func(n int)
	OnWrite func(n int, took time.Duration)
	OnError func(err error)

	// Now is the clock for records without a time; nil means time.Now.
	Now func() time.Time
}

// Writer is a bot.QueryLogger that writes to a Sink in the background.
// Its methods are safe for concurrent use.
type Writer struct {
	sink   Sink
	opts   Options
	secret []byte

	mu        sync.Mutex
	queue     ring
	inflight  int // records of the batch being written
	closed    bool
	dropped   uint64
	written   uint64
	abandoned int // records dropped for Close's deadline

	kick   chan struct{} // a full batch is waiting
	stop   chan struct{} // closed by Close
	done   chan struct{} // closed when the writing goroutine ends
	ctx    context.Context
	cancel context.CancelFunc // aborts writing when Close's deadline passes
	once   sync.Once
}

var _ bot.QueryLogger = (*Writer)(nil)

// New returns a Writer on sink and starts its writing goroutine; Close
// stops it. It returns an error for negative sizes or durations.
func New(sink Sink, opts Options) (*Writer, error) {
	if sink == nil {
		return nil, errors.New("logwriter: no sink")
	}
	if opts.BufferSize < 0 || opts.BatchSize < 0 || opts.FlushInterval < 0 || opts.WriteTimeout < 0 ||
		opts.MinBackoff < 0 || opts.MaxBackoff < 0 {
		return nil, errors.New("logwriter: negative option")
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&opts.BufferSize, DefaultBufferSize)
	def(&opts.BatchSize, DefaultBatchSize)
	defDur(&opts.FlushInterval, DefaultFlushInterval)
	defDur(&opts.WriteTimeout, DefaultWriteTimeout)
	defDur(&opts.MinBackoff, DefaultMinBackoff)
	defDur(&opts.MaxBackoff, DefaultMaxBackoff)
	opts.MaxBackoff = max(opts.MaxBackoff, opts.MinBackoff)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	w := &Writer{
		sink:   sink,
		opts:   opts,
		secret: opts.UserSecret,
		kick:   make(chan struct{}, 1),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	if len(w.secret) == 0 {
		w.secret = make([]byte, 32)
		rand.Read(w.secret) // never fails
	}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	go w.run()
	return w, nil
}

// Pseudonym returns the pseudonym of a user: the first 16 bytes of the
// HMAC-SHA256 of the user ID keyed with secret, in 32 hex digits. It
// returns "" for an unknown user ("").
func Pseudonym(secret []byte, user bot.UserID) string {
	if user == "" {
		return ""
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(user))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// IsQuestion reports whether a message of the given intent was a question
// searched in the knowledge base: answered, not covered, or answered with
// "您是否想问" choices (which count as not answered).
func IsQuestion(intent bot.Intent) bool {
	switch intent {
	case bot.IntentAnswer, bot.IntentNotCovered, bot.IntentClarify:
		return true
	}
	return false
}

// minScrubLen is the shortest user ID removed from message and reply
// texts; shorter ones (API test users) could match ordinary text.
const minScrubLen = 16

// Record converts a log entry to the stored record: the user becomes its
// pseudonym under secret, and the raw user ID is kept in OpenID only when
// storeOpenID is set; otherwise it is also replaced by the pseudonym in
// StoreError (and, when at least 16 characters long, in Text and Reply),
// so that it is stored nowhere. Slices are copied.
func Record(e bot.LogEntry, secret []byte, storeOpenID bool) console.LogRecord {
	pseudonym := Pseudonym(secret, e.User)
	r := console.LogRecord{
		Time:       e.Time,
		Exchange:   string(e.Exchange),
		Channel:    string(e.Channel),
		User:       pseudonym,
		Kind:       string(e.Kind),
		Text:       e.Text,
		Intent:     string(e.Intent),
		FollowUp:   string(e.FollowUp),
		Question:   IsQuestion(e.Intent),
		Terms:      append([]string(nil), e.Terms...),
		Context:    append([]string(nil), e.Context...),
		Year:       e.Year,
		Department: e.Department,
		Answered:   e.Answered,
		Reason:     e.Reason,
		Reply:      e.Reply,
		Latency:    e.Latency,
		Gives:      console.Feedback(e.Feedback),
		RefersTo:   string(e.RefersTo),
		StoreError: e.StoreError,
	}
	for _, h := range e.Hits {
		r.Hits = append(r.Hits, console.LogHit{Report: h.ReportID, Seq: h.Seq, Score: h.Score, Confidence: h.Confidence})
	}
	if user := string(e.User); storeOpenID {
		r.OpenID = user
	} else if user != "" {
		r.StoreError = strings.ReplaceAll(r.StoreError, user, pseudonym)
		if len(user) >= minScrubLen {
			r.Text = strings.ReplaceAll(r.Text, user, pseudonym)
			r.Reply = strings.ReplaceAll(r.Reply, user, pseudonym)
		}
	}
	return r
}

// Log queues the entry for writing and returns at once; it never blocks on
// the database and ignores ctx. An entry without exchange ID gets a random
// one, an entry without time the current time. When the buffer is full the
// oldest waiting record is dropped; after Close the entry itself is.
func (w *Writer) Log(_ context.Context, e bot.LogEntry) {
	r := Record(e, w.secret, w.opts.StoreOpenID)
	if r.Exchange == "" {
		var b [8]byte
		rand.Read(b[:])
		r.Exchange = hex.EncodeToString(b[:])
	}
	if r.Time.IsZero() {
		r.Time = w.opts.Now()
	}
	w.mu.Lock()
	if w.closed {
		w.dropped++
		w.mu.Unlock()
		w.onDrop(1)
		return
	}
	dropped := 0
	if w.queue.len() >= w.opts.BufferSize {
		w.queue.popFront()
		w.dropped++
		dropped = 1
	}
	w.queue.push(r, w.opts.BufferSize)
	full := w.queue.len() >= w.opts.BatchSize
	w.mu.Unlock()
	if dropped > 0 {
		w.onDrop(dropped)
	}
	if full {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
}

// Stats returns the records waiting or being written, the records dropped
// and the records written so far. Every logged record is counted in
// exactly one of them.
func (w *Writer) Stats() (buffered, dropped, written uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return uint64(w.queue.len() + w.inflight), w.dropped, w.written
}

// Close stops accepting records and writes those left, retrying while ctx
// allows. When ctx ends first it abandons the write in progress and
// returns an error saying how many records were not written (counted as
// dropped; a batch abandoned just as the database committed it is counted
// too). Later calls return nil at once.
func (w *Writer) Close(ctx context.Context) error {
	var err error
	w.once.Do(func() {
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
		close(w.stop)
		select {
		case <-w.done:
		case <-ctx.Done():
			w.cancel()
			<-w.done
		}
		w.cancel()
		w.mu.Lock()
		n := w.queue.len()
		w.queue = ring{}
		w.dropped += uint64(n)
		lost := w.abandoned + n
		w.mu.Unlock()
		if n > 0 {
			w.onDrop(n)
		}
		if lost > 0 {
			err = fmt.Errorf("logwriter: %d records not written before shutdown: %w", lost, context.Cause(ctx))
		}
	})
	return err
}

func (w *Writer) onDrop(n int) {
	if w.opts.OnDrop != nil {
		w.opts.OnDrop(n)
	}
}

// run is the writing goroutine.
func (w *Writer) run() {
	defer close(w.done)
	ticker := time.NewTicker(w.opts.FlushInterval)
	defer ticker.Stop()
	stopping := false
	for {
		if !stopping {
			select {
			case <-w.kick:
			case <-ticker.C:
			case <-w.stop:
				stopping = true
			}
		}
		for {
			batch := w.take()
			if len(batch) == 0 {
				break
			}
			if !w.write(batch, stopping) {
				return // Close's deadline passed
			}
			if !stopping {
				select {
				case <-w.stop:
					stopping = true
				default:
				}
			}
		}
		if stopping {
			return
		}
	}
}

// take moves up to a batch of records from the queue to the batch being
// written.
func (w *Writer) take() []console.LogRecord {
	w.mu.Lock()
	defer w.mu.Unlock()
	batch := w.queue.take(w.opts.BatchSize)
	w.inflight = len(batch)
	return batch
}

// write writes batch, which is in flight, retrying until it is written or
// Close's deadline passes; it returns false in the latter case, having
// counted the batch as dropped. Records the sink refuses as invalid are
// dropped one by one.
func (w *Writer) write(batch []console.LogRecord, stopping bool) bool {
	delay := w.opts.MinBackoff
	for {
		ctx, cancel := context.WithTimeout(w.ctx, w.opts.WriteTimeout)
		start := time.Now()
		err := w.sink.InsertLogs(ctx, batch)
		cancel()
		switch {
		case err == nil:
			w.settle(len(batch), 0, false)
			if w.opts.OnWrite != nil {
				w.opts.OnWrite(len(batch), time.Since(start))
			}
			return true
		case errors.Is(err, console.ErrInvalid):
			w.report(err)
			if len(batch) == 1 {
				w.settle(0, 1, false)
				return true
			}
			for i := range batch {
				if !w.write(batch[i:i+1], stopping) {
					w.settle(0, len(batch)-i-1, true)
					return false
				}
			}
			return true
		}
		w.report(err)
		if w.ctx.Err() != nil {
			w.settle(0, len(batch), true)
			return false
		}
		if stopping {
			delay = min(delay, closingBackoff)
		}
		timer := time.NewTimer(jitter(delay))
		select {
		case <-timer.C:
		case <-w.ctx.Done():
			timer.Stop()
		case <-w.stopIfRunning(stopping):
			timer.Stop()
			stopping = true
		}
		delay = min(2*delay, w.opts.MaxBackoff)
	}
}

// stopIfRunning returns the stop channel while not stopping, else nil (a
// channel that never fires).
func (w *Writer) stopIfRunning(stopping bool) <-chan struct{} {
	if stopping {
		return nil
	}
	return w.stop
}

// settle takes records out of flight: written ones count as written, the
// others as dropped; abandoned says they were dropped for Close's
// deadline.
func (w *Writer) settle(written, dropped int, abandoned bool) {
	w.mu.Lock()
	w.inflight -= written + dropped
	w.written += uint64(written)
	w.dropped += uint64(dropped)
	if abandoned {
		w.abandoned += dropped
	}
	w.mu.Unlock()
	if dropped > 0 {
		w.onDrop(dropped)
	}
}

func (w *Writer) report(err error) {
	if w.opts.OnError != nil {
		w.opts.OnError(fmt.Errorf("logwriter: write: %w", err))
	}
}

// jitter returns d ± 20%.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	spread := int64(d) * 2 / 5
	return d - time.Duration(spread/2) + time.Duration(mrand.Int64N(spread+1))
}
