//! The working-day calendar against an independent source, and its invariants.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use loket::config::model::{CalendarConfig, LiberationDay, Period};
use loket::core::calendar::{deadline_for, easter, holidays, is_working_day, local_date};

/// Dutch holidays 2024–2035 as listed by python-holidays (see the fixture's `source`), which
/// lists Goede Vrijdag and Bevrijdingsdag in lustrum years only.
#[test]
fn holidays_match_an_independent_table_2024_2035() {
    let text = include_str!("fixtures/holidays_nl_2024_2035.json");
    let doc: serde_json::Value = serde_json::from_str(text).unwrap();
    let mut want: Vec<(String, String)> = doc["holidays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["date"].as_str().unwrap().to_string(),
                h["name"].as_str().unwrap().to_lowercase(),
            )
        })
        .collect();
    want.sort();
    assert!(want.len() > 100);
    let cal = CalendarConfig {
        good_friday: true,
        liberation_day: LiberationDay::EveryFifthYear,
        closed: vec![],
    };
    let mut got: Vec<(String, String)> = (2024..=2035)
        .flat_map(|y| holidays(y, &cal))
        .map(|(d, n)| (d.to_string(), n.to_lowercase()))
        .collect();
    got.sort();
    assert_eq!(got, want);
}

#[test]
fn the_atw_default_has_5_may_every_year() {
    let cal = CalendarConfig::default();
    for y in 2024..=2035 {
        let may5 = NaiveDate::from_ymd_opt(y, 5, 5).unwrap();
        assert!(holidays(y, &cal).iter().any(|(d, _)| *d == may5), "{y}");
    }
    let never = CalendarConfig {
        liberation_day: LiberationDay::Never,
        ..CalendarConfig::default()
    };
    assert!(
        !holidays(2025, &never)
            .iter()
            .any(|(_, n)| n == "Bevrijdingsdag")
    );
}

#[test]
fn easter_is_a_sunday_in_spring() {
    for y in 1900..2200 {
        let e = easter(y);
        assert_eq!(e.weekday(), Weekday::Sun, "{y}");
        assert!(e >= NaiveDate::from_ymd_opt(y, 3, 22).unwrap(), "{y}");
        assert!(e <= NaiveDate::from_ymd_opt(y, 4, 25).unwrap(), "{y}");
    }
}

/// For every start time over two years (every 7 hours) and every period of 1–10 working
/// days or 1–10 days: the deadline is on a working day, at 17:00 local, after the start.
#[test]
fn deadlines_always_fall_at_the_end_of_a_working_day() {
    let tz = chrono_tz::Europe::Amsterdam;
    let cal = CalendarConfig::default();
    let five = NaiveTime::from_hms_opt(17, 0, 0).unwrap();
    let mut t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2028, 1, 1, 0, 0, 0).unwrap();
    let mut checked = 0;
    while t < end {
        for n in 1..=10 {
            for period in [
                Period::WorkingDays(n),
                Period::Span(Duration::days(n as i64)),
            ] {
                let dl = deadline_for(t, period, five, tz, &cal);
                let local = dl.with_timezone(&tz);
                assert!(
                    is_working_day(local_date(dl, tz), &cal),
                    "{t} {period:?}: {dl}"
                );
                assert_eq!(local.time(), five, "{t} {period:?}: {local}");
                assert!(dl > t, "{t} {period:?}");
                checked += 1;
            }
        }
        t += Duration::hours(7);
    }
    assert!(checked > 40_000);
}

#[test]
fn a_period_counts_from_the_day_after_arrival() {
    use loket::core::calendar::add_working_days;
    let cal = CalendarConfig::default();
    let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    // Saturday 7 Nov + 5 working days = Friday 13 Nov; Monday 9 Nov + 5 = Monday 16 Nov.
    assert_eq!(add_working_days(d(11, 7), 5, &cal), d(11, 13));
    assert_eq!(add_working_days(d(11, 9), 5, &cal), d(11, 16));
    // Friday 24 Apr + 1 = Tuesday 28 Apr (Monday 27 is Koningsdag).
    assert_eq!(add_working_days(d(4, 24), 1, &cal), d(4, 28));
}
