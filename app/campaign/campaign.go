package campaign

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/sqlitestore"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/internal/crashpoint"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

// Options configure Run.
type Options struct {
	// Binary is the child: a program built with the tag crashpoints that
	// runs Child when ChildEnv is "1" (the campaign's test binary).
	Binary string
	// Args are the child's arguments (for a test binary, the -test.run
	// that reaches its TestMain quickly).
	Args []string
	// Kills is how many kills the campaign makes at least; every point
	// gets one at least whatever the number.
	Kills int
	// Seed makes the campaign's choices: which point, which pass, which
	// residents. The same seed makes the same choices.
	Seed uint64
	// Dir holds the two databases; it must exist.
	Dir string
	// Progress, when set, gets a line every 100 runs.
	Progress io.Writer
}

// Run starts the service and the printer simulator, runs children until
// Kills kills have landed (and one at every point), drains, and compares
// the stores and the slips. An error means the campaign could not run or
// a child failed other than by its kill; the table's counts are the
// findings.
func Run(ctx context.Context, opt Options) (Table, error) {
	if opt.Kills < len(crashpoint.All()) {
		opt.Kills = len(crashpoint.All())
	}
	p, err := newParent(ctx, opt)
	if err != nil {
		return Table{}, err
	}
	defer p.close()
	if err := p.campaign(ctx); err != nil {
		return p.table, err
	}
	if err := p.check(ctx); err != nil {
		return p.table, err
	}
	return p.table, nil
}

// parent is what outlives the kills: the service, the printer, the
// choices made and the counts.
type parent struct {
	opt     Options
	rng     *rand.Rand
	svc     *server.Service
	st      store.Store
	hs      *http.Server
	url     string
	dbPath  string
	printer *escpossim.Printer
	pln     net.Listener
	offset  atomic.Int64 // the service's clock minus the real one

	mu    sync.Mutex
	slips [][]byte // the print data of every slip delivered

	next     int                      // the next new resident's number
	visited  []int                    // residents served at least once
	enrolled map[int]bool             // residents the service has (the parent's events go only to them)
	most     map[crashpoint.Point]int // the most passes seen in one run that was not killed
	table    Table
}

func newParent(ctx context.Context, opt Options) (*parent, error) {
	p := &parent{opt: opt, rng: rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)),
		enrolled: map[int]bool{}, most: map[crashpoint.Point]int{}}
	p.table.Seed = opt.Seed
	p.table.Kills = map[crashpoint.Point]int{}
	var err error
	if p.st, err = sqlitestore.Open(ctx, filepath.Join(opt.Dir, "codes.db")); err != nil {
		return nil, err
	}
	// Self-enrolment and look-up limits off: one kiosk here takes
	// thousands of residents within the hour, which a real one cannot.
	p.svc, err = server.New(ctx, p.st, server.Options{Logger: slog.New(slog.DiscardHandler),
		SelfLimits: store.SelfLimits{PerDevice: -1, PerResident: -1}, LookupLimits: map[api.Role]server.Limit{},
		Now: func() time.Time { return time.Now().Add(time.Duration(p.offset.Load())) }})
	if err != nil {
		p.st.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		p.st.Close()
		return nil, err
	}
	p.url = "http://" + ln.Addr().String()
	p.hs = server.NewHTTPServer(ln.Addr().String(), server.NewHandler(p.svc))
	go p.hs.Serve(ln)
	if err := p.startPrinter(ctx); err != nil {
		p.close()
		return nil, err
	}
	p.dbPath = filepath.Join(opt.Dir, "kiosk.db")
	if err := p.register(ctx); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// startPrinter serves the printer simulator on a TCP port, one Serve per
// connection (each child opens its own); every slip it finishes is kept.
func (p *parent) startPrinter(ctx context.Context) error {
	p.printer = escpossim.New(escpos.Profile58)
	p.printer.Baud = 0
	p.printer.Logger = slog.New(slog.DiscardHandler)
	p.printer.OnSlip = func(s escpossim.Slip) {
		p.mu.Lock()
		p.slips = append(p.slips, bytes.Clone(s.Raw))
		p.mu.Unlock()
	}
	var err error
	if p.pln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return err
	}
	go func() {
		for {
			c, err := p.pln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				p.printer.Serve(ctx, c)
			}()
		}
	}()
	return nil
}

// keyFileOf is where the campaign keeps the kiosk's key file
// (sync/keystore): in a folder of its own beside the database.
func keyFileOf(db string) string { return filepath.Join(filepath.Dir(db), "keys", "kiosk.key") }

// register makes the kiosk's database and registers it with the service.
func (p *parent) register(ctx context.Context) error {
	st, err := localstore.Open(ctx, p.dbPath, localstore.Options{KeyFile: keyFileOf(p.dbPath)})
	if err != nil {
		return err
	}
	defer st.Close()
	code, _, err := p.svc.ProvisionDevice(ctx, "crash campaign", api.RoleCounter)
	if err != nil {
		return err
	}
	_, err = syncer.Register(ctx, st, client.Provisioning{BaseURL: p.url, Code: code, Fingerprint: p.svc.Fingerprint(nil),
		Name: "crash campaign kiosk", Timeout: patience})
	return err
}

func (p *parent) close() {
	if p.hs != nil {
		p.hs.Close()
	}
	if p.pln != nil {
		p.pln.Close()
	}
	p.st.Close()
}

