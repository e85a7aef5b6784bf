package client

import (
	"context"
	"crypto/ed25519"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
)

// Errors of the connection to the service, before any request is made.
var (
	// ErrInsecureURL: the service URL is plain http to a host that is not
	// this machine. ID numbers would cross the network in the clear.
	ErrInsecureURL = errors.New("code service URL: plain http is allowed only to this machine (loopback); use https")
	// ErrPin: the service presented a TLS key other than the one this
	// device pinned when it registered.
	ErrPin = errors.New("code service: the TLS key is not the one pinned at provisioning")
	// ErrFingerprint: what the service showed at provisioning (its TLS
	// key, its trust root, its sealing key) does not give the service
	// fingerprint the installer typed. Nothing was sent: the code is
	// still good for the right service.
	ErrFingerprint = errors.New("code service: the service does not match the fingerprint (a wrong fingerprint or address, or someone in between)")
)

// Loopback reports whether host (without port) is this machine:
// "localhost" or a loopback address.
func Loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckURL accepts an https URL, and an http URL only to loopback (the
// demo, a service on the kiosk itself, a TLS proxy on the same machine).
func CheckURL(base string) error {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return fmt.Errorf("code service URL %q: not an absolute URL", base)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if Loopback(u.Hostname()) {
			return nil
		}
		return ErrInsecureURL
	}
	return fmt.Errorf("code service URL %q: scheme %q is neither https nor http", base, u.Scheme)
}

// secureChannel reports whether a response came over a channel that
// authenticates the service: TLS (verified, or pinned), or loopback.
func secureChannel(resp *http.Response) bool {
	if resp.TLS != nil {
		return true
	}
	return resp.Request != nil && resp.Request.URL != nil && Loopback(resp.Request.URL.Hostname())
}

// TLSConfig is the kiosk's TLS configuration for the service: with a
// pin (api.SPKIHash of the service's certificate, saved at
// provisioning) only a certificate with that key is accepted, whoever
// signed it and whatever its names, so a self-signed certificate works
// and a CA's mis-issued one does not; without a pin, the certificate must
// chain to roots (nil: the system's) for the URL's host name.
func TLSConfig(pin []byte, roots *x509.CertPool) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots}
	if len(pin) == 0 {
		return cfg
	}
	want := append([]byte(nil), pin...)
	// The chain is not what is trusted here: the pinned key is.
	cfg.InsecureSkipVerify = true
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 || subtle.ConstantTimeCompare(api.SPKIHash(cs.PeerCertificates[0]), want) != 1 {
			return ErrPin
		}
		return nil
	}
	return cfg
}

// HTTPClient returns an HTTP client for the service with TLSConfig and
// the given timeout per request.
func HTTPClient(pin []byte, roots *x509.CertPool, timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = TLSConfig(pin, roots)
	return &http.Client{Transport: tr, Timeout: timeout}
}

// Provisioning is what an installer gives a new device, and how to reach
// the service.
type Provisioning struct {
	BaseURL     string
	Code        string // the one-time provisioning code
	Fingerprint string // the service fingerprint printed with it (api.Fingerprint)
	Name        string // the device's name, e.g. the centre
	Key         ed25519.PrivateKey
	// Roots the service's certificate may chain to when the fingerprint
	// holds no TLS key; nil: the system's.
	Roots   *x509.CertPool
	Timeout time.Duration // per request; 0: 30 s
}

// Provisioned is a registered device: its client, the service's answer,
// and the pin to keep (nil when the certificate is checked against the
// roots instead, or there is no TLS on loopback).
type Provisioned struct {
	Client   *Client
	Response api.RegisterResponse
	Pin      []byte
}

// Provision registers a new device without trusting the network: it
// connects, reads the service's public keys (GET /v1/service-keys) and
// the TLS key it presents, and sends its provisioning code only if they
// give the fingerprint the installer typed; then it registers over a
// connection pinned to that TLS key and checks that the registration
// answer carries the same trust root and sealing key. A mismatch is
// ErrFingerprint, and the code has not left the device.
func Provision(ctx context.Context, p Provisioning) (Provisioned, error) {
	if err := CheckURL(p.BaseURL); err != nil {
		return Provisioned{}, err
	}
	if _, ok := api.NormalFingerprint(p.Fingerprint); !ok {
		return Provisioned{}, fmt.Errorf("%w: it has %d characters of A-Z and 2-7, in groups", ErrFingerprint, api.FingerprintLen)
	}
	if p.Timeout <= 0 {
		p.Timeout = 30 * time.Second
	}
	seen := &observer{roots: p.Roots}
	look := &Client{BaseURL: p.BaseURL, HTTP: seen.client(p.Timeout)}
	var keys api.ServiceKeys
	if err := look.do(ctx, http.MethodGet, "/v1/service-keys", nil, &keys, false); err != nil {
		return Provisioned{}, fmt.Errorf("provision: %w", err)
	}
	root, err := base64.RawURLEncoding.DecodeString(keys.TrustRootKey)
	if err != nil || len(root) != ed25519.PublicKeySize {
		return Provisioned{}, errors.New("provision: the service's trust root key is malformed")
	}
	leaf, caOK := seen.result()
	var pin []byte
	switch {
	case leaf != nil && api.SameFingerprint(p.Fingerprint, api.Fingerprint(api.SPKIHash(leaf), root, keys.SealingKey)):
		pin = api.SPKIHash(leaf)
	case (leaf == nil || caOK) && api.SameFingerprint(p.Fingerprint, api.Fingerprint(nil, root, keys.SealingKey)):
		// Loopback without TLS, or a certificate the roots vouch for.
	default:
		return Provisioned{}, ErrFingerprint
	}
	c := &Client{BaseURL: p.BaseURL, HTTP: HTTPClient(pin, p.Roots, p.Timeout), Key: p.Key}
	req := api.RegisterRequest{Code: p.Code, Name: p.Name, PublicKey: base64.RawURLEncoding.EncodeToString(p.Key.Public().(ed25519.PublicKey))}
	var resp api.RegisterResponse
	if err := c.do(ctx, http.MethodPost, "/v1/devices/register", req, &resp, false); err != nil {
		return Provisioned{}, err
	}
	if resp.TrustRootKey != keys.TrustRootKey || resp.SealingKey != keys.SealingKey {
		return Provisioned{}, fmt.Errorf("%w: the registration answer has other keys", ErrFingerprint)
	}
	c.DeviceID = resp.DeviceID
	return Provisioned{Client: c, Response: resp, Pin: pin}, nil
}

// observer records the certificate a service presents, and whether it
// chains to the roots for the host name, without refusing it: Provision
// decides afterwards, against the fingerprint.
type observer struct {
	roots *x509.CertPool
	mu    sync.Mutex
	leaf  *x509.Certificate
	caOK  bool
}

func (o *observer) client(timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return ErrPin
			}
			inter := x509.NewCertPool()
			for _, c := range cs.PeerCertificates[1:] {
				inter.AddCert(c)
			}
			_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{DNSName: cs.ServerName, Roots: o.roots, Intermediates: inter})
			o.mu.Lock()
			o.leaf, o.caOK = cs.PeerCertificates[0], err == nil
			o.mu.Unlock()
			return nil
		}}
	// One connection, so that the keys read are the ones this TLS key
	// served.
	tr.MaxConnsPerHost = 1
	return &http.Client{Transport: tr, Timeout: timeout}
}

func (o *observer) result() (*x509.Certificate, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.leaf, o.caOK
}

// httpsURL reports whether base starts with https:// (the common case,
// checked without parsing).
func httpsURL(base string) bool { return strings.HasPrefix(base, "https://") }
