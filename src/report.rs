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
    if let Some(m) = &c.meeting {
        meeting_section(cfg, c, m, &mut s);
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

/// The meeting of a case: its state, the availability table of the poll and the answers
/// to the invitation.
fn meeting_section(cfg: &Config, c: &Case, m: &Meeting, s: &mut String) {
    let hm = |t: Timestamp| t.with_timezone(&cfg.periods.timezone).format("%H:%M");
    let state = match m.state {
        MeetingState::Polling => "poll running",
        MeetingState::Invited => "planned, invitations sent",
        MeetingState::Cancelled => "cancelled",
    };
    let _ = writeln!(s, "\nMeeting {} ({state}):", m.number);
    let _ = writeln!(s, "  UID:        {} (sequence {})", m.uid, m.sequence);
    if let Some(w) = m.when {
        let _ = writeln!(s, "  When:       {} - {}", local(cfg, w.start), hm(w.end));
    }
    if let Some(l) = &m.location {
        let _ = writeln!(s, "  Location:   {l}");
    }
    if m.state == MeetingState::Polling
        && let Some(t) = m.poll_closes_at
    {
        let _ = writeln!(s, "  Poll closes: {}", local(cfg, t));
    }
    if !m.slots.is_empty() {
        let answered = c
            .seats
            .iter()
            .filter(|x| m.answers.contains_key(&x.member_id))
            .count();
        let counts = crate::core::meeting::slot_counts(m);
        let best = crate::core::meeting::best_slot(m, None).filter(|_| !m.answers.is_empty());
        let _ = writeln!(
            s,
            "  Availability ({answered} of {} seats answered):",
            c.seats.len()
        );
        for (i, slot) in m.slots.iter().enumerate() {
            let n = i as u32 + 1;
            let (yes, maybe, no) = counts[i];
            let _ = writeln!(
                s,
                "    {n:>2}. {} - {}   yes {yes}, maybe {maybe}, no {no}{}{}",
                local(cfg, slot.start),
                hm(slot.end),
                if best == Some(n) { "  (most yes)" } else { "" },
                if m.chosen == Some(n) {
                    "  (chosen)"
                } else {
                    ""
                },
            );
        }
        let mut header = format!("    {:<6} {:<28}", "", "");
        for n in 1..=m.slots.len() {
            header.push_str(&format!(" {n:>3}"));
        }
        let _ = writeln!(s, "{}", header.trim_end());
        for seat in &c.seats {
            let mut row = format!("    {:<6} {:<28}", seat.ministry, seat.member.display());
            match m.answers.get(&seat.member_id) {
                Some(a) => {
                    for v in &a.answers {
                        let mark = match v {
                            Availability::Yes => "yes",
                            Availability::Maybe => "?",
                            Availability::No => "no",
                        };
                        row.push_str(&format!(" {mark:>3}"));
                    }
                    if a.by == Person::Deputy {
                        row.push_str(&format!("  (by deputy {})", a.from));
                    }
                }
                None => row.push_str("   no answer yet"),
            }
            let _ = writeln!(s, "{row}");
        }
    }
    if !m.attendees.is_empty() {
        let _ = writeln!(s, "  Invited:");
        for a in &m.attendees {
            let kind = match a.kind {
                AttendeeKind::Member => "member",
                AttendeeKind::Deputy => "deputy",
                AttendeeKind::Submitter => "submitter",
                AttendeeKind::Guest => "guest",
            };
            let _ = writeln!(
                s,
                "    {:<40} {:<10} {}{}",
                a.address.to_string(),
                kind,
                a.partstat,
                if a.required { "" } else { " (optional)" }
            );
        }
    }
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
