package storage

import (
	"context"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// EventRetention is how long the event log keeps a change: a browser away
// longer reloads instead of catching up.
const EventRetention = 24 * time.Hour

// lateCommitWindow is how far before a resume point a replay on PostgreSQL
// reaches back: an event's id is taken when its trigger runs, so one taken
// shortly before may commit after the one a browser saw last. A
// transaction open longer than this after writing a booking would go
// unreplayed (still delivered live).
const lateCommitWindow = 5 * time.Second

// eventRow is a row of events, written only by the bookings triggers
// (migrations 00038).
type eventRow struct {
	ID                     int64
	Kind                   string
	BookingID              string
	PractitionerID         string
	RoomID                 *string
	StartAt                instant
	EndAt                  instant
	Status                 string
	Change                 string
	PreviousPractitionerID *string
	CreatedAt              instant
}

func (eventRow) TableName() string { return "events" }

func (r eventRow) domain() domain.Event {
	return domain.Event{
		Seq: r.ID, Kind: r.Kind, BookingID: r.BookingID, PractitionerID: r.PractitionerID, RoomID: deref(r.RoomID),
		Start: r.StartAt.time(), End: r.EndAt.time(), Status: domain.Status(r.Status), Change: r.Change,
		PreviousPractitionerID: deref(r.PreviousPractitionerID), At: r.CreatedAt.time(),
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// EventsAfter implements domain.EventLog.
func (s *Store) EventsAfter(ctx context.Context, after int64, limit int) ([]domain.Event, error) {
	db := s.db.WithContext(ctx)
	if after > 0 {
		var oldest *int64
		if err := db.Raw("SELECT min(id) FROM events").Scan(&oldest).Error; err != nil {
			return nil, dbError("select events", err)
		}
		// The newest event is never pruned (PruneEvents), so an empty log or
		// one starting past after+1 has dropped events this caller missed
		// (or is another database's).
		if oldest == nil || *oldest > after+1 {
			return nil, domain.ErrEventsGone
		}
	}
	return s.readEvents(ctx, after, limit)
}

// readEvents is EventsAfter without the check for pruned events: what the
// hub's own watcher, never far behind, reads.
func (s *Store) readEvents(ctx context.Context, after int64, limit int) ([]domain.Event, error) {
	q := s.db.WithContext(ctx).Order("id").Limit(limit)
	if s.dialect == DialectPostgres && after > 0 {
		q = q.Where("id > ? OR (id <= ? AND id > ? - 1000 AND created_at >= (SELECT created_at FROM events WHERE id = ?) - ? * interval '1 second')",
			after, after, after, after, lateCommitWindow.Seconds())
	} else {
		q = q.Where("id > ?", after)
	}
	var rows []eventRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, dbError("select events", err)
	}
	out := make([]domain.Event, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// LastEventSeq returns the newest event's Seq, 0 for none kept.
func (s *Store) LastEventSeq(ctx context.Context) (int64, error) {
	var last *int64
	if err := s.db.WithContext(ctx).Raw("SELECT max(id) FROM events").Scan(&last).Error; err != nil {
		return 0, dbError("select last event", err)
	}
	if last == nil {
		return 0, nil
	}
	return *last, nil
}

// PruneEvents deletes the events written before before, keeping the newest
// one so the log's position survives a quiet day. Replicas may prune at
// once: each deletes what is left.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	res := s.w.WithContext(ctx).Exec("DELETE FROM events WHERE created_at < ? AND id < (SELECT max(id) FROM events)", at(before))
	if res.Error != nil {
		return 0, dbError("prune events", res.Error)
	}
	return res.RowsAffected, nil
}
