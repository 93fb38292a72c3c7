package main

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestBusyConfig: the busy-calendar variables take their documented forms,
// and bad values name the variable.
func TestBusyConfig(t *testing.T) {
	for _, tc := range []struct{ key, value string }{
		{"BUSY_POLL_INTERVAL", "often"},
		{"BUSY_POLL_INTERVAL", "1s"},
		{"BUSY_FETCH_ALLOW", "10.0.0.0/33"},
		{"BUSY_URL_KEY", "short"},
	} {
		env := map[string]string{tc.key: tc.value}
		_, err := loadConfig(func(k string) string { return env[k] })
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("loadConfig(%s=%q) = %v, want an error naming %s", tc.key, tc.value, err, tc.key)
		}
	}
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil || cfg.Busy.Interval != 5*time.Minute || len(cfg.Busy.Allow.Hosts)+len(cfg.Busy.Allow.Prefixes) != 0 || cfg.Busy.URLKey != nil {
		t.Errorf("defaults: %+v, %v; want 5m, nothing allowed, no key", cfg.Busy, err)
	}
	env := map[string]string{"BUSY_POLL_INTERVAL": "90s", "BUSY_FETCH_ALLOW": "caldav.clinic.lan, 10.0.5.0/24,192.168.1.7", "BUSY_URL_KEY": "sixteen or more chars"}
	cfg, err = loadConfig(func(k string) string { return env[k] })
	want := []netip.Prefix{netip.MustParsePrefix("10.0.5.0/24"), netip.MustParsePrefix("192.168.1.7/32")}
	if err != nil || cfg.Busy.Interval != 90*time.Second || len(cfg.Busy.Allow.Hosts) != 1 || cfg.Busy.Allow.Hosts[0] != "caldav.clinic.lan" ||
		len(cfg.Busy.Allow.Prefixes) != 2 || cfg.Busy.Allow.Prefixes[0] != want[0] || cfg.Busy.Allow.Prefixes[1] != want[1] || string(cfg.Busy.URLKey) != env["BUSY_URL_KEY"] {
		t.Errorf("loadConfig(%v) = %+v, %v", env, cfg.Busy, err)
	}
}
