#!/usr/bin/env bash
# Makes sure everything the tests talk to is here: PostgreSQL, Chromium,
# libical (icalfilter), python3-icalendar with recurring-ical-events, and
# Mozilla's ical.js. Installs what
# it can (Debian packages need root), starts PostgreSQL if it is installed but
# stopped, and stops with a clear message otherwise. It never lets a test skip.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { printf 'test-deps: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

PGURL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}

# --- PostgreSQL ---------------------------------------------------------------
pg_ready() { psql "$PGURL" -Atqc 'select 1' >/dev/null 2>&1; }
if ! pg_ready; then
  if have pg_ctlcluster && [ -d /etc/postgresql ]; then
    for v in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$v" main start >/dev/null 2>&1 || true
    done
    for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  fi
fi
pg_ready || die "PostgreSQL is not reachable at $PGURL. Install and start it (apt-get install -y postgresql; pg_ctlcluster 15 main start) or set TEST_DATABASE_URL."

# --- Debian packages ------------------------------------------------------------
missing=()
have chromium || missing+=(chromium)
have icalfilter || missing+=(ical2html)
/usr/bin/python3 -c 'import icalendar' >/dev/null 2>&1 || missing+=(python3-icalendar)
# The busy-calendar tests expand calendars independently with these.
/usr/bin/python3 -c 'import recurring_ical_events' >/dev/null 2>&1 || missing+=(python3-recurring-ical-events)
/usr/bin/python3 -c 'import x_wr_timezone' >/dev/null 2>&1 || missing+=(python3-x-wr-timezone)
/usr/bin/python3 -c 'import dateutil, pytz' >/dev/null 2>&1 || missing+=(python3-dateutil python3-tz)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && have apt-get; then
    echo "test-deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null \
      || die "apt-get install ${missing[*]} failed"
  else
    die "missing ${missing[*]}: run apt-get install -y ${missing[*]} as root"
  fi
fi
have chromium || die "chromium is still missing after install"
have icalfilter || die "icalfilter (ical2html) is still missing after install"

# --- ical.js, pinned by package-lock.json ------------------------------------------
if [ -f tools/icalcheck/package-lock.json ]; then
  have npm || die "npm is missing: apt-get install -y nodejs npm"
  if [ ! -d tools/icalcheck/node_modules/ical.js ]; then
    npm ci --prefix tools/icalcheck --no-audit --no-fund --silent || die "npm ci in tools/icalcheck failed"
  fi
fi
/usr/bin/python3 -c 'import recurring_ical_events' >/dev/null 2>&1 || die "python3-recurring-ical-events is still missing after install"
echo "test-deps: PostgreSQL, chromium, icalfilter, python3-icalendar, recurring-ical-events and ical.js are ready" >&2
