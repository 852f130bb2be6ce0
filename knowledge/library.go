package knowledge

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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
	// SnapshotDir, when not empty, is where Load keeps the built index of
	// each published version (version > 0; a draft's never) in a file, and
	// where it reads one first: a start or a reload of a version already
	// built reads its index instead of building it again. A file is only
	// read when it was written by the same executable, for the same
	// version, from the same reports, term lists and dictionaries, and
	// when its checksum matches; otherwise (missing, stale or corrupt) the
	// index is built and the file written again. The directory is created
	// when missing; the files of the three versions loaded last are kept.
	SnapshotDir string
	// Log receives what happens to snapshots: Info lines when one is
	// read, written, or stale (written for other inputs, as after an
	// upgrade), Warn lines when one is corrupt or cannot be read or
	// written (the index is then built, or served without a snapshot).
	// Nil discards them.
	Log *slog.Logger
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
	segHash  [32]byte // of seg's dictionary files and words, for snapshots

	code     sync.Once // hashes the executable, for snapshots
	codeHash [32]byte
	codeErr  error
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
	snap := l.opts.SnapshotDir != "" && version > 0
	// Hashing the content for a snapshot and loading the dictionaries do
	// not depend on each other: at a start, they run at once.
	var content [32]byte
	hashed := make(chan struct{})
	if snap {
		go func() {
			defer close(hashed)
			l.code.Do(func() { l.codeHash, l.codeErr = executableHash() })
			h := sha256.New()
			snapshotInputs(h, c)
			content = [32]byte(h.Sum(nil))
		}()
	} else {
		close(hashed)
	}
	words := terms.SegmenterWords()
	slices.Sort(words)
	seg := l.seg
	if seg == nil || !slices.Equal(words, l.segWords) {
		// The old Segmenter is not closed: Bases still answering from it
		// hold it, and gojieba frees it when it becomes unreachable.
		if seg, err = NewSegmenter(l.opts.DictDir, words); err != nil {
			<-hashed
			return nil, err
		}
		l.seg, l.segWords, l.segHash = seg, words, [32]byte{}
	}
	<-hashed
	opts := Options{
		Segmenter:     seg,
		Terms:         terms,
		MinConfidence: l.opts.MinConfidence,
		MaxHits:       l.opts.MaxHits,
		Now:           l.opts.Now,
		FAQs:          c.FAQs,
	}
	var inputs [32]byte
	if snap {
		if inputs, err = l.inputs(content); err != nil {
			l.log().Warn("index snapshots are off: the inputs cannot be hashed", "err", err)
			snap = false
		}
	}
	var b *Base
	if snap {
		b = l.readSnapshot(c, opts, version, inputs)
	}
	var compounds map[string]int
	if b == nil {
		if b, compounds, err = build(c.Reports, opts); err != nil {
			return nil, fmt.Errorf("knowledge: building version %d: %w", version, err)
		}
	}
	l.cur.Store(&loaded{base: b, version: version})
	if snap && !b.fromSnapshot {
		l.writeSnapshot(b, compounds, version, inputs)
	}
	return b, nil
}

// snapshotsKept is how many snapshot files a Library keeps: the version
// in service and the two before it, which a restore may bring back.
const snapshotsKept = 3

// snapshotPath is the file of version's snapshot.
func (l *Library) snapshotPath(version int64) string {
	return filepath.Join(l.opts.SnapshotDir, "kb-"+strconv.FormatInt(version, 10)+snapshotExt)
}

const snapshotExt = ".idx"

// inputs hashes everything an index is built from: the executable (its
// code decides how text is indexed), the segmenter's dictionaries and
// words, and the content's reports and term lists, whose hash is given
// (see snapshotInputs). The caller holds l.mu and has hashed the
// executable.
func (l *Library) inputs(content [32]byte) ([32]byte, error) {
	if l.codeErr != nil {
		return [32]byte{}, l.codeErr
	}
	if l.segHash == ([32]byte{}) {
		h := sha256.New()
		for _, name := range jiebaFiles {
			fh, err := fileHash(filepath.Join(l.opts.DictDir, name))
			if err != nil {
				return [32]byte{}, err
			}
			fmt.Fprintf(h, "%s %x\n", name, fh)
		}
		for _, w := range l.segWords {
			fmt.Fprintf(h, "%q\n", w)
		}
		l.segHash = [32]byte(h.Sum(nil))
	}
	h := sha256.New()
	fmt.Fprintf(h, "fazhibot index %d\ncode %x\nsegmenter %x\ncontent %x\n", snapshotFormat, l.codeHash, l.segHash, content)
	return [32]byte(h.Sum(nil)), nil
}

