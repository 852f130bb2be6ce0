package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"slices"
	"sync"

	"fazhibot/bot"
	"fazhibot/configs"
	"fazhibot/console"
	"fazhibot/knowledge"
	"fazhibot/storage/postgres"
	"fazhibot/storage/sqldb"
	"fazhibot/storage/sqlite"
)

// app holds the long-lived parts a command works with. Close releases them.
type app struct {
	cfg configs.Config
	db  *sqldb.DB

	// segMu serialises parse, which owns seg: the segmenter for the
	// draft's dictionary words segWords (sorted), made on first use and
	// made again when staff change the term lists.
	segMu    sync.Mutex
	seg      *knowledge.Segmenter
	segWords []string

	// notifier, set by serve, remembers citizens for later answers.
	notifier bot.Notifier
}

// cliActor is who the audit log names for changes made on the command line.
const cliActor = "命令行"

// openApp opens the database named by the configuration, after writing the
// built-in jieba dictionaries to knowledge.cache_dir when knowledge.dict_dir
// is empty. On first start it
// seeds the term lists (from knowledge.terms_dir, or the built-in ones)
// and, with no reports yet, imports and publishes the bundled reports.
func openApp(ctx context.Context, cfg configs.Config) (*app, error) {
	if cfg.Knowledge.DictDir == "" {
		dir, err := knowledge.InstallDicts(configs.JiebaDicts(), cfg.Knowledge.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("配置项 knowledge.cache_dir: %w", err)
		}
		cfg.Knowledge.DictDir = dir
	}
	db, err := openDB(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, db: db}
	if err := a.seed(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func openDB(ctx context.Context, c configs.DatabaseConfig) (*sqldb.DB, error) {
	driver, dsn := c.Driver()
	var db *sqldb.DB
	var err error
	switch driver {
	case "sqlite":
		db, err = sqlite.Open(ctx, dsn)
	case "postgres":
		db, err = postgres.Open(ctx, dsn)
	default:
		return nil, fmt.Errorf("配置项 database.url: 不支持的地址 %q", c.URL)
	}
	if err != nil {
		return nil, fmt.Errorf("打开数据库(%s): %w", driver, err)
	}
	return db, nil
}

// seed fills a fresh database: term lists, bundled reports, version 1.
func (a *app) seed(ctx context.Context) error {
	fsys := configs.DefaultTerms()
	if a.cfg.Knowledge.TermsDir != "" {
		fsys = os.DirFS(a.cfg.Knowledge.TermsDir)
	}
	files, err := knowledge.ReadTermFiles(fsys)
	if err != nil {
		return fmt.Errorf("读取词表: %w", err)
	}
	if err := a.db.SeedTermFiles(ctx, files); err != nil {
		return fmt.Errorf("写入初始词表: %w", err)
	}
	empty, err := a.db.Empty(ctx)
	if err != nil || !empty {
		return err
	}
	bundled := configs.BundledReports()
	names, err := fs.Glob(bundled, "*")
	if err != nil {
		return err
	}
	var reports []*knowledge.Report
	for _, name := range names {
		data, err := fs.ReadFile(bundled, name)
		if err != nil {
			return err
		}
		r, err := a.parse(ctx, path.Base(name), data)
		if err != nil {
			return fmt.Errorf("内置报告 %s: %w", name, err)
		}
		reports = append(reports, r)
	}
	if err := a.db.SaveReports(ctx, console.SeedActor, reports...); err != nil {
		return err
	}
	if _, err := a.db.LiveVersion(ctx); errors.Is(err, console.ErrNotFound) {
		_, err = a.db.Publish(ctx, console.SeedActor, "首次启动,导入内置报告")
		return err
	} else {
		return err
	}
}

// segmenter returns the segmenter for the draft's term lists, made again
// when their dictionary words changed. The caller holds a.segMu.
func (a *app) segmenter(ctx context.Context) (*knowledge.Segmenter, error) {
	files, err := a.db.TermFiles(ctx)
	if err != nil {
		return nil, fmt.Errorf("读取词表: %w", err)
	}
	terms, err := knowledge.LoadTerms((&knowledge.Content{TermFiles: files}).TermFS())
	if err != nil {
		return nil, fmt.Errorf("读取词表: %w", err)
	}
	words := terms.SegmenterWords()
	slices.Sort(words)
	if a.seg != nil && slices.Equal(words, a.segWords) {
		return a.seg, nil
	}
	if a.seg != nil {
		a.seg.Close()
		a.seg = nil
	}
	seg, err := knowledge.NewSegmenter(a.cfg.Knowledge.DictDir, words)
	if err != nil {
		return nil, err
	}
	a.seg, a.segWords = seg, words
	return seg, nil
}

// parse parses one report file and assigns its keywords with the draft's
// term lists, as they are now. It is safe for concurrent use (calls are
// serialised).
func (a *app) parse(ctx context.Context, name string, data []byte) (*knowledge.Report, error) {
	return a.parseStated(ctx, name, data, knowledge.Stated{})
}

// parseStated is parse with what staff stated about the report (year,
// department) taking precedence over the file (knowledge.ParseStated).
func (a *app) parseStated(ctx context.Context, name string, data []byte, st knowledge.Stated) (*knowledge.Report, error) {
	a.segMu.Lock()
	defer a.segMu.Unlock()
	k := a.cfg.Knowledge
	r, err := knowledge.ParseStated(ctx, name, data, knowledge.Limits{
		MaxBytes: int64(k.MaxReportMB) << 20, MaxPassages: k.MaxReportPassages, MaxChars: k.MaxReportChars}, st)
	if err != nil {
		return nil, err
	}
	seg, err := a.segmenter(ctx)
	if err != nil {
		return nil, err
	}
	knowledge.AssignKeywords(r, seg)
	return r, nil
}

// newLibrary returns an empty library configured for this app.
func (a *app) newLibrary() *knowledge.Library {
	return knowledge.NewLibrary(knowledge.LibraryOptions{
		DictDir:       a.cfg.Knowledge.DictDir,
		MinConfidence: a.cfg.Knowledge.MinConfidence,
		MaxHits:       a.cfg.Knowledge.MaxHits,
	})
}

// draftBase builds the search index over the draft workspace: what staff
// test before they publish.
func (a *app) draftBase(ctx context.Context) (*knowledge.Base, error) {
	c, err := a.db.Draft(ctx)
	if err != nil {
		return nil, fmt.Errorf("读取知识库草稿: %w", err)
	}
	return a.newLibrary().Load(c, 0)
}

// liveBase builds the search index over the published version citizens
// are served.
func (a *app) liveBase(ctx context.Context) (*knowledge.Base, error) {
	v, err := a.db.LiveVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("读取已发布版本: %w", err)
	}
	c, err := a.db.LoadVersion(ctx, v.ID)
	if err != nil {
		return nil, fmt.Errorf("读取版本 %d: %w", v.ID, err)
	}
	return a.newLibrary().Load(c, int64(v.ID))
}

// baseFor returns the live base with live set, else the draft's.
func (a *app) baseFor(ctx context.Context, live bool) (*knowledge.Base, error) {
	if live {
		return a.liveBase(ctx)
	}
	return a.draftBase(ctx)
}

// dialogue builds the conversation over the knowledge base current returns,
// with the configured bot settings. sessions doubles as the rate limiter
// when it implements one. errLog, if not nil, receives the warnings about
// session-store outages.
func (a *app) dialogue(current func() bot.Knowledge, sessions bot.SessionStore, logger bot.QueryLogger, errLog *slog.Logger) (*bot.Dialogue, error) {
	opts := bot.Options{
		ErrorLog:       errLog,
		Current:        current,
		Sessions:       sessions,
		Logger:         logger,
		SessionTTL:     a.cfg.Redis.SessionTTL,
		RateLimit:      a.cfg.Redis.RateLimit,
		Hotline:        a.cfg.Bot.Hotline,
		SensitiveWords: a.cfg.Bot.SensitiveWords, // and the term list's, per version
		Notifier:       a.notifier,
	}
	if l, ok := sessions.(bot.RateLimiter); ok {
		opts.Limiter = l
	}
	return bot.New(opts)
}

// Close releases the database and the dictionaries.
func (a *app) Close() error {
	a.segMu.Lock()
	defer a.segMu.Unlock()
	if a.seg != nil {
		a.seg.Close()
	}
	return a.db.Close()
}

// fixed returns a knowledge source that always answers from b.
func fixed(b *knowledge.Base) func() bot.Knowledge {
	return func() bot.Knowledge { return b }
}
