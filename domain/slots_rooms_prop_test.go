package domain_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"testing/quick"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// slotGenRooms adds one to four rooms with their own busy blocks to q; a
// few are fully free, a few busy most of the time.
func slotGenRooms(r *rand.Rand, q domain.SlotQuery) domain.SlotQuery {
	n := 1 + r.IntN(4)
	q.Rooms = make([]domain.RoomBusy, n)
	for i := range q.Rooms {
		q.Rooms[i] = domain.RoomBusy{ID: fmt.Sprintf("room-%d", i), Busy: slotGenSpans(r, 3+r.IntN(20), q.From, q.To, 5, 240)}
	}
	return q
}

// slotCheckRooms: (a) no offered slot needs a busy room: every slot has a
// room whose blocks its whole block misses, as a brute-force scan finds;
// (b) every free practitioner/room pair is offered: the slots are exactly
// the union, over the rooms, of the slots with that room's blocks added to
// the practitioner's busy time and no rooms; (c) CanBook and FreeRooms
// agree with both.
func slotCheckRooms(q domain.SlotQuery, r *rand.Rand) error {
	slots := domain.Slots(q)
	bb, ba := max(q.BufferBefore, 0), max(q.BufferAfter, 0)
	for _, s := range slots {
		block := domain.Interval{Start: s.Start.Add(-bb), End: s.End.Add(ba)}
		free := 0
		for _, room := range q.Rooms {
			if !slices.ContainsFunc(room.Busy, func(iv domain.Interval) bool { return iv.Start.Before(iv.End) && iv.Overlaps(block) }) {
				free++
			}
		}
		if free == 0 {
			return fmt.Errorf("slot %v offered, but every room is busy in its block %v", s, block)
		}
		if got := domain.FreeRooms(q, s.Start); len(got) != free {
			return fmt.Errorf("FreeRooms(%v) = %v, want %d rooms", s.Start, got, free)
		}
	}
	want := map[int64]bool{}
	for _, room := range q.Rooms {
		alone := q
		alone.Rooms = nil
		alone.Busy = append(slices.Clone(q.Busy), room.Busy...)
		for _, s := range domain.Slots(alone) {
			want[s.Start.UnixNano()] = true
		}
	}
	got := slotSet(slots)
	for k := range want {
		if !got[k] {
			return fmt.Errorf("slot at %v is free with a practitioner and a room but not offered", time.Unix(0, k).In(q.Location))
		}
	}
	if len(got) != len(want) {
		return fmt.Errorf("%d slots offered, but only %d practitioner/room pairs are free", len(got), len(want))
	}
	return slotCheckCanBook(q, slots, r)
}

func TestSlotsRoomsProperties(t *testing.T) {
	locs := slotPropLocations(t)
	var failure error
	property := func(seed uint64) bool {
		r := rand.New(rand.NewPCG(seed, 1))
		q := slotGenRooms(r, slotGenQuery(r, locs))
		if failure = slotCheckRooms(q, r); failure == nil {
			failure = slotCheck(q, r)
		}
		if failure != nil {
			failure = fmt.Errorf("%v\nrooms: %+v", failure, q.Rooms)
		}
		return failure == nil
	}
	if err := quick.Check(property, &quick.Config{MaxCount: 400}); err != nil {
		t.Fatalf("%v: %v", err, failure)
	}
}

// FuzzSlotsRooms runs the room properties on more seeds:
// `go test -fuzz FuzzSlotsRooms ./domain`.
func FuzzSlotsRooms(f *testing.F) {
	for seed := range uint64(20) {
		f.Add(seed)
	}
	locs := slotPropLocations(f)
	f.Fuzz(func(t *testing.T, seed uint64) {
		r := rand.New(rand.NewPCG(seed, 1))
		if err := slotCheckRooms(slotGenRooms(r, slotGenQuery(r, locs)), r); err != nil {
			t.Fatal(err)
		}
	})
}
