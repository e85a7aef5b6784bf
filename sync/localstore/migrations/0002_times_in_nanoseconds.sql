-- 0002: times in Unix nanoseconds, the unit of the code service's store
-- (internal/sqldb: ToDB, FromDB), instead of milliseconds. Every time
-- column is multiplied by 1,000,000; 0 ("not set") and NULL stay as they
-- are. A time past what an int64 of nanoseconds holds (after 2262-04-11,
-- before 1677-09-21; a valid_until or an expiry from a far-off answer)
-- becomes that end, where it was in milliseconds a larger number still.
--
-- The audit log's rows are converted like the rest. Their hashes cover
-- the time in whole milliseconds (audit.go), which the conversion keeps,
-- so every existing chain still verifies and new rows chain on.
--
-- The settings are opaque bytes to the store and are not touched: the
-- sync engine's last success stays in its own encoding.

UPDATE outbox SET
    created_at = min(max(created_at, -9223372036854), 9223372036854) * 1000000,
    updated_at = min(max(updated_at, -9223372036854), 9223372036854) * 1000000,
    acked_at   = min(max(acked_at,   -9223372036854), 9223372036854) * 1000000;

UPDATE status_cache SET
    as_of       = min(max(as_of,       -9223372036854), 9223372036854) * 1000000,
    valid_until = min(max(valid_until, -9223372036854), 9223372036854) * 1000000,
    updated_at  = min(max(updated_at,  -9223372036854), 9223372036854) * 1000000;

UPDATE printed_codes SET
    status_as_of = min(max(status_as_of, -9223372036854), 9223372036854) * 1000000,
    expires_at   = min(max(expires_at,   -9223372036854), 9223372036854) * 1000000,
    printed_at   = min(max(printed_at,   -9223372036854), 9223372036854) * 1000000;

UPDATE call_list SET
    as_of    = min(max(as_of,    -9223372036854), 9223372036854) * 1000000,
    added_at = min(max(added_at, -9223372036854), 9223372036854) * 1000000,
    done_at  = min(max(done_at,  -9223372036854), 9223372036854) * 1000000;

UPDATE workers SET
    updated_at   = min(max(updated_at,   -9223372036854), 9223372036854) * 1000000,
    locked_until = min(max(locked_until, -9223372036854), 9223372036854) * 1000000;

UPDATE audit SET
    at = min(max(at, -9223372036854), 9223372036854) * 1000000;

-- The runner's own records: those of the release before this one are in
-- milliseconds (below 10^14, which in nanoseconds is still 2 January
-- 1970); those the shared runner wrote are nanoseconds already.
UPDATE schema_migrations SET applied_at = applied_at * 1000000
    WHERE applied_at < 100000000000000;
