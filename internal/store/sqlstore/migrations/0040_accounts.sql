-- One library per account: controls, frameworks and notifications belong to the account
-- in account_id; an empty account_id is standard content, which every account sees.
-- Names are unique within an account's library. The library written before this
-- migration goes whole to one account (see backfillAccounts).
ALTER TABLE controls ADD COLUMN account_id TEXT NOT NULL DEFAULT '';
ALTER TABLE frameworks ADD COLUMN account_id TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN account_id TEXT NOT NULL DEFAULT '';
DROP INDEX controls_type_name;
CREATE UNIQUE INDEX controls_account_type_name ON controls (account_id, type, name);
DROP INDEX frameworks_type_name;
CREATE UNIQUE INDEX frameworks_account_type_name ON frameworks (account_id, type, name);
DROP INDEX controls_type_created;
CREATE INDEX controls_account_type_created ON controls (account_id, type, created_at, id);
DROP INDEX frameworks_type_created;
CREATE INDEX frameworks_account_type_created ON frameworks (account_id, type, created_at, id);
DROP INDEX notifications_time;
CREATE INDEX notifications_account_time ON notifications (account_id, event_time, id);
