-- 0005: a signing key can be revoked (a leaked key), as in sqlitestore's
-- 0005: revoked_at set means the key has left the trust list for good.
ALTER TABLE signing_keys ADD COLUMN revoked_at bigint;
