package campaign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/wire"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/internal/crashpoint"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

// The environment a child runs in. ChildEnv set to "1" makes a binary
// that calls Child (the campaign's test binary) a child.
const (
	ChildEnv   = "KIOSK_CAMPAIGN_CHILD"
	envDB      = "KIOSK_CAMPAIGN_DB"
	envURL     = "KIOSK_CAMPAIGN_URL"
	envPrinter = "KIOSK_CAMPAIGN_PRINTER"
	envVisit   = "KIOSK_CAMPAIGN_VISIT"
)

// patience bounds every wait on the service and the printer in a child:
// long enough that only a dead peer ends it, however loaded the machine.
const patience = 2 * time.Minute

// Report is what a child that was not killed prints on standard output,
// as one JSON line.
type Report struct {
	Passes  map[string]int `json:"passes"` // crash point → passes through it
	Visits  int            `json:"visits"`
	Slips   int            `json:"slips"`
	Drained bool           `json:"drained"`
}

// Child is one run of the kiosk: it opens the store at $KIOSK_CAMPAIGN_DB,
// syncs with the service at $KIOSK_CAMPAIGN_URL, serves each resident of
// $KIOSK_CAMPAIGN_VISIT (comma-separated resident numbers, see Resident)
// as the self-service screen does (a paper code, or her enrolment and
// then her first code or a receipt, printed on the printer at the TCP
// address $KIOSK_CAMPAIGN_PRINTER and then recorded), syncs again, and
// writes its Report to out. With no residents to visit it drains: it
// syncs until the outbox is empty. Any failure is returned: the campaign
// counts it as a finding, never as a kill.
func Child(ctx context.Context, out io.Writer) error {
	st, err := localstore.Open(ctx, os.Getenv(envDB), localstore.Options{KeyFile: keyFileOf(os.Getenv(envDB))})
	if err != nil {
		return err
	}
	defer st.Close()
	id, err := syncer.LoadIdentity(ctx, st)
	if err != nil {
		return err
	}
	clock := syncer.NewClock(nil, 0)
	rm := syncer.NewClientRemote(os.Getenv(envURL), &http.Client{Timeout: patience}, id, clock)
	rm.C.Purpose = wire.ModePurpose(flow.ModeSelf) // a self-service kiosk's
	quiet := slog.New(slog.DiscardHandler)
	// Small batches and pages, so that a run passes the points of a push
	// and of a feed page several times.
	eng, err := syncer.New(ctx, syncer.Config{Store: st, Remote: rm, Clock: clock, Logger: quiet,
		BatchSize: 2, FeedLimit: 2, LiveTimeout: patience})
	if err != nil {
		return err
	}
	visits, err := parseVisits(os.Getenv(envVisit))
	if err != nil {
		return err
	}
	rep := Report{Visits: len(visits)}
	if len(visits) == 0 {
		rep.Drained, err = drain(ctx, eng)
	} else {
		rep.Slips, err = serve(ctx, eng, rm, visits)
	}
	if err != nil {
		return err
	}
	rep.Passes = map[string]int{}
	for p, n := range crashpoint.Passes() {
		rep.Passes[p.String()] = n
	}
	return json.NewEncoder(out).Encode(rep)
}

// serve syncs, serves the residents in turn and syncs again; it returns
// how many slips were printed.
func serve(ctx context.Context, eng *syncer.Engine, rm *syncer.ClientRemote, visits []int) (int, error) {
	if err := eng.SyncOnce(ctx); err != nil {
		return 0, fmt.Errorf("first sync: %w", err)
	}
	c, err := net.Dial("tcp", os.Getenv(envPrinter))
	if err != nil {
		return 0, fmt.Errorf("printer: %w", err)
	}
	drv := escpos.NewPrinter(c, escpos.Profile58)
	defer drv.Close()
	drv.Baud, drv.StatusTimeout = 0, patience
	slips := &wire.Printer{Driver: drv, Centre: "压力测试服务点"}
	be := &wire.Backend{Engine: eng, Client: rm.C, Timeout: patience, ConfirmWait: patience}
	printed := 0
	for _, n := range visits {
		r, err := Resident(n)
		if err != nil {
			return printed, err
		}
		t, err := be.PaperCode(ctx, r)
		if errors.Is(err, flow.ErrNotEnrolled) || errors.Is(err, flow.ErrNotKnownHere) {
			t, err = be.EnrolSelf(ctx, flow.SelfEnrolment{Resident: r, ConsentVersion: flow.ConsentVersion})
		}
		if err != nil {
			return printed, fmt.Errorf("resident %d: %w", n, err)
		}
		if err := slips.Print(ctx, t); err != nil {
			return printed, fmt.Errorf("resident %d: print: %w", n, err)
		}
		printed++
		if err := be.Printed(ctx, t); err != nil {
			return printed, fmt.Errorf("resident %d: record the print: %w", n, err)
		}
	}
	if err := eng.SyncOnce(ctx); err != nil {
		return printed, fmt.Errorf("last sync: %w", err)
	}
	return printed, nil
}

// drain syncs until nothing is pending, a few rounds at most: the service
// is up, so one round should do.
func drain(ctx context.Context, eng *syncer.Engine) (bool, error) {
	var last error
	for range 5 {
		last = eng.SyncOnce(ctx)
		s, err := eng.Summary(ctx)
		if err != nil {
			return false, err
		}
		if last == nil && s.Pending == 0 {
			return true, nil
		}
	}
	return false, fmt.Errorf("drain: outbox not empty after 5 rounds: %v", last)
}

func parseVisits(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s: %q is not a resident number", envVisit, f)
		}
		out = append(out, n)
	}
	return out, nil
}

// names are the residents' names, taken in turn.
var names = []pii.Name{"张三丰", "李秀英", "周建国", "王淑芬", "陈国强", "刘桂兰", "欧阳明华"}

// Resident is the campaign's resident number n: a valid Shanghai ID
// number whose birth date and sequence come from n, and a name.
func Resident(n int) (flow.Resident, error) {
	birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/1000)
	first := fmt.Sprintf("310101%s%03d", birth.Format("20060102"), n%1000)
	cd, err := pii.CheckDigit(first)
	if err != nil {
		return flow.Resident{}, err
	}
	id, err := pii.ParseIDNumber(first+string(cd), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return flow.Resident{}, err
	}
	return flow.Resident{Name: names[n%len(names)], Number: id}, nil
}
