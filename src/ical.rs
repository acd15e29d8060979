//! iCalendar (RFC 5545) objects for iTIP (RFC 5546) invitations and cancellations: built
//! with the `icalendar` crate, plus the VTIMEZONE it does not write. Pure: every input,
//! DTSTAMP included, comes from the caller, so the same meeting gives the same bytes.
//!
//! Times are written as local times with `TZID=Europe/Amsterdam` and a VTIMEZONE in the
//! RRULE form (Outlook shifts meetings by an hour around the DST change when the zone is
//! missing or given as RDATEs). A zone other than the Central European one is written in
//! UTC instead, which every client reads correctly.
//!
//! [`read`] gives a calendar text back as unfolded content lines, for checks.

use chrono::{Datelike, NaiveDate, Offset, TimeZone, Weekday};
use chrono_tz::Tz;
use icalendar::{Attendee, Calendar, Component, Event, EventStatus, PartStat, Property, Role};

use crate::core::model::{Address, Timestamp};

/// PRODID of every calendar loket writes.
pub const PRODID: &str = "-//loket//overleg//NL";

/// iTIP method of a calendar object loket sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// An invitation, first or updated (higher SEQUENCE).
    Request,
    /// The meeting does not take place.
    Cancel,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// An attendee as the invitation lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IcsAttendee {
    pub address: Address,
    /// REQ-PARTICIPANT, else OPT-PARTICIPANT.
    pub required: bool,
}

/// Everything a meeting's calendar object says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IcsEvent {
    pub method: Method,
    pub uid: String,
    pub sequence: u32,
    /// When this version was made (the core's `now`).
    pub dtstamp: Timestamp,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The body's time zone; written with a VTIMEZONE when it is Central European.
    pub tz: Tz,
    pub summary: String,
    pub description: String,
    pub location: Option<String>,
    pub organizer: Address,
    pub attendees: Vec<IcsAttendee>,
}

/// The VCALENDAR text (CRLF line endings, lines folded at 75 octets).
pub fn build(ev: &IcsEvent) -> String {
    let local = central_european(ev.tz, &[ev.start, ev.end]);
    let mut cal = Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new("PRODID", PRODID));
    cal.append_property(Property::new("CALSCALE", "GREGORIAN"));
    cal.append_property(Property::new("METHOD", ev.method.as_str()));

    let mut e = Event::new();
    e.uid(&ev.uid)
        .sequence(ev.sequence)
        .timestamp(ev.dtstamp)
        .summary(&clean(&ev.summary))
        .description(&ev.description.replace("\r\n", "\n"));
    e.append_property(time_property("DTSTART", ev.start, ev.tz, local));
    e.append_property(time_property("DTEND", ev.end, ev.tz, local));
    if let Some(l) = ev.location.as_deref().map(clean).filter(|l| !l.is_empty()) {
        e.add_property("LOCATION", l);
    }
    let mut organizer = Property::new("ORGANIZER", format!("mailto:{}", ev.organizer.email));
    if let Some(n) = ev.organizer.name.as_deref().map(clean_param) {
        organizer.add_parameter("CN", &n);
    }
    e.append_property(organizer.done());
    e.status(match ev.method {
        Method::Request => EventStatus::Confirmed,
        Method::Cancel => EventStatus::Cancelled,
    });
    e.add_property("TRANSP", "OPAQUE");
    for a in &ev.attendees {
        let mut att = Attendee::new(format!("mailto:{}", a.address.email)).role(if a.required {
            Role::ReqParticipant
        } else {
            Role::OptParticipant
        });
        if ev.method == Method::Request {
            att = att.partstat(PartStat::NeedsAction).rsvp(true);
        }
        if let Some(n) = a.address.name.as_deref().map(clean_param) {
            att = att.cn(n);
        }
        e.attendee(att);
    }
    cal.push(e.done());

    let text = cal.to_string();
    if !local {
        return text;
    }
    // The VTIMEZONE goes before the event, after the calendar's own properties.
    match text.find("BEGIN:VEVENT\r\n") {
        Some(at) => format!("{}{}{}", &text[..at], VTIMEZONE_AMSTERDAM, &text[at..]),
        None => text,
    }
}

