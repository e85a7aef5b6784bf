package ui_test

import (
	"context"
	"image"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/healthcode"
)

type nopBackend struct{}

func (nopBackend) PaperCode(context.Context, flow.Resident) (flow.Ticket, error) {
	return flow.Ticket{}, flow.ErrServiceUnavailable
}
func (nopBackend) EnrolSelf(context.Context, flow.SelfEnrolment) (flow.Ticket, error) {
	return flow.Ticket{}, flow.ErrServiceUnavailable
}
func (nopBackend) Printed(context.Context, flow.Ticket) error { return nil }
func (nopBackend) CallHelp(context.Context, string) error     { return nil }
func (nopBackend) Link(context.Context) flow.Link             { return flow.Link{} }
func (nopBackend) Status(context.Context, flow.Resident) (healthcode.Status, error) {
	return healthcode.Status{}, flow.ErrServiceUnavailable
}

type nopPrinter struct{}

func (nopPrinter) Preview(flow.Ticket) (image.Image, error) { return nil, nil }
func (nopPrinter) Print(context.Context, flow.Ticket) error { return nil }
func (nopPrinter) State(context.Context) flow.PrinterState  { return flow.PrinterReady }
