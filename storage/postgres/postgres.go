// Package postgres opens fazhibot's knowledge-base store (package sqldb)
// on PostgreSQL, through pgx's database/sql driver, for deployments where
// several bot instances share one database.
//
// The store uses the schema that comes first in the connection's
// search_path (set it with the URL parameter search_path=…) and creates
// its tables there. Instances opening a new database at once are safe:
// migrations and writes take advisory locks keyed by that schema (see
// package sqldb).
package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"fazhibot/storage/sqldb"
)

// Pool limits: enough for a staff console and a bot instance, far below
// PostgreSQL's default of 100 connections for several instances.
const (
	maxOpenConns    = 10
	maxIdleConns    = 4
	connMaxIdleTime = 5 * time.Minute
)

// Open connects to the PostgreSQL database at url, a postgres:// or
// postgresql:// URL or a key=value connection string as pgx accepts, and
// brings its schema up to date (see sqldb.New). It fails when the
// database holds a schema newer than this program knows. The caller must
// Close the DB.
func Open(ctx context.Context, url string) (*sqldb.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(maxOpenConns)
	pool.SetMaxIdleConns(maxIdleConns)
	pool.SetConnMaxIdleTime(connMaxIdleTime)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s@%s/%s: %w", cfg.User, cfg.Host, cfg.Database, err)
	}
	db, err := sqldb.New(ctx, sqldb.Config{Dialect: sqldb.PostgreSQL, Write: pool})
	if err != nil {
		return nil, fmt.Errorf("postgres: %s/%s: %w", cfg.Host, cfg.Database, err)
	}
	return db, nil
}
