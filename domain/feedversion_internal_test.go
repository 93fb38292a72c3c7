package domain

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestFeedMemoRemembersOneVersionPerToken(t *testing.T) {
	var m feedMemo
	if _, ok := m.get("a", "v1"); ok {
		t.Fatal("an empty memo knows a version")
	}
	m.put("a", "v1", "e1")
	if etag, ok := m.get("a", "v1"); !ok || etag != "e1" {
		t.Errorf("get(a, v1) = %q, %v; want e1, true", etag, ok)
	}
	if _, ok := m.get("a", "v2"); ok {
		t.Error("get(a, v2) is known, want only the version built")
	}
	if _, ok := m.get("b", "v1"); ok {
		t.Error("get(b, v1) is known, want a's build not to stand for b's")
	}
	m.put("a", "v2", "e2")
	if _, ok := m.get("a", "v1"); ok {
		t.Error("get(a, v1) is known after a build of v2, want only the last")
	}
}

func TestFeedMemoIsBounded(t *testing.T) {
	var m feedMemo
	for i := range feedMemoSize {
		m.put(fmt.Sprint(i), "v", "e")
	}
	m.put("0", "v", "e") // built again: now the most recent
	m.put("new", "v", "e")
	if len(m.entries) != feedMemoSize || m.order.Len() != feedMemoSize {
		t.Fatalf("memo holds %d scopes (%d in order), want %d", len(m.entries), m.order.Len(), feedMemoSize)
	}
	if _, ok := m.get("1", "v"); ok {
		t.Error("the least recently built scope is kept over the bound")
	}
	for _, id := range []string{"0", "2", "new"} {
		if _, ok := m.get(id, "v"); !ok {
			t.Errorf("scope %s was dropped, want it kept", id)
		}
	}
}

func TestFeedMemoConcurrent(t *testing.T) {
	var m feedMemo
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				id := fmt.Sprint(i % 50)
				m.put(id, fmt.Sprint(g), "e")
				m.get(id, fmt.Sprint(g))
			}
		})
	}
	wg.Wait()
	if len(m.entries) != 50 {
		t.Errorf("memo holds %d scopes, want 50", len(m.entries))
	}
}

// TestFeedWindowIsWholeDays: a feed's window moves only at UTC midnight,
// so that within a day only writes change its rows.
func TestFeedWindowIsWholeDays(t *testing.T) {
	clinic := Clinic{Policy: Policy{Horizon: 60 * 24 * time.Hour}}
	tok := FeedToken{PractitionerID: "p"}
	day := time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC)
	want := FeedWindow{
		PractitionerID: "p",
		From:           day.AddDate(0, 0, -30),
		To:             day.AddDate(0, 0, 62), // the day after the one 61 days on
		Keep:           day.AddDate(0, 0, -14),
	}
	for _, now := range []time.Time{day, day.Add(13 * time.Hour), day.Add(24*time.Hour - time.Nanosecond)} {
		f := &Feeds{Clock: ClockFunc(func() time.Time { return now.In(time.FixedZone("", -5*3600)) })}
		if got := f.window(tok, clinic); got != want {
			t.Errorf("window at %v = %+v, want %+v", now, got, want)
		}
	}
	f := &Feeds{Clock: ClockFunc(func() time.Time { return day.Add(24 * time.Hour) })}
	if got := f.window(tok, clinic); !got.From.Equal(want.From.AddDate(0, 0, 1)) || !got.To.Equal(want.To.AddDate(0, 0, 1)) {
		t.Errorf("window the next day = %+v, want it a day later", got)
	}
}
