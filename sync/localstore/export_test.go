package localstore

import "context"

// AwaitedRows counts the rows of awaiting_code, taken or not, for the
// tests that check they leave the store.
func AwaitedRows(ctx context.Context, s *Store) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM awaiting_code").Scan(&n)
	return n, err
}

// UncheckedRows counts the rows of unchecked_slips, open or closed.
func UncheckedRows(ctx context.Context, s *Store) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM unchecked_slips").Scan(&n)
	return n, err
}
