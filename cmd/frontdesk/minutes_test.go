package main

import (
	"strings"
	"testing"
	"time"
)

// TestMinutesConfig: HOLD_MINUTES and WAITLIST_OFFER_MINUTES take whole
// minutes within their bounds, default to 10 and 30, and a bad value names
// its variable.
func TestMinutesConfig(t *testing.T) {
	for _, tc := range []struct{ key, value string }{
		{"HOLD_MINUTES", "0"}, {"HOLD_MINUTES", "61"}, {"HOLD_MINUTES", "10m"},
		{"WAITLIST_OFFER_MINUTES", "-1"}, {"WAITLIST_OFFER_MINUTES", "1441"}, {"WAITLIST_OFFER_MINUTES", "half an hour"},
	} {
		env := map[string]string{tc.key: tc.value}
		_, err := loadConfig(func(k string) string { return env[k] })
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("loadConfig(%s=%q) = %v, want an error naming %s", tc.key, tc.value, err, tc.key)
		}
	}
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil || cfg.HoldFor != 10*time.Minute || cfg.WaitlistOfferFor != 30*time.Minute {
		t.Errorf("defaults: hold %v, offer %v, %v; want 10m and 30m", cfg.HoldFor, cfg.WaitlistOfferFor, err)
	}
	env := map[string]string{"HOLD_MINUTES": "60", "WAITLIST_OFFER_MINUTES": "1440"}
	cfg, err = loadConfig(func(k string) string { return env[k] })
	if err != nil || cfg.HoldFor != time.Hour || cfg.WaitlistOfferFor != 24*time.Hour {
		t.Errorf("loadConfig(%v) = hold %v, offer %v, %v", env, cfg.HoldFor, cfg.WaitlistOfferFor, err)
	}
}
