-- Finding mappings (mappings/*.yaml in a catalog): explicit rules that map third-party
-- findings to controls, one library per account like the custom rules. The rules are
-- JSON text, always read whole.
CREATE TABLE finding_mappings (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    name            TEXT NOT NULL,
    definition      TEXT NOT NULL,
    managed_by      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    created_by      TEXT NOT NULL DEFAULT '',
    last_updated_at BIGINT NOT NULL,
    last_updated_by TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX finding_mappings_account_name ON finding_mappings (account_id, name);
