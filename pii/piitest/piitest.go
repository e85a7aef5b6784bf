package piitest

import (
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/pii"
)

// ShanghaiID is the valid ID number of a resident registered in
// Shanghai's Huangpu district (310101), born on birth (YYYYMMDD), with
// sequence seq%1000 and its check digit, parsed as of now.
func ShanghaiID(birth string, seq int, now time.Time) (pii.IDNumber, error) {
	first := fmt.Sprintf("310101%s%03d", birth, seq%1000)
	cd, err := pii.CheckDigit(first)
	if err != nil {
		return "", err
	}
	return pii.ParseIDNumber(first+string(cd), now)
}
