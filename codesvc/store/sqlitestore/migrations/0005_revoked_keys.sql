-- 0005: a signing key can be revoked (a leaked key): revoked_at set means
-- the key has left the trust list for good, whatever its window, and the
-- tokens it signed are refused everywhere. NULL: not revoked. Nothing to
-- convert: no key was revoked before.
ALTER TABLE signing_keys ADD COLUMN revoked_at INTEGER;
