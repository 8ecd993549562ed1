-- Sessions of the web console: the SHA-256 of each session's token (hex), never the
-- token; the access key it signed in with; the CSRF token of its forms; and its creation
-- and last use (Unix nanoseconds), which bound its absolute and idle life.
CREATE TABLE console_sessions (
    id         TEXT PRIMARY KEY,
    key_id     TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    seen_at    BIGINT NOT NULL
);
CREATE INDEX console_sessions_created ON console_sessions (created_at);
CREATE INDEX console_sessions_seen ON console_sessions (seen_at);
