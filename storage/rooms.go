package storage

import (
	"context"
	"maps"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// roomRow is a row of table rooms.
type roomRow struct {
	ID        string
	Name      string
	Kind      string
	Active    bool
	SortOrder int
	CreatedAt instant `gorm:"autoCreateTime:false;autoUpdateTime:false"`
}

func (roomRow) TableName() string { return "rooms" }

func toRoomRow(r domain.Room) roomRow {
	return roomRow{ID: lowerID(r.ID), Name: r.Name, Kind: string(r.Kind), Active: r.Active, SortOrder: r.SortOrder}
}

func (r roomRow) domain() domain.Room {
	return domain.Room{ID: r.ID, Name: r.Name, Kind: domain.RoomKind(r.Kind), Active: r.Active, SortOrder: r.SortOrder}
}

// serviceRoomRow links a service to a room it may use.
type serviceRoomRow struct {
	ServiceID string
	RoomID    string
	Position  int
}

func (serviceRoomRow) TableName() string { return "service_rooms" }

// Rooms lists rooms by sort order, then name, from the catalog copy; only
// active ones unless all.
func (s *Store) Rooms(ctx context.Context, all bool) ([]domain.Room, error) {
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Room, 0, len(c.rooms))
	for _, r := range c.rooms {
		if all || r.Active {
			out = append(out, r)
		}
	}
	return out, nil
}

// Room returns one room, active or not; domain.ErrNotFound when none has the id.
func (s *Store) Room(ctx context.Context, id string) (domain.Room, error) {
	if !domain.IsID(id) {
		return domain.Room{}, domain.ErrNotFound
	}
	id = lowerID(id)
	c, err := s.catalogHaving(ctx, "rooms", id, func(c *catalog) bool { _, ok := c.room(id); return ok })
	if err != nil {
		return domain.Room{}, err
	}
	if r, ok := c.room(id); ok {
		return r, nil
	}
	return domain.Room{}, domain.ErrNotFound
}

func (c *catalog) room(id string) (domain.Room, bool) {
	i := slices.IndexFunc(c.rooms, func(r domain.Room) bool { return r.ID == id })
	if i < 0 {
		return domain.Room{}, false
	}
	return c.rooms[i], true
}

// CreateRoom stores a new room, giving it an id when it has none.
func (s *Store) CreateRoom(ctx context.Context, r *domain.Room) error {
	if r.ID == "" {
		r.ID = domain.NewID()
	}
	if !domain.IsID(r.ID) {
		return domain.Invalid("id", "Not a valid id.")
	}
	row := toRoomRow(*r)
	row.CreatedAt = at(time.Now())
	err := s.w.WithContext(ctx).Create(&row).Error
	s.invalidateCatalog()
	if err != nil {
		return dbError("insert room", err)
	}
	*r = row.domain()
	return nil
}

// UpdateRoom stores r's fields and, in the same transaction, clears the
// room from the bookings in release and records the audit entries;
// domain.ErrNotFound when no room has r's id.
func (s *Store) UpdateRoom(ctx context.Context, r *domain.Room, release []domain.Booking, audit []domain.AuditEntry) error {
	if !domain.IsID(r.ID) {
		return domain.ErrNotFound
	}
	row := toRoomRow(*r)
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&roomRow{ID: row.ID}).Select("name", "kind", "active", "sort_order").Updates(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return domain.ErrNotFound
		}
		for _, b := range release {
			err := tx.Model(&bookingRow{}).Where("id = ? AND room_id = ?", lowerID(b.ID), row.ID).
				Updates(map[string]any{"room_id": nil, "room_overbooked": false, "updated_at": at(b.UpdatedAt)}).Error
			if err != nil {
				return err
			}
		}
		for _, e := range audit {
			a, err := newAuditRow(e)
			if err != nil {
				return err
			}
			if err := tx.Create(&a).Error; err != nil {
				return err
			}
		}
		return nil
	})
	s.invalidateCatalog()
	return dbError("update room", err)
}

