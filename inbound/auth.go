package inbound

import (
	"bytes"
	"context"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-msgauth/authres"
	"github.com/emersion/go-msgauth/dkim"
)

// maxSignatures bounds the DKIM signatures checked per message (each may
// cost a DNS lookup).
const maxSignatures = 5

// Authenticator tells which domains vouch for a message: those of its
// valid DKIM signatures, or, when TrustAuthResults names the authserv-id of
// the receiving server in front (INBOUND_TRUST_AUTH_RESULTS), the domains
// that server's Authentication-Results header (RFC 8601) says dkim=pass
// for. That server must remove headers claiming its id from the mail it
// receives, as RFC 8601 §5 asks.
type Authenticator struct {
	TrustAuthResults string
	// LookupTXT answers the DKIM key queries; nil uses DNS with a
	// five-second timeout. Tests replace it.
	LookupTXT func(name string) ([]string, error)
}

// Domains returns the lower-cased domains that vouch for raw.
func (a Authenticator) Domains(raw []byte) []string {
	if a.TrustAuthResults != "" {
		return a.trusted(raw)
	}
	verifs, _ := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT: a.lookup(), MaxVerifications: maxSignatures,
	})
	var out []string
	for _, v := range verifs {
		if v.Err == nil && v.Domain != "" {
			out = append(out, strings.ToLower(v.Domain))
		}
	}
	return out
}

// trusted reads the dkim=pass results of the trusted server's
// Authentication-Results headers.
func (a Authenticator) trusted(raw []byte) []string {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil
	}
	var out []string
	for _, v := range msg.Header["Authentication-Results"] {
		id, results, err := authres.Parse(v)
		if err != nil || !strings.EqualFold(id, a.TrustAuthResults) {
			continue
		}
		for _, r := range results {
			if d, ok := r.(*authres.DKIMResult); ok && d.Value == authres.ResultPass && d.Domain != "" {
				out = append(out, strings.ToLower(d.Domain))
			}
		}
	}
	return out
}

func (a Authenticator) lookup() func(string) ([]string, error) {
	if a.LookupTXT != nil {
		return a.LookupTXT
	}
	return func(name string) ([]string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return net.DefaultResolver.LookupTXT(ctx, name)
	}
}
