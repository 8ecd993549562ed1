-- Change log entries are ordered by seq, their place in their assessment's log (1, 2, ...),
-- instead of by created_at, which entries of one change share. Entries stored before get
-- the places that their (created_at, id) order gave them.
ALTER TABLE assessment_change_logs ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
UPDATE assessment_change_logs SET seq = (SELECT count(*) FROM assessment_change_logs b
    WHERE b.assessment_id = assessment_change_logs.assessment_id
    AND (b.created_at < assessment_change_logs.created_at
        OR (b.created_at = assessment_change_logs.created_at AND b.id <= assessment_change_logs.id)));
CREATE UNIQUE INDEX assessment_change_logs_seq ON assessment_change_logs (assessment_id, seq);
