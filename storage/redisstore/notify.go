package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"fazhibot/notify"
)

// Key namespaces of the NotifyStore.
const (
	nsNotifyQuestion = "notify:q:"   // + <question hash>:<unix hour>: HASH OpenID → entry
	nsNotifyUser     = "notify:u:"   // + <OpenID>: SET of "<question hash>:<unix hour>"
	nsNotifyKeys     = "notify:keys" // ZSET question key → ms of its latest entry
)

// NotifyStore is the notify.Store in Redis: the citizens waiting for
// answers, shared by every instance. Entries are kept in hourly buckets
// that expire notify.Window plus notify.Grace after their hour began, so
// an OpenID is gone from Redis at most 49 hours after it was stored, no
// matter how many others ask the same question later. Keys (P is the
// Store's prefix):
//
//	P notify:q:<hash>:<hour>   HASH OpenID → {question, time asked}; <hash>
//	                           is the first 12 bytes of the SHA-256 of the
//	                           question key in hex, <hour> Unix hours
//	P notify:u:<OpenID>        SET of "<hash>:<hour>", for 不用通知
//	P notify:keys              ZSET question key → last asked (ms); no OpenIDs
//
// Every key has a TTL. The store's clock is the Go process's (time.Now),
// so instances need synchronised clocks. Safe for concurrent use.
type NotifyStore struct {
	s   *Store
	now func() time.Time
}

// NotifyStore returns the notify.Store on this Store's client. It shares
// the Store's lifetime.
func (s *Store) NotifyStore() *NotifyStore { return &NotifyStore{s: s, now: time.Now} }

// notifyEntry is the stored form of a notify.Pending.
type notifyEntry struct {
	Question string `json:"q"`
	At       int64  `json:"t"` // Unix ms
}

// bucketSpan is how many hourly buckets may hold live entries.
const bucketSpan = int64((notify.Window + notify.Grace) / time.Hour)

func questionHash(key notify.QuestionKey) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:12])
}

func unixHour(t time.Time) int64 { return t.Unix() / 3600 }

// bucketExpiry is when the bucket of hour h expires.
func bucketExpiry(h int64) time.Time {
	return time.Unix(h*3600, 0).Add(notify.Window + notify.Grace)
}

// Add records p under key in the bucket of p.At. An entry whose bucket
// has already expired is not stored.
func (n *NotifyStore) Add(ctx context.Context, key notify.QuestionKey, p notify.Pending) error {
	h := unixHour(p.At)
	exp := bucketExpiry(h)
	if !exp.After(n.now()) {
		return nil
	}
	val, err := json.Marshal(notifyEntry{Question: p.Question, At: p.At.UnixMilli()})
	if err != nil {
		return fmt.Errorf("redisstore: notify add: %w", err)
	}
	bucket := questionHash(key) + ":" + strconv.FormatInt(h, 10)
	qk, uk, kk := n.s.key(nsNotifyQuestion, bucket), n.s.key(nsNotifyUser, string(p.OpenID)), n.s.key(nsNotifyKeys, "")
	_, err = n.s.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.HSet(ctx, qk, string(p.OpenID), val)
		pipe.PExpireAt(ctx, qk, exp)
		pipe.SAdd(ctx, uk, bucket)
		pipe.PExpireAt(ctx, uk, exp)
		pipe.ZAdd(ctx, kk, redis.Z{Score: float64(p.At.UnixMilli()), Member: string(key)})
		pipe.PExpireAt(ctx, kk, exp)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redisstore: notify add: %w", err)
	}
	return nil
}

// Questions returns the question keys asked within notify.Window plus
// notify.Grace, dropping older ones from the index.
func (n *NotifyStore) Questions(ctx context.Context) ([]notify.QuestionKey, error) {
	kk := n.s.key(nsNotifyKeys, "")
	oldest := n.now().Add(-notify.Window - notify.Grace).UnixMilli()
	if err := n.s.rdb.ZRemRangeByScore(ctx, kk, "-inf", "("+strconv.FormatInt(oldest, 10)).Err(); err != nil {
		return nil, fmt.Errorf("redisstore: notify questions: %w", err)
	}
	list, err := n.s.rdb.ZRange(ctx, kk, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: notify questions: %w", err)
	}
	out := make([]notify.QuestionKey, len(list))
	for i, k := range list {
		out[i] = notify.QuestionKey(k)
	}
	return out, nil
}

// buckets returns the keys of the buckets of key that may hold entries.
func (n *NotifyStore) buckets(key notify.QuestionKey) []string {
	hash, last := questionHash(key), unixHour(n.now())
	out := make([]string, 0, bucketSpan+1)
	for h := last - bucketSpan; h <= last; h++ {
		out = append(out, n.s.key(nsNotifyQuestion, hash+":"+strconv.FormatInt(h, 10)))
	}
	return out
}

// Pending returns the entries of key, one per citizen (their latest),
// oldest first.
func (n *NotifyStore) Pending(ctx context.Context, key notify.QuestionKey) ([]notify.Pending, error) {
	buckets := n.buckets(key)
	cmds := make([]*redis.MapStringStringCmd, len(buckets))
	_, err := n.s.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i, b := range buckets {
			cmds[i] = pipe.HGetAll(ctx, b)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("redisstore: notify pending: %w", err)
	}
	latest := map[notify.OpenID]notify.Pending{}
	for _, c := range cmds {
		for id, raw := range c.Val() {
			var e notifyEntry
			if json.Unmarshal([]byte(raw), &e) != nil {
				continue
			}
			p := notify.Pending{OpenID: notify.OpenID(id), Question: e.Question, At: time.UnixMilli(e.At)}
			if old, ok := latest[p.OpenID]; !ok || p.At.After(old.At) {
				latest[p.OpenID] = p
			}
		}
	}
	out := make([]notify.Pending, 0, len(latest))
	for _, p := range latest {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b notify.Pending) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(string(a.OpenID), string(b.OpenID))
	})
	return out, nil
}

// Take removes id's entries of key from every bucket and reports whether
// there were any. HDEL is atomic, so of concurrent takes (on any
// instance) only one sees an entry removed.
func (n *NotifyStore) Take(ctx context.Context, key notify.QuestionKey, id notify.OpenID) (bool, error) {
	buckets := n.buckets(key)
	cmds := make([]*redis.IntCmd, len(buckets))
	_, err := n.s.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i, b := range buckets {
			cmds[i] = pipe.HDel(ctx, b, string(id))
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("redisstore: notify take: %w", err)
	}
	for _, c := range cmds {
		if c.Val() > 0 {
			return true, nil
		}
	}
	return false, nil
}

// Forget removes every entry of id and returns how many questions it
// waited on.
func (n *NotifyStore) Forget(ctx context.Context, id notify.OpenID) (int, error) {
	uk := n.s.key(nsNotifyUser, string(id))
	buckets, err := n.s.rdb.SMembers(ctx, uk).Result()
	if err != nil {
		return 0, fmt.Errorf("redisstore: notify forget: %w", err)
	}
	cmds := make([]*redis.IntCmd, len(buckets))
	_, err = n.s.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i, b := range buckets {
			cmds[i] = pipe.HDel(ctx, n.s.key(nsNotifyQuestion, b), string(id))
		}
		pipe.Del(ctx, uk)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("redisstore: notify forget: %w", err)
	}
	questions := map[string]bool{}
	for i, c := range cmds {
		if c.Val() > 0 {
			hash, _, _ := strings.Cut(buckets[i], ":")
			questions[hash] = true
		}
	}
	return len(questions), nil
}
