-- Rows the pgbench baseline books against, in a database migrated with
-- migrations/postgres: one 30-minute service, 40 practitioners and 1000
-- patients with predictable ids, and the sequence that gives every
-- transaction its own time slot.
INSERT INTO services (id, name, kind, duration_seconds, currency)
VALUES ('00000000-0000-4000-8000-000000000000', 'Baseline massage', 'massage', 1800, 'USD');

INSERT INTO practitioners (id, name, time_zone)
SELECT ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'Baseline ' || i, 'America/New_York'
FROM generate_series(1, 40) i;

INSERT INTO patients (id, name, email, created_at)
SELECT ('00000000-0000-4000-9000-' || lpad(i::text, 12, '0'))::uuid, 'Patient ' || i, 'baseline-' || i || '@example.com', now()
FROM generate_series(1, 1000) i;

CREATE SEQUENCE bench_slot;
