-- The audit log: one row per change, written in the change's transaction.
-- id grows with time (counter audit), so newest first is id descending.

CREATE TABLE audit_log (
    id     BIGINT NOT NULL PRIMARY KEY,
    at     TEXT   NOT NULL,
    actor  TEXT   NOT NULL,
    action TEXT   NOT NULL,
    target TEXT   NOT NULL,
    detail TEXT   NOT NULL
);
