package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"fazhibot/internal/workers"
	"fazhibot/knowledge"
)

// Knowledge is the part of *knowledge.Base the Dialogue uses. It is an
// interface so that a new base can be swapped in when reports are
// published, without rebuilding the Dialogue. Implementations must be safe
// for concurrent use. Sessions keep hits as references to passages, looked
// up again with the Knowledge's Report method (func(knowledge.ReportID)
// (*knowledge.Report, bool), as *knowledge.Base has it); a Knowledge
// without one cannot show the hits of an earlier message again (详情, 更多
// and digit choices of hits say the reports changed).
type Knowledge interface {
	Answer(ctx context.Context, q knowledge.Query) (knowledge.Answer, error)
	Understand(q knowledge.Query) knowledge.Understanding
	Excerpt(h knowledge.Hit, q knowledge.Query) string
	Coverage() []knowledge.DepartmentYears
	// SensitiveWords are the staff-maintained words (of the term lists the
	// base was built with) that make the bot decline a message, on top of
	// Options.SensitiveWords.
	SensitiveWords() []string
}

// RateLimiter counts a user's messages; it is storage/redisstore.Store or
// storage/memstore.Store. Allow reports whether one more message fits in
// limit messages per window. Implementations must be safe for concurrent
// use and should honour ctx; an error lets the message through.
type RateLimiter interface {
	Allow(ctx context.Context, user string, limit int, window time.Duration) (bool, error)
}

// Defaults of Options.
const (
	DefaultSessionTTL   = 30 * time.Minute
	DefaultHotline      = "12345"
	DefaultStoreTimeout = 300 * time.Millisecond
)

// DefaultHotQuestions are the hot questions when Options.HotQuestions is
// empty: five questions on different facts that the bundled real report
// (江津区生态环境局, 2020) answers directly.
func DefaultHotQuestions() []string {
	return []string{
		"生态环境局2020年罚款多少",
		"生态环境局2020年纳入排污许可发证登记的企业有多少家",
		"生态环境局2020年行政审批即办率多少",
		"生态环境局2020年聘请了几名法律顾问",
		"生态环境局2020年普法培训有多少人参加",
	}
}

// Options configure a Dialogue. Only Knowledge (or Current) is required.
type Options struct {
	// Knowledge answers questions. Required unless Current is set.
	Knowledge Knowledge
	// Current, when set, returns the knowledge base to answer one message
	// with; it is called once per message, so that a base swapped in by a
	// publish never mixes with the old one inside one reply. Knowledge is
	// then ignored.
	Current func() Knowledge
	// Sessions remembers conversations. Nil makes the Dialogue stateless:
	// no follow-ups, paging or feedback.
	Sessions SessionStore
	// Limiter enforces RateLimit. Nil turns rate limiting off.
	Limiter RateLimiter
	// Logger receives one LogEntry per message. Nil logs nothing.
	Logger QueryLogger
	// SessionTTL is how long a conversation is remembered after its last
	// message. Zero means DefaultSessionTTL.
	SessionTTL time.Duration
	// RateLimit is the most messages a user may send per minute; 0 turns
	// rate limiting off.
	RateLimit int
	// Hotline is the number offered when the bot cannot help. Empty means
	// DefaultHotline.
	Hotline string
	// SensitiveWords make the bot decline a message that contains one
	// (ignoring case, width, spaces and punctuation).
	SensitiveWords []string
	// Now is the clock for the query log and, when a Message has no Time,
	// for relative years (去年). Nil means time.Now for the log and the
	// knowledge base's own clock for relative years.
	Now func() time.Time
	// HotQuestions are offered by the HOT menu, the welcome, the help and
	// unanswered questions. Empty means DefaultHotQuestions().
	HotQuestions []string
	// StoreTimeout bounds each call to Sessions and Limiter, so that an
	// outage costs at most this long before the bot answers statelessly.
	// Zero means DefaultStoreTimeout.
	StoreTimeout time.Duration
	// ErrorLog receives warnings about store and limiter failures. Nil
	// discards them (they are also in LogEntry.StoreError).
	ErrorLog *slog.Logger
	// Notifier, when set, remembers WeChat citizens whose question went
	// unanswered, so that staff can send them the answer later (the reply
	// says so); nil turns the offer off. See bot/notify.go.
	Notifier Notifier
}

