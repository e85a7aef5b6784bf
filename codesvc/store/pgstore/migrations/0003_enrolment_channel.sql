-- 0003: every enrolment records where it was taken (channel 'kiosk' or
-- 'counter'), who acted and the consent text's version, as in
-- sqlitestore's 0003; enrolments before it become counter enrolments.
-- The indexes serve the self-enrolment rate limits.
ALTER TABLE enrolments ADD COLUMN channel text NOT NULL DEFAULT 'counter';
ALTER TABLE enrolments ADD COLUMN actor text NOT NULL DEFAULT '';
ALTER TABLE enrolments ADD COLUMN consent_version text NOT NULL DEFAULT '';
CREATE INDEX enrolments_device_channel ON enrolments(device_id, channel, created_at);
CREATE INDEX enrolments_resident_channel ON enrolments(resident_id, channel, created_at);
