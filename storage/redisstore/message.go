package redisstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
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
// counted against the rate limit too, erring on the strict side. The rate
// script runs by EVALSHA; after a Redis restart that lost it, that one call
// costs a second round trip to load it. In Redis Cluster the keys live in
// different slots and go-redis sends the pipeline to each node at once.
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
	var (
		token    = rand.Text()
		holder   *redis.StringCmd
		sess     *redis.StringCmd
		count    *redis.Cmd
		rateKey  string
		windowMS int64
	)
	_, perr := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		if claimKey != "" {
			k := s.key(nsClaim, claimKey)
			p.SetNX(ctx, k, token, ms(claimTTL))
			holder = p.Get(ctx, k)
		}
		sess = p.Get(ctx, s.key(nsSession, user))
		if limit > 0 {
			windowMS = ms(window).Milliseconds()
			rateKey = s.key(nsRate, strconv.FormatInt(windowMS, 10)+":"+user)
			count = p.EvalSha(ctx, s.allow.Hash(), []string{rateKey}, windowMS)
		}
		return nil
	})
	if perr != nil && !errors.Is(perr, redis.Nil) && !redis.HasErrorPrefix(perr, "NOSCRIPT") {
		return false, nil, false, fmt.Errorf("redisstore: begin message: %w", perr)
	}

	claimed = true
	if holder != nil {
		h, err := holder.Result()
		switch {
		case errors.Is(err, redis.Nil):
			claimed = false // claimed by someone else and expired meanwhile
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
	if count != nil {
		n, err := count.Int64()
		if redis.HasErrorPrefix(err, "NOSCRIPT") {
			n, err = s.allow.Run(ctx, s.rdb, []string{rateKey}, windowMS).Int64()
		}
		if err != nil {
			return false, nil, false, fmt.Errorf("redisstore: begin message: rate limit: %w", err)
		}
		allowed = n <= int64(limit)
	}
	return claimed, session, allowed, nil
}

// FinishMessage does in one round trip the store work of a message after
// it was answered: when session is not nil, it saves it as user's session
// for sessionTTL as SaveSession does; when replyKey is not empty, it caches
// reply under replyKey for replyTTL as SaveReply does (a nil reply is
// cached as empty). With neither it does nothing and contacts no one.
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
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		if session != nil {
			p.Set(ctx, s.key(nsSession, user), session, ms(sessionTTL))
		}
		if replyKey != "" {
			p.Set(ctx, s.key(nsReply, replyKey), reply, ms(replyTTL))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redisstore: finish message: %w", err)
	}
	return nil
}
