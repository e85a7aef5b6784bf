-- 0002: private keys and secrets are wrapped with the key-encryption key
-- (codesvc/store/kek), as in sqlitestore's 0002. A PostgreSQL database
-- never held them in the clear: every row is written wrapped, with
-- wrapped = 1; the column keeps both schemas alike for kek.Check.
ALTER TABLE secrets ADD COLUMN wrapped integer NOT NULL DEFAULT 0;
ALTER TABLE signing_keys ADD COLUMN wrapped integer NOT NULL DEFAULT 0;

-- A known value wrapped with the KEK, so that a wrong KEK is refused at
-- start before anything is read or generated.
CREATE TABLE kek_check (
	id    integer PRIMARY KEY CHECK (id = 1),
	value bytea NOT NULL
);
