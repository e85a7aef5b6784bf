package sqldb

import (
	"math"
	"time"
)

// Both stores keep a time as an integer count of Unix nanoseconds (UTC),
// the finest unit a time.Time has, so a time goes in and comes out
// unchanged. 0 stands for the zero time.Time ("not set"); a column that
// may be NULL reads as the zero time through sql.NullInt64's Int64. An
// int64 of nanoseconds reaches from 1677-09-21 to 2262-04-11: a time
// outside is stored as the nearest end, which no deadline or expiry
// the stores keep comes close to.

var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// ToDB is t as the stores keep it: Unix nanoseconds, 0 for the zero time.
func ToDB(t time.Time) int64 {
	switch {
	case t.IsZero():
		return 0
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// FromDB is the time ToDB stored as n, in UTC; 0 is the zero time.
func FromDB(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
