-- Rooms and equipment (issue 17). A service may need one of a set of rooms;
-- a booking holds at most one room, and no two live bookings hold the same
-- room over overlapping blocks: bookings_room_no_overlap, the practitioner's
-- bookings_no_overlap again with room_id in place of practitioner_id.
--
-- Why a second exclusion constraint on bookings and not a shared table of
-- resource blocks: every constraint of the family ranges over the one block
-- column (tstzrange(block_start, block_end)) of the one row a booking write
-- already inserts, so a booking with a room costs one more GiST entry in the
-- same statement, and one with no room costs nothing (the partial predicate
-- is false). A resource_blocks table would add a row per resource to every
-- write and a trigger to keep it in step with moves and cancellations.
-- Holds (issue 18) join the family the same way: a hold is a block on the
-- same practitioner and room columns, excluded against bookings and other
-- holds by constraints of this shape, with its expiry in the predicate's
-- place (an expired hold is deleted by the write that needs its time, in
-- that write's transaction). A clinic key can lead every constraint of the
-- family later (clinic_id WITH =) for Citus.
--
-- room_overbooked is the staff's separate, explicit choice to double-book a
-- room, as overbooked is for the practitioner: an overbooked practitioner
-- still holds the room unless room_overbooked is set too.

-- +goose Up
CREATE TABLE rooms (
    id         uuid        PRIMARY KEY,
    name       text        NOT NULL CHECK (name <> ''),
    kind       text        NOT NULL DEFAULT 'room' CHECK (kind IN ('room', 'equipment')),
    active     boolean     NOT NULL DEFAULT true,
    sort_order integer     NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The rooms a service may use; none: it needs no room. A room is never
-- deleted (only deactivated), so RESTRICT keeps visits' rooms meaningful.
CREATE TABLE service_rooms (
    service_id uuid    NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    room_id    uuid    NOT NULL REFERENCES rooms (id) ON DELETE RESTRICT,
    position   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (service_id, room_id)
);
CREATE INDEX service_rooms_room ON service_rooms (room_id);

ALTER TABLE bookings ADD COLUMN room_id uuid REFERENCES rooms (id);
ALTER TABLE bookings ADD COLUMN room_overbooked boolean NOT NULL DEFAULT false;
ALTER TABLE bookings ADD CONSTRAINT bookings_room_no_overlap EXCLUDE USING gist (
    room_id WITH =,
    tstzrange(block_start, block_end) WITH &&
) WHERE (room_id IS NOT NULL AND status <> 'cancelled' AND NOT room_overbooked);
-- Availability reads: a month of a room's busy blocks from the index alone.
CREATE INDEX bookings_room_blocks ON bookings (room_id, block_start) INCLUDE (block_end)
    WHERE room_id IS NOT NULL AND status <> 'cancelled' AND NOT room_overbooked;

-- Whether the patient's emails say which room (a clinic setting).
ALTER TABLE clinic ADD COLUMN email_shows_room boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE clinic DROP COLUMN email_shows_room;
DROP INDEX bookings_room_blocks;
ALTER TABLE bookings DROP CONSTRAINT bookings_room_no_overlap;
ALTER TABLE bookings DROP COLUMN room_overbooked;
ALTER TABLE bookings DROP COLUMN room_id;
DROP TABLE service_rooms;
DROP TABLE rooms;
