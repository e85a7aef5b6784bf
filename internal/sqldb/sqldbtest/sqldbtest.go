package sqldbtest

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/internal/sqldb"
)

// Unpack decompresses the gzip file src (a database made by an earlier
// release) into dir, under src's name without ".gz", and returns the new
// file's path.
func Unpack(src, dir string) (string, error) {
	f, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", filepath.Base(src), err)
	}
	dst := filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), ".gz"))
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(out, zr)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("unpack %s: %w", filepath.Base(src), err)
	}
	return dst, nil
}

// Applied is one row of schema_migrations.
type Applied struct {
	Version int
	Name    string
	At      time.Time
}

// Migrations reads the schema_migrations table of the SQLite file at path,
// read-only, in version order.
func Migrations(path string) ([]Applied, error) {
	db, err := sqldb.Open(path, sqldb.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	scan := func(r sqldb.Scanner) (a Applied, err error) {
		var at int64
		err = r.Scan(&a.Version, &a.Name, &at)
		a.At = sqldb.FromDB(at)
		return a, err
	}
	return sqldb.All(context.Background(), db, scan, "SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
}
