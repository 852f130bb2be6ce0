package redisstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// BeginMessage does in one round trip (one pipeline) the store work a
// message needs before it is answered:
//
//   - when claimKey is not empty, it claims claimKey for claimTTL as Claim
//     does (SET NX of a random token, read back in the same pipeline, so a
//     claim whose reply was lost and retried by go-redis is still
//     recognised) and reports in claimed whether this call holds it; with
//     an empty claimKey, claimed is true;
//   - it reads user's session as Session does (nil when there is none);
//   - when limit > 0, it counts one call of user against limit calls per
//     window as Allow does and reports in allowed whether it fits; with
//     limit <= 0, allowed is true.
//
// All three happen whatever the claim's outcome: a redelivered message is
// counted against the rate limit too, erring on the strict side. On Redis
// 7.0 and later this takes four commands (SET … NX GET, GET, INCR,
// PEXPIRE … NX). An older server refuses two of them; the Store then
// switches for good to the commands it knows (SET NX, GET, GET and the rate
// script by EVALSHA, which after a Redis restart that lost it costs a second
// round trip to load), at the cost of that first call's second round trip. In Redis Cluster the keys live in
// different slots and go-redis sends the pipeline to each node at once.
// The pipeline may carry the commands of other messages too (see
// pipeBatch).
//
// It returns an error when claimTTL (with a claimKey) or window (with a
// limit) is not positive, or when Redis fails; the other results are then
// zero. It is safe for concurrent use.
func (s *Store) BeginMessage(ctx context.Context, user, claimKey string, claimTTL time.Duration, limit int, window time.Duration) (claimed bool, session []byte, allowed bool, err error) {
	if claimKey != "" {
		if err := positive("begin message", "claim ttl", claimTTL); err != nil {
			return false, nil, false, err
		}
	}
	if limit > 0 {
		if err := positive("begin message", "window", window); err != nil {
			return false, nil, false, err
		}
	}
	claimed, session, allowed, err = s.beginMessage(ctx, user, claimKey, claimTTL, limit, window, s.legacy.Load())
	if err != nil && !s.legacy.Load() && errors.Is(err, errOldServer) {
		// Once per Store: the server predates Redis 7.0. Nothing of the
		// claim was written; the message is counted against the rate limit
		// twice, erring on the strict side.
		s.legacy.Store(true)
		claimed, session, allowed, err = s.beginMessage(ctx, user, claimKey, claimTTL, limit, window, true)
	}
	return claimed, session, allowed, err
}

// errOldServer marks a command Redis refused because it predates Redis 7.0
// (SET with both NX and GET, PEXPIRE with NX).
var errOldServer = errors.New("redis server older than 7.0")

// oldServer reports whether err is how a Redis older than 7.0 refuses SET
// … NX GET (a syntax error) or PEXPIRE … NX (wrong number of arguments
// before 7.0).
func oldServer(err error) bool {
	return err != nil && err != redis.Nil && (redis.HasErrorPrefix(err, "syntax error") || redis.HasErrorPrefix(err, "wrong number of arguments") ||
		redis.HasErrorPrefix(err, "Unsupported option"))
}

