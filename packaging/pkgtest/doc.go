// Package pkgtest holds the tests of the kiosk's packaging (packaging/):
// the quick ones check the files build.sh assembles (udev rules, desktop
// entries, systemd unit, maintainer scripts, version mapping) on every
// `go test ./...`; the slow ones check the built .deb (file modes of the
// Debian Policy Manual §3, §10.9; dpkg-deb(1)), its installation into a
// scratch root, the Windows executables (PE/COFF specification: machine,
// subsystem, resources, imports) and the NSIS installer script (makensis).
//
// The slow tests run only with KIOSK_PACKAGE_TESTS=1, after `make
// package` (or they run packaging/build.sh themselves when the artefacts
// are missing). KIOSK_PACKAGE_DIR names the artefact directory (default
// out/package).
package pkgtest
