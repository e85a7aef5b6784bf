package kioskmode

import (
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/shcommunity/kiosk/codesvc/api"
)

// ValidHash reports whether h has the form of a stored exit PIN hash: an
// argon2id PHC string with the parameter bounds api.CheckPassword accepts.
// It computes nothing, so a configuration file can be checked when it is
// loaded; it returns an error matching api.ErrBadHash otherwise.
func ValidHash(h string) error {
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return api.ErrBadHash
	}
	var p api.Argon2Params
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); n != 3 || err != nil {
		return api.ErrBadHash
	}
	if p.Memory < 8 || p.Memory > 1<<20 || p.Time < 1 || p.Time > 16 || p.Threads < 1 {
		return api.ErrBadHash
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	sum, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(sum) < 16 || len(sum) > 64 {
		return api.ErrBadHash
	}
	return nil
}