// beginMessage is BeginMessage with the commands of Redis 7.0 (SET … NX GET
// for the claim, INCR and PEXPIRE … NX for the rate limit: four commands
// that Redis runs in about half the time of the older forms), or with
// legacy those of earlier versions (SET NX and GET, the rate script by
// EVALSHA). Refused commands of 7.0 are an error wrapping errOldServer.
//
// The commands are built here rather than through a redis.Pipeliner, so
// that the call allocates only them. The rate limit's come first: go-redis
// inspects the first reply of every pipeline for a reason to retry it, and
// the claim's is nearly always nil, which costs that inspection a dozen
// error checks; INCR's is a number. The keys differ, so the order does not
// change what Redis does.
func (s *Store) beginMessage(ctx context.Context, user, claimKey string, claimTTL time.Duration, limit int, window time.Duration, legacy bool) (claimed bool, session []byte, allowed bool, err error) {
	var (
		token    string
		cmds     = make([]redis.Cmder, 0, 4)
		claim    *redis.Cmd // 7.0: SET NX GET
		setNX    *redis.BoolCmd
		holder   *redis.StringCmd
		count    *redis.Cmd    // legacy: the script
		incr     *redis.IntCmd // 7.0: INCR, then
		expire   *redis.Cmd    // PEXPIRE NX
		rateKey  string
		windowMS int64
	)
	if limit > 0 {
		windowMS = ms(window).Milliseconds()
		rateKey = s.key(nsRate, strconv.FormatInt(windowMS, 10)+":"+user)
		if legacy {
			count = redis.NewCmd(ctx, "evalsha", s.allow.Hash(), 1, rateKey, windowMS)
			cmds = append(cmds, count)
		} else {
			// The script's rule without the script: a counter without a
			// TTL (just created, or left by a pipeline cut short
			// between the two) gets the window's. The key is boxed once
			// for both.
			key := any(rateKey)
			incr = redis.NewIntCmd(ctx, "incr", key)
			expire = redis.NewCmd(ctx, "pexpire", key, windowMS, "nx")
			cmds = append(cmds, incr, expire)
		}
	}
	if claimKey != "" {
		k := s.key(nsClaim, claimKey)
		token = rand.Text()
		if legacy {
			setNX = redis.NewBoolCmd(ctx, "set", k, token, "px", ms(claimTTL).Milliseconds(), "nx")
			holder = redis.NewStringCmd(ctx, "get", k)
			cmds = append(cmds, setNX, holder)
		} else {
			claim = redis.NewCmd(ctx, "set", k, token, "px", ms(claimTTL).Milliseconds(), "nx", "get")
			cmds = append(cmds, claim)
		}
	}
	sess := redis.NewStringCmd(ctx, "get", s.key(nsSession, user))
	cmds = append(cmds, sess)

	perr := s.batch.do(ctx, s.rdb, cmds)
	if perr == nil && !legacy {
		for _, c := range []*redis.Cmd{claim, expire} {
			if c != nil && oldServer(c.Err()) {
				return false, nil, false, fmt.Errorf("redisstore: begin message: %w: %w", errOldServer, c.Err())
			}
		}
	}
	if perr == nil {
		perr = firstFailure(cmds)
	}
	if perr != nil {
		return false, nil, false, fmt.Errorf("redisstore: begin message: %w", perr)
	}

	claimed = true
	switch {
	case holder != nil:
		h, err := holder.Result()
		switch {
		case errors.Is(err, redis.Nil):
			claimed = false // claimed by someone else and expired meanwhile
		case err != nil:
			return false, nil, false, fmt.Errorf("redisstore: begin message: claim: %w", err)
		default:
			claimed = h == token
		}
	case claim != nil:
		// The old value: none when this call set it, this call's token
		// when go-redis retried a SET whose reply was lost.
		h, err := claim.Text()
		switch {
		case errors.Is(err, redis.Nil):
		case err != nil:
			return false, nil, false, fmt.Errorf("redisstore: begin message: claim: %w", err)
		default:
			claimed = h == token
		}
	}
	switch b, err := sess.Bytes(); {
	case errors.Is(err, redis.Nil):
	case err != nil:
		return false, nil, false, fmt.Errorf("redisstore: begin message: session: %w", err)
	case b == nil:
		session = []byte{}
	default:
		session = b
	}
	allowed = true
	switch {
	case count != nil:
		n, err := count.Int64()
		if redis.HasErrorPrefix(err, "NOSCRIPT") {
			n, err = s.allow.Run(ctx, s.rdb, []string{rateKey}, windowMS).Int64()
		}
		if err != nil {
			return false, nil, false, fmt.Errorf("redisstore: begin message: rate limit: %w", err)
		}
		allowed = n <= int64(limit)
	case incr != nil:
		allowed = incr.Val() <= int64(limit)
	}
	return claimed, session, allowed, nil
}

// firstFailure returns the first error of cmds other than redis.Nil and
// NOSCRIPT, which the caller reads as results: what go-redis' Pipelined
// would have returned for a pipeline of these commands alone, less those.
func firstFailure(cmds []redis.Cmder) error {
	for _, c := range cmds {
		if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) && !redis.HasErrorPrefix(err, "NOSCRIPT") {
			return err
		}
	}
	return nil
}

// FinishMessage does in one round trip the store work of a message after
// it was answered: when session is not nil, it saves it as user's session
// for sessionTTL as SaveSession does; when replyKey is not empty, it caches
// reply under replyKey for replyTTL as SaveReply does (a nil reply is
// cached as empty). With neither it does nothing and contacts no one. The
// pipeline may carry the commands of other messages too (see pipeBatch).
//
// It returns an error when a TTL it needs is not positive, or when Redis
// fails; either write may then have happened or not. It is safe for
// concurrent use.
func (s *Store) FinishMessage(ctx context.Context, user string, session []byte, sessionTTL time.Duration, replyKey string, reply []byte, replyTTL time.Duration) error {
	if session != nil {
		if err := positive("finish message", "session ttl", sessionTTL); err != nil {
			return err
		}
	}
	if replyKey != "" {
		if err := positive("finish message", "reply ttl", replyTTL); err != nil {
			return err
		}
	}
	if session == nil && replyKey == "" {
		return nil
	}
	if reply == nil {
		reply = []byte{}
	}
	cmds := make([]redis.Cmder, 0, 2)
	if session != nil {
		cmds = append(cmds, redis.NewStatusCmd(ctx, "set", s.key(nsSession, user), session, "px", ms(sessionTTL).Milliseconds()))
	}
	if replyKey != "" {
		cmds = append(cmds, redis.NewStatusCmd(ctx, "set", s.key(nsReply, replyKey), reply, "px", ms(replyTTL).Milliseconds()))
	}
	err := s.batch.do(ctx, s.rdb, cmds)
	if err == nil {
		err = firstFailure(cmds)
	}
	if err != nil {
		return fmt.Errorf("redisstore: finish message: %w", err)
	}
	return nil
}

