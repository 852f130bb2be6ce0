package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Errors of Service.Start.
var (
	ErrNotAllowed   = errors.New("notify: the account may not notify citizens")
	ErrNotPublished = errors.New("notify: the answer is not from a published version")
	ErrNobody       = errors.New("notify: nobody is waiting for this answer")
	ErrBusy         = errors.New("notify: a send for this group is running")
)

// DefaultSendTimeout bounds one call to the Sender.
const DefaultSendTimeout = 10 * time.Second

// maxMessageBytes bounds a notification's text; WeChat takes 2048 bytes.
const maxMessageBytes = 2000

// maxQuoteRunes bounds the citizen's question quoted in a notification.
const maxQuoteRunes = 120

// maxJobs is how many finished sends Service.Jobs remembers.
const maxJobs = 50

// Options configure a Service. Store, Sender and Normalize are required.
type Options struct {
	Store  Store
	Sender Sender
	// Ledger records sends; nil records nothing (tests only).
	Ledger Ledger
	// Normalize turns a question into its QuestionKey, as the
	// unanswered queue counts texts (console.NormalizeQuestion).
	Normalize func(string) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SendTimeout bounds one Sender call; zero means DefaultSendTimeout.
	SendTimeout time.Duration
	// Log receives failures of background work; nil discards them.
	Log *slog.Logger
}

// JobID identifies a send in this instance.
type JobID int64

// Job is the progress of one send.
type Job struct {
	ID       JobID
	Record   RecordID
	By       string
	Group    QuestionKey
	Question string
	Total    int // the citizens to deal with
	Counts   Counts
	Started  time.Time
	Finished time.Time // zero while running
}

// Running reports whether the send is still under way.
func (j Job) Running() bool { return j.Finished.IsZero() }

// Request asks to send the answer of a question group.
type Request struct {
	Group    QuestionKey   // the representative
	Question string        // the representative as a citizen wrote it
	Keys     []QuestionKey // every question of the group
	Answer   string        // the published answer, with its source
	Version  int64         // the live version it comes from; must be positive
}

// Waiting counts the citizens waiting for a group's answer.
type Waiting struct {
	Within  int // still within Window: a message can reach them
	Expired int // past Window; dropped by the Store soon
}

// Service remembers citizens and sends them answers. It is safe for
// concurrent use.
type Service struct {
	store       Store
	sender      Sender
	ledger      Ledger
	normalize   func(string) string
	now         func() time.Time
	sendTimeout time.Duration
	log         *slog.Logger

	ctx    context.Context // background sends; cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	nextJob JobID
	jobs    []*Job // oldest first
	running map[QuestionKey]JobID
}