/// Central European time as a VTIMEZONE in the RRULE form: CEST from the last Sunday of
/// March 02:00, CET from the last Sunday of October 03:00 (EU rules since 1996).
pub const VTIMEZONE_AMSTERDAM: &str = "BEGIN:VTIMEZONE\r\n\
TZID:Europe/Amsterdam\r\n\
X-LIC-LOCATION:Europe/Amsterdam\r\n\
BEGIN:DAYLIGHT\r\n\
TZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0200\r\n\
TZNAME:CEST\r\n\
DTSTART:19700329T020000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
END:DAYLIGHT\r\n\
BEGIN:STANDARD\r\n\
TZOFFSETFROM:+0200\r\n\
TZOFFSETTO:+0100\r\n\
TZNAME:CET\r\n\
DTSTART:19701025T030000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n\
END:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// Whether `tz` keeps Central European time with the EU DST rules in the years of these
/// instants, so that [`VTIMEZONE_AMSTERDAM`] describes it. Times in other zones are written
/// in UTC.
fn central_european(tz: Tz, times: &[Timestamp]) -> bool {
    if tz != chrono_tz::Europe::Amsterdam {
        return false;
    }
    times.iter().all(|t| {
        let year = t.year();
        let offset = |d: NaiveDate, h: u32| {
            d.and_hms_opt(h, 0, 0)
                .map(|n| tz.from_utc_datetime(&n).offset().fix().local_minus_utc())
        };
        let (Some(march), Some(october)) = (last_sunday(year, 3), last_sunday(year, 10)) else {
            return false;
        };
        let (Some(jan), Some(jul)) = (
            NaiveDate::from_ymd_opt(year, 1, 15),
            NaiveDate::from_ymd_opt(year, 7, 15),
        ) else {
            return false;
        };
        // Winter +1, summer +2, switching at 01:00 UTC on the last Sundays.
        offset(jan, 12) == Some(3600)
            && offset(jul, 12) == Some(7200)
            && offset(march, 0) == Some(3600)
            && offset(march, 1) == Some(7200)
            && offset(october, 0) == Some(7200)
            && offset(october, 1) == Some(3600)
    })
}

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let mut d = next.pred_opt()?;
    while d.weekday() != Weekday::Sun {
        d = d.pred_opt()?;
    }
    Some(d)
}

fn time_property(name: &str, t: Timestamp, tz: Tz, local: bool) -> Property {
    if local {
        let l = t.with_timezone(&tz);
        Property::new(name, l.format("%Y%m%dT%H%M%S").to_string())
            .add_parameter("TZID", tz.name())
            .done()
    } else {
        Property::new(name, t.format("%Y%m%dT%H%M%SZ").to_string())
    }
}

/// One line of text: no control characters, single spaces.
fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A parameter value (CN) cannot hold a double quote (RFC 5545 3.1: quoted-string).
fn clean_param(s: &str) -> String {
    clean(&s.replace('"', "'"))
}

/// One content line of a calendar, unfolded: name (uppercase), parameters, value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentLine {
    pub name: String,
    pub params: Vec<(String, String)>,
    pub value: String,
}

impl ContentLine {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The content lines of a calendar text, unfolded (CRLF or LF, then a space or tab).
/// Parameter values lose their quotes; values stay escaped as written.
pub fn read(text: &str) -> Vec<ContentLine> {
    let mut logical: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t'])
            && let Some(last) = logical.last_mut()
        {
            last.push_str(rest);
            continue;
        }
        if !raw.is_empty() {
            logical.push(raw.to_string());
        }
    }
    logical.iter().filter_map(|l| split_line(l)).collect()
}

