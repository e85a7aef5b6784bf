package localstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/sync/localstore"
)

// BenchmarkEnqueueVsBatchedInsert enqueues rows through the outbox, one
// transaction per item as the kiosk does (each an fsync under
// synchronous=FULL), and inserts the same rows with one plain batched
// INSERT transaction into an identical table, in the same run; it reports
// both rates and their ratio.
func BenchmarkEnqueueVsBatchedInsert(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	s := open(b, filepath.Join(dir, "kiosk.db"), localstore.Options{})
	plain, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "plain.db")+"?_journal_mode=WAL&_synchronous=FULL")
	if err != nil {
		b.Fatal(err)
	}
	defer plain.Close()
	if _, err := plain.Exec(`CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT NOT NULL UNIQUE,
		kind TEXT NOT NULL, body BLOB NOT NULL, resident_key BLOB, receipt TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending',
		created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte{0xA5}, 300) // a sealed enrolment is about this size
	key := s.KeyOf("310101194803140019")
	var enqueue, batched time.Duration
	n := 0
	for b.Loop() {
		id := fmt.Sprintf("bench-%08d", n)
		n++
		t0 := time.Now()
		err := s.InTx(ctx, func(tx *localstore.Tx) error {
			_, err := tx.Enqueue(localstore.NewItem{ClientID: id, Kind: "enrolment", Body: body, Resident: key, Receipt: "R"})
			return err
		})
		enqueue += time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	t0 := time.Now()
	tx, err := plain.Begin()
	if err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.Prepare("INSERT INTO outbox (client_id, kind, body, resident_key, receipt, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if _, err := stmt.Exec(fmt.Sprintf("bench-%08d", i), "enrolment", body, key[:], "R", 1, 1); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	batched = time.Since(t0)
	b.ReportMetric(float64(n)/enqueue.Seconds(), "enqueues/s")
	b.ReportMetric(float64(n)/batched.Seconds(), "batched-inserts/s")
	b.ReportMetric(batched.Seconds()/enqueue.Seconds(), "enqueue/batched-rate")
}
