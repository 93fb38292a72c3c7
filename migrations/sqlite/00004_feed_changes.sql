-- Feed changes, counted per practitioner: see the PostgreSQL migration of
-- the same name. Every insert, update and delete of a booking or a time
-- off counts, for the practitioner it leaves and the one it lands on.

-- +goose Up
CREATE TABLE feed_changes (
    practitioner_id TEXT    PRIMARY KEY, -- no foreign key, as on PostgreSQL
    total           INTEGER NOT NULL DEFAULT 0
);

-- +goose StatementBegin
CREATE TRIGGER bookings_feed_added AFTER INSERT ON bookings
BEGIN
    INSERT INTO feed_changes (practitioner_id, total) VALUES (NEW.practitioner_id, 1)
    ON CONFLICT (practitioner_id) DO UPDATE SET total = total + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER bookings_feed_changed AFTER UPDATE ON bookings
BEGIN
    INSERT INTO feed_changes (practitioner_id, total) VALUES (NEW.practitioner_id, 1)
    ON CONFLICT (practitioner_id) DO UPDATE SET total = total + 1;
    INSERT INTO feed_changes (practitioner_id, total)
    SELECT OLD.practitioner_id, 1 WHERE OLD.practitioner_id IS NOT NEW.practitioner_id
    ON CONFLICT (practitioner_id) DO UPDATE SET total = total + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER bookings_feed_removed AFTER DELETE ON bookings
BEGIN
    INSERT INTO feed_changes (practitioner_id, total) VALUES (OLD.practitioner_id, 1)
    ON CONFLICT (practitioner_id) DO UPDATE SET total = total + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER time_off_feed_added AFTER INSERT ON time_off
BEGIN
    INSERT INTO feed_changes (practitioner_id, total) VALUES (NEW.practitioner_id, 1)
    ON CONFLICT (practitioner_id) DO UPDATE SET total = total + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER time_off_feed_changed AFTER UPDATE ON time_off
BEGIN
    INSERT INTO feed_changes (practitioner_id, total) VALUES (NEW.practitioner_id, 1)
    ON CONFLICT (practitioner_id) DO UPDATE SET total = total + 1;
    INSERT INTO feed_changes (practitioner_id, total)
    SELECT OLD.practitioner_id, 1 WHERE OLD.practitioner_id IS NOT NEW.practitioner_id
    ON CONFLICT (practitioner_id) DO UPDATE SET total = total + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER time_off_feed_removed AFTER DELETE ON time_off
BEGIN
    INSERT INTO feed_changes (practitioner_id, total) VALUES (OLD.practitioner_id, 1)
    ON CONFLICT (practitioner_id) DO UPDATE SET total = total + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER time_off_feed_removed;
DROP TRIGGER time_off_feed_changed;
DROP TRIGGER time_off_feed_added;
DROP TRIGGER bookings_feed_removed;
DROP TRIGGER bookings_feed_changed;
DROP TRIGGER bookings_feed_added;
DROP TABLE feed_changes;
