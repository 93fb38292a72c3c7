// check.js parses an iCalendar file with Mozilla ical.js (the parser
// Thunderbird uses) and prints its events as JSON. It exits nonzero when the
// file does not parse, breaks the line rules of RFC 5545 (CRLF, at most 75
// octets per line, valid UTF-8), or holds an event ical.js cannot read.
//
// Usage: node check.js <file.ics>
'use strict';

const fs = require('node:fs');
const ICAL = require('ical.js');

function fail(message) {
  process.stderr.write('icalcheck: ' + message + '\n');
  process.exit(1);
}

function checkLines(bytes) {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    fail('not valid UTF-8');
  }
  let start = 0;
  let line = 1;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0d) {
      if (bytes[i + 1] !== 0x0a) fail(`line ${line}: CR without LF`);
      continue;
    }
    if (bytes[i] !== 0x0a) continue;
    if (i === 0 || bytes[i - 1] !== 0x0d) fail(`line ${line}: LF without CR`);
    const octets = i - 1 - start;
    if (octets > 75) fail(`line ${line}: ${octets} octets, more than 75`);
    start = i + 1;
    line++;
  }
  if (start !== bytes.length) fail('the last line does not end with CRLF');
}

// cn is a calendar user's CN parameter as ical.js decodes it (RFC 6868
// included), "" when there is none.
function cn(prop) {
  return (prop && prop.getParameter('cn')) || '';
}

// stamp is a DATE-TIME property in ISO form, "" when absent.
function stamp(v, name) {
  const t = v.getFirstPropertyValue(name);
  return t ? t.toJSDate().toISOString() : '';
}

function main() {
  const file = process.argv[2];
  if (!file) fail('usage: node check.js <file.ics>');
  const bytes = fs.readFileSync(file);
  checkLines(bytes);

  let root;
  try {
    root = new ICAL.Component(ICAL.parse(bytes.toString('utf8')));
  } catch (e) {
    fail('parse: ' + e.message);
  }
  if (root.name !== 'vcalendar') fail('top component is ' + root.name + ', want vcalendar');
  for (const tz of root.getAllSubcomponents('vtimezone')) {
    ICAL.TimezoneService.register(tz);
  }
  const events = root.getAllSubcomponents('vevent').map((v) => {
    const ev = new ICAL.Event(v);
    if (!ev.uid) fail('an event has no UID');
    if (!ev.startDate || !ev.endDate) fail(`event ${ev.uid}: no start or end`);
    return {
      uid: ev.uid,
      sequence: ev.sequence,
      status: v.getFirstPropertyValue('status'),
      summary: ev.summary,
      dtstamp: stamp(v, 'dtstamp'),
      last_modified: stamp(v, 'last-modified'),
      organizer_cn: cn(v.getFirstProperty('organizer')),
      attendee_cns: v.getAllProperties('attendee').map(cn),
      start: ev.startDate.toJSDate().toISOString(),
      end: ev.endDate.toJSDate().toISOString(),
    };
  });
  process.stdout.write(JSON.stringify({
    method: root.getFirstPropertyValue('method'),
    prodid: root.getFirstPropertyValue('prodid'),
    version: root.getFirstPropertyValue('version'),
    events,
  }) + '\n');
}

main();
