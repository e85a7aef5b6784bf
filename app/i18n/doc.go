// Package i18n holds every word the kiosk's screens show, in Chinese
// (zh-CN, the default) and English. The Chinese is plain and short, as
// MIIT's elderly-friendly design rules ask (docs/elderly-interface.md):
// say what happened and what to do next, never a colour without its word
// (绿码/黄码/红码).
//
// A C or POSIX locale, or none, selects Chinese: the language never
// depends on the host being set up (tested with LANG=C).
package i18n
