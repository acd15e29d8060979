//! Reports: the figures of a fixture journal checked against values computed by hand, the
//! renderings, bad input, and `loket report` on the binary.
//!
//! The fixture (body calendar: Atw holidays; Europe/Amsterdam), report period 2026:
//!
//! | case | from | received | status | views (first) | reminders | other |
//! |---|---|---|---|---|---|---|
//! | 2026-001 | BZK | Mon 2 Nov 10:00 | bundled, all in | venj Mon 2 Nov (0 wd), bzk Wed 4 Nov (2), fin Mon 9 Nov 11:00 (5); all advisable | 5 Nov: fin | deadline Mon 9 Nov 17:00 |
//! | 2026-002 | Fin, urgent | Tue 22 Dec 10:00 | bundled after deadline | venj Mon 28 Dec (3: 25/26 Dec are holidays), bzk Wed 30 Dec (5, late); advisable vs not | 24 Dec: all three; 29 Dec: bzk, fin | deadline 24 Dec extended to Tue 29 Dec; meeting held 5 Jan 2027 |
//! | 2026-003 | BZK | Fri 6 Nov 10:00 | open | bzk Mon 9 Nov (1) | - | deadline Fri 13 Nov passed |
//! | 2026-004 | VenJ | Wed 11 Nov 10:00 | closed, no views | - | - | deadline Wed 18 Nov passed |
//! | 2025-050 | BZK | 15 Dec 2025 | - | - | - | outside the period |
//!
//! Made at 10 January 2027, 12:00.

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use loket::config::model::Config;
use loket::core::model::*;
use loket::reports::{self, Format};
use serde_json::{Value, json};

use common::*;

fn at(s: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn config() -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("loket.toml");
    std::fs::write(&path, CONFIG).unwrap();
    let cfg = loket::config::load(&path).expect("config loads");
    (dir, cfg)
}

const SEATS: [(&str, &str, &str, &str); 3] = [
    ("venj", "VenJ", "Anna de Vries", "a.devries@minjenv.nl"),
    ("bzk", "BZK", "Cor Bakker", "c.bakker@minbzk.nl"),
    ("fin", "Fin", "Dirk Smit", "d.smit@minfin.nl"),
];

/// A case as JSON (so the fixture does not depend on every field of the type): `views` maps
/// a member id to (time, position).
fn case(
    id: &str,
    ministry: &str,
    received: &str,
    deadline: &str,
    status: &str,
    urgent: bool,
    views: &[(&str, &str, &str)],
) -> Case {
    let seats: Vec<Value> = SEATS
        .iter()
        .map(|(mid, min, name, email)| {
            let views: Vec<Value> = views
                .iter()
                .filter(|(m, _, _)| m == mid)
                .map(|(_, t, p)| {
                    json!({
                        "by": "member",
                        "from": {"name": name, "email": email},
                        "received_at": at(t),
                        "raw_id": 1,
                        "message_id": null,
                        "form": {"position": p},
                        "text": format!("Standpunt: {p}"),
                        "status": "current",
                    })
                })
                .collect();
            json!({
                "member_id": mid,
                "ministry": min,
                "member": {"name": name, "email": email},
                "deputy": null,
                "addressed": ["member"],
                "views": views,
                "reminders": [],
            })
        })
        .collect();
    serde_json::from_value(json!({
        "id": id,
        "status": status,
        "received_at": at(received),
        "submitter": {"name": "Indiener", "email": "indiener@minbzk.nl"},
        "ministry": ministry,
        "form": {"fields": {"subject": format!("Casus {id}"), "question": "Geraden?"}},
        "urgent": urgent,
        "deadline": at(deadline),
        "source": [],
        "thread": [],
        "attachments": [],
        "seats": seats,
        "bundled_at": null,
    }))
    .expect("the fixture case reads as a Case")
}

fn entry(id: &str, t: &str, event: Value) -> JournalEntry {
    let mut v = event;
    v["at"] = json!(at(t));
    v["case"] = json!(id);
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("fixture journal entry {v}: {e}"))
}

fn distributed(id: &str, t: &str) -> JournalEntry {
    entry(
        id,
        t,
        json!({"event": "distributed", "to": ["a.devries@minjenv.nl", "c.bakker@minbzk.nl", "d.smit@minfin.nl"]}),
    )
}

