#!/usr/bin/env python3
"""Reads iCalendar files with an independent, well-kept parser (the `icalendar` package)
and prints, as JSON, what a calendar client would take from them.

Usage: python3 scripts/check_ics.py FILE.ics [...]

For each file: the calendar's METHOD, PRODID and VERSION; the VTIMEZONEs (TZID, and per
DAYLIGHT/STANDARD the offsets, RRULE and whether RDATEs are used); the first VEVENT's UID,
SEQUENCE, DTSTAMP, STATUS, SUMMARY, DESCRIPTION, LOCATION, ORGANIZER and ATTENDEEs (address,
CN, ROLE, PARTSTAT, RSVP); DTSTART/DTEND as written (local time and TZID) and resolved to UTC
twice: through the file's own VTIMEZONE and through the IANA database, so a wrong VTIMEZONE
shows as a difference. Also: lines longer than 75 octets and line ends other than CRLF.

Exit code 0 when every file parsed, 1 otherwise (the JSON then has "error" for that file).
Used by tests/meeting.rs; scripts/test.sh installs `icalendar` with pip when it is missing.
"""

import json
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

try:
    import icalendar
except ImportError:  # pragma: no cover - reported to the Rust test
    print(json.dumps({"error": "python package icalendar missing; run: pip install icalendar"}))
    sys.exit(2)


def utc(dt):
    if dt is None or not isinstance(dt, datetime) or dt.tzinfo is None:
        return None
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def address(v):
    s = str(v)
    return s[7:] if s.lower().startswith("mailto:") else s


def text(v):
    """A property value as iCalendar text (`to_ical` gives bytes or str by version)."""
    if v is None:
        return None
    out = v.to_ical()
    return out.decode() if isinstance(out, bytes) else out


def zones(cal):
    out = {}
    for tz in cal.walk("VTIMEZONE"):
        tzid = str(tz.get("TZID"))
        parts = []
        for sub in tz.subcomponents:
            parts.append(
                {
                    "kind": sub.name,
                    "from": text(sub.get("TZOFFSETFROM")),
                    "to": text(sub.get("TZOFFSETTO")),
                    "rrule": text(sub.get("RRULE")),
                    "rdate": sub.get("RDATE") is not None,
                    "dtstart": text(sub.get("DTSTART")),
                }
            )
        out[tzid] = {"parts": parts, "tzinfo": tz.to_tz()}
    return out


def resolve(prop, own):
    """A DTSTART/DTEND: as written, via the file's VTIMEZONE, via the IANA database."""
    if prop is None:
        return None
    dt = prop.dt
    tzid = prop.params.get("TZID")
    written = text(prop)
    naive = dt.replace(tzinfo=None) if isinstance(dt, datetime) else None
    via_own = None
    via_iana = None
    if tzid and naive is not None:
        if tzid in own:
            via_own = utc(naive.replace(tzinfo=own[tzid]["tzinfo"]))
        try:
            via_iana = utc(naive.replace(tzinfo=ZoneInfo(tzid)))
        except Exception:  # not an IANA name
            via_iana = None
    elif isinstance(dt, datetime) and dt.tzinfo is not None:
        via_own = via_iana = utc(dt)
    return {
        "written": written,
        "tzid": tzid,
        "utc_own": via_own,
        "utc_iana": via_iana,
        "parsed_utc": utc(dt) if isinstance(dt, datetime) else None,
    }


def check(path):
    raw = open(path, "rb").read()
    text = raw.decode("utf-8")
    long_lines = [l for l in raw.split(b"\r\n") if len(l) > 75]
    bare_lf = raw.replace(b"\r\n", b"").count(b"\n")
    cal = icalendar.Calendar.from_ical(text)
    errors = [str(e) for c in cal.walk() for e in getattr(c, "errors", [])]
    own = zones(cal)
    events = cal.walk("VEVENT")
    ev = events[0] if events else None
    result = {
        "method": str(cal.get("METHOD")) if cal.get("METHOD") is not None else None,
        "prodid": str(cal.get("PRODID")) if cal.get("PRODID") is not None else None,
        "version": str(cal.get("VERSION")) if cal.get("VERSION") is not None else None,
        "timezones": {k: v["parts"] for k, v in own.items()},
        "events": len(events),
        "long_lines": len(long_lines),
        "bare_lf": bare_lf,
        "parse_errors": errors,
    }
    if ev is not None:
        org = ev.get("ORGANIZER")
        atts = ev.get("ATTENDEE")
        if atts is None:
            atts = []
        elif not isinstance(atts, list):
            atts = [atts]
        result["event"] = {
            "uid": str(ev.get("UID")),
            "sequence": int(ev.get("SEQUENCE")) if ev.get("SEQUENCE") is not None else None,
            "dtstamp": utc(ev.decoded("DTSTAMP")) if ev.get("DTSTAMP") is not None else None,
            "status": str(ev.get("STATUS")) if ev.get("STATUS") is not None else None,
            "summary": str(ev.get("SUMMARY")) if ev.get("SUMMARY") is not None else None,
            "description": str(ev.get("DESCRIPTION"))
            if ev.get("DESCRIPTION") is not None
            else None,
            "location": str(ev.get("LOCATION")) if ev.get("LOCATION") is not None else None,
            "transp": str(ev.get("TRANSP")) if ev.get("TRANSP") is not None else None,
            "organizer": {
                "address": address(org),
                "cn": str(org.params.get("CN")) if org is not None and org.params.get("CN") else None,
            }
            if org is not None
            else None,
            "attendees": [
                {
                    "address": address(a),
                    "cn": str(a.params.get("CN")) if a.params.get("CN") else None,
                    "role": a.params.get("ROLE"),
                    "partstat": a.params.get("PARTSTAT"),
                    "rsvp": a.params.get("RSVP"),
                }
                for a in atts
            ],
            "start": resolve(ev.get("DTSTART"), own),
            "end": resolve(ev.get("DTEND"), own),
        }
    return result


def main(paths):
    out = {}
    ok = True
    for p in paths:
        try:
            out[p] = check(p)
        except Exception as e:  # report, do not hide
            ok = False
            out[p] = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(out, indent=1, ensure_ascii=False, sort_keys=True))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
