-- 0001: the code service's first schema. Times are INTEGER unix
-- nanoseconds (UTC); NULL means "not set". No column holds a plain name,
-- ID number or phone number.

-- Service secrets and keys created on first use (HMAC secret, sealing key,
-- trust-list root key).
CREATE TABLE secrets (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
);

CREATE TABLE provisioning_codes (
	code_hash  BLOB PRIMARY KEY,          -- SHA-256 of the code text
	note       TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER,
	device_id  TEXT
);

CREATE TABLE devices (
	id            TEXT PRIMARY KEY,
	name          TEXT NOT NULL,
	public_key    BLOB NOT NULL UNIQUE,
	registered_at INTEGER NOT NULL,
	revoked_at    INTEGER
);

CREATE TABLE residents (
	id             INTEGER PRIMARY KEY,
	key            BLOB NOT NULL UNIQUE,   -- HMAC-SHA256(secret, ID number)
	ref            TEXT NOT NULL UNIQUE,   -- opaque public reference
	masked_name    TEXT NOT NULL DEFAULT '',
	masked_id      TEXT NOT NULL,
	contact_sealed BLOB,                   -- sealbox to the service's own key
	created_at     INTEGER NOT NULL
);

CREATE TABLE events (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	resident_id INTEGER NOT NULL REFERENCES residents(id),
	kind        TEXT NOT NULL,
	at          INTEGER NOT NULL,
	recorded_at INTEGER NOT NULL,
	source      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_by_resident ON events(resident_id, seq);

-- Scheduled colour changes, derived from events in the same transaction
-- that records an event; the feed reads them, nothing rewrites them later.
CREATE TABLE boundaries (
	resident_id INTEGER NOT NULL REFERENCES residents(id),
	at          INTEGER NOT NULL,
	PRIMARY KEY (resident_id, at)
);
CREATE INDEX boundaries_by_time ON boundaries(at, resident_id);

-- The change log behind the feed: AUTOINCREMENT keeps seq monotonic, and
-- since writers are serialised a reader never sees seq n+1 before n.
CREATE TABLE changes (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	resident_id INTEGER NOT NULL REFERENCES residents(id),
	kind        TEXT NOT NULL,
	at          INTEGER NOT NULL
);
CREATE INDEX changes_by_resident ON changes(resident_id, seq);

-- Which device serves which resident (it enrolled, issued or printed).
CREATE TABLE served (
	device_id   TEXT NOT NULL REFERENCES devices(id),
	resident_id INTEGER NOT NULL REFERENCES residents(id),
	since       INTEGER NOT NULL,
	PRIMARY KEY (device_id, resident_id)
);
CREATE INDEX served_by_resident ON served(resident_id);

CREATE TABLE enrolments (
	client_id   TEXT PRIMARY KEY,
	device_id   TEXT NOT NULL REFERENCES devices(id),
	digest      BLOB NOT NULL,
	outcome     TEXT NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
	reason      TEXT NOT NULL DEFAULT '',
	resident_id INTEGER REFERENCES residents(id),
	created_at  INTEGER NOT NULL
);

-- Family proxies: HMAC of the family member's ID number → resident.
CREATE TABLE proxies (
	proxy_key   BLOB NOT NULL,
	resident_id INTEGER NOT NULL REFERENCES residents(id),
	since       INTEGER NOT NULL,
	PRIMARY KEY (proxy_key, resident_id)
);
CREATE INDEX proxies_by_resident ON proxies(resident_id);

CREATE TABLE workers (
	id            TEXT PRIMARY KEY,
	display_name  TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE signing_keys (
	key_id      TEXT PRIMARY KEY,
	issuer      TEXT NOT NULL,
	private_key BLOB NOT NULL,
	created_at  INTEGER NOT NULL,
	retired_at  INTEGER
);

CREATE TABLE tokens (
	id            TEXT PRIMARY KEY,
	resident_id   INTEGER NOT NULL REFERENCES residents(id),
	key_id        TEXT NOT NULL REFERENCES signing_keys(key_id),
	issued_at     INTEGER NOT NULL,
	expires_at    INTEGER NOT NULL,
	state         TEXT NOT NULL CHECK (state IN ('active', 'revoked', 'superseded')),
	state_at      INTEGER NOT NULL,
	superseded_by TEXT,
	device_id     TEXT NOT NULL DEFAULT '',
	worker_id     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tokens_by_resident ON tokens(resident_id, state);

CREATE TABLE prints (
	client_id   TEXT PRIMARY KEY,
	token_id    TEXT NOT NULL REFERENCES tokens(id),
	device_id   TEXT NOT NULL REFERENCES devices(id),
	worker_id   TEXT NOT NULL DEFAULT '',
	printed_at  INTEGER NOT NULL,
	recorded_at INTEGER NOT NULL
);

CREATE TABLE corrections (
	id          INTEGER PRIMARY KEY,
	client_id   TEXT NOT NULL UNIQUE,
	resident_id INTEGER NOT NULL REFERENCES residents(id),
	device_id   TEXT NOT NULL,
	worker_id   TEXT NOT NULL DEFAULT '',
	reason      TEXT NOT NULL,
	filed_at    INTEGER NOT NULL,
	state       TEXT NOT NULL CHECK (state IN ('open', 'accepted', 'rejected')),
	resolved_at INTEGER,
	note        TEXT NOT NULL DEFAULT '',
	event_kind  TEXT NOT NULL DEFAULT '',
	event_seq   INTEGER REFERENCES events(seq)
);
CREATE INDEX corrections_by_device ON corrections(device_id, id);
