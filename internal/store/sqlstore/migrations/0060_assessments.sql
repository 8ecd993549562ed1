-- Assessments (issue 9): each row holds an assessment's snapshot of its framework and its
-- review state as JSON in body (see assessmentBody); the columns beside it are what
-- listings filter and order by. Delegations and change log entries are rows of their own.
-- Access keys gain the identity ARN that assessment roles name.
ALTER TABLE access_keys ADD COLUMN arn TEXT NOT NULL DEFAULT '';

CREATE TABLE assessments (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    name       TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX assessments_account_created ON assessments (account_id, created_at, id);
CREATE INDEX assessments_status_created ON assessments (status, created_at, id);

CREATE TABLE assessment_delegations (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    assessment_id   TEXT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    control_set_id  TEXT NOT NULL,
    role_arn        TEXT NOT NULL,
    role_type       TEXT NOT NULL,
    status          TEXT NOT NULL,
    comment         TEXT NOT NULL DEFAULT '',
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX assessment_delegations_assessment ON assessment_delegations (assessment_id, created_at, id);
CREATE INDEX assessment_delegations_role ON assessment_delegations (account_id, role_arn, created_at, id);

CREATE TABLE assessment_change_logs (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL,
    assessment_id  TEXT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    control_set_id TEXT NOT NULL DEFAULT '',
    control_id     TEXT NOT NULL DEFAULT '',
    object_type    TEXT NOT NULL,
    object_name    TEXT NOT NULL,
    action         TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    created_by     TEXT NOT NULL
);
CREATE INDEX assessment_change_logs_assessment ON assessment_change_logs (assessment_id, created_at, id);
