package logwriter_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fazhibot/bot"
	"fazhibot/console"
	"fazhibot/knowledge"
	"fazhibot/storage/logwriter"
)

// fakeSink stores batches in memory. While down it fails every write;
// while hung it blocks every write until released or cancelled.
type fakeSink struct {
	mu       sync.Mutex
	records  []console.LogRecord
	down     bool
	hang     chan struct{} // non-nil: writes block until it is closed
	entered  chan int      // receives the size of each batch when a write starts
	attempts int
	invalid  string // exchange of a record the sink refuses as invalid
}

func (s *fakeSink) InsertLogs(ctx context.Context, records []console.LogRecord) error {
	s.mu.Lock()
	s.attempts++
	hang, entered, down, invalid := s.hang, s.entered, s.down, s.invalid
	s.mu.Unlock()
	if entered != nil {
		entered <- len(records)
	}
	if hang != nil {
		select {
		case <-hang:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if down {
		return errors.New("connection refused")
	}
	for _, r := range records {
		if r.Exchange == invalid {
			return fmt.Errorf("record %s: %w", invalid, console.ErrInvalid)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = append(s.records, records...)
	return nil
}

func (s *fakeSink) set(fn func(s *fakeSink)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

func (s *fakeSink) stored() []console.LogRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.records)
}

// entry returns the log entry of message i.
func entry(i int) bot.LogEntry {
	return bot.LogEntry{
		Time:     time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Millisecond),
		Exchange: bot.ExchangeID(fmt.Sprintf("%016x", i)),
		Channel:  bot.ChannelWeChat, User: "oWeChatOpenID-0123456789abc", Kind: bot.KindText,
		Text: fmt.Sprintf("问题%d", i), Intent: bot.IntentAnswer, Answered: true, Reply: "答复",
	}
}

func newWriter(t *testing.T, sink logwriter.Sink, opts logwriter.Options) *logwriter.Writer {
	t.Helper()
	w, err := logwriter.New(sink, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		w.Close(ctx)
	})
	return w
}

func closeWriter(t *testing.T, w *logwriter.Writer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := w.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

type stats struct{ buffered, dropped, written uint64 }

func statsOf(w *logwriter.Writer) stats {
	b, d, wr := w.Stats()
	return stats{b, d, wr}
}

func wantStats(t *testing.T, w *logwriter.Writer, want stats) {
	t.Helper()
	if got := statsOf(w); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

func exchangesOf(records []console.LogRecord) []string {
	var list []string
	for _, r := range records {
		list = append(list, r.Exchange)
	}
	return list
}

func TestPseudonym(t *testing.T) {
	a := logwriter.Pseudonym([]byte("secret-a"), "oOpenID")
	tests := []struct {
		name   string
		secret string
		user   bot.UserID
		same   bool // equal to a
	}{
		{"same secret and user", "secret-a", "oOpenID", true},
		{"other secret", "secret-b", "oOpenID", false},
		{"other user", "secret-a", "oOpenID2", false},
	}
	for _, tt := range tests {
		got := logwriter.Pseudonym([]byte(tt.secret), tt.user)
		if (got == a) != tt.same || len(got) != 32 || strings.Contains(got, string(tt.user)) {
			t.Errorf("%s: Pseudonym = %q (a = %q)", tt.name, got, a)
		}
	}
	if got := logwriter.Pseudonym([]byte("secret-a"), ""); got != "" {
		t.Errorf("Pseudonym of no user = %q, want empty", got)
	}
}

func TestRecord(t *testing.T) {
	secret := []byte("0123456789abcdef")
	const openID = "oWeChatOpenID-0123456789abc"
	pseudonym := logwriter.Pseudonym(secret, openID)
	e := bot.LogEntry{
		Time: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), Exchange: "00000000000000aa",
		Channel: bot.ChannelWeChat, User: openID, Kind: bot.KindVoice, Text: "司法局2021年行政复议多少件",
		Intent: bot.IntentAnswer, FollowUp: bot.FollowUpRefine, Terms: []string{"行政复议"}, Context: []string{"司法局"},
		Year: 2021, Department: "江津区司法局", Answered: true,
		Hits:  []bot.HitRef{{ReportID: "jj-sfj-2021", Seq: 3, Score: 7.5, Confidence: 0.8}},
		Reply: "全年186件。", Latency: 80 * time.Millisecond, StoreError: "save session wechat:" + openID + ": timeout",
	}
	want := console.LogRecord{
		Time: e.Time, Exchange: "00000000000000aa", Channel: "wechat", User: pseudonym, Kind: "voice",
		Text: e.Text, Intent: "answer", FollowUp: "refine", Question: true, Terms: []string{"行政复议"},
		Context: []string{"司法局"}, Year: 2021, Department: "江津区司法局", Answered: true,
		Hits:  []console.LogHit{{Report: "jj-sfj-2021", Seq: 3, Score: 7.5, Confidence: 0.8}},
		Reply: "全年186件。", Latency: 80 * time.Millisecond, StoreError: "save session wechat:" + pseudonym + ": timeout",
	}
	tests := []struct {
		name        string
		edit        func(e *bot.LogEntry)
		storeOpenID bool
		want        func(r *console.LogRecord)
	}{
		{"question", func(*bot.LogEntry) {}, false, func(*console.LogRecord) {}},
		{"OpenID kept when configured", func(*bot.LogEntry) {}, true, func(r *console.LogRecord) {
			r.OpenID = openID
			r.StoreError = e.StoreError
		}},
		{"OpenID scrubbed from texts", func(e *bot.LogEntry) {
			e.Text, e.Reply = "我的号是"+openID, "您的号"+openID
		}, false, func(r *console.LogRecord) {
			r.Text, r.Reply = "我的号是"+pseudonym, "您的号"+pseudonym
		}},
		{"not covered is a question", func(e *bot.LogEntry) {
			e.Intent, e.Answered, e.Reason = bot.IntentNotCovered, false, knowledge.ReasonLowConfidence
		}, false, func(r *console.LogRecord) {
			r.Intent, r.Answered, r.Reason = "not_covered", false, knowledge.ReasonLowConfidence
		}},
		{"clarify is a question", func(e *bot.LogEntry) { e.Intent, e.Answered = bot.IntentClarify, false },
			false, func(r *console.LogRecord) { r.Intent, r.Answered = "clarify", false }},
		{"detail is not a question", func(e *bot.LogEntry) { e.Intent = bot.IntentDetail },
			false, func(r *console.LogRecord) { r.Intent, r.Question = "detail", false }},
		{"feedback", func(e *bot.LogEntry) {
			e.Intent, e.Answered, e.Hits, e.Feedback, e.RefersTo = bot.IntentFeedback, false, nil, bot.FeedbackUnsatisfied, "00000000000000a9"
		}, false, func(r *console.LogRecord) {
			r.Intent, r.Question, r.Answered, r.Hits, r.Gives, r.RefersTo = "feedback", false, false, nil, console.FeedbackUnsatisfied, "00000000000000a9"
		}},
		{"unknown user", func(e *bot.LogEntry) { e.User, e.StoreError = "", "" },
			false, func(r *console.LogRecord) { r.User, r.StoreError = "", "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := e
			in.Terms, in.Context, in.Hits = slices.Clone(e.Terms), slices.Clone(e.Context), slices.Clone(e.Hits)
			tt.edit(&in)
			w := want
			w.Terms, w.Context, w.Hits = slices.Clone(want.Terms), slices.Clone(want.Context), slices.Clone(want.Hits)
			tt.want(&w)
			got := logwriter.Record(in, secret, tt.storeOpenID)
			if !reflect.DeepEqual(got, w) {
				t.Errorf("Record:\n got %+v\nwant %+v", got, w)
			}
		})
	}
}

// TestLogNeverBlocks logs while the sink hangs: every Log call returns,
// the buffer keeps what fits and the oldest records are dropped, counted
// exactly.
func TestLogNeverBlocks(t *testing.T) {
	tests := []struct {
		name       string
		buffer     int
		sent       int
		wantKept   int // records stored in the end besides the first
		wantDrops  uint64
		wantOldest int // first record kept after the one in flight
	}{
		{"buffer large enough", 5000, 3000, 3000, 0, 1},
		{"small buffer drops the oldest", 100, 1000, 100, 900, 901},
		{"buffer of one", 1, 50, 1, 49, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &fakeSink{hang: make(chan struct{}), entered: make(chan int, 1000)}
			var dropHook sync.Mutex
			var hooked int
			w := newWriter(t, sink, logwriter.Options{
				BufferSize: tt.buffer, BatchSize: 10, FlushInterval: time.Millisecond,
				OnDrop: func(n int) { dropHook.Lock(); hooked += n; dropHook.Unlock() },
			})
			w.Log(t.Context(), entry(0))
			if n := <-sink.entered; n != 1 { // the first record is in flight, the sink hangs
				t.Fatalf("first batch of %d records, want 1", n)
			}
			var wg sync.WaitGroup
			for g := range 10 {
				wg.Go(func() {
					for i := g; i < tt.sent; i += 10 {
						w.Log(t.Context(), entry(1+i))
					}
				})
			}
			wg.Wait() // would hang if Log waited for the sink
			wantStats(t, w, stats{buffered: uint64(1 + tt.sent - int(tt.wantDrops)), dropped: tt.wantDrops})

			sink.set(func(s *fakeSink) { s.entered = nil })
			close(sink.hang)
			closeWriter(t, w)
			wantStats(t, w, stats{dropped: tt.wantDrops, written: uint64(1 + tt.wantKept)})
			if hooked != int(tt.wantDrops) {
				t.Errorf("OnDrop counted %d, want %d", hooked, tt.wantDrops)
			}
			stored := sink.stored()
			if len(stored) != 1+tt.wantKept {
				t.Fatalf("%d records stored, want %d", len(stored), 1+tt.wantKept)
			}
			// Concurrent senders interleave, so compare sets: the kept
			// records are the newest ones.
			got := exchangesOf(stored[1:])
			slices.Sort(got)
			var want []string
			for i := tt.wantOldest; i <= tt.sent; i++ {
				want = append(want, string(entry(i).Exchange))
			}
			if tt.wantDrops == 0 && !slices.Equal(got, want) || tt.wantDrops > 0 && len(got) != len(want) {
				t.Errorf("kept %d records %v…, want %d", len(got), got[:min(3, len(got))], len(want))
			}
		})
	}
}

// TestDropsOldest checks which records a full buffer drops, with one
// sender so that the order is known.
func TestDropsOldest(t *testing.T) {
	sink := &fakeSink{hang: make(chan struct{}), entered: make(chan int, 100)}
	w := newWriter(t, sink, logwriter.Options{BufferSize: 3, BatchSize: 2, FlushInterval: time.Millisecond})
	w.Log(t.Context(), entry(0))
	<-sink.entered
	for i := 1; i <= 6; i++ {
		w.Log(t.Context(), entry(i))
	}
	wantStats(t, w, stats{buffered: 4, dropped: 3})
	sink.set(func(s *fakeSink) { s.entered = nil })
	close(sink.hang)
	closeWriter(t, w)
	if got, want := exchangesOf(sink.stored()), []string{"0000000000000000", "0000000000000004", "0000000000000005", "0000000000000006"}; !slices.Equal(got, want) {
		t.Errorf("stored %v, want %v", got, want)
	}
	wantStats(t, w, stats{dropped: 3, written: 4})
}

// TestOutage fails every write for a while: records wait, the failed
// batch is retried, and everything is written once the sink is back.
func TestOutage(t *testing.T) {
	sink := &fakeSink{down: true}
	errs := make(chan error, 1000)
	w := newWriter(t, sink, logwriter.Options{
		BatchSize: 50, FlushInterval: time.Millisecond, MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		OnError: func(err error) {
			select {
			case errs <- err:
			default:
			}
		},
	})
	const sent = 2000
	for i := range sent / 2 {
		w.Log(t.Context(), entry(i))
	}
	for range 3 { // several failed attempts while logging goes on
		if err := <-errs; !strings.Contains(err.Error(), "connection refused") {
			t.Fatalf("OnError(%v)", err)
		}
	}
	for i := sent / 2; i < sent; i++ {
		w.Log(t.Context(), entry(i))
	}
	wantStats(t, w, stats{buffered: sent})
	sink.set(func(s *fakeSink) { s.down = false })
	closeWriter(t, w)
	wantStats(t, w, stats{written: sent})
	got := exchangesOf(sink.stored())
	if len(got) != sent {
		t.Fatalf("%d records stored, want %d", len(got), sent)
	}
	for i, ex := range got { // one sender: order kept
		if ex != string(entry(i).Exchange) {
			t.Fatalf("record %d is %s, want %s", i, ex, entry(i).Exchange)
		}
	}
}

// TestCloseDeadline closes a writer whose sink never recovers.
func TestCloseDeadline(t *testing.T) {
	sink := &fakeSink{down: true}
	w := newWriter(t, sink, logwriter.Options{BatchSize: 10, FlushInterval: time.Millisecond, MinBackoff: time.Millisecond})
	for i := range 95 {
		w.Log(t.Context(), entry(i))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := w.Close(ctx)
	if err == nil || !strings.Contains(err.Error(), "95 records not written") || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close = %v, want 95 records not written and the deadline", err)
	}
	wantStats(t, w, stats{dropped: 95})
	if err := w.Close(t.Context()); err != nil {
		t.Errorf("second Close = %v", err)
	}
	w.Log(t.Context(), entry(100)) // after Close: dropped, never blocks
	wantStats(t, w, stats{dropped: 96})
}

// TestInvalidRecordDropped drops only the record the sink refuses.
func TestInvalidRecordDropped(t *testing.T) {
	sink := &fakeSink{invalid: string(entry(3).Exchange)}
	w := newWriter(t, sink, logwriter.Options{BatchSize: 10, FlushInterval: time.Hour})
	for i := range 10 {
		w.Log(t.Context(), entry(i))
	}
	closeWriter(t, w)
	wantStats(t, w, stats{dropped: 1, written: 9})
	if got := len(sink.stored()); got != 9 {
		t.Errorf("%d records stored, want 9", got)
	}
}

// TestDefaults fills in an entry's missing exchange and time.
func TestDefaults(t *testing.T) {
	sink := &fakeSink{}
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	w := newWriter(t, sink, logwriter.Options{Now: func() time.Time { return now }})
	w.Log(t.Context(), bot.LogEntry{Text: "无编号"})
	w.Log(t.Context(), bot.LogEntry{Text: "无编号"})
	closeWriter(t, w)
	got := sink.stored()
	if len(got) != 2 || len(got[0].Exchange) != 16 || got[0].Exchange == got[1].Exchange || !got[0].Time.Equal(now) {
		t.Errorf("stored %+v", got)
	}
	if _, err := logwriter.New(sink, logwriter.Options{BufferSize: -1}); err == nil {
		t.Error("New with a negative buffer succeeded")
	}
	if _, err := logwriter.New(nil, logwriter.Options{}); err == nil {
		t.Error("New without sink succeeded")
	}
}

// BenchmarkLog measures what Log costs the reply path: the conversion,
// the pseudonym and the queueing, with many goroutines logging at once.
func BenchmarkLog(b *testing.B) {
	w, err := logwriter.New(&fakeSink{}, logwriter.Options{UserSecret: []byte("0123456789abcdef")})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close(context.Background())
	e := entry(1)
	e.Terms, e.Hits = []string{"行政复议", "件"}, []bot.HitRef{{ReportID: "jj-sfj-2021", Seq: 3, Score: 7.5}}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w.Log(context.Background(), e)
		}
	})
}
