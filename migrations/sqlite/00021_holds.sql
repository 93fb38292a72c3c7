-- Slot holds (issue 18): see the PostgreSQL migration of the same name for
-- the shape and why. Here every guarantee is a trigger, as for bookings and
-- rooms, and writes are serialised (BEGIN IMMEDIATE), so a check inside a
-- write sees every other committed write. Expired holds are deleted by the
-- write that needs their time, in its transaction, before these run.

-- +goose Up
CREATE TABLE holds (
    id                TEXT PRIMARY KEY,
    token_hash        TEXT NOT NULL UNIQUE,
    service_id        TEXT NOT NULL REFERENCES services (id),
    practitioner_id   TEXT NOT NULL REFERENCES practitioners (id),
    room_id           TEXT REFERENCES rooms (id),
    start_at          TEXT NOT NULL,
    end_at            TEXT NOT NULL,
    block_start       TEXT NOT NULL,
    block_end         TEXT NOT NULL CHECK (block_end > block_start),
    expires_at        TEXT NOT NULL,
    client_key        TEXT NOT NULL DEFAULT '',
    waitlist_entry_id TEXT,
    created_at        TEXT NOT NULL
);
CREATE UNIQUE INDEX holds_one_per_client ON holds (client_key) WHERE client_key <> '';
CREATE INDEX holds_blocks ON holds (practitioner_id, block_start, block_end);
CREATE INDEX holds_room_blocks ON holds (room_id, block_start, block_end) WHERE room_id IS NOT NULL;
CREATE INDEX holds_expiry ON holds (expires_at);
CREATE INDEX holds_waitlist_entry ON holds (waitlist_entry_id) WHERE waitlist_entry_id IS NOT NULL;

-- +goose StatementBegin
CREATE TRIGGER holds_no_overlap_insert
BEFORE INSERT ON holds
BEGIN
    SELECT RAISE(ABORT, 'hold_taken')
    WHERE EXISTS (
        SELECT 1 FROM holds AS h
        WHERE h.practitioner_id = NEW.practitioner_id
          AND h.block_start < NEW.block_end AND h.block_end > NEW.block_start
    );
    SELECT RAISE(ABORT, 'room_held')
    WHERE NEW.room_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM holds AS h
        WHERE h.room_id = NEW.room_id
          AND h.block_start < NEW.block_end AND h.block_end > NEW.block_start
    );
    SELECT RAISE(ABORT, 'slot_taken')
    WHERE EXISTS (
        SELECT 1 FROM bookings AS b
        WHERE b.practitioner_id = NEW.practitioner_id
          AND b.status <> 'cancelled' AND NOT b.overbooked
          AND b.block_start < NEW.block_end
          AND b.block_start > strftime('%Y-%m-%dT%H:%M:%fZ', NEW.block_start, '-1 day', '-1 second')
          AND b.block_end > NEW.block_start
    );
    SELECT RAISE(ABORT, 'room_taken')
    WHERE NEW.room_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM bookings AS b
        WHERE b.room_id = NEW.room_id
          AND b.status <> 'cancelled' AND NOT b.room_overbooked
          AND b.block_start < NEW.block_end
          AND b.block_start > strftime('%Y-%m-%dT%H:%M:%fZ', NEW.block_start, '-1 day', '-1 second')
          AND b.block_end > NEW.block_start
    );
END;
-- +goose StatementEnd

-- Holds are never moved: a changed hold is a new row.
-- +goose StatementBegin
CREATE TRIGGER holds_no_update
BEFORE UPDATE OF practitioner_id, room_id, block_start, block_end ON holds
BEGIN
    SELECT RAISE(ABORT, 'holds are not moved');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER bookings_hold_insert
BEFORE INSERT ON bookings
WHEN NEW.status <> 'cancelled'
BEGIN
    SELECT RAISE(ABORT, 'hold_taken')
    WHERE NOT NEW.overbooked AND EXISTS (
        SELECT 1 FROM holds AS h
        WHERE h.practitioner_id = NEW.practitioner_id
          AND h.block_start < NEW.block_end AND h.block_end > NEW.block_start
    );
    SELECT RAISE(ABORT, 'room_held')
    WHERE NEW.room_id IS NOT NULL AND NOT NEW.room_overbooked AND EXISTS (
        SELECT 1 FROM holds AS h
        WHERE h.room_id = NEW.room_id
          AND h.block_start < NEW.block_end AND h.block_end > NEW.block_start
    );
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER bookings_hold_update
BEFORE UPDATE ON bookings
WHEN NEW.status <> 'cancelled' AND (
    OLD.status = 'cancelled'
    OR OLD.practitioner_id IS NOT NEW.practitioner_id
    OR OLD.room_id IS NOT NEW.room_id
    OR OLD.block_start IS NOT NEW.block_start
    OR OLD.block_end IS NOT NEW.block_end
    OR (OLD.overbooked AND NOT NEW.overbooked)
    OR (OLD.room_overbooked AND NOT NEW.room_overbooked))
BEGIN
    SELECT RAISE(ABORT, 'hold_taken')
    WHERE NOT NEW.overbooked AND EXISTS (
        SELECT 1 FROM holds AS h
        WHERE h.practitioner_id = NEW.practitioner_id
          AND h.block_start < NEW.block_end AND h.block_end > NEW.block_start
    );
    SELECT RAISE(ABORT, 'room_held')
    WHERE NEW.room_id IS NOT NULL AND NOT NEW.room_overbooked AND EXISTS (
        SELECT 1 FROM holds AS h
        WHERE h.room_id = NEW.room_id
          AND h.block_start < NEW.block_end AND h.block_end > NEW.block_start
    );
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER bookings_hold_update;
DROP TRIGGER bookings_hold_insert;
DROP TRIGGER holds_no_update;
DROP TRIGGER holds_no_overlap_insert;
DROP TABLE holds;
