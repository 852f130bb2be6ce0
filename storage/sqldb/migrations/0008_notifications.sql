-- Sends of a later answer to the citizens whose question went unanswered
-- (package notify): one row per send, with its outcome. No OpenIDs: those
-- live only in Redis (or memory) for WeChat's 48-hour window. Times are
-- fixed-width RFC 3339 text in UTC; finished_at is '' while running.

CREATE TABLE notifications (
    id           BIGINT NOT NULL PRIMARY KEY,
    group_key    TEXT   NOT NULL, -- the group's representative, normalised
    question     TEXT   NOT NULL, -- the representative as a citizen wrote it
    answer       TEXT   NOT NULL,
    version      BIGINT NOT NULL, -- the published version the answer came from
    citizens     BIGINT NOT NULL,
    notified     BIGINT NOT NULL DEFAULT 0,
    expired      BIGINT NOT NULL DEFAULT 0,
    unsubscribed BIGINT NOT NULL DEFAULT 0,
    failed       BIGINT NOT NULL DEFAULT 0,
    deferred     BIGINT NOT NULL DEFAULT 0,
    skipped      BIGINT NOT NULL DEFAULT 0,
    sent_by      TEXT   NOT NULL,
    started_at   TEXT   NOT NULL,
    finished_at  TEXT   NOT NULL DEFAULT ''
);
