-- Residents enrolled here who have not taken their first paper code yet:
-- the enrolment queued while the network was down (or not confirmed in
-- time) is accepted by the service later, and the counter lists her until
-- a code is printed for her, here or at another kiosk (the feed shows it),
-- so that a worker can call her. One row per enrolment, keyed by its
-- outbox seq (stable across a retry, which changes the client ID). Only
-- the keyed hash, the receipt and the masked name are kept.
CREATE TABLE awaiting_code (
	seq          INTEGER PRIMARY KEY,
	resident_key BLOB    NOT NULL,
	receipt      TEXT    NOT NULL,
	masked_name  TEXT    NOT NULL,
	enrolled_at  INTEGER NOT NULL,
	resident_ref TEXT    NOT NULL DEFAULT '', -- the service's reference, once accepted
	ready_at     INTEGER,                     -- accepted: the code can be printed
	done_at      INTEGER,                     -- a code was printed here or seen issued
	done_by      TEXT    NOT NULL DEFAULT ''  -- 'printed_here', 'issued_elsewhere'
);
CREATE INDEX awaiting_code_key ON awaiting_code(resident_key);
CREATE INDEX awaiting_code_ref ON awaiting_code(resident_ref);