// New checks opts and returns a Service.
func New(opts Options) (*Service, error) {
	if opts.Store == nil || opts.Sender == nil || opts.Normalize == nil {
		return nil, errors.New("notify: Options.Store, Sender and Normalize are required")
	}
	if opts.SendTimeout < 0 {
		return nil, errors.New("notify: Options.SendTimeout must not be negative")
	}
	s := &Service{
		store: opts.Store, sender: opts.Sender, ledger: opts.Ledger, normalize: opts.Normalize,
		now: opts.Now, sendTimeout: opts.SendTimeout, log: opts.Log, running: map[QuestionKey]JobID{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.sendTimeout == 0 {
		s.sendTimeout = DefaultSendTimeout
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Key returns the QuestionKey of a question as typed.
func (s *Service) Key(question string) QuestionKey { return QuestionKey(s.normalize(question)) }

// Remember keeps id as waiting for an answer to question, asked at at. A
// question that normalises to nothing is not kept. Errors are the Store's.
func (s *Service) Remember(ctx context.Context, id OpenID, question string, at time.Time) error {
	key := s.Key(question)
	if key == "" || id == "" {
		return nil
	}
	if err := s.store.Add(ctx, key, Pending{OpenID: id, Question: strings.TrimSpace(question), At: at}); err != nil {
		return fmt.Errorf("notify: remember: %w", err)
	}
	return nil
}

// Forget removes every question id is waiting on ("不用通知") and returns
// how many there were.
func (s *Service) Forget(ctx context.Context, id OpenID) (int, error) {
	n, err := s.store.Forget(ctx, id)
	if err != nil {
		return 0, fmt.Errorf("notify: forget: %w", err)
	}
	return n, nil
}

// Questions returns the keys citizens are waiting on.
func (s *Service) Questions(ctx context.Context) ([]QuestionKey, error) {
	keys, err := s.store.Questions(ctx)
	if err != nil {
		return nil, fmt.Errorf("notify: questions: %w", err)
	}
	return keys, nil
}

// Sample returns the latest question typed under key, or "" when nobody
// waits on it.
func (s *Service) Sample(ctx context.Context, key QuestionKey) (string, error) {
	list, err := s.store.Pending(ctx, key)
	if err != nil || len(list) == 0 {
		return "", err
	}
	return list[len(list)-1].Question, nil
}

// Waiting counts the citizens waiting on keys, each citizen once.
func (s *Service) Waiting(ctx context.Context, keys []QuestionKey) (Waiting, error) {
	list, err := s.collect(ctx, keys)
	if err != nil {
		return Waiting{}, err
	}
	var w Waiting
	now := s.now()
	for _, e := range list {
		if s.expired(e.Pending, now) {
			w.Expired++
		} else {
			w.Within++
		}
	}
	return w, nil
}

// entry is a citizen to send to, with the key they wait under.
type entry struct {
	key QuestionKey
	Pending
}

// collect returns the entries of keys, one per citizen (under the first
// key in keys that holds them).
func (s *Service) collect(ctx context.Context, keys []QuestionKey) ([]entry, error) {
	var out []entry
	seen := map[OpenID]bool{}
	for _, k := range keys {
		list, err := s.store.Pending(ctx, k)
		if err != nil {
			return nil, fmt.Errorf("notify: pending: %w", err)
		}
		for _, p := range list {
			if !seen[p.OpenID] {
				seen[p.OpenID] = true
				out = append(out, entry{key: k, Pending: p})
			}
		}
	}
	return out, nil
}

func (s *Service) expired(p Pending, now time.Time) bool { return !now.Before(p.At.Add(Window)) }

// Start checks that a may send req, records it in the Ledger and sends in
// the background; Job reports the progress. It returns ErrNotAllowed,
// ErrNotPublished (no version or no answer), ErrNobody, ErrBusy, or an
// error of the Store or the Ledger; nothing is sent then.
func (s *Service) Start(ctx context.Context, a Actor, req Request) (JobID, error) {
	switch {
	case !MaySend(a.Role):
		return 0, ErrNotAllowed
	case req.Version <= 0 || strings.TrimSpace(req.Answer) == "":
		return 0, ErrNotPublished
	}
	if !slices.Contains(req.Keys, req.Group) {
		req.Keys = append([]QuestionKey{req.Group}, req.Keys...)
	}
	s.mu.Lock()
	if _, ok := s.running[req.Group]; ok {
		s.mu.Unlock()
		return 0, ErrBusy
	}
	s.nextJob++
	id := s.nextJob
	s.running[req.Group] = id
	s.mu.Unlock()
	release := func() {
		s.mu.Lock()
		delete(s.running, req.Group)
		s.mu.Unlock()
	}

	list, err := s.collect(ctx, req.Keys)
	if err != nil {
		release()
		return 0, err
	}
	if len(list) == 0 {
		release()
		return 0, ErrNobody
	}
	job := &Job{ID: id, By: a.Name, Group: req.Group, Question: req.Question, Total: len(list), Started: s.now()}
	if s.ledger != nil {
		rec, err := s.ledger.Begin(ctx, Record{By: a.Name, Group: req.Group, Question: req.Question,
			Answer: req.Answer, Version: req.Version, Citizens: len(list)})
		if err != nil {
			release()
			return 0, fmt.Errorf("notify: record send: %w", err)
		}
		job.Record = rec
	}
	s.mu.Lock()
	s.jobs = append(s.jobs, job)
	if len(s.jobs) > maxJobs && !s.jobs[0].Running() {
		s.jobs = s.jobs[1:]
	}
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer release()
		s.run(job, list, req.Answer)
	}()
	return id, nil
}

// run sends answer to list, updating job as it goes.
func (s *Service) run(job *Job, list []entry, answer string) {
	ctx := s.ctx
	update := func(f func(c *Counts)) {
		s.mu.Lock()
		f(&job.Counts)
		s.mu.Unlock()
	}
	for i, e := range list {
		if ctx.Err() != nil {
			update(func(c *Counts) { c.Deferred += len(list) - i })
			break
		}
		taken, err := s.store.Take(ctx, e.key, e.OpenID)
		switch {
		case err != nil:
			s.log.Warn("notify: take", "err", err)
			update(func(c *Counts) { c.Failed++ })
			continue
		case !taken:
			update(func(c *Counts) { c.Skipped++ })
			continue
		case s.expired(e.Pending, s.now()):
			update(func(c *Counts) { c.Expired++ })
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, s.sendTimeout)
		err = s.sender.Send(sctx, e.OpenID, Message(e.Pending, answer))
		cancel()
		switch {
		case err == nil:
			update(func(c *Counts) { c.Notified++ })
		case errors.Is(err, ErrWindowClosed):
			update(func(c *Counts) { c.Expired++ })
		case errors.Is(err, ErrUnsubscribed):
			update(func(c *Counts) { c.Unsubscribed++ })
		case errors.Is(err, ErrRateLimited):
			// Stop: the rest stay in the Store for a later send.
			update(func(c *Counts) { c.Failed++; c.Deferred += len(list) - i - 1 })
			s.log.Warn("notify: rate limited, send stopped", "group", job.Group, "left", len(list)-i-1)
		default:
			s.log.Warn("notify: send", "err", err)
			update(func(c *Counts) { c.Failed++ })
		}
		if errors.Is(err, ErrRateLimited) {
			break
		}
	}
	s.mu.Lock()
	job.Finished = s.now()
	counts := job.Counts
	s.mu.Unlock()
	if s.ledger != nil && job.Record != 0 {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := s.ledger.Finish(fctx, job.Record, counts); err != nil {
			s.log.Error("notify: record outcome", "record", job.Record, "err", err)
		}
	}
}

// Job returns a copy of the send id, or false when this instance does not
// know it (another instance ran it, or it is long finished).
func (s *Service) Job(id JobID) (Job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.jobs {
		if j.ID == id {
			return *j, true
		}
	}
	return Job{}, false
}

// Jobs returns copies of the sends this instance remembers, newest first.
func (s *Service) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Job, 0, len(s.jobs))
	for i := len(s.jobs) - 1; i >= 0; i-- {
		out = append(out, *s.jobs[i])
	}
	return out
}

// Wait blocks until every background send has finished.
func (s *Service) Wait() { s.wg.Wait() }

// Close stops the background sends (the citizens not yet tried are
// counted as deferred and stay in the Store) and waits for them.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
}

// Message is the text a citizen receives: their question quoted, when they
// asked it (China time), and the answer with its source, within WeChat's
// 2048 bytes.
func Message(p Pending, answer string) string {
	q := strings.Join(strings.Fields(p.Question), " ")
	if utf8.RuneCountInString(q) > maxQuoteRunes {
		q = string([]rune(q)[:maxQuoteRunes]) + "…"
	}
	when := p.At.In(time.FixedZone("CST", 8*3600)).Format("1月2日15:04")
	text := fmt.Sprintf("您好！您%s问过：“%s”\n当时没有找到答案，工作人员现已补充答复：\n\n%s", when, q, strings.TrimSpace(answer))
	if len(text) <= maxMessageBytes {
		return text
	}
	cut := maxMessageBytes - len("…")
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut] + "…"
}
