package sqldb

import (
	"context"
	"database/sql"
)

// Scanner is what a store's scan function reads one row from: a *sql.Row
// or a *sql.Rows.
type Scanner = interface{ Scan(dest ...any) error }

// Querier is a pool, a connection or a transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// All runs query on q and reads every row with scan, in order, closing
// the rows before it returns; nil when there are none. An error of the
// query, of a scan or of the iteration is returned as it is.
func All[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
