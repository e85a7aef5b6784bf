-- 0006: device roles and who did what (docs/security.md, finding 1).
-- A provisioning code carries the role it was made for and registration
-- copies it to the device; a device registered before roles has '' and
-- may call no role-guarded endpoint until it is provisioned again. A
-- token revoked as lost records the device and the worker that did it; an
-- enrolment records its worker, for the per-worker daily cap.
ALTER TABLE provisioning_codes ADD COLUMN role TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN role TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN revoked_device TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN revoked_worker TEXT NOT NULL DEFAULT '';
ALTER TABLE enrolments ADD COLUMN worker_id TEXT NOT NULL DEFAULT '';
CREATE INDEX enrolments_worker ON enrolments(worker_id, created_at);
