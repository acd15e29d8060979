//! What `loket case list` and `loket case show` print: plain text for people, JSON for
//! tools. Pure functions of config, cases and journal.

use std::fmt::Write;

use serde_json::json;

use crate::config::model::Config;
use crate::core::model::*;

fn local(cfg: &Config, t: Timestamp) -> String {
    t.with_timezone(&cfg.periods.timezone)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn status(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::AwaitingApproval => "awaiting approval",
        CaseStatus::Open => "open",
        CaseStatus::InReview => "in review",
        CaseStatus::Bundled => "bundled",
        CaseStatus::Closed => "closed",
    }
}

fn views_in(c: &Case) -> usize {
    c.seats
        .iter()
        .filter(|s| s.current_view().is_some())
        .count()
}

pub fn case_list(cfg: &Config, cases: &[Case], as_json: bool) -> String {
    if as_json {
        let v: Vec<_> = cases
            .iter()
            .map(|c| {
                json!({
                    "id": c.id.to_string(),
                    "status": status(c.status),
                    "ministry": c.ministry,
                    "subject": c.subject(),
                    "submitter": c.submitter.email,
                    "received_at": c.received_at,
                    "deadline": c.deadline,
                    "urgent": c.urgent,
                    "seats": c.seats.len(),
                    "views_in": views_in(c),
                    "missing": c.missing_seats().map(|s| s.member_id.clone()).collect::<Vec<_>>(),
                })
            })
            .collect();
        return serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
    }
    if cases.is_empty() {
        return "no cases yet\n".to_string();
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<10} {:<8} {:<6} {:<16} {:>5}  SUBJECT",
        "ID", "STATUS", "MIN.", "DEADLINE", "VIEWS"
    );
    for c in cases {
        let subject: String = c.subject().chars().take(60).collect();
        let _ = writeln!(
            s,
            "{:<10} {:<8} {:<6} {:<16} {:>2}/{:<2}  {}{}",
            c.id.to_string(),
            status(c.status),
            c.ministry,
            local(cfg, c.deadline),
            views_in(c),
            c.seats.len(),
            if c.urgent { "[spoed] " } else { "" },
            subject
        );
    }
    s
}

pub fn case_show(cfg: &Config, c: &Case, journal: &[JournalEntry], as_json: bool) -> String {
    if as_json {
        let v = json!({ "case": c, "journal": journal });
        return serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
    }
    let mut s = String::new();
    let field = |f: CaseField| c.form.get(f).unwrap_or("-").to_string();
    let _ = writeln!(s, "Case {}  ({})", c.id, status(c.status));
    let _ = writeln!(s, "Subject:    {}", c.subject());
    let _ = writeln!(s, "Ministry:   {}", c.ministry);
    let _ = writeln!(s, "Submitter:  {}", c.submitter);
    let _ = writeln!(s, "Received:   {}", local(cfg, c.received_at));
    let _ = writeln!(
        s,
        "Deadline:   {}{}",
        local(cfg, c.deadline),
        if c.urgent { " (urgent)" } else { "" }
    );
    let _ = writeln!(s, "Question:   {}", field(CaseField::Question));
    if !c.attachments.is_empty() {
        let names: Vec<_> = c.attachments.iter().map(|a| a.name.as_str()).collect();
        let _ = writeln!(s, "Attachments: {}", names.join(", "));
    }
    let _ = writeln!(
        s,
        "\nSeats ({} of {} answered):",
        views_in(c),
        c.seats.len()
    );
    for seat in &c.seats {
        match seat.current_view() {
            Some(v) => {
                let _ = writeln!(
                    s,
                    "  {:<6} {:<28} {:?} (by {}, {})",
                    seat.ministry,
                    seat.member.display(),
                    v.form.position,
                    v.from.email,
                    local(cfg, v.received_at)
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "  {:<6} {:<28} no view yet",
                    seat.ministry,
                    seat.member.display()
                );
            }
        }
        for v in seat
            .views
            .iter()
            .filter(|v| v.status != ViewStatus::Current)
        {
            let _ = writeln!(
                s,
                "         {:?} view by {} at {}",
                v.status,
                v.from.email,
                local(cfg, v.received_at)
            );
        }
    }
    let _ = writeln!(s, "\nTimeline:");
    for e in journal {
        let v = serde_json::to_value(&e.event).unwrap_or_default();
        let name = v.get("event").and_then(|n| n.as_str()).unwrap_or("?");
        let mut detail = v.clone();
        if let Some(o) = detail.as_object_mut() {
            o.remove("event");
        }
        let _ = writeln!(s, "  {}  {:<18} {}", local(cfg, e.at), name, detail);
    }
    s
}

/// What `loket calendar` prints.
pub fn calendar(
    cfg: &Config,
    args: &crate::cli::CalendarArgs,
    now: Timestamp,
) -> Result<String, String> {
    use crate::core::calendar::{add_working_days, at_local, holidays};
    let cal = &cfg.calendar;
    let p = &cfg.periods;
    if let (Some(from), Some(days)) = (&args.deadline_from, args.days) {
        let start = chrono::NaiveDate::parse_from_str(from.trim(), "%Y-%m-%d").map_err(|_| {
            format!("--deadline-from `{from}` is not a date; write it as 2026-12-04")
        })?;
        let day = add_working_days(start, days, cal);
        let at = at_local(day, p.deadline_time, p.timezone);
        if args.json {
            let v = json!({ "from": start, "working_days": days, "deadline": at,
                "deadline_local": local(cfg, at) });
            return Ok(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n");
        }
        return Ok(format!(
            "{days} working days from {start}: deadline {} ({})\n",
            local(cfg, at),
            day.format("%A")
        ));
    }
    let year = args
        .year
        .unwrap_or_else(|| chrono::Datelike::year(&now.with_timezone(&p.timezone)));
    let days = holidays(year, cal);
    if args.json {
        let v: Vec<_> = days
            .iter()
            .map(|(d, n)| json!({ "date": d.to_string(), "name": n }))
            .collect();
        return Ok(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n");
    }
    let mut s = format!("Non-working days in {year} besides weekends:\n");
    for (d, n) in days {
        let _ = writeln!(s, "  {}  {:<9}  {n}", d, d.format("%A"));
    }
    Ok(s)
}
