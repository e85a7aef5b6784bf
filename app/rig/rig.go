package rig

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shcommunity/kiosk/app/config"
	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/wire"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/devseed"
	"github.com/shcommunity/kiosk/codesvc/healthcloud"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/store/sqlitestore"
	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/idcard/idcardsim"
	"github.com/shcommunity/kiosk/devices/serialport"
	"github.com/shcommunity/kiosk/devices/ssc"
	"github.com/shcommunity/kiosk/devices/ssc/pcsclab"
	"github.com/shcommunity/kiosk/devices/ssc/sscsim"
	"github.com/shcommunity/kiosk/internal/ptypair"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

// Options configure Start. The zero value is a working demo in a
// temporary directory over in-process pipes.
type Options struct {
	// Dir holds the two databases; "" makes a temporary directory that
	// Close removes.
	Dir string
	// Baud is the line rate of both simulated devices; 0 means 115200.
	Baud int
	// Unpaced runs both devices as fast as the pipes go, for long runs
	// that measure the software (memory after a thousand residents).
	Unpaced bool
	// Pty runs the simulators on pseudo-terminals opened through the
	// real serial layer (Linux); otherwise on net.Pipe.
	Pty bool
	// Profile is the printer; zero means 58 mm.
	Profile escpos.Profile
	// Centre is printed on every slip.
	Centre string
	// PollInterval is the reader watcher's poll; 0 means its default.
	PollInterval time.Duration
	// Patience, when set, replaces every bound on waiting for the
	// simulators and the local service (a live status look-up, a token,
	// an enrolment's confirmation, a printer's status reply): a test on a
	// loaded machine must not see a timeout that only a broken device or
	// a cut network can cause. Zero keeps the kiosk's own defaults.
	Patience time.Duration
	// Now is the clock of the service and of the kiosk's engine and
	// store, for a test that moves time on (past a resident's
	// valid_until); nil is time.Now. The flows' own timers run on real
	// time.
	Now func() time.Time
	// Logger gets the parts' logs; nil discards them.
	Logger *slog.Logger
	// OnSlip receives each slip the simulated printer prints.
	OnSlip func(escpossim.Slip)
	// SSC adds the contact reader: a virtual social-security card
	// (sscsim) on a vpcd reader of a private pcscd (pcsclab), read
	// through the real PC/SC stack by an ssc.Watcher. When the pcscd
	// cannot start, the rig runs without it and the contact reader
	// reports the PC/SC service not running (SSCErr).
	SSC bool
	// Lab is that pcscd when the caller started it (a test binary's
	// TestMain, pcsclab.StartForTests); nil makes the rig start one and
	// stop it on Close.
	Lab *pcsclab.Lab
}

// Rig is a running demo: the code service on a loopback port, the
// kiosk's store and sync engine registered with it, and the two device
// simulators with their real drivers.
type Rig struct {
	Service  *server.Service
	URL      string
	Store    *localstore.Store
	Engine   *syncer.Engine
	Reader   *idcardsim.Sim
	Printer  *escpossim.Printer
	Driver   *escpos.Printer
	Watcher  *idcard.Watcher
	Backend  *wire.Backend
	Slips    *wire.Printer
	Deck     *idcardsim.Deck
	Worker   string // the demo worker's ID
	Password string // and password

	// With Options.SSC: the virtual card slot and its deck, and the
	// contact reader's watcher; or, when the private pcscd could not
	// start, SSCErr (matching ssc.ErrNoService) and none of them.
	SSC        *sscsim.Sim
	SSCDeck    *sscsim.Deck
	SSCWatcher *ssc.Watcher
	SSCErr     error

	// OpenReader opens a new connection to the reader simulator (the
	// Watcher's opener).
	OpenReader conn.Opener

	offline atomic.Bool
	// readerOut: the reader simulator was unplugged (idcardsim's
	// UnplugMidRead) and stays out until PlugReader.
	readerOut atomic.Bool
	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closers   []func() error
	tmp       string
}

// The demo worker the rig's service has (codesvc/devseed).
const (
	DemoWorker   = devseed.WorkerID
	DemoPassword = devseed.Password
)

