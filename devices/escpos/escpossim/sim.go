package escpossim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/render"
	"github.com/shcommunity/kiosk/internal/pace"
)

// MaxRaw caps the bytes kept with one slip; a stream that never cuts
// cannot grow it without bound. The image is unaffected.
const MaxRaw = 4 << 20

// Slip is one printed slip.
type Slip struct {
	// Seq numbers the delivered slips from 1.
	Seq int
	// Image is what the printer printed, as render draws it.
	Image image.Image
	// Raw is the print data of the slip, from after the previous cut to
	// its own cut, without the status requests the receive layer handled.
	Raw []byte
	// Path is the PNG written for it when Printer.Dir is set.
	Path string
	// CutAt is when the bytes holding its cut had arrived over the line
	// (at the line rate when Baud is set): when a printer has the whole
	// slip, before the simulator has finished drawing it. Timings of the
	// kiosk stop here, not at the simulator's own rendering.
	CutAt time.Time
}

// Printer is the simulated printer. Set its fields before Serve; the
// fault switches may be flipped at any time from any goroutine.
type Printer struct {
	// Profile is the printer model (paper width).
	Profile escpos.Profile
	// Baud is the line rate for receiving and replying; zero or negative
	// turns pacing off. New sets it to the profile's rate.
	Baud int
	// Dir, when set, receives each slip as slip-NNNN.png.
	Dir string
	// OnSlip, when set, is called with each slip from Serve's goroutine.
	OnSlip func(Slip)
	// Logger records faults and files written; nil is slog.Default().
	Logger *slog.Logger

	mu       sync.Mutex
	paperOut bool
	nearEnd  bool
	cover    bool
	offline  bool
	cutter   bool
	mute     bool
	seq      int
	spoiled  int
}

// New returns a printer of profile p at the profile's baud rate.
func New(p escpos.Profile) *Printer {
	return &Printer{Profile: p, Baud: p.Baud}
}

func (p *Printer) set(f *bool, on bool) {
	p.mu.Lock()
	*f = on
	p.mu.Unlock()
}

// SetPaperOut empties or refills the paper roll.
func (p *Printer) SetPaperOut(on bool) { p.set(&p.paperOut, on) }

// SetPaperNearEnd sets the near-end sensor.
func (p *Printer) SetPaperNearEnd(on bool) { p.set(&p.nearEnd, on) }

// SetCoverOpen opens or closes the cover.
func (p *Printer) SetCoverOpen(on bool) { p.set(&p.cover, on) }

// SetOffline takes the printer offline or back online.
func (p *Printer) SetOffline(on bool) { p.set(&p.offline, on) }

// SetCutterError jams or clears the autocutter.
func (p *Printer) SetCutterError(on bool) { p.set(&p.cutter, on) }

// SetMute makes the printer stop answering status requests (a hung or
// unplugged printer) or answer again.
func (p *Printer) SetMute(on bool) { p.set(&p.mute, on) }

// Status is the state the printer reports to DLE EOT.
func (p *Printer) Status() escpos.Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status()
}

func (p *Printer) status() escpos.Status {
	return escpos.Status{
		Offline:       p.offline || p.paperOut || p.cover || p.cutter,
		CoverOpen:     p.cover,
		PaperEndStop:  p.paperOut,
		ErrorOccurred: p.cutter,
		CutterError:   p.cutter,
		PaperNearEnd:  p.nearEnd || p.paperOut,
		PaperEnd:      p.paperOut,
	}
}

func (p *Printer) canPrint() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !(p.paperOut || p.cover || p.offline || p.cutter)
}

// Printed is how many slips have been delivered.
func (p *Printer) Printed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seq
}

// Spoiled is how many slips were lost to a fault.
func (p *Printer) Spoiled() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.spoiled
}

// Serve runs the printer on rw until ctx ends (it returns nil) or rw
// fails (it returns the error; an error for which conn.Gone holds, such
// as io.EOF, counts as the host going away and gives nil). To stop a
// blocked read on cancellation rw should have SetReadDeadline, as pty
// files and pipes do.
func (p *Printer) Serve(ctx context.Context, rw io.ReadWriter) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	log := p.Logger
	if log == nil {
		log = slog.Default()
	}
	// The reply writer below is interrupted by the write deadline, the
	// receiver by the read deadline. An error here is a closed stream,
	// which the first read reports.
	release, _ := conn.Bind(ctx, rw, time.Time{})
	defer release()

	// Replies go out from their own goroutine so that a host which is not
	// reading (a spurious DLE EOT inside raster data) never stalls the
	// receiver.
	replies := make(chan byte, 64)
	var wg sync.WaitGroup
	wg.Go(func() { p.reply(ctx, rw, replies) })
	defer wg.Wait()
	defer cancel()

	// The receive layer (line pacing and DLE EOT) runs here; parsing,
	// rendering and delivery run behind it, so a slow render never delays
	// a status reply, as on a printer whose receive interrupt answers while
	// the mechanism prints.
	work := make(chan chunk, 1024)
	rx := &receiver{p: p, log: log, r: render.New(p.Profile)}
	wg.Go(func() {
		for c := range work {
			rx.process(c)
		}
	})
	defer close(work)

	return p.receive(ctx, rw, replies, work)
}

// reply writes the status replies, paced, until ctx ends or rw fails.
func (p *Printer) reply(ctx context.Context, rw io.Writer, replies <-chan byte) {
	w := pace.NewWriter(rw, p.Baud)
	for {
		select {
		case <-ctx.Done():
			return
		case b := <-replies:
			if _, err := w.Write([]byte{b}); err != nil {
				return
			}
		}
	}
}

