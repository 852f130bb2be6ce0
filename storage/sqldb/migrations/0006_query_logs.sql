-- The query log: one row per message the bot handled, and the rollups the
-- dashboard reads instead of the raw rows. Portable SQL like every
-- migration: times are fixed-width RFC 3339 text in UTC, days are
-- 'YYYY-MM-DD' in China Standard Time (UTC+8), lists are JSON arrays,
-- booleans are INTEGER 0 or 1, IDs come from the counter query_log.
--
-- Rollups are maintained by InsertLogs in the transaction that inserts the
-- raw rows, so they always agree with what was inserted; PurgeLogs deletes
-- raw rows but keeps the anonymous counts (see sqldb.DB.PurgeLogs).

CREATE TABLE query_logs (
    id          BIGINT  NOT NULL PRIMARY KEY,
    at          TEXT    NOT NULL,               -- when the bot received the message
    exchange    TEXT    NOT NULL UNIQUE,        -- the exchange ID, makes retried inserts idempotent
    channel     TEXT    NOT NULL,
    user_hash   TEXT    NOT NULL,               -- pseudonym of the user (HMAC), '' when unknown
    openid      TEXT    NOT NULL,               -- raw user ID, '' unless logs.store_openid
    kind        TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    search      TEXT    NOT NULL,               -- the text's first 200 characters folded for search
    intent      TEXT    NOT NULL,
    follow_up   TEXT    NOT NULL,
    question    INTEGER NOT NULL,               -- 1: a question searched in the knowledge base
    terms       TEXT    NOT NULL,               -- JSON array
    context     TEXT    NOT NULL,               -- JSON array
    year        INTEGER NOT NULL,
    department  TEXT    NOT NULL,
    answered    INTEGER NOT NULL,
    reason      TEXT    NOT NULL,
    report_id   TEXT    NOT NULL,               -- report of the best hit, '' without hits
    hits        TEXT    NOT NULL,               -- JSON array of the top hits
    reply       TEXT    NOT NULL,
    latency_us  BIGINT  NOT NULL,
    gives       TEXT    NOT NULL,               -- on a feedback message: the verdict it gives
    refers_to   TEXT    NOT NULL,               -- on a feedback message: the exchange it rates
    feedback    TEXT    NOT NULL,               -- the verdict this exchange received, '' for none
    feedback_at TEXT,
    store_error TEXT    NOT NULL
);

-- Every list is ordered by (at, id) descending; each filter has an index
-- that yields rows in that order, so a first page reads about one page of
-- rows. Partial indexes keep rare filters cheap to maintain: queries
-- repeat their conditions literally so that both planners use them. The
-- time index also holds the search text, so that a text search scans the
-- index and not the records.
CREATE INDEX query_logs_at ON query_logs (at, id, search);
CREATE INDEX query_logs_unanswered ON query_logs (at, id) WHERE question = 1 AND answered = 0;
CREATE INDEX query_logs_feedback ON query_logs (feedback, at, id) WHERE feedback <> '';
CREATE INDEX query_logs_department ON query_logs (department, at, id) WHERE department <> '';
CREATE INDEX query_logs_report ON query_logs (report_id, at, id) WHERE report_id <> '';
CREATE INDEX query_logs_channel ON query_logs (channel, at, id);
CREATE INDEX query_logs_user ON query_logs (user_hash, at, id) WHERE user_hash <> '';

-- The latest verdict per rated exchange, also while the rated exchange is
-- not stored yet (its record is still in another instance's buffer):
-- InsertLogs applies it when the record arrives.
CREATE TABLE query_feedback (
    exchange TEXT NOT NULL PRIMARY KEY,
    feedback TEXT NOT NULL,
    at       TEXT NOT NULL
);
CREATE INDEX query_feedback_at ON query_feedback (at);

-- Per day: messages, questions, answered questions and verdicts (counted on
-- the day of the rated exchange).
CREATE TABLE query_daily (
    day         TEXT   NOT NULL PRIMARY KEY,
    messages    BIGINT NOT NULL,
    questions   BIGINT NOT NULL,
    answered    BIGINT NOT NULL,
    satisfied   BIGINT NOT NULL,
    unsatisfied BIGINT NOT NULL
);

-- Per day: reply latencies of all messages in fixed buckets (bucket i
-- holds latencies up to the i-th bound of sqldb's latency bounds).
CREATE TABLE query_latency_daily (
    day    TEXT    NOT NULL,
    bucket INTEGER NOT NULL,
    n      BIGINT  NOT NULL,
    PRIMARY KEY (day, bucket)
);

-- Normalised question texts, keyed by a 64-bit hash of the text, with the
-- first raw text seen, how often the text was asked since it was first
-- stored, the day and outcome of its first asking, and the last day it
-- was asked (for purging).
--
-- Most texts are asked once ever. Such a text (total = 1) has no row in
-- query_text_daily: its one asking is first_day and first_answered. Its
-- second asking adds the first one to query_text_daily. So the ranking of
-- a range reads only texts asked at least twice, and pads a short list
-- with texts asked once.
CREATE TABLE query_texts (
    text_key       BIGINT  NOT NULL PRIMARY KEY,
    norm           TEXT    NOT NULL,
    sample         TEXT    NOT NULL,
    total          BIGINT  NOT NULL,
    first_day      TEXT    NOT NULL,
    first_answered INTEGER NOT NULL,
    last_day       TEXT    NOT NULL
);
CREATE INDEX query_texts_last_day ON query_texts (last_day);
CREATE INDEX query_texts_once ON query_texts (first_day, text_key) WHERE total = 1;

-- Per day and normalised question asked at least twice: how often asked
-- and answered.
CREATE TABLE query_text_daily (
    day      TEXT   NOT NULL,
    text_key BIGINT NOT NULL,
    asked    BIGINT NOT NULL,
    answered BIGINT NOT NULL,
    PRIMARY KEY (day, text_key)
);
-- Covers the dashboard's sums over a range of days (SQLite has no
-- INCLUDE columns).
CREATE INDEX query_text_daily_sums ON query_text_daily (day, text_key, asked, answered);

-- Per day and passage: how often it was the best hit of a message, and of
-- an answered one (quoted).
CREATE TABLE query_hits_daily (
    day       TEXT    NOT NULL,
    report_id TEXT    NOT NULL,
    seq       INTEGER NOT NULL,
    hits      BIGINT  NOT NULL,
    quoted    BIGINT  NOT NULL,
    PRIMARY KEY (day, report_id, seq)
);
CREATE INDEX query_hits_daily_sums ON query_hits_daily (day, report_id, seq, hits, quoted);

-- Per day and report: the same counts summed over its passages, so that the
-- per-report ranking reads a few rows per day.
CREATE TABLE query_report_daily (
    day       TEXT   NOT NULL,
    report_id TEXT   NOT NULL,
    hits      BIGINT NOT NULL,
    quoted    BIGINT NOT NULL,
    PRIMARY KEY (day, report_id)
);
