-- The evidence ledger (internal/evidence): one hash chain of records per assessment, its
-- idempotency keys, signed checkpoints and signing keys, folders with Audit Manager's
-- counters and daily compliance counts. Times are Unix nanoseconds; hashes and signatures
-- are bytes. Evidence and checkpoint rows are append-only: the triggers added after this
-- migration (Dialect.AppendOnly) refuse UPDATE and DELETE, but the retention purge's
-- deletes, which evidence_purging permits within the purge's own transaction.
CREATE TABLE evidence_chains (
    assessment_id TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    hash          BYTEA NOT NULL,
    purged        BIGINT NOT NULL DEFAULT 0,
    purged_hash   BYTEA
);

CREATE TABLE evidence (
    assessment_id TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    id            TEXT NOT NULL,
    kind          TEXT NOT NULL,
    folder_id     TEXT NOT NULL,
    body          TEXT NOT NULL,
    hash          BYTEA NOT NULL,
    at            BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, seq)
);
CREATE INDEX evidence_folder ON evidence (folder_id, seq);

CREATE TABLE evidence_purging (
    assessment_id TEXT PRIMARY KEY,
    seq           BIGINT NOT NULL
);

CREATE TABLE evidence_batches (
    assessment_id TEXT NOT NULL,
    key           TEXT NOT NULL,
    first_seq     BIGINT NOT NULL,
    last_seq      BIGINT NOT NULL,
    hash          BYTEA NOT NULL,
    at            BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, key)
);

CREATE TABLE evidence_selections (
    assessment_id TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, seq)
);

CREATE TABLE evidence_checkpoints (
    assessment_id TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    hash          BYTEA NOT NULL,
    at            BIGINT NOT NULL,
    reason        TEXT NOT NULL,
    key_id        TEXT NOT NULL,
    signature     BYTEA NOT NULL,
    PRIMARY KEY (assessment_id, seq)
);

CREATE TABLE ledger_keys (
    id             TEXT PRIMARY KEY,
    public_key     BYTEA NOT NULL,
    sealed_private TEXT NOT NULL, -- base64
    created_at     BIGINT NOT NULL
);

CREATE TABLE evidence_folders (
    id                     TEXT PRIMARY KEY,
    assessment_id          TEXT NOT NULL,
    control_set_id         TEXT NOT NULL,
    control_id             TEXT NOT NULL,
    control_name           TEXT NOT NULL,
    data_source            TEXT NOT NULL,
    day                    BIGINT NOT NULL,
    author                 TEXT NOT NULL,
    total                  BIGINT NOT NULL DEFAULT 0,
    selected               BIGINT NOT NULL DEFAULT 0,
    resources              BIGINT NOT NULL DEFAULT 0,
    configuration_data     BIGINT NOT NULL DEFAULT 0,
    manual                 BIGINT NOT NULL DEFAULT 0,
    compliance_check       BIGINT NOT NULL DEFAULT 0,
    compliance_issues      BIGINT NOT NULL DEFAULT 0,
    user_activity          BIGINT NOT NULL DEFAULT 0,
    aws_service            BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX evidence_folders_assessment ON evidence_folders (assessment_id, day, id);
CREATE INDEX evidence_folders_control ON evidence_folders (assessment_id, control_set_id, control_id, day, id);

CREATE TABLE evidence_days (
    assessment_id TEXT NOT NULL,
    day           BIGINT NOT NULL,
    control_id    TEXT NOT NULL,
    compliant     BIGINT NOT NULL DEFAULT 0,
    non_compliant BIGINT NOT NULL DEFAULT 0,
    inconclusive  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (assessment_id, day, control_id)
);
