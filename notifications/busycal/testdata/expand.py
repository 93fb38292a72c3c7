#!/usr/bin/python3
"""An independent expansion of a calendar's busy time, for busycal's tests.

Usage: expand.py FILE ZONE FROM TO   (FROM and TO in Unix seconds)

Reads FILE with python3-icalendar, expands it with recurring-ical-events
(which applies X-WR-TIMEZONE with x-wr-timezone; Debian packages all), keeps
what makes the practitioner busy (not STATUS:CANCELLED, not
TRANSP:TRANSPARENT), reads all-day dates and floating times in ZONE, and
prints the instances overlapping [FROM, TO) as JSON [[start, end], ...] in
Unix seconds, sorted.
"""
import datetime
import json
import sys

import icalendar
import pytz
import recurring_ical_events


def instant(value, zone):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = zone.localize(value)
        return int(value.timestamp())
    midnight = datetime.datetime(value.year, value.month, value.day)
    return int(zone.localize(midnight).timestamp())


def main():
    path, zone_name, lo, hi = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    zone = pytz.timezone(zone_name)
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    floating = zone
    if cal.get("X-WR-TIMEZONE"):
        floating = pytz.timezone(str(cal["X-WR-TIMEZONE"]))
    span = (datetime.datetime.fromtimestamp(lo - 3 * 86400, pytz.utc),
            datetime.datetime.fromtimestamp(hi + 3 * 86400, pytz.utc))
    out = set()
    for ev in recurring_ical_events.of(cal).between(*span):
        if str(ev.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if str(ev.get("TRANSP", "")).upper() == "TRANSPARENT":
            continue
        start, end = ev["DTSTART"].dt, ev["DTEND"].dt
        dated = not isinstance(start, datetime.datetime)
        s = instant(start, zone if dated else floating)
        e = instant(end, zone if dated else floating)
        if e > s and s < hi and e > lo:
            out.add((s, e))
    json.dump(sorted(out), sys.stdout)


if __name__ == "__main__":
    main()
