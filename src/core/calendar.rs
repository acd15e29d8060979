//! Dates and deadlines in the body's time zone. Pure: `now` is always passed in.
//!
//! Working days follow the Algemene termijnenwet (Atw): not a Saturday, Sunday or
//! "algemeen erkende feestdag" (art. 3: Nieuwjaarsdag, tweede Paas- en Pinksterdag, beide
//! Kerstdagen, Hemelvaartsdag, Koningsdag, 5 mei, and Goede Vrijdag by art. 3(2)), plus the
//! days the config closes (e.g. the days a Besluit gelijkstelling equates with a holiday).
//! Goede Vrijdag and 5 mei can be configured away, since not every employer observes them.
//! A deadline is the end of a working day, local time (art. 1: a period that would end on a
//! non-working day runs to the next working day).

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Weekday};
use chrono_tz::Tz;

use super::model::Timestamp;
use crate::config::model::{CalendarConfig, LiberationDay, Period};

/// Easter Sunday (Gregorian), by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
pub fn easter(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or(NaiveDate::MIN)
}

/// The non-working days of `year` other than weekends, with their Dutch names, in date order.
/// Sundays that are holidays (Eerste Paasdag, Eerste Pinksterdag) are listed too.
pub fn holidays(year: i32, cal: &CalendarConfig) -> Vec<(NaiveDate, String)> {
    let date = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    let e = easter(year);
    let mut out: Vec<(NaiveDate, String)> = Vec::new();
    let mut add = |d: Option<NaiveDate>, name: &str| {
        if let Some(d) = d {
            out.push((d, name.to_string()));
        }
    };
    add(date(1, 1), "Nieuwjaarsdag");
    if cal.good_friday {
        add(Some(e - Duration::days(2)), "Goede Vrijdag");
    }
    add(Some(e), "Eerste Paasdag");
    add(Some(e + Duration::days(1)), "Tweede Paasdag");
    // Koningsdag: 27 April, the 26th when the 27th is a Sunday.
    let kings = date(4, 27).map(|d| {
        if d.weekday() == Weekday::Sun {
            d - Duration::days(1)
        } else {
            d
        }
    });
    add(kings, "Koningsdag");
    let liberation = match cal.liberation_day {
        LiberationDay::EveryYear => true,
        LiberationDay::EveryFifthYear => year.rem_euclid(5) == 0,
        LiberationDay::Never => false,
    };
    if liberation {
        add(date(5, 5), "Bevrijdingsdag");
    }
    add(Some(e + Duration::days(39)), "Hemelvaartsdag");
    add(Some(e + Duration::days(49)), "Eerste Pinksterdag");
    add(Some(e + Duration::days(50)), "Tweede Pinksterdag");
    add(date(12, 25), "Eerste Kerstdag");
    add(date(12, 26), "Tweede Kerstdag");
    for c in cal.closed.iter().filter(|c| c.date.year() == year) {
        if !out.iter().any(|(d, _)| *d == c.date) {
            out.push((c.date, c.name.clone()));
        }
    }
    out.sort();
    out
}

/// Not a Saturday, Sunday, holiday or configured closing day.
pub fn is_working_day(date: NaiveDate, cal: &CalendarConfig) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        && !holidays(date.year(), cal).iter().any(|(d, _)| *d == date)
}

/// The next working day, `date` itself included.
pub fn next_working_day(mut date: NaiveDate, cal: &CalendarConfig) -> NaiveDate {
    for _ in 0..366 {
        if is_working_day(date, cal) {
            break;
        }
        match date.succ_opt() {
            Some(d) => date = d,
            None => break,
        }
    }
    date
}

/// The last working day, `date` itself included.
pub fn prev_working_day(mut date: NaiveDate, cal: &CalendarConfig) -> NaiveDate {
    for _ in 0..366 {
        if is_working_day(date, cal) {
            break;
        }
        match date.pred_opt() {
            Some(d) => date = d,
            None => break,
        }
    }
    date
}

/// The `n`-th working day after `date` (n = 0: the next working day from `date` on). A
/// case that arrives on a Saturday with 5 working days is due on Friday.
pub fn add_working_days(date: NaiveDate, n: u32, cal: &CalendarConfig) -> NaiveDate {
    if n == 0 {
        return next_working_day(date, cal);
    }
    let mut d = date;
    for _ in 0..n {
        d = next_working_day(d.succ_opt().unwrap_or(d), cal);
    }
    d
}

