-- Self-enrolment at the self-service kiosk: every enrolment records where
-- it was taken (channel 'kiosk' for a resident alone, 'counter' for a
-- worker's counter), who acted (actor 'self', 'worker' or 'family') and
-- the version of the consent text the resident was shown. Enrolments
-- recorded before this migration were all taken at a counter: they become
-- channel 'counter', actor '' (not recorded) and no consent version.
-- The indexes serve the self-enrolment rate limits, which count a
-- device's and a resident's recent enrolments by channel.
ALTER TABLE enrolments ADD COLUMN channel TEXT NOT NULL DEFAULT 'counter';
ALTER TABLE enrolments ADD COLUMN actor TEXT NOT NULL DEFAULT '';
ALTER TABLE enrolments ADD COLUMN consent_version TEXT NOT NULL DEFAULT '';
CREATE INDEX enrolments_device_channel ON enrolments(device_id, channel, created_at);
CREATE INDEX enrolments_resident_channel ON enrolments(resident_id, channel, created_at);
