// Package pcsclab starts a private PC/SC stack for the tests, the
// benchmark and the demo: Debian's pcscd with vsmartcard's vpcd driver
// (package vsmartcard-vpcd), so that a virtual card (devices/ssc/sscsim)
// is read through the same libpcsclite, daemon and reader driver path a
// real card takes (docs/ssc-card.md, "The virtual card through the real
// stack").
//
// The daemon is private: it gets its own directory with its own
// reader.conf.d (one vpcd entry on two free TCP ports, so two readers)
// and its client socket there, handed over as a systemd-style activated
// socket (LISTEN_FDS, LISTEN_PID) because pcscd 1.9 has no option for the
// socket's path. Clients in this process find it through
// PCSCLITE_CSOCK_NAME, which Start sets. libpcsclite reads that variable
// once per process, so a process keeps one socket path: every Start in
// it uses the same directory, and only one Lab runs at a time.
//
// Start fails with ErrNotInstalled when pcscd or the vpcd driver is not
// there (scripts/deps.sh installs both), and with a message that says
// what failed otherwise. It runs on Linux only.
package pcsclab
