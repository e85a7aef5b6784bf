-- Settings: device identity, cursors, trust list, sealing key, clock skew,
-- the keyed-hash secret. Values are opaque bytes to the store.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

-- The outbox: every change that must reach the code service, in order
-- (seq). body is what is sent; for enrolments it is a sealbox box that
-- this kiosk cannot open.
CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id    TEXT    NOT NULL UNIQUE,
    kind         TEXT    NOT NULL,
    body         BLOB    NOT NULL,
    resident_key BLOB,
    receipt      TEXT    NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'acked', 'quarantined')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    reason       TEXT    NOT NULL DEFAULT '',
    outcome      TEXT    NOT NULL DEFAULT '',
    resident_ref TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    acked_at     INTEGER
) STRICT;
CREATE INDEX outbox_by_state ON outbox (state, seq);
CREATE INDEX outbox_by_resident ON outbox (resident_key) WHERE resident_key IS NOT NULL;

-- The status cache: the service's last answer per resident. A row from
-- the feed may not yet know the resident's key (the feed speaks in
-- resident_ref); a live lookup fills it in.
CREATE TABLE status_cache (
    resident_ref  TEXT PRIMARY KEY,
    resident_key  BLOB UNIQUE,
    colour        TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    as_of         INTEGER NOT NULL,
    valid_until   INTEGER NOT NULL, -- 0: no change scheduled
    version       INTEGER NOT NULL,
    rules_version TEXT    NOT NULL,
    masked_name   TEXT    NOT NULL,
    masked_id     TEXT    NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

-- Paper codes this kiosk printed. token_text is the QR content: a signed
-- token that carries no ID number.
CREATE TABLE printed_codes (
    token_id      TEXT PRIMARY KEY,
    resident_key  BLOB    NOT NULL,
    resident_ref  TEXT    NOT NULL,
    token_text    TEXT    NOT NULL,
    colour        TEXT    NOT NULL, -- the colour when printed
    status_as_of  INTEGER NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'active',
    expires_at    INTEGER NOT NULL,
    printed_at    INTEGER NOT NULL,
    worker_id     TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX printed_by_ref ON printed_codes (resident_ref);
CREATE INDEX printed_by_key ON printed_codes (resident_key);

-- The call list: residents whose colour the feed changed after their
-- paper was printed here.
CREATE TABLE call_list (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    resident_ref TEXT    NOT NULL,
    masked_name  TEXT    NOT NULL,
    masked_id    TEXT    NOT NULL,
    printed      TEXT    NOT NULL, -- colour on the paper
    current      TEXT    NOT NULL, -- colour now
    as_of        INTEGER NOT NULL,
    added_at     INTEGER NOT NULL,
    done_at      INTEGER,
    done_by      TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE UNIQUE INDEX call_list_open ON call_list (resident_ref) WHERE done_at IS NULL;

-- Community workers, cached from the service for offline login. The
-- failure counter and lockout are persisted so a restart does not reset
-- them.
CREATE TABLE workers (
    worker_id     TEXT PRIMARY KEY,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL,
    failures      INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The audit log, hash-chained: hash = SHA-256 over prev_hash and the
-- row's own content (see audit.go).
CREATE TABLE audit (
    seq          INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    worker_id    TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    resident_key BLOB,
    detail       TEXT    NOT NULL,
    prev_hash    BLOB    NOT NULL,
    hash         BLOB    NOT NULL
) STRICT;
