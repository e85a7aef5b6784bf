// Package keystore keeps the kiosk's secrets outside its database: the
// device's Ed25519 signing seed, the keyed-hash secret that turns an ID
// number into a resident key, and the key of the audit chain. A copy of
// the database alone (a backup, a file lifted from a stolen disk image
// of the data directory) then holds nothing that signs as the kiosk,
// finds a resident by ID number, or rebuilds the audit log:
// docs/security.md, "3. A copy of kiosk.db gave back ID numbers and health status".
//
// Where the secrets live, and why:
//
//   - Linux: a file (mode 0600) in its own directory (mode 0700),
//     $XDG_CONFIG_HOME/shcommunity-kiosk-keys/kiosk.key by default:
//     beside, not inside, the kiosk's configuration and data folders, so
//     that copying either folder, as a backup does, leaves it behind. The
//     kernel keyring was the alternative, but its keys do not survive a
//     reboot (the persistent keyring expires after days without a login),
//     and a kiosk must keep its identity through a power cut.
//   - Windows: the same file, its content protected with DPAPI
//     (CryptProtectData through golang.org/x/sys/windows, scope the
//     kiosk's user account): only that account on that machine opens it,
//     so the file copied elsewhere is useless too.
//
// On both, someone who holds the whole disk and the kiosk account's
// login holds the secrets; full-disk encryption is the answer to a stolen
// machine (docs/security.md).
package keystore
