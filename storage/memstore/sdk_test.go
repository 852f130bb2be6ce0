package memstore_test

import (
	"github.com/silenceper/wechat/v2/cache"

	"fazhibot/storage/memstore"
)

// TokenCache plugs into the silenceper/wechat/v2 SDK, with context support.
var (
	_ cache.Cache        = (*memstore.TokenCache)(nil)
	_ cache.ContextCache = (*memstore.TokenCache)(nil)
)