// receive reads the host's bytes at the line rate, answers the status
// requests among them at once and hands everything on to the renderer.
func (p *Printer) receive(ctx context.Context, rw io.Reader, replies chan<- byte, work chan<- chunk) error {
	// Real firmware answers DLE EOT n wherever it is in the receive
	// buffer, inside raster data too.
	var requests escpos.StatusScanner
	// Read about 10 ms of line time at once: the pacing below then
	// releases the sender in steps a real UART would also show.
	size := 256
	if p.Baud > 0 {
		size = max(16, p.Baud/pace.BitsPerByte/100)
	}
	buf := make([]byte, size)
	// Bytes that come less than a buffer's line time after the line's
	// schedule are the simulator's own lateness (a sleep that overshot), and
	// the schedule keeps its course so that such lateness does not add up;
	// a longer gap is an idle line, and the schedule starts again.
	idle := pace.Duration(size, p.Baud)
	due := time.Now()
	for {
		n, err := rw.Read(buf)
		if n > 0 {
			if p.Baud > 0 {
				now := time.Now()
				if now.Sub(due) > idle {
					due = now
				}
				due = due.Add(pace.Duration(n, p.Baud))
				if d := due.Sub(now); d > 0 {
					select {
					case <-time.After(d):
					case <-ctx.Done():
						return nil
					}
				}
			}
			requests.Scan(buf[:n], func(k escpos.StatusKind) { p.answer(k, replies) })
			select {
			case work <- chunk{b: bytes.Clone(buf[:n]), canPrint: p.canPrint(), at: time.Now()}:
			case <-ctx.Done():
				return nil
			}
		}
		if err != nil {
			if ctx.Err() != nil || conn.Gone(err) {
				return nil
			}
			return fmt.Errorf("escpossim: read: %w", err)
		}
	}
}

// chunk is bytes as received, with whether the printer could print then
// and when they had arrived.
type chunk struct {
	b        []byte
	canPrint bool
	at       time.Time
}

func (p *Printer) answer(n escpos.StatusKind, replies chan<- byte) {
	p.mu.Lock()
	mute, st := p.mute, p.status()
	p.mu.Unlock()
	if mute {
		return
	}
	select {
	case replies <- st.Byte(n):
	default: // the host is not reading; a real UART would drop it too
	}
}

// receiver is the parsing side of one Serve: the bytes of an incomplete
// command and the slip in progress.
type receiver struct {
	p   *Printer
	log *slog.Logger
	r   *render.Renderer

	pending []byte    // the start of an incomplete command
	skip    int       // bytes of an over-long command still to discard
	raw     []byte    // print data of the slip in progress
	spoiled bool      // print data of the slip in progress met a fault
	at      time.Time // when the chunk being processed arrived
}

func (rx *receiver) process(c chunk) {
	rx.at = c.at
	b := c.b
	if rx.skip > 0 {
		k := min(rx.skip, len(b))
		rx.keep(b[:k])
		rx.skip -= k
		b = b[k:]
	}
	rx.pending = append(rx.pending, b...)
	off := 0
	for off < len(rx.pending) {
		t, n, err := render.Next(rx.pending[off:])
		if errors.Is(err, render.ErrTooLong) {
			avail := len(rx.pending) - off
			if n <= avail {
				rx.keep(rx.pending[off : off+n])
				off += n
				continue
			}
			rx.keep(rx.pending[off:])
			rx.skip = n - avail
			off = len(rx.pending)
			break
		}
		if err != nil {
			break // incomplete: wait for more
		}
		off += n
		if t.Op == render.OpStatus {
			continue // answered by the receive layer
		}
		if !c.canPrint {
			rx.spoiled = true
		}
		rx.keep(t.Raw)
		if img := rx.r.Apply(t); img != nil {
			rx.deliver(img)
		} else if t.Op == render.OpCut {
			rx.raw, rx.spoiled = rx.raw[:0], false
		}
	}
	rx.pending = append(rx.pending[:0], rx.pending[off:]...)
}

func (rx *receiver) keep(b []byte) {
	if room := MaxRaw - len(rx.raw); room > 0 {
		rx.raw = append(rx.raw, b[:min(room, len(b))]...)
	}
}

func (rx *receiver) deliver(img image.Image) {
	raw := append([]byte(nil), rx.raw...)
	spoiled := rx.spoiled
	rx.raw, rx.spoiled = rx.raw[:0], false
	p := rx.p
	p.mu.Lock()
	if spoiled {
		p.spoiled++
		p.mu.Unlock()
		rx.log.Warn("Printer simulator discarded a slip", "reason", "fault while printing")
		return
	}
	p.seq++
	s := Slip{Seq: p.seq, Image: img, Raw: raw, CutAt: rx.at}
	p.mu.Unlock()
	if p.Dir != "" {
		path := filepath.Join(p.Dir, fmt.Sprintf("slip-%04d.png", s.Seq))
		if err := WritePNG(path, img); err != nil {
			rx.log.Error("Printer simulator could not write slip", "path", path, "err", err)
		} else {
			s.Path = path
		}
	}
	if p.OnSlip != nil {
		p.OnSlip(s)
	}
}

// WritePNG writes img to the file at path as a PNG, as the simulator
// writes each slip to Dir.
func WritePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
