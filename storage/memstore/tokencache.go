package memstore

import (
	"context"
	"fmt"
	"time"
)

// TokenCache caches WeChat access tokens and JS-API tickets for the
// silenceper/wechat/v2 SDK. Its method set is the SDK's cache.Cache and
// cache.ContextCache interfaces; unlike the SDK's own memory cache it is
// safe for concurrent use. Entries live in the Store it came from, under
// the "token:" namespace.
//
// Values are strings: Set accepts a string or a []byte and Get returns a
// string, which is what the SDK stores and type-asserts. Get and IsExist
// report any failure as a miss, since the interface has no error result.
type TokenCache struct {
	s *Store
}

// Get returns the string stored under key, or nil when there is none, it
// has expired or the store is closed.
func (c *TokenCache) Get(key string) interface{} {
	return c.GetContext(context.Background(), key)
}

// GetContext is Get bounded by ctx.
func (c *TokenCache) GetContext(ctx context.Context, key string) interface{} {
	if ctx.Err() != nil {
		return nil
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.s.closed {
		return nil
	}
	it, ok := c.s.get(nsToken + key)
	if !ok {
		return nil
	}
	return string(it.val)
}

// Set stores val, a string or a []byte, under key for timeout. It returns
// an error for any other type of val, a timeout that is not positive, or a
// closed store.
func (c *TokenCache) Set(key string, val interface{}, timeout time.Duration) error {
	return c.SetContext(context.Background(), key, val, timeout)
}

// SetContext is Set bounded by ctx.
func (c *TokenCache) SetContext(ctx context.Context, key string, val interface{}, timeout time.Duration) error {
	b, err := tokenBytes(val)
	if err != nil {
		return err
	}
	if err := c.s.writable(ctx, "set token", "timeout", timeout); err != nil {
		return err
	}
	defer c.s.mu.Unlock()
	c.s.set(nsToken+key, item{val: b, exp: c.s.now().Add(timeout)})
	return nil
}

// IsExist reports whether a live value is stored under key.
func (c *TokenCache) IsExist(key string) bool {
	return c.IsExistContext(context.Background(), key)
}

// IsExistContext is IsExist bounded by ctx.
func (c *TokenCache) IsExistContext(ctx context.Context, key string) bool {
	return c.GetContext(ctx, key) != nil
}

// Delete removes the value under key. Deleting a missing key is not an
// error; a closed store is.
func (c *TokenCache) Delete(key string) error {
	return c.DeleteContext(context.Background(), key)
}

// DeleteContext is Delete bounded by ctx.
func (c *TokenCache) DeleteContext(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: delete token: %w", err)
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.s.closed {
		return fmt.Errorf("memstore: delete token: %w", ErrClosed)
	}
	delete(c.s.items, nsToken+key)
	return nil
}

// tokenBytes converts a token value to bytes, accepting the types the SDK
// stores.
func tokenBytes(val interface{}) ([]byte, error) {
	switch v := val.(type) {
	case string:
		return []byte(v), nil
	case []byte:
		return clone(v), nil
	default:
		return nil, fmt.Errorf("memstore: set token: unsupported value type %T, want string or []byte", val)
	}
}
