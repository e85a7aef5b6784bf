-- 0004: the status cache keeps nothing that narrows a search for the ID
-- number behind a resident key: no masked number (its first character and
-- last four), no masked name, no reason (a health detail such as medical
-- management). The colour, its times and version are what an offline
-- answer needs; the card in the reader gives the masked forms. The call
-- list keeps the masked forms a worker needs to find the resident.
--
-- The store vacuums the file after this migration (keys.go, scrub), so
-- the dropped values leave the free pages too.
ALTER TABLE status_cache DROP COLUMN reason;
ALTER TABLE status_cache DROP COLUMN masked_name;
ALTER TABLE status_cache DROP COLUMN masked_id;
