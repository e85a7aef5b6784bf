// Package config is the kiosk's configuration file: which mode it runs
// in, where its devices are (a port name or a USB VID:PID), the printer
// profile, the code service's URL, the centre's name, the language and
// the text scale. It lives in the user's configuration directory
// (os.UserConfigDir, so ~/.config on Linux and %AppData% on Windows) as
// JSON, following item 39 of the style guide in
// /work/shared/reference/go-style-anchors.md (a struct with Default,
// loaded in cmd/ only).
package config
