package main

import (
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2030, 3, 4, 14, 0, 0, 0, time.UTC)

func cand(svc string, startMin, durMin, before, after int) candidate {
	at := t0.Add(time.Duration(startMin) * time.Minute)
	return candidate{
		slot:       slot{Practitioner: "p", Service: svc, Start: at.Format(time.RFC3339), At: at},
		blockStart: at.Add(-time.Duration(before) * time.Minute),
		blockEnd:   at.Add(time.Duration(durMin+after) * time.Minute),
	}
}

func TestTileLeavesNoOverlap(t *testing.T) {
	var cands []candidate
	for m := 0; m < 240; m += 15 { // a 15-minute grid of 30- and 60-minute slots, 10-minute buffer after the 60
		cands = append(cands, cand("s30", m, 30, 0, 0), cand("s60", m, 60, 0, 10))
	}
	r := rand.New(rand.NewPCG(3, 4))
	r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	blocks := map[time.Time]candidate{}
	for _, c := range cands {
		blocks[c.At] = c
	}
	got := tile(cands)
	if len(got) < 3 {
		t.Fatalf("tile kept %d slots of 4 hours, want at least 3", len(got))
	}
	for i := 1; i < len(got); i++ {
		prev := cand(got[i-1].Service, int(got[i-1].At.Sub(t0)/time.Minute), durOf(got[i-1].Service), 0, afterOf(got[i-1].Service))
		if got[i].At.Before(prev.blockEnd) {
			t.Errorf("slot %v starts before the block of %v ends (%v)", got[i].At, got[i-1].At, prev.blockEnd)
		}
	}
}

func durOf(svc string) int {
	if svc == "s60" {
		return 60
	}
	return 30
}

func afterOf(svc string) int {
	if svc == "s60" {
		return 10
	}
	return 0
}

func TestTileRespectsBufferBefore(t *testing.T) {
	got := tile([]candidate{cand("a", 0, 30, 0, 0), cand("b", 30, 30, 15, 0), cand("b", 45, 30, 15, 0)})
	if len(got) != 2 || !got[1].At.Equal(t0.Add(45*time.Minute)) {
		t.Errorf("tile = %v, want 0:00 and 0:45 (0:30 needs 15 minutes before it)", got)
	}
}

func TestPoolTakeAndPut(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	var slots []slot
	for i := range 10 {
		slots = append(slots, slot{Practitioner: []string{"a", "b"}[i%2], Service: "s", At: t0.Add(time.Duration(i) * time.Hour)})
	}
	p := newPool(slots, r)
	seen := map[time.Time]bool{}
	for range 10 {
		s, ok := p.take(r)
		if !ok || seen[s.At] {
			t.Fatalf("take = %v, %v; want a fresh slot", s, ok)
		}
		seen[s.At] = true
	}
	if _, ok := p.take(r); ok {
		t.Error("take from an empty pool succeeded")
	}
	p.put(slots[3])
	if s, ok := p.takeFor(slots[3].key()); !ok || !s.At.Equal(slots[3].At) {
		t.Errorf("takeFor after put = %v, %v; want the slot back", s, ok)
	}
	if _, ok := p.takeFor(slotKey{"a", "other"}); ok {
		t.Error("takeFor an unknown key succeeded")
	}
}

func TestLedger(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	l := newLedger()
	s := slot{Practitioner: "p", Service: "s", At: t0}
	l.accept(booking{ID: "b1", Token: "t1", Slot: s}, false)
	l.accept(booking{ID: "b2", Slot: s}, true) // contended: recorded, never moved
	b, ok := l.takeLive(r)
	if !ok || b.ID != "b1" {
		t.Fatalf("takeLive = %v, %v; want b1", b, ok)
	}
	if _, ok := l.takeLive(r); ok {
		t.Error("takeLive gave a second booking: contended ones must not be live")
	}
	b.Slot.At = t0.Add(time.Hour)
	l.moved(b)
	l.cancelled("b1")
	got := l.list()
	if len(got) != 2 || got[0].ID != "b1" || !got[0].Cancelled || got[0].Start != utc(t0.Add(time.Hour)) || !got[1].Contended {
		t.Errorf("list = %+v", got)
	}
	merged := mergeRecords(got[:1:1], []acceptedBooking{{ID: "b0"}, {ID: "b1", Uncertain: true}})
	if len(merged) != 2 || merged[0].ID != "b0" || !merged[1].Uncertain {
		t.Errorf("mergeRecords = %+v, want b0 and the later b1", merged)
	}
}
