package ssc

import (
	"errors"
	"runtime"
)

// Remedy says what a technician should do about an error of this package,
// in the words kioskctl and the doctor print; "" when there is nothing
// better to say than the error itself.
func Remedy(err error) string {
	switch {
	case errors.Is(err, ErrNoService):
		if runtime.GOOS == "windows" {
			return "start the Smart Card service (services.msc, \"Smart Card\", startup type Automatic)"
		}
		return "install and start pcscd: `sudo apt install pcscd`, then `sudo systemctl enable --now pcscd.socket`"
	case errors.Is(err, ErrNoReader), errors.Is(err, ErrReaderGone):
		return "plug the contact card reader in (USB); `kioskctl doctor` lists the readers the PC/SC service sees"
	case errors.Is(err, ErrNoCard):
		return "insert the social-security card, chip first and facing up, and run the command again"
	case errors.Is(err, ErrCardRemoved):
		return "leave the card in the reader until the read is done, then try again"
	case errors.Is(err, ErrCardUnresponsive):
		return "the card does not answer: turn it round (chip first, facing up); if it still fails the chip is damaged"
	case errors.Is(err, ErrNotSSC):
		return "this is not a social-security card (a bank or transport card?): ask for the social-security card or the ID card"
	case errors.Is(err, ErrLocked):
		return "the card is locked: the resident should take it to a social-security service point (社保服务网点)"
	case errors.Is(err, ErrCardExpired):
		return "the card has expired: the resident should renew it at a social-security service point"
	case errors.Is(err, ErrInvalidCard), errors.Is(err, ErrRecordMissing), errors.Is(err, ErrNameEncoding),
		errors.Is(err, ErrBadRecord), errors.Is(err, ErrTruncated), errors.Is(err, ErrStatus):
		return "the card's data cannot be used: try once more; if it fails again ask for the ID card and report the card"
	}
	return ""
}
