-- Patient renames, counted for calendar feeds. A feed shows patients' names
-- (initials or in full), which live in patients, not in bookings: renaming
-- a patient (staff, or a returning patient booking under another spelling)
-- changes every feed with one of their visits without touching a booking.
-- A feed's version (storage/feedversion.go) reads this count instead of
-- every name.

-- +goose Up
CREATE TABLE patient_renames (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    total INTEGER NOT NULL DEFAULT 0
);
INSERT INTO patient_renames (id) VALUES (1);

-- Fires for UPDATE and for the DO UPDATE of the booking's patient upsert.
-- +goose StatementBegin
CREATE TRIGGER patients_renamed AFTER UPDATE OF name ON patients
WHEN OLD.name IS NOT NEW.name
BEGIN
    UPDATE patient_renames SET total = total + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER patients_renamed;
DROP TABLE patient_renames;