fn split_line(l: &str) -> Option<ContentLine> {
    let mut in_quotes = false;
    let mut cuts = Vec::new();
    let mut colon = None;
    for (i, c) in l.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => cuts.push(i),
            ':' if !in_quotes => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon?;
    let head = &l[..colon];
    let mut bounds = vec![0];
    bounds.extend(cuts.iter().map(|c| c + 1));
    let mut pieces = Vec::new();
    for (k, start) in bounds.iter().enumerate() {
        let end = cuts.get(k).copied().unwrap_or(head.len());
        pieces.push(&head[*start..end]);
    }
    let name = pieces.first()?.trim().to_ascii_uppercase();
    let params = pieces[1..]
        .iter()
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((
                k.trim().to_ascii_uppercase(),
                v.trim_matches('"').to_string(),
            ))
        })
        .collect();
    Some(ContentLine {
        name,
        params,
        value: l[colon + 1..].to_string(),
    })
}

/// Undoes the TEXT escapes of RFC 5545 3.3.11 (`\n`, `\,`, `\;`, `\\`).
pub fn unescape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn ev(start: Timestamp, end: Timestamp) -> IcsEvent {
        IcsEvent {
            method: Method::Request,
            uid: "loket-2026-001-1@minjenv.nl".into(),
            sequence: 0,
            dtstamp: Utc.with_ymd_and_hms(2026, 10, 1, 9, 0, 0).unwrap(),
            start,
            end,
            tz: chrono_tz::Europe::Amsterdam,
            summary: "Overleg, casus; 2026-001".into(),
            description: "Agenda:\n1. Opening".into(),
            location: Some("Turfmarkt 147, Den Haag".into()),
            organizer: Address::new("Loket \"OTT\"", "loket@minjenv.nl"),
            attendees: vec![IcsAttendee {
                address: Address::new("Anna de Vries", "a.devries@minjenv.nl"),
                required: true,
            }],
        }
    }

    #[test]
    fn local_times_with_the_zone_across_dst() {
        // Sunday 25 October 2026 is the change: 10:00 local is 09:00Z (CET).
        let start = Utc.with_ymd_and_hms(2026, 10, 26, 9, 0, 0).unwrap();
        let text = build(&ev(start, start + chrono::Duration::hours(2)));
        assert!(text.contains("DTSTART;TZID=Europe/Amsterdam:20261026T100000\r\n"));
        assert!(text.contains("RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"));
        assert!(text.contains("METHOD:REQUEST\r\n"));
        assert!(text.contains("SUMMARY:Overleg\\, casus\\; 2026-001\r\n"));
        assert!(text.contains("DTSTAMP:20261001T090000Z\r\n"));
        let tz_at = text.find("BEGIN:VTIMEZONE").unwrap();
        assert!(tz_at < text.find("BEGIN:VEVENT").unwrap());
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        let lines = read(&text);
        let org = lines.iter().find(|l| l.name == "ORGANIZER").unwrap();
        assert_eq!(org.param("CN"), Some("Loket 'OTT'"));
        let att = lines.iter().find(|l| l.name == "ATTENDEE").unwrap();
        assert_eq!(att.param("PARTSTAT"), Some("NEEDS-ACTION"));
        assert_eq!(att.param("RSVP"), Some("TRUE"));
        assert_eq!(att.value, "mailto:a.devries@minjenv.nl");
    }

    #[test]
    fn other_zones_are_written_in_utc() {
        let start = Utc.with_ymd_and_hms(2026, 10, 26, 9, 0, 0).unwrap();
        let mut e = ev(start, start + chrono::Duration::hours(1));
        e.tz = chrono_tz::America::New_York;
        let text = build(&e);
        assert!(text.contains("DTSTART:20261026T090000Z\r\n"));
        assert!(!text.contains("VTIMEZONE"));
    }

    #[test]
    fn reading_back_unfolds_and_unescapes() {
        let l = read("DESCRIPTION;LANGUAGE=nl:a\\, b\r\n  c\\nd\r\nX:1");
        assert_eq!(l.len(), 2);
        assert_eq!(unescape(&l[0].value), "a, b c\nd");
        assert_eq!(l[0].param("language"), Some("nl"));
    }
}
