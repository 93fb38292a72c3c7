-- Slot holds (issue 18). A hold keeps a visit's block for one holder until
-- expires_at: a patient finishing the booking form (POST /api/v1/holds), or
-- a waitlist offer (waitlist_entry_id set, its own expiry). The holder books
-- with the token whose hash is token_hash; the hold ends on that booking
-- (deleted in the booking's transaction), on release, or at expiry.
--
-- The guarantee, without any lock in memory and across replicas:
--  * holds against holds: holds_no_overlap and holds_room_no_overlap, the
--    exclusion constraints of bookings (00001, 00015) on the same block
--    columns. An exclusion constraint cannot mention now(), so an expired
--    hold stays in the index until something deletes it: every write that
--    needs a time (a hold or a booking) first deletes, in its own
--    transaction, the expired holds overlapping that time, by the clock of
--    the use case. An expired hold therefore never blocks anyone, before or
--    after a sweeper (DELETE … WHERE expires_at <= now) removes it.
--  * holds against bookings: the tables differ, so no constraint spans
--    them. Both writes take the same advisory locks first (the practitioner's
--    quarter hours of the block, then the room's: storage/booking.go
--    bookingLockArgs), so a hold and a booking of overlapping time
--    serialise; then each table's trigger checks the other table inside the
--    lock (READ COMMITTED: the check's snapshot is taken after the lock, so
--    it sees whatever the other writer committed). The triggers raise an
--    exclusion violation naming a constraint, as the constraints do:
--    holds_booking_overlap (a hold in the way of a booking: 409 kind
--    "hold"), holds_room_booking_overlap (a held room: the booking tries
--    another room, as for a booked one), bookings_no_overlap / bookings_room_no_overlap (a booking in
--    the way of a hold). A write that skips the locks could race, so every
--    booking write in storage takes them (they predate holds).
--
-- client_key: one hold per client (browser cookie or address, hashed) at a
-- time; a new hold of the same client replaces its previous one in the same
-- transaction, and the unique index makes that true under races too.

-- +goose Up
CREATE TABLE holds (
    id                uuid        PRIMARY KEY,
    token_hash        text        NOT NULL UNIQUE,
    service_id        uuid        NOT NULL REFERENCES services (id),
    practitioner_id   uuid        NOT NULL REFERENCES practitioners (id),
    room_id           uuid        REFERENCES rooms (id),
    start_at          timestamptz NOT NULL,
    end_at            timestamptz NOT NULL,
    block_start       timestamptz NOT NULL,
    block_end         timestamptz NOT NULL CHECK (block_end > block_start),
    expires_at        timestamptz NOT NULL,
    client_key        text        NOT NULL DEFAULT '',
    waitlist_entry_id uuid, -- no foreign key here: the waitlist's migration adds it
    created_at        timestamptz NOT NULL,
    CONSTRAINT holds_no_overlap EXCLUDE USING gist (
        practitioner_id WITH =,
        tstzrange(block_start, block_end) WITH &&
    ),
    CONSTRAINT holds_room_no_overlap EXCLUDE USING gist (
        room_id WITH =,
        tstzrange(block_start, block_end) WITH &&
    ) WHERE (room_id IS NOT NULL)
);
CREATE UNIQUE INDEX holds_one_per_client ON holds (client_key) WHERE client_key <> '';
CREATE INDEX holds_expiry ON holds (expires_at);
CREATE INDEX holds_waitlist_entry ON holds (waitlist_entry_id) WHERE waitlist_entry_id IS NOT NULL;

-- A hold may not cover a live booking's block (of its practitioner, or of
-- its room). Runs under the advisory locks the hold write takes.
-- +goose StatementBegin
CREATE FUNCTION holds_check_bookings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM bookings AS b
               WHERE b.practitioner_id = NEW.practitioner_id
                 AND b.status <> 'cancelled' AND NOT b.overbooked
                 AND tstzrange(b.block_start, b.block_end) && tstzrange(NEW.block_start, NEW.block_end)) THEN
        RAISE EXCEPTION 'slot_taken' USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'bookings_no_overlap';
    END IF;
    IF NEW.room_id IS NOT NULL AND EXISTS (SELECT 1 FROM bookings AS b
               WHERE b.room_id = NEW.room_id
                 AND b.status <> 'cancelled' AND NOT b.room_overbooked
                 AND tstzrange(b.block_start, b.block_end) && tstzrange(NEW.block_start, NEW.block_end)) THEN
        RAISE EXCEPTION 'room_taken' USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'bookings_room_no_overlap';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER holds_check_bookings BEFORE INSERT OR UPDATE ON holds
    FOR EACH ROW EXECUTE FUNCTION holds_check_bookings();

-- A live, non-overbooked booking may not cover a hold's block (the
-- practitioner's, or the room's unless the room is overbooked). The write
-- deleted the expired holds and the one it consumes before this runs.
-- +goose StatementBegin
CREATE FUNCTION bookings_check_holds() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT NEW.overbooked AND EXISTS (SELECT 1 FROM holds AS h
               WHERE h.practitioner_id = NEW.practitioner_id
                 AND tstzrange(h.block_start, h.block_end) && tstzrange(NEW.block_start, NEW.block_end)) THEN
        RAISE EXCEPTION 'hold_taken' USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'holds_booking_overlap';
    END IF;
    IF NEW.room_id IS NOT NULL AND NOT NEW.room_overbooked AND EXISTS (SELECT 1 FROM holds AS h
               WHERE h.room_id = NEW.room_id
                 AND tstzrange(h.block_start, h.block_end) && tstzrange(NEW.block_start, NEW.block_end)) THEN
        RAISE EXCEPTION 'room_held' USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'holds_room_booking_overlap';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER bookings_check_holds_insert BEFORE INSERT ON bookings
    FOR EACH ROW WHEN (NEW.status <> 'cancelled')
    EXECUTE FUNCTION bookings_check_holds();
-- An update checks only when it moves the block onto new time or brings a
-- booking back to life: a booking that already holds its time (a status
-- change, a note) is never refused over a hold placed beside it.
CREATE TRIGGER bookings_check_holds_update BEFORE UPDATE ON bookings
    FOR EACH ROW WHEN (NEW.status <> 'cancelled' AND (
        OLD.status = 'cancelled'
        OR OLD.practitioner_id IS DISTINCT FROM NEW.practitioner_id
        OR OLD.room_id IS DISTINCT FROM NEW.room_id
        OR OLD.block_start IS DISTINCT FROM NEW.block_start
        OR OLD.block_end IS DISTINCT FROM NEW.block_end
        OR (OLD.overbooked AND NOT NEW.overbooked)
        OR (OLD.room_overbooked AND NOT NEW.room_overbooked)))
    EXECUTE FUNCTION bookings_check_holds();

-- +goose Down
DROP TRIGGER bookings_check_holds_update ON bookings;
DROP TRIGGER bookings_check_holds_insert ON bookings;
DROP FUNCTION bookings_check_holds();
DROP TABLE holds;
DROP FUNCTION holds_check_bookings();
