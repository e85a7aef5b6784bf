//go:build windows

package keystore

import (
	"errors"
	"unsafe"

	"golang.org/x/sys/windows"
)

// entropy is DPAPI's optional entropy: another program of the same
// account that calls CryptUnprotectData on the file without it fails.
var entropy = []byte("shcommunity-kiosk keystore v1")

func blob(b []byte) *windows.DataBlob {
	if len(b) == 0 {
		return &windows.DataBlob{}
	}
	return &windows.DataBlob{Size: uint32(len(b)), Data: &b[0]}
}

// protect seals plain with DPAPI for the current user account on this
// machine, without a prompt.
func protect(plain []byte) ([]byte, error) {
	var out windows.DataBlob
	if err := windows.CryptProtectData(blob(plain), nil, blob(entropy), 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return nil, err
	}
	return takeBlob(&out), nil
}

// unprotect opens a blob protect made, as the same account on the same
// machine.
func unprotect(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, errors.New("empty key file")
	}
	var out windows.DataBlob
	if err := windows.CryptUnprotectData(blob(b), nil, blob(entropy), 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return nil, err
	}
	return takeBlob(&out), nil
}

// takeBlob copies DPAPI's output into Go memory and frees it.
func takeBlob(out *windows.DataBlob) []byte {
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return append([]byte(nil), unsafe.Slice(out.Data, out.Size)...)
}