fn view(id: &str, t: &str, member: &str, position: &str) -> JournalEntry {
    entry(
        id,
        t,
        json!({"event": "view_recorded", "raw_id": 1, "member": member, "by": "member",
               "position": position, "status": "current"}),
    )
}

fn reminder(id: &str, t: &str, members: &[&str]) -> JournalEntry {
    entry(id, t, json!({"event": "reminder_sent", "members": members}))
}

fn fixture() -> (Vec<Case>, Vec<JournalEntry>) {
    let cases = vec![
        case(
            "2026-001",
            "BZK",
            "2026-11-02T10:00:00+01:00",
            "2026-11-09T17:00:00+01:00",
            "bundled",
            false,
            &[
                ("venj", "2026-11-02T15:00:00+01:00", "advisable"),
                ("bzk", "2026-11-04T10:00:00+01:00", "advisable"),
                ("fin", "2026-11-09T11:00:00+01:00", "advisable"),
            ],
        ),
        case(
            "2026-002",
            "Fin",
            "2026-12-22T10:00:00+01:00",
            "2026-12-29T17:00:00+01:00",
            "bundled",
            true,
            &[
                ("venj", "2026-12-28T10:00:00+01:00", "advisable"),
                ("bzk", "2026-12-30T10:00:00+01:00", "not_advisable"),
            ],
        ),
        case(
            "2026-003",
            "BZK",
            "2026-11-06T10:00:00+01:00",
            "2026-11-13T17:00:00+01:00",
            "open",
            false,
            &[("bzk", "2026-11-09T10:00:00+01:00", "under_conditions")],
        ),
        case(
            "2026-004",
            "VenJ",
            "2026-11-11T10:00:00+01:00",
            "2026-11-18T17:00:00+01:00",
            "closed",
            false,
            &[],
        ),
        case(
            "2025-050",
            "BZK",
            "2025-12-15T10:00:00+01:00",
            "2025-12-22T17:00:00+01:00",
            "bundled",
            false,
            &[("bzk", "2025-12-16T10:00:00+01:00", "advisable")],
        ),
    ];
    let journal = vec![
        distributed("2025-050", "2025-12-15T10:00:00+01:00"),
        view("2025-050", "2025-12-16T10:00:00+01:00", "bzk", "advisable"),
        reminder("2025-050", "2025-12-18T09:00:00+01:00", &["venj", "fin"]),
        // 2026-001
        distributed("2026-001", "2026-11-02T10:00:00+01:00"),
        view("2026-001", "2026-11-02T15:00:00+01:00", "venj", "advisable"),
        view("2026-001", "2026-11-04T10:00:00+01:00", "bzk", "advisable"),
        reminder("2026-001", "2026-11-05T09:00:00+01:00", &["fin"]),
        view("2026-001", "2026-11-09T11:00:00+01:00", "fin", "advisable"),
        entry(
            "2026-001",
            "2026-11-09T11:05:00+01:00",
            json!({"event": "bundled", "missing": [], "reason": "all_views_in"}),
        ),
        // 2026-003
        distributed("2026-003", "2026-11-06T10:00:00+01:00"),
        view(
            "2026-003",
            "2026-11-09T10:00:00+01:00",
            "bzk",
            "under_conditions",
        ),
        // 2026-004
        distributed("2026-004", "2026-11-11T10:00:00+01:00"),
        entry(
            "2026-004",
            "2026-11-20T10:00:00+01:00",
            json!({"event": "closed"}),
        ),
        // 2026-002
        distributed("2026-002", "2026-12-22T10:00:00+01:00"),
        reminder(
            "2026-002",
            "2026-12-24T09:00:00+01:00",
            &["venj", "bzk", "fin"],
        ),
        entry(
            "2026-002",
            "2026-12-24T12:00:00+01:00",
            json!({"event": "deadline_extended", "from": at("2026-12-24T17:00:00+01:00"),
                   "to": at("2026-12-29T17:00:00+01:00"), "by": "cli"}),
        ),
        view("2026-002", "2026-12-28T10:00:00+01:00", "venj", "advisable"),
        reminder("2026-002", "2026-12-29T09:00:00+01:00", &["bzk", "fin"]),
        entry(
            "2026-002",
            "2026-12-29T17:05:00+01:00",
            json!({"event": "bundled", "missing": ["bzk", "fin"], "reason": "deadline_passed"}),
        ),
        view(
            "2026-002",
            "2026-12-30T10:00:00+01:00",
            "bzk",
            "not_advisable",
        ),
    ];
    let mut journal = journal;
    // The meeting of 2026-002, by event name (the meeting events are read by name and field).
    for (t, v) in [
        (
            "2026-12-30T12:00:00+01:00",
            json!({"event": "meeting_proposed", "uid": "m1", "round": 1,
                   "slots": [{"start": at("2027-01-05T10:00:00+01:00"), "end": at("2027-01-05T11:00:00+01:00")}],
                   "by": "s.visser@minjenv.nl"}),
        ),
        (
            "2027-01-02T12:00:00+01:00",
            json!({"event": "meeting_scheduled", "uid": "m1", "start": at("2027-01-05T10:00:00+01:00"),
                   "end": at("2027-01-05T11:00:00+01:00"), "sequence": 0, "slot": 1,
                   "by": "s.visser@minjenv.nl"}),
        ),
    ] {
        let mut v = v;
        v["at"] = json!(at(t));
        v["case"] = json!("2026-002");
        if let Ok(e) = serde_json::from_value::<JournalEntry>(v) {
            journal.push(e);
        }
    }
    (cases, journal)
}

