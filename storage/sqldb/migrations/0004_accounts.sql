-- Staff accounts, their API tokens and their web sessions. Secrets are
-- never stored: password_hash is what the HTTP layer computed, hash is the
-- SHA-256 of a token's secret, id_hash the hash of a session cookie.

CREATE TABLE users (
    id            BIGINT  NOT NULL PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE CHECK (name <> ''),
    role          TEXT    NOT NULL CHECK (role IN ('staff', 'admin')),
    password_hash TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE api_tokens (
    id           BIGINT NOT NULL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    name         TEXT   NOT NULL,
    hash         TEXT   NOT NULL UNIQUE,
    created_at   TEXT   NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE web_sessions (
    id_hash    TEXT   NOT NULL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT   NOT NULL,
    created_at TEXT   NOT NULL,
    expires_at TEXT   NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