// Start builds and starts a rig. The Watcher is made but not run: the
// caller runs it (and reads its events) so that it decides which flow
// consumes them.
func Start(ctx context.Context, opts Options) (r *Rig, err error) {
	if opts.Baud == 0 {
		opts.Baud = 115200
	}
	if opts.Profile.Dots == 0 {
		opts.Profile = escpos.Profile58
	}
	opts.Profile.Baud = opts.Baud
	if opts.Centre == "" {
		opts.Centre = "演示社区服务中心"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(ctx)
	r = &Rig{ctx: ctx, cancel: cancel, Worker: DemoWorker, Password: DemoPassword}
	started := r // the returns below set r to nil on failure
	defer func() {
		if err != nil {
			started.Close()
		}
	}()
	dir := opts.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "kiosk-demo-"); err != nil {
			return nil, err
		}
		r.tmp = dir
	}
	if err := r.startService(ctx, dir, opts); err != nil {
		return nil, err
	}
	if err := r.startKiosk(ctx, dir, opts); err != nil {
		return nil, err
	}
	if err := r.startDevices(ctx, opts); err != nil {
		return nil, err
	}
	if opts.SSC {
		r.startContact(ctx, opts)
	}
	return r, nil
}

// startContact starts the virtual social-security card on the first
// reader of a private pcscd, and the watcher of that reader. A pcscd that
// cannot start is no failure of the rig: the contact reader is then
// reported as the PC/SC service not running, as on a kiosk without one.
func (r *Rig) startContact(ctx context.Context, opts Options) {
	lab := opts.Lab
	if lab == nil {
		var err error
		if lab, err = pcsclab.Start(ctx, nil); err != nil {
			r.SSCErr = fmt.Errorf("%w: %w", ssc.ErrNoService, err)
			opts.Logger.Warn("No contact reader: the private pcscd did not start", "err", err)
			return
		}
		r.closers = append(r.closers, lab.Stop)
	}
	r.SSCDeck = sscsim.SampleDeck()
	r.SSC = sscsim.New(r.SSCDeck, &sscsim.Options{Addr: lab.Readers[0].Addr, Logger: opts.Logger})
	r.closers = append(r.closers, r.SSC.Close)
	r.SSCWatcher = ssc.NewWatcher(&ssc.WatcherOptions{Reader: lab.Readers[0].Name, Now: opts.Now})
}

// Cards runs the readers' watchers until ctx ends or the rig closes and
// returns their events merged for the flows (wire.Cards): the ID card
// reader's and, with Options.SSC, the contact reader's. Call it once,
// instead of running Watcher yourself.
func (r *Rig) Cards(ctx context.Context) <-chan flow.CardEvent {
	ctx, stop := context.WithCancel(ctx)
	context.AfterFunc(r.ctx, stop)
	r.wg.Go(func() { r.Watcher.Run(ctx) })
	var contact <-chan ssc.Event
	switch {
	case r.SSCWatcher != nil:
		r.wg.Go(func() { r.SSCWatcher.Run(ctx) })
		contact = r.SSCWatcher.Events()
	case r.SSCErr != nil:
		down := make(chan ssc.Event, 1)
		down <- ssc.Event{Kind: ssc.ReaderDisconnected, Err: r.SSCErr}
		contact = down
	}
	return wire.Cards(ctx, r.Watcher.Events(), contact)
}

