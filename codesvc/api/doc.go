// Package api holds the wire types of the code service's HTTP/JSON
// protocol (/v1): request and response bodies, the stable error codes, the
// signed-request headers and canonical string, and the sealed enrolment
// and correction payloads. The server, the Go client and the kiosk's sync
// engine share these types so that the three cannot drift apart.
//
// docs/api.md is the protocol's reference, with examples; this package is
// its Go form. Binary values (keys, signatures, sealed boxes) are unpadded
// base64url; times are RFC 3339 in UTC.
package api
