-- 0008: medical-visit credentials, as in sqlitestore's 0008: the token ID,
-- the resident, the key, the times, who issued it, and sealed (a sealbox
-- box to the service's own key) what a hospital desk may see.
CREATE TABLE credentials (
	id          text   PRIMARY KEY,
	resident_id bigint NOT NULL REFERENCES residents(id),
	key_id      text   NOT NULL REFERENCES signing_keys(key_id),
	issued_at   bigint NOT NULL,
	expires_at  bigint NOT NULL,
	device_id   text   NOT NULL DEFAULT '',
	worker_id   text   NOT NULL DEFAULT '',
	sealed      bytea  NOT NULL
);
CREATE INDEX credentials_by_expiry ON credentials(expires_at);
