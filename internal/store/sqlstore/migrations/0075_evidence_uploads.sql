-- Files uploaded through evidence file upload URLs (GetEvidenceFileUploadUrl): the bytes
-- are in the ledger's blob store under their digest; the id is the URL's, used once.
CREATE TABLE evidence_uploads (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    file_name  TEXT NOT NULL,
    digest     TEXT NOT NULL,
    size       BIGINT NOT NULL,
    at         BIGINT NOT NULL
);
