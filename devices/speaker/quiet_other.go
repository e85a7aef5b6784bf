//go:build !linux

package speaker

// quietALSA does nothing: only Linux has ALSA.
func quietALSA() {}
