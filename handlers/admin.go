package handlers

import (
	"cmp"
	"context"
	"errors"
	"fazhibot/accounts"
	"fazhibot/console"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"fazhibot/bot"
	"fazhibot/knowledge"
	"fazhibot/notify"
	"fazhibot/publishing"
)

// The values of ConsoleOptions.Approval.
const (
	// ApprovalNone lets staff publish the draft themselves.
	ApprovalNone = "none"
	// ApprovalRequired makes staff submit the draft; an admin approves it.
	ApprovalRequired = "required"
)

// DefaultSessionTTL is how long a console log-in lasts when
// ConsoleOptions.SessionTTL is zero.
const DefaultSessionTTL = 8 * time.Hour

// ConsoleOptions configures the staff console. DB, Parse and Draft are
// required when DB is set; the rest have defaults.
type ConsoleOptions struct {
	// DB stores the draft, the versions, the accounts, their API tokens
	// and web sessions, and the audit log. Every change the console makes
	// goes through it with the acting account's name.
	DB console.Store
	// Accounts applies the account rules to users, passwords and API
	// tokens; nil means accounts.NewService(DB, 0, the server's logger).
	Accounts *accounts.Service
	// Approval is ApprovalNone ("" means the same) or ApprovalRequired.
	Approval string
	// SessionTTL is how long a log-in lasts; DefaultSessionTTL if zero.
	SessionTTL time.Duration
	// SecureCookies marks the console's cookies Secure (and names the
	// session cookie with the __Host- prefix); set it behind HTTPS.
	SecureCookies bool
	// SetupToken, when set, enables the one-time link
	// /admin/setup?token=SetupToken that creates the first admin account.
	// It works while the database has no account and is refused once it
	// has been used; it lives in this Server's memory only.
	SetupToken string

	// Parse parses one uploaded report file, with what staff stated about
	// it (the upload preview's year and department; the zero Stated for
	// none) taking precedence over the file, as knowledge.ParseStated
	// does, and assigns its keywords with the draft's term lists, as
	// "fazhibot kb import" does. Errors that are *knowledge.ParseError are
	// shown to staff; others are logged and shown as a server error.
	// Called from many goroutines. Required.
	Parse func(ctx context.Context, name string, data []byte, st knowledge.Stated) (*knowledge.Report, error)
	// Draft returns the search index over the current draft, for the hit
	// test and the regression run. It should cache the index until the
	// draft changes. Called from many goroutines. Required.
	Draft func(ctx context.Context) (*knowledge.Base, error)
	// Live returns the base citizens are served and its version (as
	// knowledge.Library.Current does), for the regression run; nil, or a
	// nil Base, runs the regression against the draft only.
	Live func() (*knowledge.Base, int64)
	// Published is called after a version went live through the console
	// (publish, approve, restore), so that this instance reloads. An error
	// is logged and shown to staff as a warning: the version is live in the
	// database regardless. Nil skips the call.
	Published func(ctx context.Context, id console.VersionID) error
	// Announcer, when set, tells the other instances about a version that
	// went live (on publishing.Channel, as the command line does). Nil
	// means a single instance.
	Announcer publishing.Announcer
	// NewDialogue builds the conversation the hit test and the regression
	// run ask through, over k with the given session store (nil for the
	// hit test). Nil means bot.New with only Knowledge and Sessions set.
	NewDialogue func(k bot.Knowledge, sessions bot.SessionStore) (*bot.Dialogue, error)
	// MinConfidence is the answer threshold the hit test explains hits
	// against: the one Draft's bases are built with (knowledge.min_confidence);
	// knowledge.DefaultMinConfidence if zero.
	MinConfidence float64
	// UploadTimeout bounds receiving and parsing one upload: files not
	// parsed by then are reported as timed out. It must stay under the
	// HTTP server's write timeout; DefaultUploadTimeout if zero.
	UploadTimeout time.Duration
	// MaxPreviewBytes bounds the parsed uploads (as estimated) kept in
	// memory until saved or discarded, and the reports one upload may
	// keep; DefaultMaxPreviewBytes if zero.
	MaxPreviewBytes int64
	// Notify sends later answers to the citizens of unanswered questions
	// (admin_notify.go); nil turns the page off.
	Notify *notify.Service
}

// consoleServer is the staff console's state: its dependencies and the
// in-memory parts (login throttle, setup link, upload previews).
type consoleServer struct {
	db            console.Store
	approval      string
	sessionTTL    time.Duration
	secure        bool
	parse         func(ctx context.Context, name string, data []byte, st knowledge.Stated) (*knowledge.Report, error)
	draft         func(ctx context.Context) (*knowledge.Base, error)
	live          func() (*knowledge.Base, int64)
	golive        *publishing.Service // publish, approve, restore
	newDialogue   func(k bot.Knowledge, sessions bot.SessionStore) (*bot.Dialogue, error)
	minConfidence float64
	log           *slog.Logger
	notify        *notify.Service

	uploadTimeout   time.Duration
	maxPreviewBytes int64

	setup    *setupLink
	throttle *loginThrottle
	previews *previewStore
	pages    pageTemplates

	// accounts applies the account rules (package accounts).
	accounts *accounts.Service
	// dummyHash is compared against when a log-in names no account, so
	// that unknown and known names take the same time.
	dummyHash func() []byte
}

