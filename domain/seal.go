package domain

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"
)

// IdempotencyTTL is how long an Idempotency-Key is remembered. An older
// record counts as absent, so stores may purge it or overwrite it when the
// key comes back.
const IdempotencyTTL = 24 * time.Hour

// sealContext separates the sealing key from HashToken(key), which is stored:
// the database holds the key's hash, never anything the sealing key can be
// derived from.
const sealContext = "frontdesk idempotency seal v1\x00"

// replay answers a request whose Idempotency-Key made a booking within
// IdempotencyTTL. found is false when the key is new (or expired); the same
// key with a different RequestHash is KindInvalid on "Idempotency-Key".
func (s *Scheduler) replay(ctx context.Context, req BookRequest, now time.Time) (got Booked, found bool, err error) {
	rec, err := s.Store.IdempotencyRecord(ctx, HashToken(req.IdempotencyKey))
	if errors.Is(err, ErrNotFound) {
		return Booked{}, false, nil
	}
	if err != nil {
		return Booked{}, false, wrap("load idempotency record", err)
	}
	if rec.CreatedAt.Before(now.Add(-IdempotencyTTL)) {
		return Booked{}, false, nil
	}
	if rec.RequestHash != req.RequestHash {
		return Booked{}, true, Invalid("Idempotency-Key", "This key was used with a different request.")
	}
	d, err := s.Store.Booking(ctx, rec.BookingID)
	if err != nil {
		return Booked{}, true, fmt.Errorf("load replayed booking: %w", err)
	}
	token, err := unsealToken(req.IdempotencyKey, rec.BookingID, rec.SealedToken)
	if err != nil {
		return Booked{}, true, err
	}
	got = Booked{Booking: d, Replayed: true}
	// Staff may have moved or cancelled the booking since, which mints a new
	// link; a dead link is worse than none.
	if HashToken(token) == d.ManageHash {
		got.ManageToken, got.ManageURL = token, s.manageURL(token)
	}
	return got, true, nil
}

// replayTwin answers a request that lost the race to a concurrent twin with
// the same Idempotency-Key: the twin's booking.
func (s *Scheduler) replayTwin(ctx context.Context, req BookRequest, now time.Time) (Booked, error) {
	got, found, err := s.replay(ctx, req, now)
	if err != nil {
		return Booked{}, err
	}
	if !found {
		return Booked{}, errors.New("replay idempotent booking: the key was stored, but its record is missing or expired")
	}
	return got, nil
}

// newIdempotencyRecord remembers req as the one that made booking id, with
// the manage token sealed under the client's key.
func newIdempotencyRecord(req BookRequest, bookingID, token string, now time.Time) (IdempotencyRecord, error) {
	sealed, err := sealToken(req.IdempotencyKey, bookingID, token)
	if err != nil {
		return IdempotencyRecord{}, err
	}
	return IdempotencyRecord{
		KeyHash:     HashToken(req.IdempotencyKey),
		RequestHash: req.RequestHash,
		BookingID:   bookingID,
		SealedToken: sealed,
		CreatedAt:   now,
	}, nil
}

// sealToken encrypts token with AES-256-GCM under a key derived from the
// Idempotency-Key, bound to the booking id; the nonce leads the result.
func sealToken(idemKey, bookingID, token string) ([]byte, error) {
	aead, err := sealAEAD(idemKey)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal manage token: %w", err)
	}
	return aead.Seal(nonce, nonce, []byte(token), []byte(bookingID)), nil
}

// unsealToken reverses sealToken.
func unsealToken(idemKey, bookingID string, sealed []byte) (string, error) {
	aead, err := sealAEAD(idemKey)
	if err != nil {
		return "", err
	}
	n := aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("unseal manage token: sealed value is too short")
	}
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], []byte(bookingID))
	if err != nil {
		return "", fmt.Errorf("unseal manage token: %w", err)
	}
	return string(plain), nil
}

// sealAEAD returns the cipher for the Idempotency-Key.
func sealAEAD(idemKey string) (cipher.AEAD, error) {
	key := sha256.Sum256([]byte(sealContext + idemKey))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, fmt.Errorf("seal cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal cipher: %w", err)
	}
	return aead, nil
}
