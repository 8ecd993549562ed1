-- The revision of each account's library ('' for the standard content every account
-- sees): bumped in the same transaction as every change to its controls and frameworks,
-- by triggers that each dialect creates its own way (revision.go), so that readers that
-- keep the library in memory learn of a change with one small read.
CREATE TABLE library_revisions (
    account_id TEXT PRIMARY KEY,
    revision BIGINT NOT NULL
);
