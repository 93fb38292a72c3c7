package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// NewID returns a random (version 4) UUID. Ids of patients and bookings are
// never sequential, so nothing can be enumerated.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// IsID reports whether s has the shape of a UUID, so malformed ids can be
// answered with 404 before they reach the database.
func IsID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}

// NewToken returns a 256-bit random secret for a URL (manage links, feeds,
// sessions, API tokens) and the hash that is stored instead of it.
func NewToken() (raw, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	raw = base64.RawURLEncoding.EncodeToString(b[:])
	return raw, HashToken(raw)
}

// HashToken is the stored form of a token: hex SHA-256. Tokens carry 256 bits
// of entropy, so a fast hash is enough; lookups are by the hash, which keeps
// comparisons of the secret itself out of timing reach.
func HashToken(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}
