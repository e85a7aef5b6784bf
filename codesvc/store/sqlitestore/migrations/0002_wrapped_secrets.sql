-- Private keys and secrets wrapped with a key-encryption key kept outside
-- the database (kek.go). A row written before this migration has
-- wrapped = 0 and is wrapped on the next start, all rows in one
-- transaction.
ALTER TABLE secrets ADD COLUMN wrapped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE signing_keys ADD COLUMN wrapped INTEGER NOT NULL DEFAULT 0;

-- A known value wrapped with the KEK, so that a wrong KEK is refused at
-- start before anything is read or generated.
CREATE TABLE kek_check (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	value BLOB NOT NULL
);
