package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/devices/escpos/qrtest"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/idcard/idcardsim"
	"github.com/shcommunity/kiosk/devices/serialport"
	"github.com/shcommunity/kiosk/devices/slip"
	"github.com/shcommunity/kiosk/internal/ptypair"
	"github.com/shcommunity/kiosk/pii"
)

// demoRow is what the demo reports for one card of the deck.
type demoRow struct {
	Label   string
	Outcome string // "printed", or why not
	Read    time.Duration
	Print   time.Duration
	Bytes   int
	PNG     string
}

// runDemo drives the whole device path on simulated hardware: each card of
// the sample deck is placed on the simulated reader, read by the real
// watcher through a pty at 115200 baud, validated, and a slip carrying a
// signed token is printed through the real printer driver to the
// simulated printer, whose PNG is then scanned and its token verified.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devsim demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "out/demo", "directory for the slips' PNGs")
	profile := fs.String("profile", "58", "paper width: 58 or 80 (mm)")
	raster := fs.Bool("raster", false, "a printer without native QR")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	p, err := profileFlag(*profile, *raster, 0)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	rows, err := demo(ctx, demoConfig{Out: *out, Profile: p, Now: time.Now})
	for _, r := range rows {
		fmt.Fprintf(stdout, "%-16s %-34s read %4d ms  print %5d ms %6d bytes  %s\n",
			r.Label, r.Outcome, r.Read.Milliseconds(), r.Print.Milliseconds(), r.Bytes, r.PNG)
	}
	return err
}

type demoConfig struct {
	Out     string
	Profile escpos.Profile
	Now     func() time.Time
}

func demo(ctx context.Context, cfg demoConfig) ([]demoRow, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// The two simulators, each behind its own pseudo-terminal.
	readerPty, err := ptypair.Open()
	if err != nil {
		return nil, err
	}
	defer readerPty.Close()
	printerPty, err := ptypair.Open()
	if err != nil {
		return nil, err
	}
	defer printerPty.Close()
	reader := idcardsim.New(idcardsim.SampleDeck(), nil)
	printer := escpossim.New(cfg.Profile)
	printer.Dir = cfg.Out
	slips := make(chan escpossim.Slip, 1)
	printer.OnSlip = func(s escpossim.Slip) { slips <- s }
	go reader.Serve(ctx, readerPty.Master)
	go printer.Serve(ctx, printerPty.Master)

	// The kiosk's side: the real drivers on the pty paths.
	watcher := idcard.NewWatcher(func(ctx context.Context) (conn.Conn, error) {
		return serialport.Open(readerPty.Path, &serialport.Options{Baud: 115200})
	}, &idcard.WatcherOptions{Interval: 100 * time.Millisecond})
	go watcher.Run(ctx)
	port, err := serialport.Open(printerPty.Path, &serialport.Options{Baud: cfg.Profile.Baud})
	if err != nil {
		return nil, err
	}
	drv := escpos.NewPrinter(port, cfg.Profile)
	defer drv.Close()

	// A throwaway signing key stands in for the code service, so the QR
	// carries a real token that the demo can verify after scanning it.
	signer, err := token.GenerateSigner("SH", rand.Reader)
	if err != nil {
		return nil, err
	}
	now := cfg.Now()
	trust := &token.TrustList{Issuer: "SH", Version: 1, IssuedAt: now, NextUpdate: now.Add(24 * time.Hour),
		Keys: []token.TrustedKey{{KeyID: signer.KeyID(), Issuer: "SH", PublicKey: signer.PublicKey(),
			NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0)}}}

	if err := waitEvent(ctx, watcher, idcard.ReaderConnected); err != nil {
		return nil, err
	}
	var rows []demoRow
	for i, c := range reader.Deck().Cards {
		row := demoRow{Label: c.Label}
		start := time.Now()
		if err := reader.Place(c.Label); err != nil {
			return rows, err
		}
		ev, err := nextCard(ctx, watcher)
		if err != nil {
			return rows, err
		}
		row.Read = time.Since(start)
		row.Outcome, row.Print, row.Bytes, row.PNG = printFor(ctx, ev, i, cfg, drv, signer, trust, slips)
		rows = append(rows, row)
		reader.Remove()
		if err := waitEvent(ctx, watcher, idcard.CardRemoved); err != nil {
			return rows, err
		}
	}
	return rows, nil
}

// printFor validates the card of a CardPlaced event and prints its slip.
// It returns the outcome in words.
func printFor(ctx context.Context, ev idcard.Event, i int, cfg demoConfig, drv *escpos.Printer,
	signer *token.Signer, trust *token.TrustList, slips <-chan escpossim.Slip) (string, time.Duration, int, string) {
	if ev.Err != nil {
		if errors.Is(ev.Err, idcard.ErrCardExpired) {
			return "card expired: no slip", 0, 0, ""
		}
		return "unreadable: " + ev.Err.Error(), 0, 0, ""
	}
	card := ev.Card
	defer card.Wipe()
	now := cfg.Now()
	id, err := token.NewTokenID(rand.Reader)
	if err != nil {
		return "token: " + err.Error(), 0, 0, ""
	}
	claims := token.Claims{TokenID: id, IssuedAt: now.Truncate(time.Second), ExpiresAt: now.AddDate(0, 0, 180).Truncate(time.Second),
		MaskedName: token.CompactName(pii.MaskName(card.Name.Reveal()), token.MaxNameBytes)}
	text, err := signer.Sign(claims)
	if err != nil {
		return "token: " + err.Error(), 0, 0, ""
	}
	job, err := slip.Encode(slip.Slip{
		Name: card.Name, ID: card.Number, QR: text,
		IssuedAt: claims.IssuedAt, ValidUntil: claims.ExpiresAt,
		Centre: "黄浦区南京东路街道社区事务受理服务中心", Serial: fmt.Sprintf("DEMO-%04d", i+1),
	}, cfg.Profile)
	if err != nil {
		return "slip: " + err.Error(), 0, 0, ""
	}
	res, err := drv.Print(ctx, job)
	if err != nil {
		return "printer: " + err.Error(), res.Elapsed, res.Bytes, ""
	}
	var s escpossim.Slip
	select {
	case s = <-slips:
	case <-time.After(5 * time.Second):
		return "printer delivered no slip", res.Elapsed, res.Bytes, ""
	}
	got, err := qrtest.Decode(s.Image)
	if err != nil {
		return "QR unreadable: " + err.Error(), res.Elapsed, res.Bytes, s.Path
	}
	if _, err := trust.Verify(got, token.VerifyOptions{Now: now}); err != nil || got != text {
		return fmt.Sprintf("QR does not verify: %v", err), res.Elapsed, res.Bytes, s.Path
	}
	return "printed, QR scanned and verified", res.Elapsed, res.Bytes, s.Path
}

func waitEvent(ctx context.Context, w *idcard.Watcher, kind idcard.EventKind) error {
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-w.Events():
			if ev.Kind == kind {
				return nil
			}
		case <-timeout:
			return fmt.Errorf("no %v event from the reader within 10s", kind)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func nextCard(ctx context.Context, w *idcard.Watcher) (idcard.Event, error) {
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-w.Events():
			if ev.Kind == idcard.CardPlaced {
				return ev, nil
			}
		case <-timeout:
			return idcard.Event{}, errors.New("no card read within 10s")
		case <-ctx.Done():
			return idcard.Event{}, ctx.Err()
		}
	}
}
