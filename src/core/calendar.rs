//! Dates and deadlines in the body's time zone. Pure: `now` is always passed in.
//!
//! A deadline is a calendar date at the configured local time of day. Weekends are skipped
//! (a deadline that would fall on a Saturday or Sunday moves to the Monday); Dutch public
//! holidays are a later addition.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Weekday};
use chrono_tz::Tz;

use super::model::Timestamp;

/// The instant of `date` at local time `time` in `tz`. In a DST gap the first valid local
/// time after it is used; in an overlap the earlier instant.
pub fn at_local(date: NaiveDate, time: NaiveTime, tz: Tz) -> Timestamp {
    let naive = date.and_time(time);
    for shift in 0..4 {
        if let Some(t) = tz
            .from_local_datetime(&(naive + Duration::minutes(30 * shift)))
            .earliest()
        {
            return t.with_timezone(&chrono::Utc);
        }
    }
    // Unreachable for real zones (gaps are at most an hour); fall back to reading it as UTC.
    naive.and_utc()
}

pub fn local_date(t: Timestamp, tz: Tz) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// The next day that is not a Saturday or Sunday, `date` itself included.
pub fn next_working_day(mut date: NaiveDate) -> NaiveDate {
    while matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        match date.succ_opt() {
            Some(d) => date = d,
            None => break,
        }
    }
    date
}

/// The last day that is not a Saturday or Sunday, `date` itself included.
pub fn prev_working_day(mut date: NaiveDate) -> NaiveDate {
    while matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        match date.pred_opt() {
            Some(d) => date = d,
            None => break,
        }
    }
    date
}

/// The deadline `period` after `now`: that local date (moved past a weekend) at `time`.
pub fn deadline_after(now: Timestamp, period: Duration, time: NaiveTime, tz: Tz) -> Timestamp {
    let date = next_working_day(local_date(now + period, tz));
    at_local(date, time, tz)
}

const MONTHS: &[(&str, u32)] = &[
    ("januari", 1),
    ("january", 1),
    ("jan", 1),
    ("februari", 2),
    ("february", 2),
    ("feb", 2),
    ("maart", 3),
    ("march", 3),
    ("mrt", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("mei", 5),
    ("may", 5),
    ("juni", 6),
    ("june", 6),
    ("jun", 6),
    ("juli", 7),
    ("july", 7),
    ("jul", 7),
    ("augustus", 8),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("oktober", 10),
    ("october", 10),
    ("okt", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

/// Reads a date as people write it in a form: `2026-12-04`, `4-12-2026`, `04/12/2026`,
/// `4 december 2026`, `December 4, 2026`, with an optional weekday in front.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim().trim_end_matches('.').to_lowercase();
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        [one] => parse_numeric(one),
        _ => {
            // Named month: find day, month and year among the words, in any order.
            let mut day = None;
            let mut month = None;
            let mut year = None;
            for w in &words {
                let w = w.trim_end_matches('.');
                if let Some((_, m)) = MONTHS.iter().find(|(name, _)| *name == w) {
                    month = Some(*m);
                } else if let Ok(n) = w
                    .trim_end_matches(['e', 't', 'h', 's', 'n', 'd', 'r'])
                    .parse::<u32>()
                {
                    if n > 31 {
                        year = Some(n as i32);
                    } else if day.is_none() {
                        day = Some(n);
                    }
                }
            }
            NaiveDate::from_ymd_opt(year?, month?, day?)
        }
    }
}

fn parse_numeric(s: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    if parts.len() != 3 {
        return None;
    }
    let n: Vec<u32> = parts
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if parts[0].len() == 4 {
        NaiveDate::from_ymd_opt(n[0] as i32, n[1], n[2])
    } else if parts[2].len() == 4 {
        NaiveDate::from_ymd_opt(n[2] as i32, n[1], n[0])
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use chrono_tz::Europe::Amsterdam;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_as_people_write_them() {
        let cases = [
            ("2026-12-04", Some(d(2026, 12, 4))),
            ("4-12-2026", Some(d(2026, 12, 4))),
            ("04/12/2026", Some(d(2026, 12, 4))),
            ("4 december 2026", Some(d(2026, 12, 4))),
            ("vrijdag 4 december 2026", Some(d(2026, 12, 4))),
            ("December 4, 2026", Some(d(2026, 12, 4))),
            ("4th December 2026", Some(d(2026, 12, 4))),
            ("31-02-2026", None),
            ("volgende week", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_date(text), want, "{text}");
        }
    }

    #[test]
    fn deadline_skips_weekend_and_keeps_local_time_across_dst() {
        let t = NaiveTime::from_hms_opt(17, 0, 0).unwrap();
        // Monday 19 October 2026 + 7 days = Monday 26 October, after the DST change (25 Oct).
        let now = Utc.with_ymd_and_hms(2026, 10, 19, 10, 0, 0).unwrap();
        let dl = deadline_after(now, Duration::days(7), t, Amsterdam);
        assert_eq!(dl, Utc.with_ymd_and_hms(2026, 10, 26, 16, 0, 0).unwrap());
        // Thursday + 2 days = Saturday → Monday; summer time 17:00 = 15:00Z.
        let now = Utc.with_ymd_and_hms(2026, 6, 4, 9, 0, 0).unwrap();
        let dl = deadline_after(now, Duration::days(2), t, Amsterdam);
        assert_eq!(dl, Utc.with_ymd_and_hms(2026, 6, 8, 15, 0, 0).unwrap());
    }

    #[test]
    fn local_time_in_dst_gap_moves_forward() {
        // 29 March 2026 02:30 does not exist in Amsterdam.
        let t = at_local(
            d(2026, 3, 29),
            NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
            Amsterdam,
        );
        assert_eq!(t, Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap());
    }
}
