-- Live calendars (issue 20): every change to a booking appends a row to
-- events in the transaction that makes it, whichever door or use case wrote
-- it (bookings, holds that become bookings, plans, the waitlist), and
-- pg_notify tells every replica's listener at that transaction's commit
-- (a rolled-back change notifies no one). The id is the SSE id: a browser
-- that reconnects with Last-Event-ID is answered from this table, so a
-- replica restart loses nothing. Rows older than a day are pruned by the
-- replicas (storage/events.go).
--
-- Ids are handed out at the trigger, not at commit, so two transactions can
-- commit out of id order; NOTIFY delivers in commit order, and a resume
-- also replays the few events written just before the one the browser saw
-- (storage/events.go), which it drops by id when it had them.

-- +goose Up
CREATE TABLE events (
    id                       bigserial   PRIMARY KEY,
    kind                     text        NOT NULL DEFAULT 'booking',
    booking_id               uuid        NOT NULL, -- no foreign key: the event of a deleted booking stays
    practitioner_id          uuid        NOT NULL,
    room_id                  uuid,
    start_at                 timestamptz NOT NULL,
    end_at                   timestamptz NOT NULL,
    status                   text        NOT NULL,
    change                   text        NOT NULL,
    previous_practitioner_id uuid,       -- a move to another practitioner: whose calendar it left
    created_at               timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX events_created ON events (created_at);

-- +goose StatementBegin
CREATE FUNCTION record_booking_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r      bookings;
    ch     text;
    prev   uuid;
    ev     events;
BEGIN
    IF TG_OP = 'DELETE' THEN
        r := OLD;
        ch := 'deleted';
    ELSE
        r := NEW;
        IF TG_OP = 'INSERT' THEN
            ch := 'created';
        ELSIF NEW.status = 'cancelled' AND OLD.status <> 'cancelled' THEN
            ch := 'cancelled';
        ELSIF NEW.start_at <> OLD.start_at OR NEW.end_at <> OLD.end_at
              OR NEW.practitioner_id <> OLD.practitioner_id
              OR NEW.room_id IS DISTINCT FROM OLD.room_id THEN
            ch := 'moved';
        ELSIF NEW.status <> OLD.status THEN
            ch := 'status';
        ELSE
            ch := 'updated';
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.practitioner_id <> OLD.practitioner_id THEN
            prev := OLD.practitioner_id;
        END IF;
    END IF;
    INSERT INTO events (booking_id, practitioner_id, room_id, start_at, end_at, status, change, previous_practitioner_id)
        VALUES (r.id, r.practitioner_id, r.room_id, r.start_at, r.end_at, r.status, ch, prev)
        RETURNING * INTO ev;
    PERFORM pg_notify('frontdesk_events', json_build_object(
        'seq', ev.id, 'kind', ev.kind, 'id', ev.booking_id, 'practitioner_id', ev.practitioner_id,
        'room_id', ev.room_id, 'start', ev.start_at, 'end', ev.end_at, 'status', ev.status,
        'change', ev.change, 'previous_practitioner_id', ev.previous_practitioner_id,
        'at', ev.created_at)::text);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER bookings_event AFTER INSERT OR UPDATE OR DELETE ON bookings
    FOR EACH ROW EXECUTE FUNCTION record_booking_event();

-- +goose Down
DROP TRIGGER bookings_event ON bookings;
DROP FUNCTION record_booking_event();
DROP TABLE events;
