-- Custom rules as code (rules/*.yaml in a catalog), one library per account like the
-- controls. The definition (description, resource types, parameters, expressions) is
-- JSON text, always read whole; the rule engine compiles it.
CREATE TABLE custom_rules (
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
CREATE UNIQUE INDEX custom_rules_account_name ON custom_rules (account_id, name);
