package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"fazhibot/bot"
	"fazhibot/configs"
	"fazhibot/knowledge"
	"fazhibot/storage/sqlite"
)

// app holds the long-lived parts a command works with. Close releases them.
type app struct {
	cfg   configs.Config
	seg   *knowledge.Segmenter
	terms *knowledge.Terms
	db    *sqlite.DB
}

// openApp loads the term lists and dictionaries and opens the database.
// On first start with an empty database it imports the bundled reports.
func openApp(ctx context.Context, cfg configs.Config) (*app, error) {
	terms, err := loadTerms(cfg)
	if err != nil {
		return nil, err
	}
	seg, err := knowledge.NewSegmenter(cfg.Knowledge.DictDir, terms.SegmenterWords())
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, seg: seg, terms: terms}
	driver, dsn := cfg.Database.Driver()
	if driver != "sqlite" {
		a.Close()
		return nil, fmt.Errorf("数据库 %s 暂不支持,请使用 sqlite:路径", driver)
	}
	if a.db, err = sqlite.Open(ctx, dsn); err != nil {
		a.Close()
		return nil, fmt.Errorf("打开数据库 %s: %w", dsn, err)
	}
	if err := a.seedBundled(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func loadTerms(cfg configs.Config) (*knowledge.Terms, error) {
	fsys := configs.DefaultTerms()
	if cfg.Knowledge.TermsDir != "" {
		fsys = os.DirFS(cfg.Knowledge.TermsDir)
	}
	return knowledge.LoadTerms(fsys)
}

// seedBundled imports the bundled real reports into an empty database.
func (a *app) seedBundled(ctx context.Context) error {
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
		r, err := a.parse(path.Base(name), data)
		if err != nil {
			return fmt.Errorf("内置报告 %s: %w", name, err)
		}
		reports = append(reports, r)
	}
	return a.db.SaveReports(ctx, "内置", reports...)
}

// parse parses one report file and assigns its keywords.
func (a *app) parse(name string, data []byte) (*knowledge.Report, error) {
	r, err := knowledge.Parse(name, data)
	if err != nil {
		return nil, err
	}
	knowledge.AssignKeywords(r, a.seg)
	return r, nil
}

// base builds the search index over every report in the database.
func (a *app) base(ctx context.Context) (*knowledge.Base, error) {
	reports, err := a.db.Reports(ctx)
	if err != nil {
		return nil, fmt.Errorf("读取知识库: %w", err)
	}
	return knowledge.Build(reports, knowledge.Options{
		Segmenter:     a.seg,
		Terms:         a.terms,
		MinConfidence: a.cfg.Knowledge.MinConfidence,
		MaxHits:       a.cfg.Knowledge.MaxHits,
	})
}

// Close releases the database and the dictionaries.
func (a *app) Close() error {
	var errs []error
	if a.db != nil {
		errs = append(errs, a.db.Close())
	}
	if a.seg != nil {
		a.seg.Close()
	}
	return errors.Join(errs...)
}

// reportIDFromName is the default report id: the file name without its
// directory and extension.
func reportIDFromName(name string) knowledge.ReportID {
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	return knowledge.ReportID(strings.TrimSuffix(base, path.Ext(base)))
}

// dialogue builds the conversation over base with the configured bot
// settings. sessions doubles as the rate limiter when it implements one.
func (a *app) dialogue(base bot.Knowledge, sessions bot.SessionStore, logger bot.QueryLogger) (*bot.Dialogue, error) {
	opts := bot.Options{
		Knowledge:      base,
		Sessions:       sessions,
		Logger:         logger,
		SessionTTL:     a.cfg.Redis.SessionTTL,
		RateLimit:      a.cfg.Redis.RateLimit,
		Hotline:        a.cfg.Bot.Hotline,
		SensitiveWords: append(append([]string(nil), a.cfg.Bot.SensitiveWords...), a.terms.Sensitive...),
	}
	if l, ok := sessions.(bot.RateLimiter); ok {
		opts.Limiter = l
	}
	return bot.New(opts)
}