// campaign runs children until the kills are made: the first run is not
// killed, and shows how often a run passes each point; then each run
// aims at the next point in turn, at a pass drawn from what runs have
// shown.
func (p *parent) campaign(ctx context.Context) error {
	points := crashpoint.All()
	maxRuns := 3*p.opt.Kills + 20
	for run := 0; ; run++ {
		if p.done() {
			return nil
		}
		if run >= maxRuns {
			return fmt.Errorf("campaign: %d runs made only %d kills", run, p.table.TotalKills())
		}
		var at crashpoint.Point
		k := 0
		if run > 0 {
			at = points[(run-1)%len(points)]
			k = 1 + p.rng.IntN(max(p.most[at], 1))
		}
		if err := p.prepare(ctx, at); err != nil {
			return err
		}
		if err := p.runChild(ctx, at, k, p.visits()); err != nil {
			return fmt.Errorf("run %d: %w", run, err)
		}
		if p.opt.Progress != nil && (run+1)%100 == 0 {
			fmt.Fprintf(p.opt.Progress, "campaign: %d runs, %d kills\n", run+1, p.table.TotalKills())
		}
	}
}

func (p *parent) done() bool {
	if p.table.TotalKills() < p.opt.Kills {
		return false
	}
	for _, pt := range crashpoint.All() {
		if p.table.Kills[pt] == 0 {
			return false
		}
	}
	return true
}

// visits picks the run's residents: two never seen, and one seen before
// (she comes back for a new slip, or after the kiosk died under her).
func (p *parent) visits() []int {
	out := []int{p.next, p.next + 1}
	p.next += 2
	if len(p.visited) > 0 {
		out = append(out, p.visited[p.rng.IntN(len(p.visited))])
	}
	p.visited = append(p.visited, out[0], out[1])
	return out
}

// prepare makes the point the run aims at reachable: residents' events
// for the feed to carry, and a new signing key for the trust list.
func (p *parent) prepare(ctx context.Context, at crashpoint.Point) error {
	if err := p.noteEnrolled(ctx); err != nil {
		return err
	}
	if len(p.enrolled) > 0 {
		kinds := []rules.EventKind{rules.ArrivalKeyArea, rules.TestNegative, rules.CloseContactStart, rules.CloseContactEnd}
		for range 1 + p.rng.IntN(3) {
			n := p.pickEnrolled()
			r, err := Resident(n)
			if err != nil {
				return err
			}
			kind := kinds[p.rng.IntN(len(kinds))]
			if _, err := p.svc.AddEvent(ctx, r.Number, kind, time.Time{}, "campaign"); err != nil {
				return fmt.Errorf("add event: %w", err)
			}
		}
	}
	if at == crashpoint.TrustMidUpdate || p.rng.IntN(10) == 0 {
		// The trust list's version is in whole seconds: move the
		// service's clock on by one so that the new key makes a new
		// version.
		p.offset.Add(int64(time.Second))
		if _, err := p.svc.RotateKey(ctx); err != nil {
			return fmt.Errorf("rotate key: %w", err)
		}
	}
	return nil
}

func (p *parent) pickEnrolled() int {
	i := p.rng.IntN(len(p.enrolled))
	for _, n := range p.visited { // visited is in a stable order; the map is not
		if p.enrolled[n] {
			if i == 0 {
				return n
			}
			i--
		}
	}
	return p.visited[0]
}

// noteEnrolled learns which visited residents the service has.
func (p *parent) noteEnrolled(ctx context.Context) error {
	for _, n := range p.visited {
		if p.enrolled[n] {
			continue
		}
		r, err := Resident(n)
		if err != nil {
			return err
		}
		_, _, err = p.st.ResidentByKey(ctx, p.svc.ResidentKey(r.Number))
		switch {
		case err == nil:
			p.enrolled[n] = true
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	return nil
}

// runChild runs one child aimed at the k-th pass of at (none when k is
// 0) and counts its kill, or learns from its report how often a run
// passes each point.
func (p *parent) runChild(ctx context.Context, at crashpoint.Point, k int, visits []int) error {
	cmd := exec.CommandContext(ctx, p.opt.Binary, p.opt.Args...)
	v := make([]string, len(visits))
	for i, n := range visits {
		v[i] = fmt.Sprint(n)
	}
	crash := ""
	if k > 0 {
		crash = fmt.Sprintf("%s:%d", at, k)
	}
	cmd.Env = append(os.Environ(), ChildEnv+"=1", envDB+"="+p.dbPath, envURL+"="+p.url,
		envPrinter+"="+p.pln.Addr().String(), envVisit+"="+strings.Join(v, ","), crashpoint.EnvVar+"="+crash)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	p.table.Runs++
	killedAt := fmt.Sprintf("crashpoint: killed at %s pass %d", at, k)
	if k > 0 && strings.Contains(stderr.String(), killedAt) {
		if err == nil {
			return fmt.Errorf("the child said it was killed at %s and exited normally", at)
		}
		p.table.Kills[at]++
		return nil
	}
	if err != nil {
		return fmt.Errorf("child (aimed at %s pass %d) failed: %w\n%s", at, k, err, tail(stderr.String()))
	}
	rep, err := readReport(stdout.Bytes())
	if err != nil {
		return err
	}
	if k > 0 {
		p.table.Missed++ // the run passed the point fewer than k times
	}
	for name, n := range rep.Passes {
		if pt, ok := crashpoint.Parse(name); ok {
			p.most[pt] = max(p.most[pt], n)
		}
	}
	return nil
}

func readReport(b []byte) (Report, error) {
	var rep Report
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if line := sc.Bytes(); bytes.HasPrefix(line, []byte("{")) {
			if err := json.Unmarshal(line, &rep); err != nil {
				return rep, fmt.Errorf("child report: %w", err)
			}
			return rep, nil
		}
	}
	return rep, fmt.Errorf("child printed no report:\n%s", tail(string(b)))
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}

func (p *parent) svcPath() string { return filepath.Join(p.opt.Dir, "codes.db") }
