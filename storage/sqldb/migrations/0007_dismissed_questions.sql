-- Questions staff dismissed from the unanswered queue (off-topic, chatter):
-- one row per normalised text (NormalizeQuestion), which the queue leaves
-- out from then on. Times are fixed-width RFC 3339 text in UTC.

CREATE TABLE dismissed_questions (
    text         TEXT NOT NULL PRIMARY KEY, -- normalised
    sample       TEXT NOT NULL,             -- as a citizen wrote it, for staff
    dismissed_at TEXT NOT NULL,
    dismissed_by TEXT NOT NULL
);
