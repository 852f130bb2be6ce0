package redisstore_test

import (
	"github.com/silenceper/wechat/v2/cache"

	"fazhibot/storage/redisstore"
)

// TokenCache plugs into the silenceper/wechat/v2 SDK, with context support.
var (
	_ cache.Cache        = (*redisstore.TokenCache)(nil)
	_ cache.ContextCache = (*redisstore.TokenCache)(nil)
)
