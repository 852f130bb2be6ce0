package redisstore

import (
	"context"
	"fmt"
	"time"
)

// TokenCache caches WeChat access tokens and JS-API tickets for the
// silenceper/wechat/v2 SDK on the Store's go-redis v9 client, so that every
// bot instance shares one token (WeChat invalidates the previous token
// whenever a new one is fetched). Its method set is the SDK's cache.Cache
// and cache.ContextCache interfaces; unlike the SDK's own caches it needs
// neither go-redis v8 nor a lock, and it is safe for concurrent use. Keys
// are stored as P "token:" <key>.
//
// Values are strings: Set accepts a string or a []byte and Get returns a
// string, which is what the SDK stores and type-asserts. Get and IsExist
// report any failure, an unreachable Redis included, as a miss, since the
// interface has no error result; the SDK then fetches a fresh token from
// WeChat. The methods without a context are bounded by the Store's
// timeouts.
type TokenCache struct {
	s *Store
}

// Get returns the string stored under key, or nil when there is none, it
// has expired or Redis failed.
func (c *TokenCache) Get(key string) interface{} {
	return c.GetContext(context.Background(), key)
}

// GetContext is Get bounded by ctx.
func (c *TokenCache) GetContext(ctx context.Context, key string) interface{} {
	v, err := c.s.rdb.Get(ctx, c.s.key(nsToken, key)).Result()
	if err != nil {
		return nil
	}
	return v
}

// Set stores val, a string or a []byte, under key for timeout (rounded up
// to whole milliseconds). It returns an error for any other type of val, a
// timeout that is not positive, or a Redis failure.
func (c *TokenCache) Set(key string, val interface{}, timeout time.Duration) error {
	return c.SetContext(context.Background(), key, val, timeout)
}

// SetContext is Set bounded by ctx.
func (c *TokenCache) SetContext(ctx context.Context, key string, val interface{}, timeout time.Duration) error {
	switch val.(type) {
	case string, []byte:
	default:
		return fmt.Errorf("redisstore: set token: unsupported value type %T, want string or []byte", val)
	}
	if err := positive("set token", "timeout", timeout); err != nil {
		return err
	}
	if err := c.s.rdb.Set(ctx, c.s.key(nsToken, key), val, ms(timeout)).Err(); err != nil {
		return fmt.Errorf("redisstore: set token: %w", err)
	}
	return nil
}

// IsExist reports whether a live value is stored under key; false when
// Redis failed.
func (c *TokenCache) IsExist(key string) bool {
	return c.IsExistContext(context.Background(), key)
}

// IsExistContext is IsExist bounded by ctx.
func (c *TokenCache) IsExistContext(ctx context.Context, key string) bool {
	n, err := c.s.rdb.Exists(ctx, c.s.key(nsToken, key)).Result()
	return err == nil && n > 0
}

// Delete removes the value under key. Deleting a missing key is not an
// error; a Redis failure is.
func (c *TokenCache) Delete(key string) error {
	return c.DeleteContext(context.Background(), key)
}

// DeleteContext is Delete bounded by ctx.
func (c *TokenCache) DeleteContext(ctx context.Context, key string) error {
	if err := c.s.rdb.Del(ctx, c.s.key(nsToken, key)).Err(); err != nil {
		return fmt.Errorf("redisstore: delete token: %w", err)
	}
	return nil
}
