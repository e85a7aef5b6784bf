// Package config is the kiosk's configuration file: which mode it runs
// in, where its devices are (a port name or a USB VID:PID), the printer
// profile, the code service's URL, the centre's name, the language, the
// text scale, kiosk mode and the hash of its exit PIN. It lives in the
// user's configuration directory (os.UserConfigDir, so ~/.config on Linux
// and %AppData% on Windows) as JSON, following the configuration
// convention of ARCHITECTURE.md ("Conventions": a struct with Default,
// loaded in cmd/ only). The local database defaults to the user's data
// directory (internal/logfile.DataDir), which on Windows is the
// machine-local %LocalAppData%, never the roaming profile; see
// packaging/PACKAGING.md, "Where the files are".
package config
