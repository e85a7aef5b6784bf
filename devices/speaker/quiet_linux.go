package speaker

// #cgo pkg-config: alsa
// #include <alsa/asoundlib.h>
//
// static void speakerQuiet(const char *file, int line, const char *function, int err, const char *fmt, ...) {}
// static void speakerSilenceALSA(void) { snd_lib_error_set_handler(speakerQuiet); }
import "C"

// quietALSA stops ALSA printing its own errors on the standard error
// ("ALSA lib pcm.c:...: Unknown PCM default" on a machine without sound):
// the error comes back to Device anyway, and the Player logs it as its
// one line.
func quietALSA() { C.speakerSilenceALSA() }
