package knowledge

import (
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Many citizens ask the same questions (the menu's 热门问题, a figure in
// the news) and the same follow-ups to them (那2021年呢). A Base answers a
// query the same way every time, so it keeps the latest answers: a
// repeated query costs a map lookup instead of a search. It keeps what it
// understood of recent questions too (segmented, corrected against the
// sound index, weighed), which the dialogue asks for before every
// question, and the excerpts it quoted, which 更多, 详情 and numbered
// choices ask for again. The caches belong to the Base, so a new published
// version starts with empty ones.

// cacheSize bounds the values a recent cache keeps; when it is full, the
// cache starts over.
const cacheSize = 2048

// answerKey identifies an answer: everything of the query that Answer
// reads.
type answerKey struct {
	text    string
	year    int    // Query.Year
	dept    string // Query.Department
	limit   int
	nowYear int    // relative years (去年) depend on it
	context string // Query.Context, joined by NULs
	years   string // Query.Years, in decimal, each followed by a comma
	focus   PassageKey
	focused bool // Query.Focus is set
}

// excerptKey identifies an excerpt: the hit's passage (and its text, which
// is quoted as it is when the Base lacks the passage) and the query.
type excerptKey struct {
	report ReportID
	seq    int
	text   string
	query  answerKey
}

// understandKey identifies an Understanding of a Query with only Text
// and Now: the year of Now matters (去年).
type understandKey struct {
	text    string
	nowYear int
}

// recent keeps the latest values by key, copied in and out with clone so
// that neither the cache nor a caller sees the other's changes. The zero
// value with clone set is empty. It is safe for concurrent use.
type recent[K comparable, V any] struct {
	off   bool // keep nothing
	clone func(V) V
	mu    sync.Mutex
	m     map[K]V
}

// cacheKey returns the key of q's answer, or false when the caches are
// off.
func (b *Base) cacheKey(q Query) (answerKey, bool) {
	if b.answers.off {
		return answerKey{}, false
	}
	now := q.Now
	if now.IsZero() {
		now = b.now()
	}
	k := answerKey{text: q.Text, year: q.Year, dept: q.Department, limit: b.limit(q), nowYear: now.Year(),
		context: strings.Join(q.Context, "\x00")}
	if len(q.Years) > 0 {
		years := make([]byte, 0, 5*len(q.Years))
		for _, y := range q.Years {
			years = strconv.AppendInt(years, int64(y), 10)
			years = append(years, ',')
		}
		k.years = string(years)
	}
	if q.Focus != nil {
		k.focus, k.focused = *q.Focus, true
	}
	return k, true
}

// get returns a copy of the value kept for k.
func (c *recent[K, V]) get(k K) (V, bool) {
	c.mu.Lock()
	v, ok := c.m[k]
	c.mu.Unlock()
	if !ok {
		return v, false
	}
	return c.clone(v), true
}

// put keeps a copy of v for k, unless c is off.
func (c *recent[K, V]) put(k K, v V) {
	if c.off {
		return
	}
	v = c.clone(v)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= cacheSize {
		c.m = make(map[K]V, cacheSize)
	}
	c.m[k] = v
}

// understandKeyOf returns the key of q's Understanding, or false when q
// carries more than Text and Now.
func (b *Base) understandKeyOf(q Query) (understandKey, bool) {
	if b.understood.off || q.Year != 0 || q.Department != "" || q.Limit != 0 || len(q.Context) > 0 ||
		len(q.Years) > 0 || q.Focus != nil {
		return understandKey{}, false
	}
	now := q.Now
	if now.IsZero() {
		now = b.now()
	}
	return understandKey{text: q.Text, nowYear: now.Year()}, true
}

// clone returns a copy of u that shares no slice with it.
func (u Understanding) clone() Understanding {
	u.Terms = slices.Clone(u.Terms)
	u.Corrections = slices.Clone(u.Corrections)
	return u
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