const NOW: &str = "2027-01-10T12:00:00+01:00";

fn year_report() -> (tempfile::TempDir, Config, reports::Report) {
    let (dir, cfg) = config();
    let (cases, journal) = fixture();
    let r = reports::compute(
        &cfg,
        &cases,
        &journal,
        day("2026-01-01"),
        day("2026-12-31"),
        at(NOW),
    );
    (dir, cfg, r)
}

#[test]
fn figures_match_the_hand_computed_values() {
    let (_dir, _cfg, r) = year_report();
    assert_eq!(r.cases, 4, "2025-050 lies outside the period");
    assert_eq!(r.urgent, 1);

    let ministries: Vec<(&str, usize, usize)> = r
        .by_ministry
        .iter()
        .map(|m| (m.code.as_str(), m.cases, m.urgent))
        .collect();
    assert_eq!(ministries, [("BZK", 2, 0), ("Fin", 1, 1), ("VenJ", 1, 0)]);
    assert_eq!(
        r.by_ministry[0].name,
        "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties"
    );
    assert_eq!(r.by_month.len(), 12);
    let months: Vec<usize> = r.by_month.iter().map(|m| m.cases).collect();
    assert_eq!(months, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 1]);

    assert_eq!(
        (
            r.status.open,
            r.status.bundled,
            r.status.closed,
            r.status.awaiting_approval
        ),
        (1, 2, 1, 0)
    );
    let o = &r.outcomes;
    assert_eq!(
        (
            o.advisable,
            o.under_conditions,
            o.not_advisable,
            o.split,
            o.no_views,
            o.pending
        ),
        (1, 0, 0, 1, 1, 1)
    );
    assert_eq!(r.split_cases, ["2026-002"]);

    // Response times in working days: 0, 2, 5 (001); 3, 5 (002); 1 (003).
    assert_eq!(r.response.answers, 6);
    assert_eq!(r.response.median_working_days, Some(2.5));
    assert_eq!(r.response.p90_working_days, Some(5));

    let m = |id: &str| r.members.iter().find(|m| m.member_id == id).unwrap();
    let venj = m("venj");
    assert_eq!((venj.asked, venj.answered), (4, 2));
    assert_eq!(venj.median_working_days, Some(1.5));
    assert_eq!(venj.p90_working_days, Some(3));
    assert_eq!(venj.deadlines_missed, 2, "003 and 004");
    assert_eq!((venj.reminded_cases, venj.reminders), (1, 1));
    let bzk = m("bzk");
    assert_eq!((bzk.asked, bzk.answered), (4, 3));
    assert_eq!(bzk.median_working_days, Some(2.0));
    assert_eq!(bzk.p90_working_days, Some(5));
    assert_eq!(bzk.deadlines_missed, 2, "002 (late) and 004");
    assert_eq!((bzk.reminded_cases, bzk.reminders), (1, 2));
    let fin = m("fin");
    assert_eq!((fin.asked, fin.answered), (4, 1));
    assert_eq!(fin.median_working_days, Some(5.0));
    assert_eq!(fin.p90_working_days, Some(5));
    assert_eq!(fin.deadlines_missed, 3, "002, 003 and 004");
    assert_eq!((fin.reminded_cases, fin.reminders), (2, 3));
    assert_eq!(
        r.members
            .iter()
            .map(|m| m.member_id.as_str())
            .collect::<Vec<_>>(),
        ["venj", "bzk", "fin"],
        "in the order of the config"
    );

    assert_eq!(
        (
            r.reminders.cases,
            r.reminders.rounds,
            r.reminders.seat_reminders
        ),
        (2, 3, 6)
    );
    let d = &r.deadlines;
    assert_eq!(
        (
            d.passed,
            d.missed,
            d.seat_deadlines_missed,
            d.extended,
            d.extensions
        ),
        (4, 3, 7, 1, 1)
    );
    assert_eq!(
        (
            r.meetings.proposed,
            r.meetings.held,
            r.meetings.planned,
            r.meetings.cancelled
        ),
        (1, 1, 0, 0),
        "the meeting of 2026-002 (journal events read by name)"
    );

    let row = |id: &str| r.case_rows.iter().find(|c| c.id == id).unwrap();
    assert_eq!(row("2026-002").outcome, "split");
    assert!(row("2026-002").deadline_missed && row("2026-002").meeting);
    assert_eq!(row("2026-002").reminders, 5);
    assert_eq!(row("2026-001").outcome, "advisable");
    assert!(!row("2026-001").deadline_missed);
}