// newConsole checks opts and returns the console.
func newConsole(opts ConsoleOptions, log *slog.Logger) (*consoleServer, error) {
	var errs []error
	c := &consoleServer{
		db:            opts.DB,
		approval:      opts.Approval,
		sessionTTL:    opts.SessionTTL,
		secure:        opts.SecureCookies,
		parse:         opts.Parse,
		draft:         opts.Draft,
		live:          opts.Live,
		newDialogue:   opts.NewDialogue,
		minConfidence: opts.MinConfidence,
		log:           log,
		notify:        opts.Notify,
		setup:         &setupLink{token: opts.SetupToken},
		throttle:      newLoginThrottle(maxLoginFailures, loginWindow, time.Now),
		accounts:      opts.Accounts,
	}
	c.uploadTimeout = cmp.Or(opts.UploadTimeout, DefaultUploadTimeout)
	c.maxPreviewBytes = cmp.Or(opts.MaxPreviewBytes, DefaultMaxPreviewBytes)
	switch c.approval {
	case "":
		c.approval = ApprovalNone
	case ApprovalNone, ApprovalRequired:
	default:
		errs = append(errs, fmt.Errorf("Approval %q is neither %q nor %q", c.approval, ApprovalNone, ApprovalRequired))
	}
	switch {
	case c.sessionTTL == 0:
		c.sessionTTL = DefaultSessionTTL
	case c.sessionTTL < time.Minute:
		errs = append(errs, fmt.Errorf("SessionTTL %v is under a minute", c.sessionTTL))
	}
	if c.uploadTimeout < 0 {
		errs = append(errs, fmt.Errorf("UploadTimeout %v is negative", c.uploadTimeout))
	}
	if c.maxPreviewBytes < 0 {
		errs = append(errs, fmt.Errorf("MaxPreviewBytes %d is negative", c.maxPreviewBytes))
	}
	if c.accounts == nil {
		c.accounts = accounts.NewService(opts.DB, 0, log)
	}
	golive, err := publishing.New(publishing.Options{
		Store:           opts.DB,
		RequireApproval: c.approval == ApprovalRequired,
		Reload:          opts.Published,
		Announcer:       opts.Announcer,
		Log:             log,
	})
	if err != nil {
		errs = append(errs, err)
	}
	c.golive = golive
	c.previews = newPreviewStore(previewTTL, maxPreviews, c.maxPreviewBytes, time.Now)
	if c.parse == nil {
		errs = append(errs, errors.New("Parse is required"))
	}
	if c.draft == nil {
		errs = append(errs, errors.New("Draft is required"))
	}
	if c.newDialogue == nil {
		c.newDialogue = func(k bot.Knowledge, sessions bot.SessionStore) (*bot.Dialogue, error) {
			return bot.New(bot.Options{Knowledge: k, Sessions: sessions})
		}
	}
	if c.minConfidence == 0 {
		c.minConfidence = knowledge.DefaultMinConfidence
	}
	if c.minConfidence < 0 || c.minConfidence > 1 {
		errs = append(errs, fmt.Errorf("MinConfidence %v is outside [0, 1]", c.minConfidence))
	}
	if len(opts.SetupToken) > 0 && len(opts.SetupToken) < 16 {
		errs = append(errs, errors.New("SetupToken is shorter than 16 characters"))
	}
	pages, err := parsePages()
	if err != nil {
		errs = append(errs, err)
	}
	c.pages = pages
	c.dummyHash = sync.OnceValue(func() []byte {
		h, _ := accounts.Hash(accounts.Generate(), c.accounts.Cost())
		return []byte(h)
	})
	return c, errors.Join(errs...)
}

// canPublish reports whether a may publish the draft directly: admins
// always, staff only when no approval is required.
func (c *consoleServer) canPublish(a *actor) bool {
	return c.golive.CanPublish(a.consoleActor())
}

// liveBase returns the base citizens are served, or nil.
func (c *consoleServer) liveBase() (*knowledge.Base, int64) {
	if c.live == nil {
		return nil, 0
	}
	return c.live()
}

// wentLive turns what publishing reported about a version that went live
// into the console's answer: the version, and a warning for staff when
// this instance failed to reload it.
func (c *consoleServer) wentLive(l publishing.Live) versionResult {
	res := versionResult{Version: versionOf(l.Version)}
	if l.ReloadErr != nil {
		c.log.Error("reloading a published version failed", "version", l.Version.ID, "err", l.ReloadErr)
		res.Warning = fmt.Sprintf("版本 %d 已上线，但本服务重新加载知识库失败，将在定期检查时自动重试。", l.Version.ID)
	}
	return res
}
