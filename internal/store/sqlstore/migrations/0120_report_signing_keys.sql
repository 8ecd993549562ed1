-- Keys that sign assessment reports (Ed25519): the private half sealed under the master
-- key, base64. The newest signs; every key stays, so old reports keep verifying.
CREATE TABLE report_signing_keys (
    id             TEXT PRIMARY KEY,
    public_key     BYTEA NOT NULL,
    sealed_private TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
