-- Rooms and equipment (issue 17): see the PostgreSQL migration of the same
-- name for the shape and why. Here the guarantee is a pair of triggers, the
-- practitioner's bookings_no_overlap_* again with room_id in place of
-- practitioner_id, and writes are serialised (BEGIN IMMEDIATE) as for those.

-- +goose Up
CREATE TABLE rooms (
    id         TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL CHECK (name <> ''),
    kind       TEXT    NOT NULL DEFAULT 'room' CHECK (kind IN ('room', 'equipment')),
    active     BOOLEAN NOT NULL DEFAULT 1,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE service_rooms (
    service_id TEXT    NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    room_id    TEXT    NOT NULL REFERENCES rooms (id) ON DELETE RESTRICT,
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (service_id, room_id)
);
CREATE INDEX service_rooms_room ON service_rooms (room_id);

ALTER TABLE bookings ADD COLUMN room_id TEXT REFERENCES rooms (id);
ALTER TABLE bookings ADD COLUMN room_overbooked BOOLEAN NOT NULL DEFAULT 0;
-- Availability reads and the room triggers.
CREATE INDEX bookings_room_blocks ON bookings (room_id, block_start, block_end, status, room_overbooked)
    WHERE room_id IS NOT NULL AND status <> 'cancelled' AND NOT room_overbooked;

-- +goose StatementBegin
CREATE TRIGGER bookings_room_no_overlap_insert
BEFORE INSERT ON bookings
WHEN NEW.room_id IS NOT NULL AND NEW.status <> 'cancelled' AND NOT NEW.room_overbooked
BEGIN
    SELECT RAISE(ABORT, 'room_taken')
    WHERE EXISTS (
        SELECT 1 FROM bookings AS b
        WHERE b.room_id = NEW.room_id
          AND b.status <> 'cancelled' AND NOT b.room_overbooked
          AND b.block_start < NEW.block_end
          AND b.block_start > strftime('%Y-%m-%dT%H:%M:%fZ', NEW.block_start, '-1 day', '-1 second')
          AND b.block_end > NEW.block_start
    );
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER bookings_room_no_overlap_update
BEFORE UPDATE OF room_id, block_start, block_end, status, room_overbooked ON bookings
WHEN NEW.room_id IS NOT NULL AND NEW.status <> 'cancelled' AND NOT NEW.room_overbooked
BEGIN
    SELECT RAISE(ABORT, 'room_taken')
    WHERE EXISTS (
        SELECT 1 FROM bookings AS b
        WHERE b.room_id = NEW.room_id
          AND b.id <> NEW.id
          AND b.status <> 'cancelled' AND NOT b.room_overbooked
          AND b.block_start < NEW.block_end
          AND b.block_start > strftime('%Y-%m-%dT%H:%M:%fZ', NEW.block_start, '-1 day', '-1 second')
          AND b.block_end > NEW.block_start
    );
END;
-- +goose StatementEnd

ALTER TABLE clinic ADD COLUMN email_shows_room BOOLEAN NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE clinic DROP COLUMN email_shows_room;
DROP TRIGGER bookings_room_no_overlap_update;
DROP TRIGGER bookings_room_no_overlap_insert;
DROP INDEX bookings_room_blocks;
ALTER TABLE bookings DROP COLUMN room_overbooked;
ALTER TABLE bookings DROP COLUMN room_id;
DROP TABLE service_rooms;
DROP TABLE rooms;
