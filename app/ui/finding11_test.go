package ui_test

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/healthcode"
)

// oneWorker is a counter backend that knows one worker.
type oneWorker struct{}

func (oneWorker) Login(context.Context, string, string) (string, error) { return "演示社工", nil }
func (oneWorker) Enrol(context.Context, string, flow.Enrolment) (flow.Ticket, error) {
	return flow.Ticket{}, flow.ErrServiceUnavailable
}
func (oneWorker) Reissue(context.Context, string, flow.Resident) (flow.Ticket, error) {
	return flow.Ticket{}, flow.ErrServiceUnavailable
}
func (oneWorker) Correction(context.Context, string, flow.Resident, string) (string, error) {
	return "", flow.ErrServiceUnavailable
}
func (oneWorker) Status(context.Context, flow.Resident) (healthcode.Status, error) {
	return healthcode.Status{}, flow.ErrServiceUnavailable
}
func (oneWorker) Printed(context.Context, flow.Ticket) error        { return nil }
func (oneWorker) ManualEntry(context.Context, string) error         { return nil }
func (oneWorker) Dashboard(context.Context) (flow.Dashboard, error) { return flow.Dashboard{}, nil }
func (oneWorker) Record(context.Context, string, flow.Resident) (flow.Record, error) {
	return flow.Record{}, flow.ErrServiceUnavailable
}
func (oneWorker) ReportLost(context.Context, string, flow.Resident) (int, error) {
	return 0, flow.ErrServiceUnavailable
}
func (oneWorker) ResidentAccess(context.Context, string, flow.Resident) (flow.AccessList, error) {
	return flow.AccessList{}, flow.ErrServiceUnavailable
}
func (oneWorker) WithdrawHealth(context.Context, string, flow.Resident) error {
	return flow.ErrServiceUnavailable
}

// TestFinding11LeavingTheCounterLogsOut: switching the screen from the
// counter to the self-service or venue screen (the kiosk locked to the
// public) logs the worker out; coming back asks for her password.
func TestFinding11LeavingTheCounterLogsOut(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.New())
	w := test.NewTempWindow(t, nil)
	w.Resize(screenSize)
	ctx, cancel := context.WithCancel(context.Background())
	s := ui.Start(ctx, w, ui.Parts{Do: func(f func()) {}, Backend: nopBackend{}, Printer: nopPrinter{}, Counter: oneWorker{},
		Mode: flow.ModeCounter, Lang: i18n.ZH})
	t.Cleanup(func() { cancel(); s.Wait() })
	for _, next := range []flow.Mode{flow.ModeSelf, flow.ModeVenue} {
		s.SetMode(flow.ModeCounter)
		s.Flows.Counter.Login(ctx, "demo", "demo1234")
		deadline := time.Now().Add(10 * time.Second)
		for s.Flows.Counter.View().Step != flow.CounterReady {
			if time.Now().After(deadline) {
				t.Fatalf("login never finished: %+v", s.Flows.Counter.View())
			}
			time.Sleep(5 * time.Millisecond)
		}
		s.SetMode(next)
		if v := s.Flows.Counter.View(); v.Step != flow.CounterLogin || v.Worker != "" {
			t.Errorf("after switching to %s the counter is %+v, want logged out", next, v)
		}
	}
}
