package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/shcommunity/kiosk/codesvc/api"
)

// loadTLS reads the service's certificate chain and key (PEM) and returns
// the server's TLS configuration and the SPKI hash kiosks pin
// (api.SPKIHash of the leaf). A key file anyone may read is refused.
func loadTLS(certFile, keyFile string) (*tls.Config, []byte, error) {
	if st, err := os.Stat(keyFile); err == nil && runtime.GOOS != "windows" && st.Mode().Perm()&0o007 != 0 {
		return nil, nil, fmt.Errorf("--tls-key %s: mode %04o: others may read the service's private key; chmod 600 (or 640 with the service's group)",
			keyFile, st.Mode().Perm())
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, nil, fmt.Errorf("--tls-cert: %w", err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair}}, api.SPKIHash(leaf), nil
}

// certSPKI returns the SPKI hash of the first certificate in a PEM file:
// for `device provision --tls-cert`, which needs no private key.
func certSPKI(certFile string) ([]byte, error) {
	b, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert: %w", err)
	}
	for {
		var blk *pem.Block
		if blk, b = pem.Decode(b); blk == nil {
			return nil, errors.New("--tls-cert: no certificate in the file")
		}
		if blk.Type == "CERTIFICATE" {
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("--tls-cert: %w", err)
			}
			return api.SPKIHash(c), nil
		}
	}
}

// fingerprintNote says what a fingerprint covers, for the administrator.
func fingerprintNote(spki []byte) string {
	if spki == nil {
		return "no TLS key in it: the kiosk must reach the service over loopback, or through a certificate its system already trusts"
	}
	return fmt.Sprintf("the kiosk pins the TLS key %x…", spki[:8])
}
