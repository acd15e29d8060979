//! A small iCalendar reader for iTIP messages (RFC 5545 / 5546): the method, the event's
//! UID, sequence, status, summary, start and end, the organizer and the attendees with
//! their participation status.
//!
//! It unfolds lines (CRLF or bare LF followed by a space or tab), splits each content line
//! into name, parameters (quoted values allowed) and value, and reads the first
//! VEVENT/VTODO. Times with a TZID are resolved with the IANA database, a table of Windows
//! zone names, or, failing both, the offsets in the calendar's own VTIMEZONE.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::reply::floor_char_boundary;
use crate::core::model::{Itip, ItipAttendee};

/// Calendars longer than this are read up to here.
const LIMIT: usize = 1024 * 1024;
/// More attendees than this are not listed.
const MAX_ATTENDEES: usize = 1000;

/// One content line.
#[derive(Debug)]
struct Line {
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

impl Line {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads an iCalendar text. `None` when it holds no VCALENDAR.
pub fn parse(text: &str) -> Option<Itip> {
    let text = &text[..floor_char_boundary(text, LIMIT)];
    let lines = unfold(text);
    if !lines
        .iter()
        .any(|l| l.name == "BEGIN" && l.value.eq_ignore_ascii_case("VCALENDAR"))
    {
        return None;
    }
    let mut itip = Itip::default();
    let zones = timezones(&lines);
    let mut stack: Vec<String> = Vec::new();
    let mut in_event = false;
    let mut event_done = false;
    for l in &lines {
        match l.name.as_str() {
            "BEGIN" => {
                let comp = l.value.trim().to_ascii_uppercase();
                if !event_done && matches!(comp.as_str(), "VEVENT" | "VTODO" | "VJOURNAL") {
                    in_event = stack.last().is_some_and(|s| s == "VCALENDAR");
                }
                stack.push(comp);
                continue;
            }
            "END" => {
                let comp = l.value.trim().to_ascii_uppercase();
                if in_event && matches!(comp.as_str(), "VEVENT" | "VTODO" | "VJOURNAL") {
                    in_event = false;
                    event_done = true;
                }
                if let Some(p) = stack.iter().rposition(|s| *s == comp) {
                    stack.truncate(p);
                }
                continue;
            }
            _ => {}
        }
        let top = stack.last().map(String::as_str);
        if top == Some("VCALENDAR") {
            match l.name.as_str() {
                "METHOD" => itip.method = Some(l.value.trim().to_ascii_uppercase()),
                "PRODID" => itip.prodid = Some(l.value.trim().to_string()),
                _ => {}
            }
        }
        if !in_event || !matches!(top, Some("VEVENT" | "VTODO" | "VJOURNAL")) {
            continue;
        }
        match l.name.as_str() {
            "UID" => itip.uid = Some(l.value.trim().to_string()),
            "SUMMARY" => itip.summary = Some(unescape(&l.value)),
            "STATUS" => itip.status = Some(l.value.trim().to_ascii_uppercase()),
            "SEQUENCE" => itip.sequence = l.value.trim().parse().ok(),
            "DTSTART" => itip.start = time(l, &zones),
            "DTEND" | "DUE" => itip.end = time(l, &zones),
            "ORGANIZER" => itip.organizer = mailto(&l.value),
            "ATTENDEE" if itip.attendees.len() < MAX_ATTENDEES => {
                if let Some(email) =
                    mailto(&l.value).or_else(|| l.param("EMAIL").map(str::to_string))
                {
                    itip.attendees.push(ItipAttendee {
                        email,
                        partstat: l
                            .param("PARTSTAT")
                            .unwrap_or("NEEDS-ACTION")
                            .trim()
                            .to_ascii_uppercase(),
                        name: l.param("CN").map(str::to_string).filter(|n| !n.is_empty()),
                    });
                }
            }
            _ => {}
        }
    }
    Some(itip)
}

/// Unfolds and splits the content lines.
fn unfold(text: &str) -> Vec<Line> {
    let mut logical: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t'])
            && let Some(last) = logical.last_mut()
        {
            last.push_str(rest);
            continue;
        }
        if !raw.trim().is_empty() {
            logical.push(raw.to_string());
        }
    }
    logical.iter().filter_map(|l| split_line(l)).collect()
}

/// `NAME;P1=v;P2="v:x":value`.
fn split_line(l: &str) -> Option<Line> {
    let mut in_quotes = false;
    let mut colon = None;
    for (i, c) in l.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ':' if !in_quotes => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon?;
    let (head, value) = (&l[..colon], &l[colon + 1..]);
    let mut parts = split_params(head).into_iter();
    let name = parts.next()?.trim().to_ascii_uppercase();
    if name.is_empty() {
        return None;
    }
    let params = parts
        .filter_map(|p| {
            let (n, v) = p.split_once('=')?;
            Some((
                n.trim().to_ascii_uppercase(),
                v.trim().trim_matches('"').to_string(),
            ))
        })
        .collect();
    Some(Line {
        name,
        params,
        value: value.to_string(),
    })
}

fn split_params(head: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut in_quotes = false;
    let mut start = 0;
    for (i, c) in head.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => {
                out.push(&head[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&head[start..]);
    out
}

fn unescape(v: &str) -> String {
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
    out.trim().to_string()
}

/// The address of a `mailto:` value (case of the scheme ignored).
fn mailto(v: &str) -> Option<String> {
    let v = v.trim();
    let addr = if v.len() >= 7 && v[..7].eq_ignore_ascii_case("mailto:") {
        &v[7..]
    } else {
        v
    };
    let addr = addr.trim();
    (addr.contains('@') && !addr.contains(char::is_whitespace)).then(|| addr.to_string())
}

/// A VTIMEZONE as its standard and daylight offsets and the months daylight time runs.
#[derive(Debug, Clone)]
struct Zone {
    id: String,
    standard: Option<FixedOffset>,
    daylight: Option<FixedOffset>,
    /// (month daylight time starts, month it ends), from the RRULEs.
    months: Option<(u32, u32)>,
}

fn timezones(lines: &[Line]) -> Vec<Zone> {
    let mut zones = Vec::new();
    let mut cur: Option<Zone> = None;
    let mut sub: Option<String> = None;
    let (mut dst_start, mut dst_end) = (None, None);
    for l in lines {
        match (
            l.name.as_str(),
            l.value.trim().to_ascii_uppercase().as_str(),
        ) {
            ("BEGIN", "VTIMEZONE") => {
                cur = Some(Zone {
                    id: String::new(),
                    standard: None,
                    daylight: None,
                    months: None,
                });
                (dst_start, dst_end) = (None, None);
            }
            ("END", "VTIMEZONE") => {
                if let Some(mut z) = cur.take() {
                    z.months = dst_start.zip(dst_end);
                    zones.push(z);
                }
            }
            ("BEGIN", s @ ("STANDARD" | "DAYLIGHT")) => sub = Some(s.to_string()),
            ("END", "STANDARD" | "DAYLIGHT") => sub = None,
            _ => {
                let Some(z) = cur.as_mut() else { continue };
                match l.name.as_str() {
                    "TZID" => z.id = l.value.trim().to_string(),
                    "TZOFFSETTO" => {
                        let off = offset(&l.value);
                        match sub.as_deref() {
                            Some("DAYLIGHT") => z.daylight = off,
                            Some("STANDARD") => z.standard = off,
                            _ => {}
                        }
                    }
                    "RRULE" => {
                        let month = l
                            .value
                            .split(';')
                            .find_map(|p| p.trim().strip_prefix("BYMONTH="))
                            .and_then(|m| m.parse::<u32>().ok());
                        match sub.as_deref() {
                            Some("DAYLIGHT") => dst_start = month,
                            Some("STANDARD") => dst_end = month,
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    zones
}

fn offset(v: &str) -> Option<FixedOffset> {
    let v = v.trim();
    let (sign, digits) = match v.as_bytes().first()? {
        b'+' => (1, &v[1..]),
        b'-' => (-1, &v[1..]),
        _ => (1, v),
    };
    if digits.len() < 4 || !digits.is_char_boundary(2) || !digits.is_char_boundary(4) {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = digits[2..4].parse().ok()?;
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// Windows zone names Outlook and Exchange write, and the IANA zone for each.
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("W. Europe Standard Time", "Europe/Amsterdam"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("Eastern Standard Time", "America/New_York"),
    ("Central Standard Time", "America/Chicago"),
    ("Mountain Standard Time", "America/Denver"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("India Standard Time", "Asia/Kolkata"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("UTC", "UTC"),
    ("Coordinated Universal Time", "UTC"),
];

/// A DTSTART/DTEND as an instant. Dates (all-day) are midnight in Europe/Amsterdam, as are
/// floating times.
fn time(l: &Line, zones: &[Zone]) -> Option<DateTime<Utc>> {
    let v = l.value.trim();
    if let Some(utc) = v.strip_suffix('Z').or_else(|| v.strip_suffix('z')) {
        let naive = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?;
        return Some(Utc.from_utc_datetime(&naive));
    }
    let naive = NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(v, "%Y%m%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })?;
    let tzid = l
        .param("TZID")
        .unwrap_or("Europe/Amsterdam")
        .trim()
        .trim_start_matches('/');
    let iana = WINDOWS_ZONES
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(tzid))
        .map_or(tzid, |(_, i)| *i);
    if let Ok(tz) = iana.parse::<Tz>() {
        return tz
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc));
    }
    let zone = zones.iter().find(|z| z.id == tzid)?;
    let std = zone.standard.or(zone.daylight)?;
    let off = match (zone.daylight, zone.months) {
        (Some(dst), Some((from, to))) => {
            use chrono::Datelike;
            let m = naive.month();
            let in_dst = if from <= to {
                m > from && m < to || m == from && naive.day() > 24 || m == to && naive.day() < 25
            } else {
                m > from || m < to
            };
            if in_dst { dst } else { std }
        }
        _ => std,
    };
    off.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_with_folded_attendee() {
        let t = "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:abc\r\nATTENDEE;PARTSTAT=ACCEPTED;CN=\"Jansen: Jan\":mai\r\n lto:jan@x.nl\r\nDTSTART;TZID=W. Europe Standard Time:20260310T140000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let i = parse(t).unwrap();
        assert_eq!(i.method.as_deref(), Some("REPLY"));
        assert_eq!(i.uid.as_deref(), Some("abc"));
        assert_eq!(i.attendees.len(), 1);
        assert_eq!(i.attendees[0].email, "jan@x.nl");
        assert_eq!(i.attendees[0].partstat, "ACCEPTED");
        assert_eq!(i.attendees[0].name.as_deref(), Some("Jansen: Jan"));
        assert_eq!(i.start.unwrap().to_rfc3339(), "2026-03-10T13:00:00+00:00");
    }

    #[test]
    fn not_a_calendar() {
        assert!(parse("hello").is_none());
        assert!(parse("").is_none());
        assert!(parse("BEGIN:VCALENDAR\nDTSTART;TZID=\"x:").is_some());
    }
}
