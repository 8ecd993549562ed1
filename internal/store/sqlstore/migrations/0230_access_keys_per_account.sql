-- Access key names are unique within an account, not across accounts: one account's key
-- names must not decide (or reveal) which names another account may use.
DROP INDEX access_keys_name;
CREATE UNIQUE INDEX access_keys_account_name ON access_keys (account_id, name);
