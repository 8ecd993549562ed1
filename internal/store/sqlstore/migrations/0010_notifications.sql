-- Notifications, newest first by (event_time, id).
CREATE TABLE notifications (
    id              TEXT PRIMARY KEY,
    assessment_id   TEXT NOT NULL DEFAULT '',
    assessment_name TEXT NOT NULL DEFAULT '',
    control_set_id  TEXT NOT NULL DEFAULT '',
    control_set_name TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL,
    event_time      BIGINT NOT NULL,
    source          TEXT NOT NULL
);
CREATE INDEX notifications_time ON notifications (event_time, id);
