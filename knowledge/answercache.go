package knowledge

import (
	"slices"
	"sync"
)

// Many citizens ask the same questions (the menu's 热门问题, a figure in
// the news). A Base answers a question without conversation context the
// same way every time, so it keeps the latest such answers: a repeated
// question costs a map lookup instead of a search. The cache belongs to
// the Base, so a new published version starts with an empty one.

// answerCacheSize bounds the answers a Base keeps; when it is full, the
// cache starts over.
const answerCacheSize = 2048

// answerKey identifies an answer that does not depend on a conversation.
type answerKey struct {
	text    string
	year    int    // Query.Year
	dept    string // Query.Department
	limit   int
	nowYear int // relative years (去年) depend on it
}

// answerCache holds answers by key. It is safe for concurrent use.
type answerCache struct {
	off     bool // keep nothing
	mu      sync.Mutex
	answers map[answerKey]Answer
}

// cacheKey returns the key of q's answer, or false when the answer
// depends on the conversation (Context, Focus, Years) and is not cached.
func (b *Base) cacheKey(q Query) (answerKey, bool) {
	if b.answers.off || len(q.Context) > 0 || q.Focus != nil || len(q.Years) > 0 {
		return answerKey{}, false
	}
	now := q.Now
	if now.IsZero() {
		now = b.now()
	}
	return answerKey{text: q.Text, year: q.Year, dept: q.Department, limit: b.limit(q), nowYear: now.Year()}, true
}

// get returns a copy of the answer kept for k.
func (c *answerCache) get(k answerKey) (Answer, bool) {
	c.mu.Lock()
	a, ok := c.answers[k]
	c.mu.Unlock()
	return a.clone(), ok
}

// put keeps a copy of a for k.
func (c *answerCache) put(k answerKey, a Answer) {
	a = a.clone()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.answers == nil || len(c.answers) >= answerCacheSize {
		c.answers = make(map[answerKey]Answer, answerCacheSize)
	}
	c.answers[k] = a
}

// clone returns a copy of a that shares no slice with it, so that neither
// the cache nor a caller sees the other's changes.
func (a Answer) clone() Answer {
	a.Hits = slices.Clone(a.Hits)
	for i := range a.Hits {
		a.Hits[i].Path = slices.Clone(a.Hits[i].Path)
		a.Hits[i].Matched = slices.Clone(a.Hits[i].Matched)
	}
	a.Terms = slices.Clone(a.Terms)
	a.Corrections = slices.Clone(a.Corrections)
	a.Figures = slices.Clone(a.Figures)
	if a.FAQ != nil {
		f := *a.FAQ
		a.FAQ = &f
	}
	return a
}
