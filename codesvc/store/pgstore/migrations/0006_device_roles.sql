-- 0006: device roles and who did what, as in sqlitestore's 0006.
ALTER TABLE provisioning_codes ADD COLUMN role text NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN role text NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN revoked_device text NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN revoked_worker text NOT NULL DEFAULT '';
ALTER TABLE enrolments ADD COLUMN worker_id text NOT NULL DEFAULT '';
CREATE INDEX enrolments_worker ON enrolments(worker_id, created_at);
