-- The control and framework libraries. Portable SQL: the same file runs on SQLite and
-- PostgreSQL. Times are Unix nanoseconds; lists and maps that are always read whole are
-- JSON text.
CREATE TABLE controls (
    id                       TEXT PRIMARY KEY,
    arn                      TEXT NOT NULL,
    type                     TEXT NOT NULL,
    name                     TEXT NOT NULL,
    description              TEXT NOT NULL DEFAULT '',
    testing_information      TEXT NOT NULL DEFAULT '',
    action_plan_title        TEXT NOT NULL DEFAULT '',
    action_plan_instructions TEXT NOT NULL DEFAULT '',
    control_sources          TEXT NOT NULL DEFAULT '',
    state                    TEXT NOT NULL,
    mapping_sources          TEXT NOT NULL,
    tags                     TEXT NOT NULL DEFAULT '{}',
    created_at               BIGINT NOT NULL,
    created_by               TEXT NOT NULL DEFAULT '',
    last_updated_at          BIGINT NOT NULL,
    last_updated_by          TEXT NOT NULL DEFAULT '',
    managed_by               TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX controls_type_name ON controls (type, name);

CREATE TABLE frameworks (
    id              TEXT PRIMARY KEY,
    arn             TEXT NOT NULL,
    type            TEXT NOT NULL,
    name            TEXT NOT NULL,
    compliance_type TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    logo            TEXT NOT NULL DEFAULT '',
    tags            TEXT NOT NULL DEFAULT '{}',
    created_at      BIGINT NOT NULL,
    created_by      TEXT NOT NULL DEFAULT '',
    last_updated_at BIGINT NOT NULL,
    last_updated_by TEXT NOT NULL DEFAULT '',
    managed_by      TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX frameworks_type_name ON frameworks (type, name);

CREATE TABLE framework_control_sets (
    framework_id TEXT NOT NULL REFERENCES frameworks (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    id           TEXT NOT NULL,
    name         TEXT NOT NULL,
    PRIMARY KEY (framework_id, position)
);

-- A control in use cannot be deleted: the foreign key is the last line of defence behind
-- the planner's own check.
CREATE TABLE framework_controls (
    framework_id TEXT NOT NULL,
    set_position INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    control_id   TEXT NOT NULL REFERENCES controls (id),
    PRIMARY KEY (framework_id, set_position, position),
    FOREIGN KEY (framework_id, set_position)
        REFERENCES framework_control_sets (framework_id, position) ON DELETE CASCADE
);
CREATE INDEX framework_controls_control ON framework_controls (control_id);
