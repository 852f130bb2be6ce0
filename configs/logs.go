package configs

import (
	"fmt"
	"time"
)

// LogsConfig configures the query log: one record per message and reply,
// written to the database in the background (package storage/logwriter).
type LogsConfig struct {
	// Enabled turns the query log on.
	Enabled bool `yaml:"enabled"`
	// UserSecret is the key of the user pseudonyms: a user is stored as
	// HMAC-SHA256(user_secret, OpenID), never as the OpenID. At least 16
	// characters; empty means a random key per start, so that the same
	// user gets another pseudonym after each restart and on each instance.
	UserSecret string `yaml:"user_secret"`
	// StoreOpenID also stores the raw OpenID. Leave it off unless staff
	// must be able to contact citizens from the log.
	StoreOpenID bool `yaml:"store_openid"`
	// BufferSize is the most records waiting in memory while the database
	// is slow or down; beyond it the oldest are dropped. A record takes
	// about 1–3 KB, so the default 100000 may hold up to about 300 MB.
	BufferSize int `yaml:"buffer_size"`
	// BatchSize is the most records written per transaction.
	BatchSize int `yaml:"batch_size"`
	// FlushInterval is the longest a record waits before a batch is
	// written.
	FlushInterval time.Duration `yaml:"flush_interval"`
	// RetentionDays is how many days of records are kept, besides today;
	// older ones are purged daily. 0 keeps records forever.
	RetentionDays int `yaml:"retention_days"`
}

// Limits of LogsConfig.
const (
	minUserSecret = 16
	maxBatchSize  = 5000
)

// defaultLogs returns the defaults of LogsConfig.
func defaultLogs() LogsConfig {
	return LogsConfig{
		Enabled:       true,
		BufferSize:    100000,
		BatchSize:     200,
		FlushInterval: 500 * time.Millisecond,
		RetentionDays: 180,
	}
}

// validate returns an *Error for each problem of l.
func (l LogsConfig) validate() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, &Error{Key: key, Problem: fmt.Sprintf(format, args...)})
	}
	if n := len(l.UserSecret); n > 0 && n < minUserSecret {
		bad("logs.user_secret", "至少应为 %d 个字符（留空则每次启动随机生成），实为 %d 个", minUserSecret, n)
	}
	if l.BufferSize < 1 {
		bad("logs.buffer_size", "应至少为 1，实为 %d", l.BufferSize)
	}
	if l.BatchSize < 1 || l.BatchSize > maxBatchSize {
		bad("logs.batch_size", "应在 1 到 %d 之间，实为 %d", maxBatchSize, l.BatchSize)
	}
	if l.FlushInterval < 10*time.Millisecond || l.FlushInterval > time.Minute {
		bad("logs.flush_interval", "应在 10ms 到 1m 之间，实为 %v", l.FlushInterval)
	}
	if l.RetentionDays < 0 {
		bad("logs.retention_days", "应不小于 0（0 表示永久保留），实为 %d", l.RetentionDays)
	}
	return errs
}