// maxFlights is how many pipelines of a pipeBatch may be on the wire at
// once; more calls wait for the next one.
const maxFlights = 2

// pipeBatch sends the pipelines of concurrent BeginMessage and
// FinishMessage calls together. A call goes out at once, in a pipeline of
// its own, while fewer than maxFlights pipelines are on the wire; otherwise
// it waits, and when a pipeline returns, one of the calls that waited sends
// all of them in the next. Under load, a message's two round trips thus
// share one write and one read (on this side and on Redis') with the
// messages that arrived meanwhile, instead of paying for their own; alone,
// a message waits for nobody. Each call still gets its own commands'
// results and errors. The zero value is ready to use; it is safe for
// concurrent use.
type pipeBatch struct {
	mu      sync.Mutex
	flying  int          // pipelines on the wire
	waiting []*pipedCall // for the next pipeline
}

// pipedCall is one call's part of a pipeline.
type pipedCall struct {
	ctx  context.Context
	cmds []redis.Cmder // the call's commands
	err  error         // set when the call's commands were not sent
	// wake receives nil when the call's commands have run, or the calls
	// this call must now send (itself among them).
	wake chan []*pipedCall
}

// do sends cmds (with ctx) in a pipeline, possibly with other calls', and
// returns once they have run. The error is not nil only when they were
// not sent: ctx was done before it was their turn. The commands' own
// errors are theirs.
func (b *pipeBatch) do(ctx context.Context, rdb redis.UniversalClient, cmds []redis.Cmder) error {
	b.mu.Lock()
	if b.flying < maxFlights {
		b.flying++
		b.mu.Unlock()
		// Nothing keeps a call sent at once: it stays on the stack.
		c := pipedCall{ctx: ctx, cmds: cmds}
		calls := [1]*pipedCall{&c}
		b.fly(rdb, calls[:])
		return c.err
	}
	c := &pipedCall{ctx: ctx, cmds: cmds, wake: make(chan []*pipedCall, 1)}
	b.waiting = append(b.waiting, c)
	b.mu.Unlock()
	// A call that waits is not abandoned when ctx ends: its turn comes
	// within one pipeline's time (bounded by go-redis' timeouts), and the
	// calls after it may be waiting for it to send theirs. Callers bound
	// their wait themselves (bot's within).
	if calls := <-c.wake; calls != nil {
		b.fly(rdb, calls)
	}
	return c.err
}

// fly sends calls in one pipeline, wakes them (but the first, which is the
// caller) and hands the calls that waited meanwhile to the first of them.
// The pipeline's context carries the first call's values and the latest
// of the calls' deadlines; a call whose context is already done is not
// sent.
func (b *pipeBatch) fly(rdb redis.UniversalClient, calls []*pipedCall) {
	var (
		deadline time.Time
		bounded  = true
		sent     = 0
	)
	for _, c := range calls {
		if err := c.ctx.Err(); err != nil {
			c.err = err
			continue
		}
		sent++
		if d, ok := c.ctx.Deadline(); !ok {
			bounded = false
		} else if d.After(deadline) {
			deadline = d
		}
	}
	if sent > 0 {
		ctx := context.WithoutCancel(calls[0].ctx)
		if bounded {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, deadline)
			defer cancel()
		}
		p := rdb.Pipeline()
		for _, c := range calls {
			if c.err == nil {
				_ = p.BatchProcess(ctx, c.cmds...) // queues; cannot fail
			}
		}
		// Every command's error is its own; Exec's is one of them.
		_, _ = p.Exec(ctx)
	}
	for _, c := range calls[1:] {
		c.wake <- nil
	}

	b.mu.Lock()
	next := b.waiting
	b.waiting = nil
	if len(next) == 0 {
		b.flying--
	}
	b.mu.Unlock()
	if len(next) > 0 {
		next[0].wake <- next
	}
}