// roomBlocksSQL reads the rooms' busy blocks from bookings_room_blocks; a
// block is at most maxBlock long, so block_start is bounded from below too.
const roomBlocksSQL = `
	SELECT room_id, block_start, block_end FROM bookings
	WHERE room_id IN @ids AND status <> 'cancelled' AND NOT room_overbooked
	  AND block_start < @to AND block_start > @earliest AND block_end > @from
	ORDER BY room_id, block_start`

// RoomBlocks returns the blocks of live bookings holding each room (and
// not double-booking it) that overlap [from, to), sorted by start, in one
// query. Malformed ids are left out.
func (s *Store) RoomBlocks(ctx context.Context, roomIDs []string, from, to time.Time) (map[string][]domain.Interval, error) {
	out := map[string][]domain.Interval{}
	ids := unique(validIDs(roomIDs))
	if len(ids) == 0 || !from.Before(to) {
		return out, nil
	}
	params := s.scheduleArgs(map[string]any{
		"ids": ids, "from": at(from), "to": at(to), "earliest": at(from.Add(-maxBlock - time.Second)),
	})
	rows, err := s.db.WithContext(ctx).Raw(roomBlocksSQL, params).Rows()
	if err != nil {
		return nil, dbError("select room blocks", err)
	}
	defer rows.Close()
	var (
		room       string
		start, end instant
	)
	for rows.Next() {
		if err := rows.Scan(&room, &start, &end); err != nil {
			return nil, dbError("select room blocks", err)
		}
		out[room] = append(out[room], domain.Interval{Start: start.time(), End: end.time()})
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("select room blocks", err)
	}
	return out, nil
}

// loadRooms reads every room and every service's room ids for the catalog.
func loadRooms(db *gorm.DB) ([]domain.Room, map[string][]string, error) {
	var rows []roomRow
	if err := db.Order("sort_order, name, id").Find(&rows).Error; err != nil {
		return nil, nil, dbError("select rooms", err)
	}
	rooms := make([]domain.Room, len(rows))
	for i, r := range rows {
		rooms[i] = r.domain()
	}
	var links []serviceRoomRow
	if err := db.Order("position, room_id").Find(&links).Error; err != nil {
		return nil, nil, dbError("select service rooms", err)
	}
	byService := map[string][]string{}
	for _, l := range links {
		byService[l.ServiceID] = append(byService[l.ServiceID], l.RoomID)
	}
	return rooms, byService, nil
}

// setServiceRooms replaces the rooms a service may use, keeping their order.
// An unknown room is a KindInvalid error on "room_ids", and so is an
// inactive one: a service must not start pointing at a room out of use.
func setServiceRooms(tx *gorm.DB, serviceID string, roomIDs []string) error {
	if err := tx.Where("service_id = ?", serviceID).Delete(&serviceRoomRow{}).Error; err != nil {
		return err
	}
	if len(roomIDs) == 0 {
		return nil
	}
	links := make([]serviceRoomRow, 0, len(roomIDs))
	seen := map[string]bool{}
	for i, id := range roomIDs {
		if !domain.IsID(id) {
			return domain.Invalid("room_ids", "Unknown room.")
		}
		if id = lowerID(id); !seen[id] {
			seen[id] = true
			links = append(links, serviceRoomRow{ServiceID: serviceID, RoomID: id, Position: i})
		}
	}
	var rooms []roomRow
	if err := tx.Where("id IN ?", slices.Collect(maps.Keys(seen))).Find(&rooms).Error; err != nil {
		return err
	}
	if len(rooms) != len(seen) {
		return domain.Invalid("room_ids", "Unknown room.")
	}
	for _, r := range rooms {
		if !r.Active {
			return domain.Invalid("room_ids", "Room "+r.Name+" is not in use.")
		}
	}
	return tx.Create(&links).Error
}
