// Package sealbox seals small payloads to a recipient's public key so that
// only the holder of the private key can read them back. The kiosk seals
// each enrolment and each correction request to the code service's sealing
// key before it writes the outbox, so personal data on the kiosk's disk
// cannot be read by the kiosk.
//
// It follows RFC 9180 (HPKE) in base mode with the suite DHKEM(X25519,
// HKDF-SHA256), HKDF-SHA256 and ChaCha20-Poly1305, as implemented by the
// standard library's crypto/hpke. A sealed box is one version byte (1)
// followed by the HPKE encapsulated key (32 bytes) and the AEAD ciphertext:
//
//	box = 0x01 || enc[32] || ciphertext (len(plaintext) + 16)
//
// The info string binds a box to its purpose (for example
// "kiosk-enrolment-v1", "kiosk-correction-v1"): a box sealed for one purpose does not open for
// another. Keys travel as unpadded base64url text with a "sbx1:" prefix so
// a key pasted into the wrong field is noticed.
package sealbox