// Dialogue answers citizens' messages, remembering each conversation in a
// SessionStore. It is safe for concurrent use. Two messages of the same
// user handled at the same moment may each miss the other's session
// update (the last save wins); WeChat delivers one user's messages in
// order, so this only happens when a citizen types very fast.
type Dialogue struct {
	current      func() Knowledge
	sessions     SessionStore
	messages     MessageStore // sessions, when it is one
	countInBegin bool         // messages also holds the rate limit
	limiter      RateLimiter
	logger       QueryLogger
	ttl          time.Duration
	rateLimit    int
	hotline      string
	sensitive    []string
	now          func() time.Time
	ownClock     bool // Options.Now was set
	hot          []string
	storeTimeout time.Duration
	errLog       *slog.Logger
	notifier     Notifier
	workers      *workers.Pool // run store calls
	// derived is what was derived from the knowledge base last current:
	// see derivedKnowledge.
	derived atomic.Pointer[derivedKnowledge]
}

// New checks opts and returns a Dialogue. It returns an error when
// Knowledge is nil, or a duration or limit is negative.
func New(opts Options) (*Dialogue, error) {
	var errs []error
	if opts.Knowledge == nil && opts.Current == nil {
		errs = append(errs, errors.New("bot: Options.Knowledge or Current is required"))
	}
	if opts.SessionTTL < 0 || opts.StoreTimeout < 0 {
		errs = append(errs, errors.New("bot: Options.SessionTTL and StoreTimeout must not be negative"))
	}
	if opts.RateLimit < 0 {
		errs = append(errs, errors.New("bot: Options.RateLimit must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	d := &Dialogue{
		current:      opts.Current,
		sessions:     opts.Sessions,
		limiter:      opts.Limiter,
		logger:       opts.Logger,
		ttl:          orDefault(opts.SessionTTL, DefaultSessionTTL),
		rateLimit:    opts.RateLimit,
		hotline:      strings.TrimSpace(opts.Hotline),
		now:          opts.Now,
		ownClock:     opts.Now != nil,
		storeTimeout: orDefault(opts.StoreTimeout, DefaultStoreTimeout),
		errLog:       opts.ErrorLog,
		notifier:     opts.Notifier,
		workers:      workers.New(),
	}
	if ms, ok := opts.Sessions.(MessageStore); ok {
		d.messages = ms
		d.countInBegin = sameStore(opts.Limiter, ms)
	}
	if d.current == nil {
		k := opts.Knowledge
		d.current = func() Knowledge { return k }
	}
	if d.hotline == "" {
		d.hotline = DefaultHotline
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.errLog == nil {
		d.errLog = slog.New(slog.DiscardHandler)
	}
	d.sensitive = normalizeAll(opts.SensitiveWords)
	for _, q := range opts.HotQuestions {
		if q = strings.TrimSpace(q); q != "" {
			d.hot = append(d.hot, q)
		}
	}
	if len(d.hot) == 0 {
		d.hot = DefaultHotQuestions()
	}
	return d, nil
}

// sameStore reports whether the limiter is the message store itself, so
// that BeginMessage can count the rate limit in the same round trip.
func sameStore(l RateLimiter, ms MessageStore) bool {
	if l == nil || !reflect.TypeOf(l).Comparable() {
		return false
	}
	return any(l) == any(ms)
}

func orDefault(v, def time.Duration) time.Duration {
	if v == 0 {
		return def
	}
	return v
}

// Respond answers one message. It never fails: every problem becomes a
// polite reply in Chinese, and an empty Text means "send nothing"
// (unsubscribe). It logs exactly one LogEntry per call.
//
// Store outages: when the SessionStore or the RateLimiter fails (or takes
// longer than Options.StoreTimeout), the message is answered as if the
// user had no session and was within the limit; the next message tries
// the store again. When ctx is done, Respond returns a "busy" reply at
// once.
//
// Follow-ups: each question is read against the session's topic (the
// question that opened it, its own terms, and the year and department in
// force), by this rule:
//
//  1. No topic: the question is new (FollowUpNew). A request to act
//     (帮我…) is asked on its own and leaves the topic as it was.
//  2. The turn has no searchable terms of its own but names a year or a
//     department ("那2021年呢", "司法局呢", "去年的呢"): the topic's question
//     is re-asked with the new year and/or department (FollowUpRefine).
//  3. The turn names another department than the topic's and has terms of
//     its own: a new topic; when nothing answers the turn on its own
//     ("换成市监局呢 审了好多"), the topic's question is re-asked of that
//     department as in rule 2.
//  4. Otherwise the turn is read in context (FollowUpContext): its own
//     text, with the topic's terms as Query.Context and the topic's year
//     and department wherever the turn names none. The context must not
//     override the turn: when the best passage matches none of the turn's
//     own terms although other passages match some, the reading counts as
//     unanswered. A turn with few terms of its own (fewer than three
//     words, a word inside another one not counted: "合格率呢", "是哪家律所",
//     "一共多少名", "涉及多少人", "那打官司输了没") takes this reading when it is answered, and also when it
//     is not but names no year or department: it then gets the "not
//     covered" of the topic's report with its related passages, and the
//     topic stays; unless it has two words of its own that one passage of
//     the topic's department holds both of ("普法有啥子不够的" after a
//     question about 审批), which is then asked there (FollowUpFilters).
//  5. Other turns are also asked without the topic's terms:
//     (a) a turn with few terms that names only a year ("2021年罚款多少"),
//     and a turn with enough terms that the context reading leaves
//     unanswered, is first asked within the topic's department, as a new
//     topic there (FollowUpFilters);
//     (b) a turn with enough terms keeps the context reading when it is
//     answered and its best passage matches at least as many of the turn's
//     terms as the best passage of the turn asked on its own;
//     (c) otherwise the turn asked on its own, when answered, starts a new
//     topic (FollowUpNew);
//     (d) failing that, a turn with few terms is re-asked as in rule 2
//     ("那2021年换了吗");
//     (e) failing all, the reply is the "not covered" of the turn on its
//     own, which becomes the topic only when the turn has enough terms,
//     with the topic's year and department where the turn names none.
//
// Departments: a department named in the turn's own text is searched
// first, as in the knowledge base (a question may name one department and
// ask about another's work). A department the conversation carries over
// (rules 2, 4 and 5) is passed as knowledge.Query.Department, a filter:
// only its passages are quoted, and the question is "not covered" in its
// report otherwise.
//
// Close calls: when the best hits cover the question equally well, score
// within 5% of each other and come from different reports or sections, the
// reply asks "您是否想问" with up to three numbered choices instead of
// guessing; a digit picks one.
//
// Republishing: the session remembers hits as references to passages,
// quoted from the knowledge base current for each message. 详情, 更多 and
// digit choices show a passage the reports still hold unchanged as before;
// one that changed or went away is not quoted from memory: the reply says
// the reports changed (the topic stays for follow-ups), see SessionHit.
func (d *Dialogue) Respond(ctx context.Context, m Message) Reply {
	r, _, _ := d.respond(ctx, m, nil)
	return r
}

// respond answers m as Respond documents, claiming c first when it is not
// nil (see RespondOnce).
func (d *Dialogue) respond(ctx context.Context, m Message, c *Claim) (Reply, ClaimOutcome, error) {
	kd := d.derive(d.current())
	t := &turn{d: d, k: kd, kd: kd, ctx: ctx, m: m, start: d.now(), claim: c, outcome: ClaimFailed}
	if m.User != "" {
		t.key = string(m.Channel) + ":" + string(m.User)
	}
	t.entry = LogEntry{
		Time: t.start, Exchange: newExchangeID(), Channel: m.Channel, User: m.User,
		Kind: m.Kind, Text: m.Text,
	}
	if !t.begin() {
		return Reply{}, ClaimLost, nil
	}
	r := t.respond()
	t.offerNotify(&r)
	r.Exchange = t.entry.Exchange
	t.finish(r)
	return r, t.outcome, t.beginErr
}

// turn is the handling of one message.
type turn struct {
	d     *Dialogue
	k     Knowledge // the one knowledge base this message is answered from: kd
	kd    *derivedKnowledge
	ctx   context.Context
	m     Message
	key   string // session and rate-limit key; "" when the user is unknown
	start time.Time
	entry LogEntry

	sess   Session
	loaded bool
	dirty  bool // save sess when done

	claim    *Claim       // RespondOnce's claim; nil for Respond
	outcome  ClaimOutcome // of claim
	beginErr error        // BeginMessage's failure
	counted  bool         // BeginMessage counted the rate limit
	admitted bool         // its verdict
}

// begin does the MessageStore's first round trip: it claims t.claim, loads
// the session and counts the rate limit. It returns false when an earlier
// delivery holds the claim: the message must not be answered. A failing
// store leaves the turn stateless (and the claim failed); without a
// MessageStore nothing happens here and the session and limiter are asked
// as needed.
func (t *turn) begin() bool {
	ms := t.d.messages
	if ms == nil || t.ctx.Err() != nil || t.key == "" && t.claim == nil {
		return true
	}
	claimKey, claimTTL := "", time.Duration(0)
	if t.claim != nil {
		claimKey, claimTTL = t.claim.Key, t.claim.TTL
	}
	limit := 0
	if t.d.countInBegin && t.key != "" && t.m.Kind != KindSubscribe && t.m.Kind != KindUnsubscribe {
		limit = t.d.rateLimit
	}
	type begun struct {
		claimed, allowed bool
		session          []byte
	}
	b, err := withinOn(t.d.workers, t.ctx, t.d.storeTimeout, func(ctx context.Context) (begun, error) {
		claimed, session, allowed, err := ms.BeginMessage(ctx, t.key, claimKey, claimTTL, limit, time.Minute)
		return begun{claimed, allowed, session}, err
	})
	t.loaded = true
	t.sess = decodeSession(nil, nil)
	if err != nil {
		t.beginErr = err
		t.storeFailed("begin message", err)
		t.counted, t.admitted = limit > 0, true
		return true
	}
	if !b.claimed {
		t.outcome = ClaimLost
		return false
	}
	t.outcome = ClaimWon
	if t.key != "" {
		t.sess = decodeSession(b.session, t.k)
	}
	t.counted, t.admitted = limit > 0, b.allowed
	return true
}

func (t *turn) respond() Reply {
	if t.ctx.Err() != nil {
		return Reply{Text: busyText, Intent: IntentBusy}
	}
	switch t.m.Kind {
	case KindUnsubscribe:
		t.deleteSession()
		return Reply{Intent: IntentUnsubscribe}
	case KindSubscribe:
		return t.welcome()
	}
	if !t.allowed() {
		return Reply{Text: rateLimitedText, Intent: IntentRateLimited}
	}
	switch t.m.Kind {
	case KindMenuClick:
		return t.click(strings.TrimSpace(t.m.Text))
	case KindVoice:
		if strings.TrimSpace(t.m.Text) == "" {
			return Reply{Text: voiceEmptyText, Intent: IntentEmpty}
		}
		return t.text(t.m.Text)
	case KindText:
		return t.text(t.m.Text)
	default:
		return Reply{Text: unsupportedText, Intent: IntentUnsupported}
	}
}

// finish saves the session (with the claimed reply, in one round trip on a
// MessageStore) and logs the exchange.
func (t *turn) finish(r Reply) {
	if ms := t.d.messages; ms != nil {
		var data []byte
		if t.dirty && t.key != "" {
			data = t.sess.encode()
		}
		var replyKey string
		var reply []byte
		var replyTTL time.Duration
		if t.claim != nil && t.outcome == ClaimWon {
			replyKey, replyTTL = t.claim.Key, t.claim.TTL
			if t.claim.Cached != nil {
				reply = t.claim.Cached(r)
			} else {
				reply = []byte(r.PlainText())
			}
		}
		if data != nil || replyKey != "" {
			_, err := withinOn(t.d.workers, t.ctx, t.d.storeTimeout, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, ms.FinishMessage(ctx, t.key, data, t.d.ttl, replyKey, reply, replyTTL)
			})
			t.storeFailed("finish message", err)
		}
	} else if t.dirty && t.key != "" && t.d.sessions != nil {
		data := t.sess.encode()
		_, err := withinOn(t.d.workers, t.ctx, t.d.storeTimeout, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, t.d.sessions.SaveSession(ctx, t.key, data, t.d.ttl)
		})
		t.storeFailed("save session", err)
	}
	if t.d.logger == nil {
		return
	}
	e := t.entry
	e.Intent = r.Intent
	e.Answered = r.Answered
	e.Reply = r.Text
	if e.Reason == knowledge.Answered {
		e.Reason = r.Reason
	}
	if e.Hits == nil {
		e.Hits = hitRefs(r.Hits)
	}
	e.Latency = t.d.now().Sub(t.start)
	t.d.logger.Log(context.WithoutCancel(t.ctx), e)
}

func (t *turn) text(text string) Reply {
	text = strings.TrimSpace(text)
	if text == "" {
		return Reply{Text: fmt.Sprintf(emptyText, t.d.hot[0]), Intent: IntentEmpty}
	}
	if n := normalize(text); containsNormalized(n, t.d.sensitive) || containsNormalized(n, t.kd.sensitive) {
		return Reply{Text: sensitiveText, Intent: IntentSensitive}
	}
	switch classify(text) {
	case cmdHelp:
		return t.help()
	case cmdReset:
		t.deleteSession()
		return Reply{Text: resetText, Intent: IntentReset}
	case cmdDetail:
		if r, ok := t.outdated(cmdDetail, 0); ok {
			return r
		}
		return t.detail()
	case cmdMore:
		if r, ok := t.outdated(cmdMore, 0); ok {
			return r
		}
		return t.more()
	case cmdSatisfied:
		return t.feedback(FeedbackSatisfied)
	case cmdUnsatisfied:
		return t.feedback(FeedbackUnsatisfied)
	case cmdGreeting:
		return Reply{Text: fmt.Sprintf(greetingText, t.d.hot[0]), Intent: IntentGreeting}
	case cmdThanks:
		return Reply{Text: thanksText, Intent: IntentThanks}
	case cmdGoodbye:
		return Reply{Text: goodbyeText, Intent: IntentGoodbye}
	case cmdIdentity:
		return Reply{Text: identityText, Intent: IntentIdentity}
	case cmdReports:
		return Reply{Text: coverageText(t.k.Coverage()), Intent: IntentReports}
	case cmdNotifyOff:
		return t.notifyOff()
	}
	if n := choiceNumber(text); n > 0 {
		if len(t.session().Choices) == 0 {
			return Reply{Text: fmt.Sprintf(noChoicesText, t.d.hot[0]), Intent: IntentChoice}
		}
		if r, ok := t.outdated(cmdNone, n); ok {
			return r
		}
		return t.choose(n)
	}
	t.forgetOutdatedFocus()
	return t.question(stripPleasantries(text))
}

func (t *turn) help() Reply {
	return Reply{Text: fmt.Sprintf(helpText, t.d.hot[0]), Intent: IntentHelp}
}

func (t *turn) welcome() Reply {
	qs := t.d.hot[:min(len(t.d.hot), 5)]
	t.sess = Session{Version: sessionVersion, Shown: -1}
	t.loaded = true
	for _, q := range qs {
		t.sess.Choices = append(t.sess.Choices, Choice{Label: q, Question: q})
	}
	t.dirty = true
	return Reply{Text: welcomeText, Choices: qs, Note: welcomeNote, Intent: IntentSubscribe}
}

func (t *turn) click(key string) Reply {
	switch strings.ToUpper(key) {
	case MenuHot:
		return t.hotQuestions()
	case MenuReports:
		return Reply{Text: coverageText(t.k.Coverage()), Intent: IntentReports}
	default:
		return t.help()
	}
}

func (t *turn) hotQuestions() Reply {
	s := t.session()
	s.Choices = nil
	for _, q := range t.d.hot {
		s.Choices = append(s.Choices, Choice{Label: q, Question: q})
	}
	t.dirty = true
	return Reply{Text: "大家常问的问题:", Choices: t.d.hot, Note: "回复数字即可提问,也可以直接输入您的问题。", Intent: IntentHot}
}

func (t *turn) feedback(f Feedback) Reply {
	s := t.session()
	t.entry.Feedback = f
	t.entry.RefersTo = s.Exchange
	if s.Exchange == "" {
		return Reply{Text: noFeedbackText, Intent: IntentFeedback}
	}
	if f == FeedbackSatisfied {
		return Reply{Text: satisfiedText, Intent: IntentFeedback}
	}
	return Reply{Text: fmt.Sprintf(unsatisfiedText, t.d.hotline), Intent: IntentFeedback}
}

// queryNow anchors relative years: the message's time, else the
// Dialogue's clock when one was configured, else the knowledge base's.
func (t *turn) queryNow() time.Time {
	switch {
	case !t.m.Time.IsZero():
		return t.m.Time
	case t.d.ownClock:
		return t.d.now()
	}
	return time.Time{}
}

// session returns the user's session, loading it on first use. A failing
// store yields an empty session.
func (t *turn) session() *Session {
	if t.loaded {
		return &t.sess
	}
	t.loaded = true
	var data []byte
	if t.key != "" && t.d.sessions != nil {
		var err error
		data, err = withinOn(t.d.workers, t.ctx, t.d.storeTimeout, func(ctx context.Context) ([]byte, error) {
			return t.d.sessions.Session(ctx, t.key)
		})
		t.storeFailed("load session", err)
	}
	t.sess = decodeSession(data, t.k)
	return &t.sess
}

func (t *turn) deleteSession() {
	t.sess = Session{Version: sessionVersion, Shown: -1}
	t.loaded, t.dirty = true, false
	if t.key == "" || t.d.sessions == nil {
		return
	}
	_, err := withinOn(t.d.workers, t.ctx, t.d.storeTimeout, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, t.d.sessions.DeleteSession(ctx, t.key)
	})
	t.storeFailed("delete session", err)
}

