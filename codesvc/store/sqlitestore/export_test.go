package sqlitestore

import (
	"context"
	"database/sql"

	"github.com/shcommunity/kiosk/codesvc/store/kek"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// Downgrade turns the database at file (closed, wrapped with kek) back
// into the form it had before wrapping existed: plain values, schema
// version 1 in PRAGMA user_version and no schema_migrations (the scheme of
// those releases), no wrapped columns and no check row. It stands in for a
// database written by an older service.
func Downgrade(ctx context.Context, file string, key []byte) error {
	w, err := kek.New(key)
	if err != nil {
		return err
	}
	db, err := sqldb.Open(file, sqldb.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	return sqldb.InTx(ctx, db, func(tx *sql.Tx) error {
		for _, t := range kek.Tables {
			rows, err := tx.QueryContext(ctx, `SELECT `+t.Key+`, `+t.Value+` FROM `+t.Table)
			if err != nil {
				return err
			}
			plain := map[string][]byte{}
			for rows.Next() {
				var k string
				var v []byte
				if err := rows.Scan(&k, &v); err != nil {
					return err
				}
				if plain[k], err = w.Unwrap(t.Purpose(k), v); err != nil {
					return err
				}
			}
			rows.Close()
			for k, v := range plain {
				if _, err := tx.ExecContext(ctx, `UPDATE `+t.Table+` SET `+t.Value+` = ? WHERE `+t.Key+` = ?`, v, k); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `ALTER TABLE `+t.Table+` DROP COLUMN wrapped`); err != nil {
				return err
			}
		}
		// Migration 0003 and later came after those releases too.
		if _, err := tx.ExecContext(ctx, `DROP INDEX enrolments_device_channel; DROP INDEX enrolments_resident_channel;
			ALTER TABLE enrolments DROP COLUMN channel; ALTER TABLE enrolments DROP COLUMN actor;
			ALTER TABLE enrolments DROP COLUMN consent_version`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DROP TABLE kek_check; DROP TABLE schema_migrations; DROP TABLE sessions; DROP TABLE nonces;
			ALTER TABLE signing_keys DROP COLUMN revoked_at;
			DROP TABLE access_records; DROP TABLE health_consents; DROP TABLE exports; DROP TABLE export_marks; DROP TABLE export_state;
			DROP TABLE credentials`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DROP INDEX enrolments_worker; ALTER TABLE enrolments DROP COLUMN worker_id;
			ALTER TABLE provisioning_codes DROP COLUMN role; ALTER TABLE devices DROP COLUMN role;
			ALTER TABLE tokens DROP COLUMN revoked_device; ALTER TABLE tokens DROP COLUMN revoked_worker`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `PRAGMA user_version = 1`)
		return err
	})
}