// startService starts the code service on a loopback port, seeded as
// `codeservice serve --dev` seeds it; while the rig is offline it drops
// every connection without an answer.
func (r *Rig) startService(ctx context.Context, dir string, opts Options) error {
	st, err := sqlitestore.Open(ctx, filepath.Join(dir, "codes.db"))
	if err != nil {
		return fmt.Errorf("rig: service store: %w", err)
	}
	r.closers = append(r.closers, st.Close)
	if r.Service, err = server.New(ctx, st, server.Options{Logger: opts.Logger, Now: opts.Now, HealthCloud: &healthcloud.Sample{},
		// Look-up limits off: the tests on the rig serve residents one
		// after another as fast as the simulators go, faster than any
		// person at a real kiosk (docs/security.md, "1. Every device could
		// do a worker's work").
		LookupLimits: map[api.Role]server.Limit{}}); err != nil {
		return fmt.Errorf("rig: service: %w", err)
	}
	if _, err := devseed.Seed(ctx, r.Service); err != nil {
		return fmt.Errorf("rig: seed: %w", err)
	}
	if err := devseed.Health(r.Service); err != nil {
		return fmt.Errorf("rig: seed: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("rig: listen: %w", err)
	}
	r.URL = "http://" + ln.Addr().String()
	h := server.NewHandler(r.Service)
	srv := server.NewHTTPServer(ln.Addr().String(), http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.offline.Load() {
			panic(http.ErrAbortHandler) // the connection drops, as when the network is cut
		}
		h.ServeHTTP(w, req)
	}))
	r.wg.Go(func() { srv.Serve(ln) })
	r.closers = append(r.closers, func() error {
		// A request still being served gets a moment to finish; on a busy
		// machine it may need longer, and then it is cut: closing the rig
		// must not fail because the machine is slow.
		sctx, c := context.WithTimeout(context.Background(), time.Second)
		defer c()
		err := srv.Shutdown(sctx)
		if errors.Is(err, context.DeadlineExceeded) {
			err = srv.Close()
		}
		return err
	})
	return nil
}

// startKiosk opens the kiosk's store, registers it with a provisioning
// code, runs its sync engine and makes its backend.
func (r *Rig) startKiosk(ctx context.Context, dir string, opts Options) error {
	clock := syncer.NewClock(opts.Now, 0)
	var err error
	if r.Store, err = localstore.Open(ctx, filepath.Join(dir, "kiosk.db"), localstore.Options{Now: clock.Now,
		KeyFile: filepath.Join(dir, "keys", "kiosk.key")}); err != nil {
		return fmt.Errorf("rig: kiosk store: %w", err)
	}
	r.closers = append(r.closers, r.Store.Close)
	code, _, err := r.Service.ProvisionDevice(ctx, "demo kiosk", api.RoleCounter)
	if err != nil {
		return fmt.Errorf("rig: provision: %w", err)
	}
	id, err := syncer.Register(ctx, r.Store, client.Provisioning{BaseURL: r.URL, Code: code, Fingerprint: r.Service.Fingerprint(nil),
		Name: "demo kiosk"})
	if err != nil {
		return fmt.Errorf("rig: %w", err)
	}
	remote := syncer.NewClientRemote(r.URL, http.DefaultClient, id, clock)
	remote.C.Purpose = api.PurposeSelfService // the demo kiosk's own role; each screen declares its own
	if r.Engine, err = syncer.New(ctx, syncer.Config{Store: r.Store, Remote: remote, Clock: clock, Interval: 10 * time.Second,
		LiveTimeout: opts.Patience, Logger: opts.Logger}); err != nil {
		return fmt.Errorf("rig: engine: %w", err)
	}
	if err := r.Engine.SyncOnce(ctx); err != nil {
		return fmt.Errorf("rig: first sync: %w", err)
	}
	r.wg.Go(func() {
		if err := r.Engine.Run(ctx); err != nil {
			opts.Logger.Error("Sync engine stopped", "err", err)
		}
	})
	r.Backend = &wire.Backend{Engine: r.Engine, Client: remote.C, Timeout: opts.Patience, ConfirmWait: opts.Patience}
	return nil
}

