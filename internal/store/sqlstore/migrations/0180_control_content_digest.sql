-- The digest of each control's user-supplied members (probity.ContentDigest), written
-- with every control, so that a catalog plan reads small rows instead of every control
-- in full. Existing rows are filled in by the migration's Go step (backfillContentDigests).
ALTER TABLE controls ADD COLUMN content_digest TEXT NOT NULL DEFAULT '';
