// Package logfile keeps the kiosk's log in size-rotated files in the
// user's data directory, and makes sure no personal data reaches them.
//
// Writer is an io.Writer for a log/slog handler: it appends to NAME.log
// and, before a record would take the file past MaxSize, renames the files
// down the line (NAME.log → NAME.1.log → … → NAME.<Keep>.log, the oldest
// deleted) and starts a new one, so the log never takes more than about
// (Keep+1)×MaxSize of disk. A record is never split across files.
//
// NewHandler puts a JSON slog handler on it whose ReplaceAttr is a last
// line of defence behind the pii types (which already log "[redacted]",
// see /ARCHITECTURE.md, "Invariants"): attributes under keys that name
// personal data are dropped to "[redacted]", and anything shaped like an
// ID number of any card layout (18 characters with a right GB 11643 check
// digit, 15 digits, or the 2017 foreign card's 3 letters and 12 digits),
// written with or without spaces or dashes, in a message or a string
// value is masked to its first character and last four. NewTextHandler
// does the same for stderr, and ScrubWriter for a command's last error.
//
// The directory follows the XDG Base Directory Specification 0.8 on Linux
// ($XDG_DATA_HOME, default ~/.local/share) and the Windows known folder
// FOLDERID_LocalAppData (%LocalAppData%); see packaging/PACKAGING.md.
package logfile