// startDevices starts the reader and printer simulators, on pipes or
// ptys, and the kiosk's printer driver and reader watcher on them.
func (r *Rig) startDevices(ctx context.Context, opts Options) error {
	r.Deck = idcardsim.SampleDeck()
	r.Reader = idcardsim.New(r.Deck, &idcardsim.Options{Baud: opts.Baud, Unpaced: opts.Unpaced})
	r.Printer = escpossim.New(opts.Profile)
	if opts.Unpaced {
		r.Printer.Baud = 0
	}
	r.Printer.Logger = opts.Logger
	r.Printer.OnSlip = opts.OnSlip
	var printerConn conn.Conn
	if opts.Pty {
		r.OpenReader = r.ptyOpener(ctx, opts.Baud)
		p, err := ptypair.Open()
		if err != nil {
			return fmt.Errorf("rig: printer pty: %w", err)
		}
		r.closers = append(r.closers, p.Close)
		r.serve(func() error { return r.Printer.Serve(ctx, p.Master) })
		port, err := serialport.Open(p.Path, &serialport.Options{Baud: opts.Baud})
		if err != nil {
			return fmt.Errorf("rig: printer port: %w", err)
		}
		printerConn = port
	} else {
		r.OpenReader = r.pipeOpener(ctx)
		host, dev := net.Pipe()
		r.closers = append(r.closers, dev.Close)
		r.serve(func() error { return r.Printer.Serve(ctx, dev) })
		printerConn = host
	}
	r.Driver = escpos.NewPrinter(printerConn, opts.Profile)
	r.Driver.Fresh = wire.PrinterFresh
	if opts.Patience > 0 {
		r.Driver.StatusTimeout = opts.Patience
	}
	if opts.Unpaced {
		r.Driver.Baud = 0
	}
	r.closers = append(r.closers, r.Driver.Close)
	r.Slips = &wire.Printer{Driver: r.Driver, Centre: opts.Centre, Withdraw: config.DefaultWithdraw}
	r.Watcher = idcard.NewWatcher(r.OpenReader, &idcard.WatcherOptions{Interval: opts.PollInterval})
	return nil
}

func (r *Rig) serve(f func() error) {
	r.wg.Go(func() { f() })
}

// pipeOpener serves the reader simulator on a new in-process pipe for
// each connection the watcher opens.
func (r *Rig) pipeOpener(ctx context.Context) conn.Opener {
	return func(context.Context) (conn.Conn, error) {
		if r.readerOut.Load() {
			return nil, serialport.ErrNotFound
		}
		host, dev := net.Pipe()
		r.serve(func() error {
			defer dev.Close()
			return r.serveReader(ctx, dev)
		})
		return host, nil
	}
}

// serveReader serves the reader simulator on one line. When the
// simulator is unplugged mid-reply the reader stays out, before the line
// closes under the kiosk, so the kiosk's next open finds no device until
// PlugReader.
func (r *Rig) serveReader(ctx context.Context, line io.ReadWriter) error {
	err := r.Reader.Serve(ctx, line)
	if errors.Is(err, idcardsim.ErrUnplugged) {
		r.readerOut.Store(true)
	}
	return err
}

// PlugReader plugs the reader simulator in again after it was unplugged
// mid-reply: the kiosk's next open finds it on a new line, as a USB
// adapter comes back as a new device node.
func (r *Rig) PlugReader() { r.readerOut.Store(false) }

// ptyOpener serves the reader simulator on a new pseudo-terminal for
// each connection, opened through the real serial layer.
func (r *Rig) ptyOpener(ctx context.Context, baud int) conn.Opener {
	return func(context.Context) (conn.Conn, error) {
		if r.readerOut.Load() {
			return nil, serialport.ErrNotFound
		}
		p, err := ptypair.Open()
		if err != nil {
			return nil, err
		}
		r.serve(func() error {
			defer p.Close()
			return r.serveReader(ctx, p.Master)
		})
		return serialport.Open(p.Path, &serialport.Options{Baud: baud})
	}
}

// Close stops everything and removes a temporary directory.
func (r *Rig) Close() error {
	r.cancel()
	var errs []error
	for i := len(r.closers) - 1; i >= 0; i-- {
		if err := r.closers[i](); err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, io.ErrClosedPipe) &&
			!errors.Is(err, os.ErrClosed) && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	r.wg.Wait()
	if r.tmp != "" {
		errs = append(errs, os.RemoveAll(r.tmp))
	}
	return errors.Join(errs...)
}

// SetOnline cuts (false) or restores (true) the kiosk's network: while
// cut, the service drops every connection without an answer.
func (r *Rig) SetOnline(on bool) {
	r.offline.Store(!on)
	if on {
		r.Engine.SyncNow()
	}
}

// Online reports whether the network is up.
func (r *Rig) Online() bool { return !r.offline.Load() }

// Labels lists the deck's card labels in order.
func (r *Rig) Labels() []string { return r.Reader.Labels() }
