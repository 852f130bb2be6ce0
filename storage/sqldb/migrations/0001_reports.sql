-- Reports and their passages. Kept to portable SQL (TEXT, INTEGER, standard
-- constraints) so that a PostgreSQL store can apply the same files.
--
-- Times are RFC 3339 text in UTC; lists are JSON arrays of strings.

CREATE TABLE reports (
    id           TEXT    NOT NULL PRIMARY KEY CHECK (id <> ''),
    title        TEXT    NOT NULL,
    department   TEXT    NOT NULL,
    year         INTEGER NOT NULL,
    publish_date TEXT    NOT NULL, -- YYYY-MM-DD or ''
    doc_number   TEXT    NOT NULL,
    source_url   TEXT    NOT NULL,
    format       TEXT    NOT NULL,
    imported_at  TEXT    NOT NULL,
    imported_by  TEXT    NOT NULL
);

CREATE TABLE passages (
    report_id TEXT    NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    path      TEXT    NOT NULL, -- JSON array of headings
    text      TEXT    NOT NULL,
    keywords  TEXT    NOT NULL, -- JSON array of keywords
    PRIMARY KEY (report_id, seq)
);