// allowed applies the rate limit; a failing limiter lets the message in.
func (t *turn) allowed() bool {
	if t.counted {
		return t.admitted
	}
	if t.d.limiter == nil || t.d.rateLimit == 0 || t.key == "" {
		return true
	}
	ok, err := withinOn(t.d.workers, t.ctx, t.d.storeTimeout, func(ctx context.Context) (bool, error) {
		return t.d.limiter.Allow(ctx, t.key, t.d.rateLimit, time.Minute)
	})
	if err != nil {
		t.storeFailed("rate limit", err)
		return true
	}
	return ok
}

func (t *turn) storeFailed(op string, err error) {
	if err == nil {
		return
	}
	msg := op + ": " + err.Error()
	if t.entry.StoreError != "" {
		msg = t.entry.StoreError + "; " + msg
	}
	t.entry.StoreError = msg
	t.d.errLog.Warn("bot: store unavailable, answering statelessly", "op", op, "err", err)
}

// within runs f with a deadline of timeout inside ctx and returns when f
// does or the deadline passes, whichever is first, so that a store that
// ignores its context cannot hold up the reply. f runs on a goroutine of
// its own.
func within[T any](ctx context.Context, timeout time.Duration, f func(context.Context) (T, error)) (T, error) {
	return withinOn(nil, ctx, timeout, f)
}

