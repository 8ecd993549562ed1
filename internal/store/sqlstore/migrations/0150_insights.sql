-- Insights (issue 13). A control's domain: its family for standard content, the domain a
-- custom control's file names, or '' (Uncategorized). assessment_controls lists each
-- assessment's controls as its snapshot holds them, one row per control (the first
-- control set that holds it), so that insights sum the daily evidence aggregates by domain
-- in SQL; CreateAssessment and PutAssessment rewrite an assessment's rows with its body.
-- domain is the domain's name, 'Uncategorized' for a control without one.
ALTER TABLE controls ADD COLUMN domain TEXT NOT NULL DEFAULT '';

CREATE TABLE assessment_controls (
    assessment_id    TEXT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    control_id       TEXT NOT NULL,
    control_set_id   TEXT NOT NULL,
    control_set_name TEXT NOT NULL,
    name             TEXT NOT NULL,
    domain           TEXT NOT NULL,
    PRIMARY KEY (assessment_id, control_id)
);
CREATE INDEX assessment_controls_domain ON assessment_controls (assessment_id, domain, control_id);
CREATE INDEX assessments_account_status ON assessments (account_id, status);
CREATE INDEX evidence_days_control ON evidence_days (assessment_id, control_id, day);
