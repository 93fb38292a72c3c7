package main

import (
	"context"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"time"
)

// slotDays is how far ahead free slots are gathered: the demo clinic's
// horizon is 60 days.
const slotDays = 60

// freeSlots asks the server for every practitioner's open slots of every
// service they perform, from lead ahead on, and keeps a set that can all be
// booked together.
func freeSlots(ctx context.Context, t *targets, cat catalog, lead time.Duration, seed uint64) ([]slot, error) {
	type result struct {
		cands []candidate
		err   error
	}
	results := make([]result, len(cat.practitioners))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, p := range cat.practitioners {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			cands, err := practitionerCandidates(ctx, t, cat, p, lead)
			results[i] = result{cands, err}
		})
	}
	wg.Wait()
	rng := mrand.New(mrand.NewPCG(seed, 1))
	var out []slot
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		rng.Shuffle(len(r.cands), func(i, j int) { r.cands[i], r.cands[j] = r.cands[j], r.cands[i] })
		out = append(out, tile(r.cands)...)
	}
	return out, nil
}

func practitionerCandidates(ctx context.Context, t *targets, cat catalog, p practitionerInfo, lead time.Duration) ([]candidate, error) {
	earliest := time.Now().Add(lead)
	from := earliest.UTC().Truncate(24 * time.Hour)
	var out []candidate
	for _, sid := range p.ServiceIDs {
		svc, ok := cat.services[sid]
		if !ok {
			continue // not bookable online
		}
		slots, err := fetchSlots(ctx, t, availabilityPath(sid, p.ID, from, slotDays, "UTC"))
		if err != nil {
			return nil, fmt.Errorf("availability of %s for %s: %w", svc.Name, p.Name, err)
		}
		for _, s := range slots {
			c, ok := toCandidate(s, svc, p.ID)
			if ok && !c.At.Before(earliest) {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

func fetchSlots(ctx context.Context, t *targets, path string) ([]slotJSON, error) {
	r := t.do(ctx, 0, "GET", path, nil, nil)
	if r.err != nil {
		return nil, r.err
	}
	if r.status != 200 {
		return nil, fmt.Errorf("status %d: %s", r.status, snippet(r.body))
	}
	var out struct {
		Slots []slotJSON `json:"slots"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		return nil, fmt.Errorf("decode slots: %w", err)
	}
	return out.Slots, nil
}

func toCandidate(s slotJSON, svc serviceInfo, practitioner string) (candidate, bool) {
	start, err1 := time.Parse(time.RFC3339, s.Start)
	end, err2 := time.Parse(time.RFC3339, s.End)
	if err1 != nil || err2 != nil || (s.PractitionerID != "" && s.PractitionerID != practitioner) {
		return candidate{}, false
	}
	return candidate{
		slot:       slot{Practitioner: practitioner, Service: svc.ID, Start: s.Start, At: start},
		blockStart: start.Add(-time.Duration(svc.BufferBefore) * time.Minute),
		blockEnd:   end.Add(time.Duration(svc.BufferAfter) * time.Minute),
	}, true
}