// withinOn is within with f run on one of pool's workers (a goroutine of
// its own when pool is nil).
func withinOn[T any](pool *workers.Pool, ctx context.Context, timeout time.Duration, f func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	call := func() {
		v, err := f(ctx)
		done <- result{v, err}
	}
	if pool != nil {
		pool.Run(call)
	} else {
		go call()
	}
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// derivedKnowledge is a knowledge base with what the Dialogue derives from
// it kept across messages, as long as the base is current: its sensitive
// words normalized. A base does not change once built (a publish swaps in
// a new one), so neither does what is derived from it; a new base starts
// afresh. It answers as its Knowledge does (which keeps its own recent
// answers and excerpts).
type derivedKnowledge struct {
	Knowledge
	reports   reportSource // Knowledge's, nil when it has none
	sensitive []string     // Knowledge.SensitiveWords, normalized
}

// derive returns k with what the Dialogue derives from it: the one of the
// previous message while k is the same base, else a new one. A Knowledge
// whose dynamic type cannot be compared gets a new one for each message.
func (d *Dialogue) derive(k Knowledge) *derivedKnowledge {
	comparable := reflect.TypeOf(k).Comparable()
	if comparable {
		if dk := d.derived.Load(); dk != nil && dk.Knowledge == k {
			return dk
		}
	}
	dk := &derivedKnowledge{Knowledge: k, sensitive: normalizeAll(k.SensitiveWords())}
	dk.reports, _ = k.(reportSource)
	if comparable {
		d.derived.Store(dk)
	}
	return dk
}

// Report looks a report up in the Knowledge, when it can (see
// reportSource); sessions resolve their hits with it.
func (dk *derivedKnowledge) Report(id knowledge.ReportID) (*knowledge.Report, bool) {
	if dk.reports == nil {
		return nil, false
	}
	return dk.reports.Report(id)
}

// containsNormalized reports whether the normalized text n contains one
// of the normalized words (see containsSensitive).
func containsNormalized(n string, words []string) bool {
	for _, w := range words {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}
