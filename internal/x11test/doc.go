// Package x11test is for tests of the desktop program: it starts a
// private Xvfb (the X virtual framebuffer Debian packages as xvfb) on a
// free display, and speaks just enough of the X11 core protocol (X Window
// System Protocol, X Consortium Standard, X11R7.7) to find a top-level
// window by its title and ask it to close the way a window manager does:
// a WM_DELETE_WINDOW client message, as the ICCCM ("Inter-Client
// Communication Conventions Manual", version 2.0, section 4.2.8.1)
// describes. No production package imports it.
package x11test
