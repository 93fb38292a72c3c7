"""check.py parses an iCalendar file with python-icalendar (Debian's
python3-icalendar, used by khal and many servers) and prints its events as
JSON, for Go tests to compare with what was meant.

python-icalendar 4 returns parameter values as written, without the RFC 6868
decoding (^' for a double quote, ^n for a newline, ^^ for a caret); that
decoding, as the RFC spells it, is done here, after the library has split
the line.

Usage: /usr/bin/python3 check.py <file.ics>
"""

import json
import re
import sys

import icalendar


def rfc6868(value):
    return re.sub(r"\^(\^|n|')", lambda m: {"^": "^", "n": "\n", "'": '"'}[m.group(1)], value)


def cn(prop):
    if prop is None:
        return ""
    return rfc6868(str(prop.params.get("CN", "")))


def stamp(event, name):
    prop = event.get(name)
    return prop.dt.isoformat() if prop is not None else ""


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def main():
    with open(sys.argv[1], "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    events = []
    for ev in cal.walk("VEVENT"):
        events.append({
            "uid": str(ev.get("UID")),
            "sequence": int(ev.get("SEQUENCE", 0)),
            "status": str(ev.get("STATUS", "")),
            "summary": str(ev.get("SUMMARY", "")),
            "dtstamp": stamp(ev, "DTSTAMP"),
            "last_modified": stamp(ev, "LAST-MODIFIED"),
            "organizer_cn": cn(ev.get("ORGANIZER")),
            "attendee_cns": [cn(a) for a in as_list(ev.get("ATTENDEE"))],
            "start": ev.decoded("DTSTART").isoformat(),
            "end": ev.decoded("DTEND").isoformat(),
        })
    json.dump({"method": str(cal.get("METHOD", "")), "events": events}, sys.stdout)


main()
