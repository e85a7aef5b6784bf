package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/ui"
)

// process is one run of the program with a window: the Fyne app, the
// flows' context, the background goroutines and what must be closed on
// the way out. Every way out (the window's close button, the exit PIN,
// SIGINT, SIGTERM, the Windows console's close, logout) goes through
// quit, then through shutdown once the UI loop has returned, so that
// each ends the same way: the residents' data dropped, a slip under way
// finished, the store closed (SQLite checkpoints and removes its -wal and
// -shm files), temporary directories removed, and exit status 0.
type process struct {
	a   fyne.App
	win fyne.Window
	log *slog.Logger
	// ctx is the flows' and devices' context; cancel ends it (quit).
	// signalled is its parent, which a signal ends.
	ctx, signalled context.Context
	cancel         context.CancelFunc
	shell          atomic.Pointer[ui.Shell]
	loop           uiLoop

	quitOnce sync.Once
	endOnce  sync.Once      // shutdown, from run's end
	bg       sync.WaitGroup // engine, reader watcher: stopped before the closers run
	mu       sync.Mutex
	closers  []closer
}

// closer is something shutdown closes, last added first.
type closer struct {
	what  string
	close func() error
}

// newProcess makes the app and its main window; ctx is the signals'
// context (signal.NotifyContext).
func newProcess(ctx context.Context, a fyne.App, log *slog.Logger) *process {
	p := &process{a: a, log: log, signalled: ctx}
	p.ctx, p.cancel = context.WithCancel(ctx)
	p.win = a.NewWindow(windowTitle)
	// The close button quits through the one way out. Kiosk mode's Lock
	// replaces this with the exit PIN dialog, whose exit calls quit too.
	p.win.SetCloseIntercept(func() { p.quit("window closed") })
	return p
}

// windowTitle is the main window's title (tests find the window by it).
const windowTitle = "随申码 · 社区服务"

// onClose adds something for shutdown to close, after the flows and the
// background goroutines have stopped.
func (p *process) onClose(what string, f func() error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closers = append(p.closers, closer{what, f})
}

// background runs f (an engine's or a watcher's Run) until the flows'
// context ends; shutdown waits for it before closing what it uses.
func (p *process) background(f func(ctx context.Context)) {
	p.bg.Go(func() { f(p.ctx) })
}

// quit is the one way out of the UI: it drops every resident from the
// screens, stops handing views to the UI, ends the flows' context and
// stops the UI loop. It runs on the UI goroutine, once; the loop then
// returns from ShowAndRun and run calls shutdown.
//
// The loop is stopped through the driver, not fyne.App.Quit: App.Quit
// closes each window through GLFW, which panics ("The GLFW library is not
// initialized") when the loop has already ended, as it has when Fyne's
// own SIGINT handler or the last window closing ended it first.
func (p *process) quit(why string) {
	p.quitOnce.Do(func() {
		p.log.Info("Shutting down", "why", why)
		if s := p.shell.Load(); s != nil {
			s.Drop()
		}
		p.loop.stop()
		p.cancel()
		p.a.Driver().Quit()
	})
}

// run shows the window and runs the UI loop until quit, a signal or the
// window's end, then shuts down.
func (p *process) run(started func()) {
	p.a.Lifecycle().SetOnStarted(func() {
		started()
		if p.ctx.Err() != nil { // a signal while starting up
			p.quit("signal")
		}
	})
	uiDone := make(chan struct{})
	go func() {
		<-p.ctx.Done()
		p.loop.Do(func() { p.quit("signal") })
		p.watchUI(uiDone)
	}()
	p.win.ShowAndRun()
	uiReturned()
	close(uiDone)
	p.end()
}

// uiGrace bounds the wait for the UI loop to return once the process is
// on its way out (its context has ended: quit, or a signal).
const uiGrace = 10 * time.Second

// uiReturned runs when ShowAndRun has returned; a test makes it block,
// as the loop itself can (see watchUI).
var uiReturned = func() {}

// watchUI shuts the process down without the UI loop when the loop has
// not returned uiGrace after the process began to stop. Fyne 2.7.1's
// loop can fail to return at all: on its way out it queues the app's
// stopped hook, which another goroutine hands back to the loop's queue;
// when that lands after the loop has drained its queue for the last
// time, the hook's caller waits for ever, and so does the loop's wait for
// the hooks. The kiosk was once seen stuck so after a SIGTERM. The store
// is closed and the slip under way finished all the same; nothing is
// lost by exiting without the window.
func (p *process) watchUI(uiDone <-chan struct{}) {
	select {
	case <-uiDone:
	case <-time.After(uiGrace):
		p.log.Warn("The UI loop did not end; shutting down without it", "after", uiGrace)
		p.end()
		os.Exit(0)
	}
}

// end says why the process is stopping, if quit has not, stops the flows
// and runs shutdown, once, whichever of the UI loop's return and watchUI
// comes first; the other waits for it.
func (p *process) end() {
	// The loop can also end without quit: Fyne's own SIGINT and SIGTERM
	// handler stops it too, and the window is gone then.
	p.quitOnce.Do(func() {
		why := "UI loop ended"
		if p.signalled.Err() != nil {
			why = "signal"
		}
		p.log.Info("Shutting down", "why", why)
	})
	p.loop.stop()
	p.cancel()
	p.endOnce.Do(p.shutdown)
}

// stopWait bounds the wait for the flows at shutdown: a slip under way
// has flow.PrintGrace to finish; the rest stops at once with its
// context.
const stopWait = flow.PrintGrace + 5*time.Second

// shutdown waits for the flows (a slip under way finishes), the engine
// and the watcher, then runs the closers last first.
func (p *process) shutdown() {
	done := make(chan struct{})
	go func() {
		if s := p.shell.Load(); s != nil {
			s.Wait()
		}
		p.bg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(stopWait):
		p.log.Error("The flows did not stop in time; closing anyway", "after", stopWait)
	}
	p.mu.Lock()
	cs := p.closers
	p.closers = nil
	p.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		if err := cs[i].close(); err != nil && !errors.Is(err, context.Canceled) {
			p.log.Warn("Not closed cleanly", "what", cs[i].what, "err", err)
		}
	}
	p.log.Info("Stopped")
}

// uiLoop hands functions to the UI goroutine (fyne.Do) while the UI loop
// runs, and drops them once it is stopping: after the loop has ended,
// fyne.Do runs a function on the caller's own goroutine, and a view
// drawn there, from a flow wiping its resident at shutdown, is drawn on
// a window that has gone.
type uiLoop struct {
	stopped atomic.Bool
}

// Do runs f on the UI goroutine, unless the loop is stopping.
func (l *uiLoop) Do(f func()) {
	if !l.stopped.Load() {
		fyne.Do(f)
	}
}

func (l *uiLoop) stop() { l.stopped.Store(true) }
