// Package provision registers a new kiosk with the code service and
// writes its configuration, for the first-run screen and `kioskctl
// provision` alike: the same checks of what the installer typed (Request,
// Validate), the same registration (sync/syncer.Register: the kiosk's
// signing key made and kept in its store and key file) and the same
// configuration written (Apply). Plain Go; the screen is in app/ui.
package provision
