-- 0008: medical-visit credentials (就医凭证), a token of their own kind
-- that a hospital's registration desk looks up by its ID
-- (docs/token.md, "The medical-visit credential"). Only what the service
-- must keep is here in the open: the token ID, the resident, the signing
-- key, the times and who issued it. sealed is a sealbox box, to the
-- service's own sealing key and bound to the row's ID, of what the desk
-- may see (full name, gender, birth date, social-security card number),
-- so a copy of the database reads none of it. A row goes a week after it
-- expires (IssueCredential purges them).
CREATE TABLE credentials (
	id          TEXT PRIMARY KEY,
	resident_id INTEGER NOT NULL REFERENCES residents(id),
	key_id      TEXT NOT NULL REFERENCES signing_keys(key_id),
	issued_at   INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	device_id   TEXT NOT NULL DEFAULT '',
	worker_id   TEXT NOT NULL DEFAULT '',
	sealed      BLOB NOT NULL
);
CREATE INDEX credentials_by_expiry ON credentials(expires_at);
