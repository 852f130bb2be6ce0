// Package console is the core of the staff console, whoever reaches it
// (its web pages, its API or the command line): the records staff and
// admins work with — accounts, API tokens and web sessions, the draft's
// reports, passages, FAQ entries and term lists, knowledge-base versions,
// the audit log and the query log — the errors their stores return, and
// the small store interfaces the console's users declare.
//
// The records are plain values, safe to copy and to share between
// goroutines. The one store that keeps them is package storage/sqldb, on
// SQLite or PostgreSQL; package handlers serves them over HTTP and package
// cmd/fazhibot on the command line, and neither needs to know which
// database is behind them.
package console