// executableHash is the SHA-256 of the running executable.
func executableHash() ([32]byte, error) {
	// /proc/self/exe is the running file even after it was replaced on disk.
	if h, err := fileHash("/proc/self/exe"); err == nil {
		return h, nil
	}
	path, err := os.Executable()
	if err != nil {
		return [32]byte{}, err
	}
	return fileHash(path)
}

// readSnapshot returns the Base version's snapshot holds, or nil when
// there is none usable (saying why, unless there is none at all).
func (l *Library) readSnapshot(c *Content, opts Options, version int64, inputs [32]byte) *Base {
	path := l.snapshotPath(version)
	f, err := os.Open(path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			l.log().Warn("index snapshot cannot be read; building the index", "path", path, "err", err)
		}
		return nil
	}
	defer f.Close()
	start := time.Now()
	b, err := readSnapshot(f, c.Reports, opts, version, inputs)
	switch {
	case errors.Is(err, errSnapshotStale):
		// Expected once after an upgrade or a change of dictionaries.
		l.log().Info("index snapshot is stale; building the index", "path", path, "err", err)
		return nil
	case err != nil:
		l.log().Warn("index snapshot is corrupt; building the index", "path", path, "err", err)
		return nil
	}
	// Keep it among the files pruning spares.
	now := time.Now()
	_ = os.Chtimes(path, now, now)
	l.log().Info("index snapshot read", "path", path, "version", version, "ms", time.Since(start).Milliseconds())
	return b
}

// writeSnapshot writes b's snapshot for version, through a temporary file
// renamed into place so that no reader sees half a file, and removes the
// snapshots of all but the versions loaded last. A failure is logged: the
// index works without its snapshot.
func (l *Library) writeSnapshot(b *Base, compounds map[string]int, version int64, inputs [32]byte) {
	start := time.Now()
	path := l.snapshotPath(version)
	err := func() error {
		if err := os.MkdirAll(l.opts.SnapshotDir, 0o755); err != nil {
			return err
		}
		f, err := os.CreateTemp(l.opts.SnapshotDir, ".kb-*.tmp")
		if err != nil {
			return err
		}
		defer os.Remove(f.Name()) // fails once renamed
		if err := writeSnapshot(f, b, compounds, version, inputs); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		return os.Rename(f.Name(), path)
	}()
	if err != nil {
		l.log().Warn("index snapshot cannot be written", "path", path, "err", err)
		return
	}
	size := int64(0)
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	l.log().Info("index snapshot written", "path", path, "version", version, "bytes", size, "ms", time.Since(start).Milliseconds())
	l.pruneSnapshots()
}

// pruneSnapshots removes the snapshot files but the snapshotsKept most
// recently written or read.
func (l *Library) pruneSnapshots() {
	entries, err := os.ReadDir(l.opts.SnapshotDir)
	if err != nil {
		return
	}
	type file struct {
		path string
		mod  time.Time
	}
	var files []file
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, "kb-") || !strings.HasSuffix(name, snapshotExt) {
			continue
		}
		if fi, err := e.Info(); err == nil {
			files = append(files, file{filepath.Join(l.opts.SnapshotDir, name), fi.ModTime()})
		}
	}
	slices.SortFunc(files, func(a, b file) int { return b.mod.Compare(a.mod) })
	for _, f := range files[min(len(files), snapshotsKept):] {
		if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			l.log().Warn("old index snapshot cannot be removed", "path", f.path, "err", err)
		}
	}
}

func (l *Library) log() *slog.Logger {
	if l.opts.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.opts.Log
}
