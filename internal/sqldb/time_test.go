package sqldb

import (
	"database/sql"
	"math"
	"testing"
	"time"
)

func TestTimeRoundTrip(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	for _, in := range []time.Time{
		time.Date(2026, 11, 27, 9, 0, 0, 123456789, time.UTC),
		time.Date(2026, 11, 27, 17, 0, 0, 1, shanghai),
		time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(0, 1),
		time.Unix(0, -1),
	} {
		got := FromDB(ToDB(in))
		if !got.Equal(in) || got.Location() != time.UTC {
			t.Errorf("FromDB(ToDB(%v)) = %v, want the same instant in UTC", in, got)
		}
	}
}

func TestTimeEdges(t *testing.T) {
	if n := ToDB(time.Time{}); n != 0 {
		t.Errorf("ToDB(zero) = %d, want 0", n)
	}
	if got := FromDB(0); !got.IsZero() {
		t.Errorf("FromDB(0) = %v, want the zero time", got)
	}
	var null sql.NullInt64 // a NULL column
	if got := FromDB(null.Int64); !got.IsZero() {
		t.Errorf("FromDB(NULL) = %v, want the zero time", got)
	}
	if n := ToDB(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)); n != math.MaxInt64 {
		t.Errorf("ToDB(year 3000) = %d, want the last nanosecond an int64 holds", n)
	}
	if n := ToDB(time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)); n != math.MinInt64 {
		t.Errorf("ToDB(year 1500) = %d, want the first nanosecond an int64 holds", n)
	}
	if got := FromDB(math.MaxInt64); got.Year() != 2262 {
		t.Errorf("FromDB(max) = %v, want 2262", got)
	}
	// Order survives: the stores compare stored times in SQL.
	a, b := time.Date(2026, 1, 1, 0, 0, 0, 1, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 2, time.UTC)
	if ToDB(a) >= ToDB(b) {
		t.Errorf("ToDB(%v) >= ToDB(%v)", a, b)
	}
}
