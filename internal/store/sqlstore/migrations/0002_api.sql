-- What the Audit Manager API keeps besides the library: access keys, per-account status
-- and settings, framework share requests, and indexes for paging through the library.
-- Times are Unix nanoseconds; sealed secrets and settings are text (base64, JSON).
CREATE INDEX controls_type_created ON controls (type, created_at, id);
CREATE INDEX frameworks_type_created ON frameworks (type, created_at, id);

CREATE TABLE access_keys (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    account_id    TEXT NOT NULL,
    sealed_secret TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX access_keys_name ON access_keys (name);

CREATE TABLE accounts (
    id         TEXT PRIMARY KEY,
    status     TEXT NOT NULL,
    settings   TEXT NOT NULL DEFAULT '{}',
    updated_at BIGINT NOT NULL
);

CREATE TABLE share_requests (
    id                    TEXT PRIMARY KEY,
    framework_id          TEXT NOT NULL,
    framework_name        TEXT NOT NULL,
    framework_description TEXT NOT NULL DEFAULT '',
    compliance_type       TEXT NOT NULL DEFAULT '',
    standard_controls     INTEGER NOT NULL,
    custom_controls       INTEGER NOT NULL,
    source_account        TEXT NOT NULL,
    destination_account   TEXT NOT NULL,
    destination_region    TEXT NOT NULL,
    comment               TEXT NOT NULL DEFAULT '',
    status                TEXT NOT NULL,
    created_at            BIGINT NOT NULL,
    expires_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);
CREATE INDEX share_requests_source ON share_requests (source_account, created_at, id);
CREATE INDEX share_requests_destination ON share_requests (destination_account, created_at, id);