/// The `n`-th working day before `date` (n = 0: the last working day up to `date`).
pub fn sub_working_days(date: NaiveDate, n: u32, cal: &CalendarConfig) -> NaiveDate {
    if n == 0 {
        return prev_working_day(date, cal);
    }
    let mut d = date;
    for _ in 0..n {
        d = prev_working_day(d.pred_opt().unwrap_or(d), cal);
    }
    d
}

/// The deadline for a period starting at `now`: the end of that working day, local time.
/// A period in working days counts working days after today; a plain span that ends on a
/// non-working day runs to the next working day (Atw art. 1).
pub fn deadline_for(
    now: Timestamp,
    period: Period,
    time: NaiveTime,
    tz: Tz,
    cal: &CalendarConfig,
) -> Timestamp {
    let today = local_date(now, tz);
    let date = match period {
        Period::WorkingDays(n) => add_working_days(today, n, cal),
        Period::Span(d) => next_working_day(local_date(now + d, tz), cal),
    };
    at_local(date, time, tz)
}

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
    use chrono::Utc;
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

    fn atw() -> CalendarConfig {
        CalendarConfig::default()
    }

    #[test]
    fn deadline_skips_weekends_and_holidays_and_keeps_local_time_across_dst() {
        let t = NaiveTime::from_hms_opt(17, 0, 0).unwrap();
        let cal = atw();
        // Monday 19 October 2026 + 5 working days = Monday 26 October, after the DST change.
        let now = Utc.with_ymd_and_hms(2026, 10, 19, 10, 0, 0).unwrap();
        let dl = deadline_for(now, Period::WorkingDays(5), t, Amsterdam, &cal);
        assert_eq!(dl, Utc.with_ymd_and_hms(2026, 10, 26, 16, 0, 0).unwrap());
        // A span ending on Saturday runs to Monday; summer time 17:00 = 15:00Z.
        let now = Utc.with_ymd_and_hms(2026, 6, 4, 9, 0, 0).unwrap();
        let dl = deadline_for(now, Period::Span(Duration::days(2)), t, Amsterdam, &cal);
        assert_eq!(dl, Utc.with_ymd_and_hms(2026, 6, 8, 15, 0, 0).unwrap());
        // Thursday 2 April 2026 + 2 working days: Good Friday and Easter Monday skipped.
        let now = Utc.with_ymd_and_hms(2026, 4, 2, 9, 0, 0).unwrap();
        let dl = deadline_for(now, Period::WorkingDays(2), t, Amsterdam, &cal);
        assert_eq!(dl, Utc.with_ymd_and_hms(2026, 4, 8, 15, 0, 0).unwrap());
        // Without Good Friday it is one day earlier.
        let cal = CalendarConfig {
            good_friday: false,
            ..atw()
        };
        let dl = deadline_for(now, Period::WorkingDays(2), t, Amsterdam, &cal);
        assert_eq!(dl, Utc.with_ymd_and_hms(2026, 4, 7, 15, 0, 0).unwrap());
    }

    #[test]
    fn kings_day_moves_to_saturday_when_the_27th_is_a_sunday() {
        // 27 April 2025 was a Sunday.
        let h = holidays(2025, &atw());
        assert!(
            h.iter()
                .any(|(d, n)| *d == d_(2025, 4, 26) && n == "Koningsdag")
        );
        assert!(!h.iter().any(|(d, _)| *d == d_(2025, 4, 27)));
    }

    fn d_(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn working_day_arithmetic_round_trips() {
        let cal = atw();
        let mut date = d_(2026, 1, 1);
        while date < d_(2027, 1, 1) {
            for n in 0..7 {
                let later = add_working_days(date, n, &cal);
                assert!(is_working_day(later, &cal), "{date} + {n}");
                assert!(later >= date);
                if is_working_day(date, &cal) {
                    assert_eq!(sub_working_days(later, n, &cal), date, "{date} ± {n}");
                }
            }
            date = date.succ_opt().unwrap();
        }
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
