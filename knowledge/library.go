package knowledge

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// LibraryOptions configure a Library's bases.
type LibraryOptions struct {
	// DictDir holds gojieba's dictionaries (see NewSegmenter). Required.
	DictDir string
	// MinConfidence, MaxHits and Now are passed to Build.
	MinConfidence float64
	MaxHits       int
	Now           func() time.Time
}

// Library holds the Base in service and builds new ones from published
// Content in the background of a running server. Current is lock-free and
// safe for concurrent use; a caller that takes one Base answers a whole
// message from it, so an answer never mixes two versions. Load may be
// called from several goroutines; they build one at a time.
type Library struct {
	opts LibraryOptions
	cur  atomic.Pointer[loaded]

	mu       sync.Mutex // serialises Load
	seg      *Segmenter
	segWords []string
}

// NewLibrary returns an empty Library: Current is nil until Load succeeds.
func NewLibrary(opts LibraryOptions) *Library {
	return &Library{opts: opts}
}

// loaded is a Base and the version it was built from, swapped as one.
type loaded struct {
	base    *Base
	version int64
}

// Current returns the Base in service and its version as given to Load,
// or nil and 0 before the first Load.
func (l *Library) Current() (*Base, int64) {
	if c := l.cur.Load(); c != nil {
		return c.base, c.version
	}
	return nil, 0
}

// Load builds a Base from c and swaps it in as version. The term lists
// come from c.TermFiles; when their dictionary words differ from the
// current ones a new Segmenter is made (the old one is freed once no Base
// uses it). A Content whose term lists do not parse is an error, and the
// Base in service stays.
func (l *Library) Load(c *Content, version int64) (*Base, error) {
	terms, err := LoadTerms(c.TermFS())
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	words := terms.SegmenterWords()
	slices.Sort(words)
	seg := l.seg
	if seg == nil || !slices.Equal(words, l.segWords) {
		// The old Segmenter is not closed: Bases still answering from it
		// hold it, and gojieba frees it when it becomes unreachable.
		if seg, err = NewSegmenter(l.opts.DictDir, words); err != nil {
			return nil, err
		}
		l.seg, l.segWords = seg, words
	}
	b, err := Build(c.Reports, Options{
		Segmenter:     seg,
		Terms:         terms,
		MinConfidence: l.opts.MinConfidence,
		MaxHits:       l.opts.MaxHits,
		Now:           l.opts.Now,
		FAQs:          c.FAQs,
	})
	if err != nil {
		return nil, fmt.Errorf("knowledge: building version %d: %w", version, err)
	}
	l.cur.Store(&loaded{base: b, version: version})
	return b, nil
}
