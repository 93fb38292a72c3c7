-- Patient renames, counted for calendar feeds. A feed shows patients' names
-- (initials or in full), which live in patients, not in bookings: renaming
-- a patient (staff, or a returning patient booking under another spelling)
-- changes every feed with one of their visits without touching a booking.
-- A feed's version (storage/feedversion.go) reads this count instead of
-- every name. A counter, not a timestamp, because only a counter moves on
-- every commit, whatever order transactions commit in.

-- +goose Up
CREATE TABLE patient_renames (
    id    smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    total bigint   NOT NULL DEFAULT 0
);
INSERT INTO patient_renames DEFAULT VALUES;

-- +goose StatementBegin
CREATE FUNCTION count_patient_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE patient_renames SET total = total + 1;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- Fires for UPDATE and for the DO UPDATE of the booking's patient upsert.
CREATE TRIGGER patients_renamed AFTER UPDATE OF name ON patients
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION count_patient_rename();

-- +goose Down
DROP TRIGGER patients_renamed ON patients;
DROP FUNCTION count_patient_rename();
DROP TABLE patient_renames;