#[test]
fn a_deadline_still_to_come_is_not_missed() {
    let (_dir, cfg) = config();
    let (cases, journal) = fixture();
    // On 12 November 2026, 2026-003's deadline (13 Nov) has not passed yet.
    let r = reports::compute(
        &cfg,
        &cases,
        &journal,
        day("2026-11-01"),
        day("2026-11-30"),
        at("2026-11-12T12:00:00+01:00"),
    );
    assert_eq!(r.cases, 3);
    assert_eq!(r.deadlines.passed, 1, "only 2026-001 (9 Nov)");
    assert_eq!(r.deadlines.missed, 0);
    assert_eq!(r.meetings.held, 0);
}

#[test]
fn percentiles_by_hand() {
    assert_eq!(reports::median(&[]), None);
    assert_eq!(reports::median(&[4]), Some(4.0));
    assert_eq!(reports::median(&[1, 2, 3, 10]), Some(2.5));
    assert_eq!(reports::percentile(&[], 90), None);
    assert_eq!(reports::percentile(&[7], 90), Some(7));
    let ten: Vec<i64> = (1..=10).collect();
    assert_eq!(reports::percentile(&ten, 90), Some(9));
    let eleven: Vec<i64> = (1..=11).collect();
    assert_eq!(reports::percentile(&eleven, 90), Some(10));
    assert_eq!(reports::percentile(&ten, 100), Some(10));
}

#[test]
fn renderings_carry_the_figures() {
    let (_dir, cfg, r) = year_report();
    let table = reports::render(&cfg, &r, Format::Table);
    assert!(table.contains("Overzicht consultaties"), "{table}");
    assert!(table.contains("Anna de Vries"), "{table}");
    assert!(table.contains("2026-002"), "split cases are named: {table}");

    let csv = reports::render(&cfg, &r, Format::Csv);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "section,item,name,measure,value");
    for l in [
        "summary,,,cases,4",
        "outcome,split,,cases,1",
        "ministry,Fin,Ministerie van Financiën,urgent,1",
        "member,venj,Anna de Vries,median_working_days,1.5",
        "member,fin,Dirk Smit,deadlines_missed,3",
        "response,,,median_working_days,2.5",
        "deadlines,,,seat_deadlines_missed,7",
        "case,2026-002,Casus 2026-002,outcome,split",
    ] {
        assert!(lines.contains(&l), "{l} missing from:\n{csv}");
    }
    assert!(lines.iter().all(|l| l.split(',').count() >= 5));

    let json: serde_json::Value =
        serde_json::from_str(&reports::render(&cfg, &r, Format::Json)).unwrap();
    assert_eq!(json["cases"], 4);
    assert_eq!(json["response"]["median_working_days"], 2.5);
    assert_eq!(json["members"][2]["deadlines_missed"], 3);

    let html = reports::render(&cfg, &r, Format::Html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg").count(), 4, "four charts");
    assert!(html.contains("Casussen per maand"));
    assert!(html.contains("Ministerie van Financiën"));
    assert!(!html.contains("<script"), "no scripts in the report");
}

