package syncer_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

const perRun = 8 // enrolments each child process takes

// TestHelperKioskProcess is the kiosk process that TestSIGKILLMidPush
// starts and kills: it enrols perRun residents (unless KIOSK_RUN is -1)
// and pushes until the outbox is empty.
func TestHelperKioskProcess(t *testing.T) {
	if os.Getenv("KIOSK_HELPER") != "1" {
		t.Skip("only runs as the child process of TestSIGKILLMidPush")
	}
	ctx := context.Background()
	st, err := localstore.Open(ctx, os.Getenv("KIOSK_DB"), localstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id, err := syncer.LoadIdentity(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	// The kiosk's clock runs with the service's test clock (within
	// client.MaxSkew, which the kiosk would not cross).
	offset, _ := strconv.ParseInt(os.Getenv("KIOSK_CLOCK_OFFSET"), 10, 64)
	clock := syncer.NewClock(func() time.Time { return time.Now().Add(time.Duration(offset)) }, 0)
	rm := syncer.NewClientRemote(os.Getenv("KIOSK_URL"), &http.Client{Timeout: 5 * time.Second}, id, clock)
	eng, err := syncer.New(ctx, syncer.Config{Store: st, Remote: rm, Clock: clock, Logger: quiet, BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	run, _ := strconv.Atoi(os.Getenv("KIOSK_RUN"))
	if run >= 0 {
		for i := range perRun {
			if _, err := eng.Enrol(ctx, selfEnrolment(resident(t, 1000+run*perRun+i, i), i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for {
		if err := eng.SyncOnce(ctx); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSIGKILLMidPush kills the kiosk process with SIGKILL at random
// moments while it enrols and pushes, restarts it, and repeats; in the
// end every enrolment it committed must have reached the service exactly
// once.
func TestSIGKILLMidPush(t *testing.T) {
	if testing.Short() {
		t.Skip("starts many processes; skipped in -short mode")
	}
	s := startService(t)
	k := newKiosk(t, s, "", start) // registers the device
	path := k.path
	k.st.Close()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child := func(run int) *exec.Cmd {
		cmd := exec.Command(bin, "-test.run=^TestHelperKioskProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "KIOSK_HELPER=1", "KIOSK_DB="+path, "KIOSK_URL="+s.url(), fmt.Sprintf("KIOSK_RUN=%d", run),
			fmt.Sprintf("KIOSK_CLOCK_OFFSET=%d", s.clk.Now().Sub(time.Now())))
		return cmd
	}
	const runs = 15
	killed := 0
	for run := range runs {
		cmd := child(run)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("run %d: child failed before the kill: %v", run, err)
			}
		case <-time.After(time.Duration(30+rand.IntN(250)) * time.Millisecond):
			cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			killed++
		}
	}
	// A last run, not killed, drains what is left.
	if out, err := child(-1).CombinedOutput(); err != nil {
		t.Fatalf("drain run: %v\n%s", err, out)
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var items, acked int
	if err := db.QueryRow("SELECT count(*), coalesce(sum(state = 'acked'), 0) FROM outbox WHERE kind = 'enrolment'").Scan(&items, &acked); err != nil {
		t.Fatal(err)
	}
	all, accepted, residents := s.enrolments()
	t.Logf("%d runs, %d killed; %d enrolments committed at the kiosk", runs, killed, items)
	if killed == 0 {
		t.Error("no run was killed: the test exercised nothing")
	}
	if items == 0 || acked != items {
		t.Errorf("kiosk outbox: %d enrolments, %d acked; want all acked", items, acked)
	}
	if all != items || accepted != items || residents != items {
		t.Errorf("service: %d enrolments (%d accepted, %d residents), want exactly %d", all, accepted, residents, items)
	}
}
