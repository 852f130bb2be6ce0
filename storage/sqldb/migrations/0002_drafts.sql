-- The draft workspace beside the reports: revisions, FAQ entries and term
-- lists. Portable SQL shared by SQLite and PostgreSQL, like every migration:
-- times are fixed-width RFC 3339 text in UTC, lists are JSON arrays of
-- strings, booleans are INTEGER 0 or 1, and IDs are computed by the program.

-- Counters for IDs and revisions, incremented inside writing transactions.
CREATE TABLE id_counters (
    name  TEXT   NOT NULL PRIMARY KEY,
    value BIGINT NOT NULL
);

-- Revisions of draft objects come from the counter draft_rev, which only
-- grows. Passages stored before this migration get revision 1, so the
-- counter starts above it.
INSERT INTO id_counters (name, value) VALUES ('draft_rev', 1);

ALTER TABLE passages ADD COLUMN rev BIGINT NOT NULL DEFAULT 1;
ALTER TABLE passages ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
ALTER TABLE passages ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
UPDATE passages SET
    updated_at = (SELECT r.imported_at FROM reports r WHERE r.id = passages.report_id),
    updated_by = (SELECT r.imported_by FROM reports r WHERE r.id = passages.report_id);

CREATE TABLE faqs (
    id         TEXT    NOT NULL PRIMARY KEY CHECK (id <> ''),
    pos        BIGINT  NOT NULL, -- list order: position at creation
    questions  TEXT    NOT NULL, -- JSON array of question variants
    answer     TEXT    NOT NULL,
    report_id  TEXT    NOT NULL, -- linked passage's report, or ''
    seq        INTEGER NOT NULL, -- linked passage's seq
    rev        BIGINT  NOT NULL,
    updated_at TEXT    NOT NULL,
    updated_by TEXT    NOT NULL
);

-- Term lists by file name (synonyms.txt …). A row outlives its file: a
-- restore that drops the file sets present to 0, so the row still records
-- that the file has been saved before and keeps its revision growing.
CREATE TABLE term_files (
    name       TEXT    NOT NULL PRIMARY KEY,
    text       TEXT    NOT NULL,
    present    INTEGER NOT NULL,
    rev        BIGINT  NOT NULL,
    updated_at TEXT    NOT NULL,
    updated_by TEXT    NOT NULL
);
