-- Notifications gain the identity ARN they are for (a delegate, a process owner); empty
-- means everyone in the account, as every notification stored before was.
ALTER TABLE notifications ADD COLUMN recipient TEXT NOT NULL DEFAULT '';
