// Package version carries the build's version, stamped from git by the
// Makefile (-ldflags -X), so that every binary answers --version.
package version

// Version is set at link time; "dev" for a plain go build.
var Version = "dev"
