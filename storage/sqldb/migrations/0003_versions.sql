-- Knowledge-base versions: snapshots of the whole draft workspace.
--
-- snapshot is the gzip-compressed JSON of a knowledge.Content. BYTEA is
-- PostgreSQL's binary type; SQLite keeps blobs in it unchanged.
-- published_seq orders publications (by Publish, Approve or Restore): the
-- live version is the published one with the highest published_seq.

CREATE TABLE kb_versions (
    id            BIGINT NOT NULL PRIMARY KEY,
    status        TEXT   NOT NULL CHECK (status IN ('pending', 'published', 'rejected')),
    created_at    TEXT   NOT NULL,
    created_by    TEXT   NOT NULL,
    summary       TEXT   NOT NULL,
    approved_by   TEXT   NOT NULL DEFAULT '',
    approved_at   TEXT,
    rejected_by   TEXT   NOT NULL DEFAULT '',
    rejected_at   TEXT,
    reject_reason TEXT   NOT NULL DEFAULT '',
    restored_from BIGINT,
    published_seq BIGINT UNIQUE,
    snapshot      BYTEA  NOT NULL
);
