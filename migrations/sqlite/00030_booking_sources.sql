-- Where bookings come from, and the indexes of the reports.
--
-- bookings.source keeps its first meaning (online: the patient; staff: the
-- front desk) and its CHECK, which SQLite cannot change without rebuilding
-- the table. channel is the full source (online, embed, staff, waitlist,
-- plan, email); NULL on rows written before it, which then read as source.
-- referrer and utm_* are what brought the patient (the page that embedded
-- the widget, or a link's campaign parameters), NULL when unknown; they are
-- fixed when the booking is made.

-- +goose Up
ALTER TABLE bookings ADD COLUMN channel TEXT
    CHECK (channel IN ('online', 'embed', 'staff', 'waitlist', 'plan', 'email'));
ALTER TABLE bookings ADD COLUMN referrer TEXT CHECK (length(referrer) <= 2048);
ALTER TABLE bookings ADD COLUMN utm_source TEXT CHECK (length(utm_source) <= 200);
ALTER TABLE bookings ADD COLUMN utm_medium TEXT CHECK (length(utm_medium) <= 200);
ALTER TABLE bookings ADD COLUMN utm_campaign TEXT CHECK (length(utm_campaign) <= 200);
ALTER TABLE bookings ADD COLUMN utm_content TEXT CHECK (length(utm_content) <= 200);

-- The funnel: the case reviews of a period, with what it groups by.
CREATE INDEX bookings_reviews ON bookings (start_at, status, patient_id, channel, source, utm_campaign)
    WHERE complimentary;
-- Utilisation and no-shows: the visits of a period, from the index alone.
CREATE INDEX bookings_report_visits ON bookings (start_at, end_at, practitioner_id, service_id, status, cancelled_at, complimentary);
-- Conversion: a patient's next live visit that is not a case review.
CREATE INDEX bookings_patient_treatments ON bookings (patient_id, start_at, status)
    WHERE NOT complimentary AND status <> 'cancelled';
-- Reminder delivered: the sent reminder of a booking.
CREATE INDEX outbox_sent_reminders ON outbox (booking_id) WHERE kind = 'reminder' AND status = 'sent';

-- +goose Down
DROP INDEX outbox_sent_reminders;
DROP INDEX bookings_patient_treatments;
DROP INDEX bookings_report_visits;
DROP INDEX bookings_reviews;
ALTER TABLE bookings DROP COLUMN utm_content;
ALTER TABLE bookings DROP COLUMN utm_campaign;
ALTER TABLE bookings DROP COLUMN utm_medium;
ALTER TABLE bookings DROP COLUMN utm_source;
ALTER TABLE bookings DROP COLUMN referrer;
ALTER TABLE bookings DROP COLUMN channel;
