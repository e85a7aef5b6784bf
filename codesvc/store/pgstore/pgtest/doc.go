// Package pgtest starts a throwaway PostgreSQL server for tests and
// benchmarks: initdb and pg_ctl of the installed server (Debian's
// postgresql package, which scripts/deps.sh installs) in a temporary
// directory, listening on a Unix socket in that directory only, stopped
// and removed at the end.
//
// PostgreSQL refuses to run as root. When the tests run as root (as CI
// does), the cluster's directory is handed to the unprivileged postgres
// system user that the package creates, and initdb, pg_ctl and the server
// run under that user's IDs; root connects through the socket as the
// database user postgres. Any other user runs them as itself.
//
// A test that needs the server and cannot start it fails with the reason;
// it skips only when KIOSK_SKIP_POSTGRES=1 says so (SkipEnv). The package
// imports no testing: SharedFor takes the three methods of testing.TB it
// uses as an interface, and Main the Run of a *testing.M.
package pgtest
