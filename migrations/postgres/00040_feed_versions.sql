-- Feed versions without a hot row (issue 15). Migration 00004 counted every
-- booking and time-off write in one row per practitioner, so every booking
-- of a practitioner waited for the one before it to commit
-- (Lock:transactionid on that row). Instead, every written row is stamped
-- with the id of the transaction that wrote it, and a feed's version is the
-- largest stamp among its practitioner's rows (storage/feedversion_pg.go):
-- an index's last entry, which writes of different rows never wait for.
--
-- A row that leaves a practitioner (deleted, or moved to another) takes its
-- stamp with it, so the transaction that removes it leaves one in
-- feed_removals instead: insert-only, one row per removal.
--
-- Transaction ids are handed out at a transaction's first write, not at its
-- commit, so a version is only final when no transaction with a smaller id
-- than the largest stamp is still running in this database; the reader
-- checks that against its own snapshot and treats an unsettled version as
-- one never seen before (a rebuild, never a stale 304).

-- +goose Up
DROP TRIGGER bookings_feed_change ON bookings;
DROP TRIGGER time_off_feed_change ON time_off;

ALTER TABLE bookings ADD COLUMN feed_xid bigint;
ALTER TABLE time_off ADD COLUMN feed_xid bigint;

CREATE TABLE feed_removals (
    practitioner_id uuid   NOT NULL, -- no foreign key: a removal outliving its practitioner is harmless
    feed_xid        bigint NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION stamp_feed_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    x bigint := pg_current_xact_id()::text::bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO feed_removals (practitioner_id, feed_xid) VALUES (OLD.practitioner_id, x);
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.practitioner_id IS DISTINCT FROM NEW.practitioner_id THEN
        INSERT INTO feed_removals (practitioner_id, feed_xid) VALUES (OLD.practitioner_id, x);
    END IF;
    NEW.feed_xid := x;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

UPDATE bookings SET feed_xid = pg_current_xact_id()::text::bigint;
UPDATE time_off SET feed_xid = pg_current_xact_id()::text::bigint;

CREATE TRIGGER bookings_feed_stamp BEFORE INSERT OR UPDATE OR DELETE ON bookings
    FOR EACH ROW EXECUTE FUNCTION stamp_feed_change();
CREATE TRIGGER time_off_feed_stamp BEFORE INSERT OR UPDATE OR DELETE ON time_off
    FOR EACH ROW EXECUTE FUNCTION stamp_feed_change();

CREATE INDEX bookings_feed_version ON bookings (practitioner_id, feed_xid);
CREATE INDEX time_off_feed_version ON time_off (practitioner_id, feed_xid);
CREATE INDEX feed_removals_practitioner ON feed_removals (practitioner_id, feed_xid);
CREATE INDEX feed_removals_version ON feed_removals (feed_xid);

-- +goose Down
DROP TRIGGER time_off_feed_stamp ON time_off;
DROP TRIGGER bookings_feed_stamp ON bookings;
DROP FUNCTION stamp_feed_change();
DROP TABLE feed_removals;
DROP INDEX time_off_feed_version;
DROP INDEX bookings_feed_version;
ALTER TABLE time_off DROP COLUMN feed_xid;
ALTER TABLE bookings DROP COLUMN feed_xid;
CREATE TRIGGER bookings_feed_change AFTER INSERT OR UPDATE OR DELETE ON bookings
    FOR EACH ROW EXECUTE FUNCTION count_feed_change();
CREATE TRIGGER time_off_feed_change AFTER INSERT OR UPDATE OR DELETE ON time_off
    FOR EACH ROW EXECUTE FUNCTION count_feed_change();
