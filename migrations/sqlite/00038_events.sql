-- Live calendars (issue 20): every change to a booking appends a row to
-- events in the transaction that makes it, whichever door or use case wrote
-- it. Writes are serialised (one writer, BEGIN IMMEDIATE), so ids are in
-- commit order and the process's watcher reads new rows by id alone
-- (storage/events.go). The id is the SSE id: Last-Event-ID resumes from here.

-- +goose Up
CREATE TABLE events (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    kind                     TEXT    NOT NULL DEFAULT 'booking',
    booking_id               TEXT    NOT NULL,
    practitioner_id          TEXT    NOT NULL,
    room_id                  TEXT,
    start_at                 TEXT    NOT NULL,
    end_at                   TEXT    NOT NULL,
    status                   TEXT    NOT NULL,
    change                   TEXT    NOT NULL,
    previous_practitioner_id TEXT,
    created_at               TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX events_created ON events (created_at);

-- +goose StatementBegin
CREATE TRIGGER bookings_event_insert AFTER INSERT ON bookings
BEGIN
    INSERT INTO events (booking_id, practitioner_id, room_id, start_at, end_at, status, change)
    VALUES (NEW.id, NEW.practitioner_id, NEW.room_id, NEW.start_at, NEW.end_at, NEW.status, 'created');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER bookings_event_update AFTER UPDATE ON bookings
BEGIN
    INSERT INTO events (booking_id, practitioner_id, room_id, start_at, end_at, status, change, previous_practitioner_id)
    VALUES (NEW.id, NEW.practitioner_id, NEW.room_id, NEW.start_at, NEW.end_at, NEW.status,
        CASE
            WHEN NEW.status = 'cancelled' AND OLD.status <> 'cancelled' THEN 'cancelled'
            WHEN NEW.start_at <> OLD.start_at OR NEW.end_at <> OLD.end_at
                 OR NEW.practitioner_id <> OLD.practitioner_id
                 OR NEW.room_id IS NOT OLD.room_id THEN 'moved'
            WHEN NEW.status <> OLD.status THEN 'status'
            ELSE 'updated'
        END,
        CASE WHEN NEW.practitioner_id <> OLD.practitioner_id THEN OLD.practitioner_id END);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER bookings_event_delete AFTER DELETE ON bookings
BEGIN
    INSERT INTO events (booking_id, practitioner_id, room_id, start_at, end_at, status, change)
    VALUES (OLD.id, OLD.practitioner_id, OLD.room_id, OLD.start_at, OLD.end_at, OLD.status, 'deleted');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER bookings_event_delete;
DROP TRIGGER bookings_event_update;
DROP TRIGGER bookings_event_insert;
DROP TABLE events;
