package setup

import (
	"errors"

	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/serialport"
)

// FaultOf is what a failed device test means, as the words the screen
// shows (package i18n): the port (none chosen, missing, busy, no
// permission, unplugged), the reader (no card, no answer, the card's own
// fault) or the printer (paper, cover, no answer, a fault). nil is "".
func FaultOf(err error) i18n.Key {
	if err == nil {
		return ""
	}
	for _, f := range faults {
		for _, e := range f.errs {
			if errors.Is(err, e) {
				return f.key
			}
		}
	}
	var ce *idcard.CardError
	if errors.As(err, &ce) {
		return i18n.SetupCardInvalid
	}
	return i18n.SetupFailed
}

// faults are FaultOf's table, the first match winning: the port's
// faults before the devices', since an unplugged device also times out.
var faults = []struct {
	errs []error
	key  i18n.Key
}{
	{[]error{ErrNoPort}, i18n.SetupNoPort},
	{[]error{serialport.ErrNotFound, conn.ErrNotFound}, i18n.SetupPortMissing},
	{[]error{serialport.ErrBusy}, i18n.SetupPortBusy},
	{[]error{serialport.ErrPermission}, i18n.SetupPortPermission},
	{[]error{serialport.ErrUnplugged, conn.ErrUnplugged, idcard.ErrDisconnected}, i18n.SetupUnplugged},
	{[]error{idcard.ErrNoCard}, i18n.SetupNoCard},
	{[]error{idcard.ErrCardExpired}, i18n.SetupCardExpired},
	{[]error{idcard.ErrTimeout}, i18n.SetupReaderSilent},
	{[]error{escpos.ErrPaperOut}, i18n.SetupPaperOut},
	{[]error{escpos.ErrCoverOpen}, i18n.SetupCoverOpen},
	{[]error{escpos.ErrNotResponding}, i18n.SetupPrinterSilent},
	{[]error{escpos.ErrOffline, escpos.ErrCutter, escpos.ErrMechanical, escpos.ErrUnrecoverable, escpos.ErrAutoRecoverable}, i18n.SetupPrinterFault},
}
