-- Feed changes, counted per practitioner. A calendar app revalidates its
-- feed every few minutes, and most answers are 304 Not Modified; a feed's
-- version (storage/feedversion.go) is the sum of these counters (one
-- practitioner's, or everyone's for the clinic feed), so answering costs
-- the same for a feed of ten visits or of fifty thousand. Every insert,
-- update and delete of a booking or a time off counts, for the practitioner
-- it leaves and the one it lands on. A counter, not a timestamp, because
-- only a counter moves on every commit, whatever order transactions commit
-- in. Bookings are written under the practitioner's advisory lock, so the
-- counter's row lock adds no waiting of its own.

-- +goose Up
CREATE TABLE feed_changes (
    practitioner_id uuid   PRIMARY KEY, -- no foreign key: a counter outliving its practitioner is harmless
    total           bigint NOT NULL DEFAULT 0
);

-- +goose StatementBegin
CREATE FUNCTION count_feed_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.practitioner_id IS DISTINCT FROM NEW.practitioner_id THEN
        -- In id order, so that two moves between the same two
        -- practitioners lock the counters in the same order.
        INSERT INTO feed_changes AS c (practitioner_id, total)
        SELECT p, 1 FROM unnest(ARRAY[OLD.practitioner_id, NEW.practitioner_id]) AS p ORDER BY p
        ON CONFLICT (practitioner_id) DO UPDATE SET total = c.total + 1;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO feed_changes AS c (practitioner_id, total) VALUES (OLD.practitioner_id, 1)
        ON CONFLICT (practitioner_id) DO UPDATE SET total = c.total + 1;
    ELSE
        INSERT INTO feed_changes AS c (practitioner_id, total) VALUES (NEW.practitioner_id, 1)
        ON CONFLICT (practitioner_id) DO UPDATE SET total = c.total + 1;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER bookings_feed_change AFTER INSERT OR UPDATE OR DELETE ON bookings
    FOR EACH ROW EXECUTE FUNCTION count_feed_change();
CREATE TRIGGER time_off_feed_change AFTER INSERT OR UPDATE OR DELETE ON time_off
    FOR EACH ROW EXECUTE FUNCTION count_feed_change();

-- +goose Down
DROP TRIGGER time_off_feed_change ON time_off;
DROP TRIGGER bookings_feed_change ON bookings;
DROP FUNCTION count_feed_change();
DROP TABLE feed_changes;
