package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// setupConfig is what `loadgen setup` needs.
type setupConfig struct {
	bases         []string
	token         string
	email         string
	password      string
	practitioners int
	start, end    string
	zone          string
}

func parseSetup(args []string) (setupConfig, error) {
	var c setupConfig
	fs := flag.NewFlagSet("setup", flag.ContinueOnError)
	base := fs.String("base", "http://127.0.0.1:8080", "Frontdesk base URL (loopback only)")
	fs.StringVar(&c.token, "token", "", "staff bearer token (admin)")
	fs.StringVar(&c.email, "email", "", "admin email, to sign in")
	fs.StringVar(&c.password, "password", "", "admin password, to sign in")
	fs.IntVar(&c.practitioners, "practitioners", 20, "how many load practitioners to have (1-200)")
	fs.StringVar(&c.start, "from", "06:00", "their daily start, local HH:MM")
	fs.StringVar(&c.end, "to", "22:00", "their daily end, local HH:MM")
	fs.StringVar(&c.zone, "zone", "America/New_York", "their IANA time zone")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.bases = splitList(*base)
	if c.practitioners < 1 || c.practitioners > 200 {
		return c, fmt.Errorf("-practitioners must be from 1 to 200, got %d", c.practitioners)
	}
	return c, nil
}

// setup adds a 30-minute massage service and practitioners who perform it
// seven days a week, so a long booking run does not run out of free slots.
// Running it again only adds what is missing.
func setup(ctx context.Context, args []string, stdout io.Writer) error {
	c, err := parseSetup(args)
	if err != nil {
		return err
	}
	t, err := newTargets(c.bases, 1)
	if err != nil {
		return err
	}
	if t.token, err = login(ctx, t, c.token, c.email, c.password); err != nil {
		return err
	}
	cat, err := fetchCatalog(ctx, t)
	if err != nil {
		return err
	}
	svc, err := ensureLoadService(ctx, t, cat)
	if err != nil {
		return err
	}
	added, err := ensureLoadPractitioners(ctx, t, cat, svc, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "setup: service %q (%s); %d load practitioners, %d added; hours %s-%s daily in %s\n",
		loadServiceName, svc, c.practitioners, added, c.start, c.end, c.zone)
	return nil
}

const loadServiceName = loadPrefix + " massage (30 min)"

func ensureLoadService(ctx context.Context, t *targets, cat catalog) (string, error) {
	for _, s := range cat.serviceList {
		if s.Name == loadServiceName {
			return s.ID, nil
		}
	}
	body := map[string]any{
		"name": loadServiceName, "kind": "massage", "duration_minutes": 30,
		"price_cents": 6000, "currency": "USD", "online_bookable": true, "active": true,
		"description": "Added by loadgen setup for load runs.",
	}
	var out struct {
		Service serviceInfo `json:"service"`
	}
	if err := t.call(ctx, "POST", "/api/v1/services", body, 201, &out); err != nil {
		return "", fmt.Errorf("create load service: %w", err)
	}
	return out.Service.ID, nil
}

func ensureLoadPractitioners(ctx context.Context, t *targets, cat catalog, svc string, c setupConfig) (int, error) {
	added := 0
	for i := 1; i <= c.practitioners; i++ {
		name := fmt.Sprintf("%s therapist %03d", loadPrefix, i)
		if slices.ContainsFunc(cat.practitioners, func(p practitionerInfo) bool { return p.Name == name }) {
			continue
		}
		id, err := createLoadPractitioner(ctx, t, name, i, svc, c.zone)
		if err != nil {
			return added, err
		}
		if err := setDailyHours(ctx, t, id, c.start, c.end); err != nil {
			return added, err
		}
		added++
	}
	return added, nil
}

func createLoadPractitioner(ctx context.Context, t *targets, name string, i int, svc, zone string) (string, error) {
	body := map[string]any{
		"name": name, "title": "Massage therapist", "email": fmt.Sprintf("load-therapist-%03d@example.com", i),
		"time_zone": zone, "service_ids": []string{svc}, "active": true,
	}
	var out struct {
		Practitioner practitionerInfo `json:"practitioner"`
	}
	if err := t.call(ctx, "POST", "/api/v1/practitioners", body, 201, &out); err != nil {
		return "", fmt.Errorf("create practitioner %q: %w", name, err)
	}
	return out.Practitioner.ID, nil
}

func setDailyHours(ctx context.Context, t *targets, id, start, end string) error {
	hours := make([]map[string]any, 0, 7)
	for wd := range 7 {
		hours = append(hours, map[string]any{"weekday": wd, "start": start, "end": end})
	}
	if err := t.call(ctx, "PUT", "/api/v1/practitioners/"+id+"/hours", map[string]any{"hours": hours}, 200, nil); err != nil {
		return fmt.Errorf("set hours of %s: %w", id, err)
	}
	return nil
}

// splitList reads a comma-separated flag value.
func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