#[test]
fn an_empty_period_says_so() {
    let (_dir, cfg) = config();
    let (cases, journal) = fixture();
    let r = reports::compute(
        &cfg,
        &cases,
        &journal,
        day("2024-01-01"),
        day("2024-12-31"),
        at(NOW),
    );
    assert_eq!(r.cases, 0);
    assert_eq!(r.response.median_working_days, None);
    for f in [Format::Table, Format::Html] {
        let s = reports::render(&cfg, &r, f);
        assert!(s.contains("Geen casussen ontvangen"), "{s}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&reports::render(&cfg, &r, Format::Json)).unwrap();
    assert_eq!(json["cases"], 0);
}

#[test]
fn bad_dates_say_what_to_write() {
    let e = reports::parse_period("2026-13-01", "2026-12-31").unwrap_err();
    assert!(
        e.contains("--from `2026-13-01` is not a date") && e.contains("YYYY-MM-DD"),
        "{e}"
    );
    let e = reports::parse_period("2026-01-01", "morgen").unwrap_err();
    assert!(e.contains("--to `morgen` is not a date"), "{e}");
    let e = reports::parse_period("2026-12-31", "2026-01-01").unwrap_err();
    assert!(e.contains("is after"), "{e}");
    assert_eq!(
        reports::parse_period("1-1-2026", "31 december 2026").unwrap(),
        (day("2026-01-01"), day("2026-12-31"))
    );
}

#[test]
fn working_day_index_agrees_with_the_calendar() {
    let (_dir, cfg) = config();
    let idx = reports::WorkdayIndex::new(day("2026-01-01"), day("2027-12-31"), &cfg.calendar);
    let mut a = day("2026-01-01");
    while a < day("2027-03-01") {
        for n in [0, 1, 3, 9, 40] {
            let b = a + chrono::Duration::days(n);
            assert_eq!(
                idx.between(a, b),
                loket::record::count_working_days(a, b, &cfg.calendar),
                "{a}..{b}"
            );
        }
        a = a.succ_opt().unwrap();
    }
    // Outside the table it still counts right.
    assert_eq!(idx.between(day("2030-12-24"), day("2030-12-31")), 3);
}

#[test]
fn report_command_on_the_binary() {
    let site = Site::new();
    site.deliver("1.host", include_bytes!("fixtures/case_form.eml"));
    site.run_once("2026-11-02T10:30:00+01:00");
    let out = site
        .loket(&[
            "report",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--now",
            "2026-11-20T12:00:00+01:00",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Casussen ontvangen"), "{text}");
    assert!(text.contains("BZK"), "{text}");

    let file = site.path("overzicht.html");
    let out = site
        .loket(&[
            "report",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--format",
            "html",
            "--output",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(std::fs::read_to_string(&file).unwrap().contains("<svg"));

    let out = site
        .loket(&["report", "--from", "2025-01-01", "--to", "2025-12-31"])
        .output()
        .unwrap();
    assert!(out.status.success(), "an empty period is not an error");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Geen casussen ontvangen"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no cases were received"));

    let out = site
        .loket(&["report", "--from", "2026-02-30", "--to", "2026-12-31"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("is not a date") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn the_weekly_summary_carries_the_report_of_the_past_week() {
    use mail_parser::MimeHeaders;
    let site = Site::new();
    let mut cfg = std::fs::read_to_string(site.config()).unwrap();
    cfg.push_str("\n[jobs]\nweekly_summary = \"0 30 8 * * Mon\"\n");
    std::fs::write(site.config(), cfg).unwrap();
    site.deliver("1.host", include_bytes!("fixtures/case_form.eml"));
    // The first pass starts the schedule; the next Monday 08:30 the summary is due.
    site.run_once("2026-11-02T10:30:00+01:00");
    site.run_once("2026-11-09T08:31:00+01:00");
    let digest = site
        .outbox()
        .into_iter()
        .find(|s| s.message_id.contains("digest.weekly"))
        .expect("the weekly summary went out");
    let m = mail_parser::MessageParser::default()
        .parse(&digest.raw)
        .unwrap();
    let report = m
        .attachments()
        .find(|a| {
            a.attachment_name()
                .is_some_and(|n| n.starts_with("overzicht-OTT-2026-11-02-2026-11-08"))
        })
        .expect("the summary has the week's report attached");
    let html = String::from_utf8_lossy(report.contents());
    assert!(html.contains("<svg"), "charts in the report");
    assert!(html.contains("Casussen ontvangen"));
    assert!(html.contains("2026-001"), "the case of that week is listed");
}
