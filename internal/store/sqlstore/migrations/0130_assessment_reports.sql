-- Assessment reports (CreateAssessmentReport): what was asked, and how the generation job
-- ended. The zip itself is at the destination, under path.
CREATE TABLE assessment_reports (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    assessment_id   TEXT NOT NULL,
    assessment_name TEXT NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL,
    author          TEXT NOT NULL,
    query           TEXT NOT NULL,
    destination     TEXT NOT NULL,
    path            TEXT NOT NULL,
    status          TEXT NOT NULL,
    reason          TEXT NOT NULL,
    key_id          TEXT NOT NULL,
    digest          TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX assessment_reports_account ON assessment_reports (account_id, created_at, id);
