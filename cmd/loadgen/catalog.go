package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// loadPrefix names what `loadgen setup` adds, so runs can tell the extra
// load practitioners and their service from the clinic's own.
const loadPrefix = "Load test"

type serviceInfo struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Kind            string `json:"kind"`
	DurationMinutes int    `json:"duration_minutes"`
	BufferBefore    int    `json:"buffer_before_minutes"`
	BufferAfter     int    `json:"buffer_after_minutes"`
}

type practitionerInfo struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	ServiceIDs []string `json:"service_ids"`
}

// catalog is what the public API lists.
type catalog struct {
	services      map[string]serviceInfo
	serviceList   []serviceInfo
	practitioners []practitionerInfo
}

func fetchCatalog(ctx context.Context, t *targets) (catalog, error) {
	var s struct {
		Services []serviceInfo `json:"services"`
	}
	var p struct {
		Practitioners []practitionerInfo `json:"practitioners"`
	}
	if err := t.call(ctx, "GET", "/api/v1/services", nil, 200, &s); err != nil {
		return catalog{}, fmt.Errorf("list services: %w", err)
	}
	if err := t.call(ctx, "GET", "/api/v1/practitioners", nil, 200, &p); err != nil {
		return catalog{}, fmt.Errorf("list practitioners: %w", err)
	}
	c := catalog{services: map[string]serviceInfo{}, serviceList: s.Services, practitioners: p.Practitioners}
	for _, sv := range s.Services {
		c.services[sv.ID] = sv
	}
	if len(c.serviceList) == 0 || len(c.practitioners) == 0 {
		return c, fmt.Errorf("the clinic lists %d services and %d practitioners: seed it first (frontdesk serve --demo)", len(c.serviceList), len(c.practitioners))
	}
	return c, nil
}

// clinicServices are the services patients browse: not the one setup adds.
func (c catalog) clinicServices() []serviceInfo {
	var out []serviceInfo
	for _, s := range c.serviceList {
		if !strings.HasPrefix(s.Name, loadPrefix) {
			out = append(out, s)
		}
	}
	return out
}

// loadServices is the service loadgen setup adds, when there is one.
func (c catalog) loadServices() []serviceInfo {
	var out []serviceInfo
	for _, s := range c.serviceList {
		if s.Name == loadServiceName {
			out = append(out, s)
		}
	}
	return out
}

// firstClinicPractitioner is the feed's practitioner: one of the clinic's own.
func (c catalog) firstClinicPractitioner() practitionerInfo {
	for _, p := range c.practitioners {
		if !strings.HasPrefix(p.Name, loadPrefix) {
			return p
		}
	}
	return c.practitioners[0]
}

// login returns the bearer token given, or signs in with email and password.
func login(ctx context.Context, t *targets, token, email, password string) (string, error) {
	if token != "" {
		return token, nil
	}
	if email == "" || password == "" {
		return "", fmt.Errorf("-email and -password (or -token) are needed for the staff calls")
	}
	var out struct {
		Token string `json:"token"`
	}
	body := map[string]string{"email": email, "password": password, "name": "loadgen"}
	if err := t.call(ctx, "POST", "/api/v1/auth/tokens", body, 201, &out); err != nil {
		return "", fmt.Errorf("sign in as %s: %w", email, err)
	}
	return out.Token, nil
}

// createFeedToken makes a feed link for the practitioner ("" = the whole
// clinic) and returns its path, such as /feeds/abc.ics.
func createFeedToken(ctx context.Context, t *targets, practitionerID string) (string, error) {
	body := map[string]string{}
	if practitionerID != "" {
		body["practitioner_id"] = practitionerID
	}
	var out struct {
		URL string `json:"url"`
	}
	if err := t.call(ctx, "POST", "/api/v1/feed-tokens", body, 201, &out); err != nil {
		return "", fmt.Errorf("create feed token: %w", err)
	}
	u, err := url.Parse(out.URL)
	if err != nil || !strings.HasPrefix(u.Path, "/feeds/") {
		return "", fmt.Errorf("create feed token: unexpected url %q", out.URL)
	}
	return u.Path, nil
}

// availabilityPath is the query for a service's slots over days [from, to]
// in zone tz; practitionerID "" means every practitioner.
func availabilityPath(serviceID, practitionerID string, from time.Time, days int, tz string) string {
	q := url.Values{}
	q.Set("service_id", serviceID)
	if practitionerID != "" {
		q.Set("practitioner_id", practitionerID)
	}
	q.Set("from", from.Format(time.DateOnly))
	q.Set("to", from.AddDate(0, 0, days-1).Format(time.DateOnly))
	q.Set("tz", tz)
	return "/api/v1/availability?" + q.Encode()
}

type slotJSON struct {
	Start          string `json:"start"`
	End            string `json:"end"`
	PractitionerID string `json:"practitioner_id"`
}
