//! Reports over a period: the evaluation seed 000 asks for. Cases per submitting ministry,
//! outcomes (common position, split, no views), response time per member in working days
//! (median and 90th percentile), reminders needed, deadlines missed or extended, meetings
//! held, and the cases where the body's view was split.
//!
//! [`compute`] is a pure function of config, cases and journal (plus the time the report is
//! made, which decides whether a deadline has passed); [`render`] writes it as a text table,
//! CSV, JSON or HTML with SVG charts (plotters, SVG backend only).
//!
//! Definitions (also printed in the HTML report):
//! - a case is *in the period* when it was received on a day from `from` to `to` (local
//!   dates, both included);
//! - *response time* of a seat: working days from the day the case went to the members
//!   (the first `distributed` journal entry) to the day of the seat's first view (the first
//!   `view_recorded` entry for it); 0 = the same day. Median: the middle value (mean of the
//!   two middle values for an even count); 90th percentile: nearest rank;
//! - a *deadline is missed* by a seat that had no view recorded by the case's final deadline,
//!   once that deadline has passed;
//! - *outcome* of a finished case (bundled or closed): the common position under the
//!   configured bundling rule, *split* when there is none, *no views* when nobody gave a
//!   position; a case still running has no outcome yet;
//! - a *meeting is held* when its last scheduled time (not cancelled) has begun.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use crate::config::model::{CalendarConfig, Config, Lang};
use crate::core::calendar::{holidays, local_date};
use crate::core::model::*;
use crate::record::{common_position, html_escape};

/// Output formats of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    Html,
}

/// One figure set for a submitting ministry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MinistryRow {
    pub code: String,
    pub name: String,
    pub cases: usize,
    pub urgent: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonthRow {
    /// `2026-03`
    pub month: String,
    pub cases: usize,
}

/// Cases by where they stand now.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StatusCounts {
    pub awaiting_approval: usize,
    pub open: usize,
    pub in_review: usize,
    pub bundled: usize,
    pub closed: usize,
}

/// Outcomes of the finished cases.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Outcomes {
    /// Common position "compensation advisable".
    pub advisable: usize,
    pub under_conditions: usize,
    pub not_advisable: usize,
    /// The views differed: given side by side.
    pub split: usize,
    /// Nobody gave a position.
    pub no_views: usize,
    /// Not finished yet: no outcome.
    pub pending: usize,
}

/// Response times and reminders of one member's seat over the cases of the period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MemberRow {
    pub member_id: String,
    pub name: String,
    pub ministry: String,
    /// Cases that went to this seat.
    pub asked: usize,
    /// Cases the seat answered (at any time).
    pub answered: usize,
    pub median_working_days: Option<f64>,
    pub p90_working_days: Option<i64>,
    /// Cases whose deadline passed before the seat answered (or without an answer).
    pub deadlines_missed: usize,
    /// Cases in which this seat got at least one reminder.
    pub reminded_cases: usize,
    /// Reminders this seat got in all.
    pub reminders: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ResponseTimes {
    /// Answers measured.
    pub answers: usize,
    pub median_working_days: Option<f64>,
    pub p90_working_days: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Reminders {
    /// Cases in which at least one reminder went out.
    pub cases: usize,
    /// Reminder rounds (one per case and time).
    pub rounds: usize,
    /// Reminders to seats in all (a round to three seats counts three).
    pub seat_reminders: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Deadlines {
    /// Cases whose (final) deadline has passed.
    pub passed: usize,
    /// Of those: cases in which at least one seat had no view by the deadline.
    pub missed: usize,
    /// Seats without a view by a passed deadline, over all cases.
    pub seat_deadlines_missed: usize,
    /// Cases whose deadline was extended at least once.
    pub extended: usize,
    /// Extensions in all.
    pub extensions: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Meetings {
    /// Cases for which meeting times were proposed.
    pub proposed: usize,
    /// Meetings whose time has begun (not cancelled).
    pub held: usize,
    /// Meetings set for a later time.
    pub planned: usize,
    pub cancelled: usize,
}

/// One line per case, for the detail table and the CSV.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseRow {
    pub id: String,
    pub ministry: String,
    pub subject: String,
    pub received: NaiveDate,
    pub urgent: bool,
    pub status: &'static str,
    /// `advisable`, `under_conditions`, `not_advisable`, `split`, `no_views`, `pending`.
    pub outcome: &'static str,
    pub seats: usize,
    pub answered: usize,
    pub reminders: usize,
    pub extensions: usize,
    pub deadline_missed: bool,
    pub meeting: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub body: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub generated_at: Timestamp,
    pub cases: usize,
    pub urgent: usize,
    pub by_ministry: Vec<MinistryRow>,
    pub by_month: Vec<MonthRow>,
    pub status: StatusCounts,
    pub outcomes: Outcomes,
    pub response: ResponseTimes,
    pub members: Vec<MemberRow>,
    pub reminders: Reminders,
    pub deadlines: Deadlines,
    pub meetings: Meetings,
    /// Finished cases whose views differed.
    pub split_cases: Vec<String>,
    pub case_rows: Vec<CaseRow>,
}

/// Reads a day given on the command line (`2026-03-01`; `1-3-2026` and `1 maart 2026` work
/// too).
pub fn parse_day(flag: &str, s: &str) -> Result<NaiveDate, String> {
    crate::core::calendar::parse_date(s).ok_or_else(|| {
        format!("{flag} `{s}` is not a date; write it as YYYY-MM-DD, e.g. {flag} 2026-01-31")
    })
}

/// Checks a period given on the command line.
pub fn parse_period(from: &str, to: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let f = parse_day("--from", from)?;
    let t = parse_day("--to", to)?;
    if f > t {
        return Err(format!(
            "--from {f} is after --to {t}; give the earlier day with --from"
        ));
    }
    Ok((f, t))
}

/// Counts working days quickly: a table of cumulative working days over a range of dates,
/// built once, with a slow path outside it.
pub struct WorkdayIndex<'a> {
    start: NaiveDate,
    /// `cum[i]`: working days in (start, start + i].
    cum: Vec<i64>,
    cal: &'a CalendarConfig,
}

impl<'a> WorkdayIndex<'a> {
    pub fn new(start: NaiveDate, end: NaiveDate, cal: &'a CalendarConfig) -> Self {
        let mut off: HashSet<NaiveDate> = HashSet::new();
        for y in start.year()..=end.year() {
            off.extend(holidays(y, cal).into_iter().map(|(d, _)| d));
        }
        let days = (end - start).num_days().max(0) as usize;
        let mut cum = Vec::with_capacity(days + 1);
        let mut n = 0;
        cum.push(0);
        let mut d = start;
        for _ in 0..days {
            d = match d.succ_opt() {
                Some(x) => x,
                None => break,
            };
            if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !off.contains(&d) {
                n += 1;
            }
            cum.push(n);
        }
        WorkdayIndex { start, cum, cal }
    }

    fn pos(&self, d: NaiveDate) -> Option<usize> {
        let i = (d - self.start).num_days();
        (i >= 0 && (i as usize) < self.cum.len()).then_some(i as usize)
    }

    /// Working days in (a, b]; negative when b is before a.
    pub fn between(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        match (self.pos(a), self.pos(b)) {
            (Some(i), Some(j)) => self.cum[j] - self.cum[i],
            _ => crate::record::count_working_days(a, b, self.cal),
        }
    }
}

/// The median (mean of the two middle values for an even count) of sorted values.
pub fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}

/// The p-th percentile (0 < p ≤ 100) of sorted values by the nearest-rank method.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p) * sorted.len() as u64).div_ceil(100).max(1) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

fn status_key(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::AwaitingApproval => "awaiting_approval",
        CaseStatus::Open => "open",
        CaseStatus::Bundled => "bundled",
        CaseStatus::Closed => "closed",
        _ => "in_review",
    }
}

/// What the report reads of a journal entry. Decoded straight from the store
/// ([`crate::store::Store::journal_as`]) so that a report over years of journal does not
/// build every entry in full; made from a [`JournalEntry`] with `From`.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct EntryFacts {
    pub at: Timestamp,
    #[serde(default)]
    pub case: Option<CaseId>,
    /// The event's name, e.g. `view_recorded`.
    pub event: String,
    /// `view_recorded`: the seat.
    #[serde(default)]
    pub member: Option<String>,
    /// `reminder_sent`: the seats reminded.
    #[serde(default)]
    pub members: Vec<String>,
    /// `meeting_scheduled`: when the meeting begins.
    #[serde(default)]
    pub start: Option<Timestamp>,
}

impl From<&JournalEntry> for EntryFacts {
    fn from(e: &JournalEntry) -> Self {
        let mut f = EntryFacts {
            at: e.at,
            case: e.case,
            event: String::new(),
            member: None,
            members: Vec::new(),
            start: None,
        };
        match &e.event {
            JournalEvent::Distributed { .. } => f.event = "distributed".into(),
            JournalEvent::ViewRecorded { member, .. } => {
                f.event = "view_recorded".into();
                f.member = Some(member.clone());
            }
            JournalEvent::ReminderSent { members } => {
                f.event = "reminder_sent".into();
                f.members = members.clone();
            }
            JournalEvent::DeadlineExtended { .. } => f.event = "deadline_extended".into(),
            other => {
                // Meetings and the rest by name and field, so that this does not depend on
                // their shape.
                let v = serde_json::to_value(other).unwrap_or_default();
                f.event = v
                    .get("event")
                    .and_then(|n| n.as_str())
                    .unwrap_or_default()
                    .to_string();
                f.start = v
                    .get("start")
                    .cloned()
                    .and_then(|s| serde_json::from_value(s).ok());
            }
        }
        f
    }
}

struct Acc {
    name: String,
    ministry: String,
    asked: usize,
    answered: usize,
    times: Vec<i64>,
    missed: usize,
    reminded_cases: usize,
    reminders: usize,
}

/// What the report keeps of a case in the period.
struct CaseSummary {
    id: CaseId,
    ministry: String,
    subject: String,
    received: NaiveDate,
    urgent: bool,
    status: CaseStatus,
    deadline: Timestamp,
    /// (member id, ministry, member name, first view by the case's own record).
    seats: Vec<(String, String, String, Option<Timestamp>)>,
    answered: usize,
    any_position: bool,
    common: Option<Position>,
}

/// What the journal says about a case in the period.
#[derive(Default)]
struct Facts {
    distributed: Option<Timestamp>,
    first_view: HashMap<String, Timestamp>,
    reminded: HashMap<String, usize>,
    rounds: usize,
    extensions: usize,
    proposed: bool,
    /// The last scheduled meeting's start, and whether it was cancelled after.
    scheduled: Option<Option<Timestamp>>,
    cancelled: bool,
}

/// Builds a report from cases and journal entries fed one at a time, so that a report over
/// the whole store keeps only what it counts. Feed every case first, then the journal in
/// order; [`compute`] does this for values in memory.
pub struct Builder<'a> {
    cfg: &'a Config,
    from: NaiveDate,
    to: NaiveDate,
    now: Timestamp,
    cases: Vec<CaseSummary>,
    facts: HashMap<CaseId, Facts>,
}

impl<'a> Builder<'a> {
    pub fn new(cfg: &'a Config, from: NaiveDate, to: NaiveDate, now: Timestamp) -> Self {
        Builder {
            cfg,
            from,
            to,
            now,
            cases: Vec::new(),
            facts: HashMap::new(),
        }
    }

    /// Takes a case if it was received in the period.
    pub fn add_case(&mut self, c: &Case) {
        let cfg = self.cfg;
        let received = local_date(c.received_at, cfg.periods.timezone);
        if received < self.from || received > self.to {
            return;
        }
        let any_position = c.seats.iter().any(|s| {
            s.current_view()
                .is_some_and(|v| v.form.position != Position::Unstated)
        });
        let finished = matches!(c.status, CaseStatus::Bundled | CaseStatus::Closed);
        self.cases.push(CaseSummary {
            id: c.id,
            ministry: c.ministry.clone(),
            subject: c.subject().to_string(),
            received,
            urgent: c.urgent,
            status: c.status,
            deadline: c.deadline,
            seats: c
                .seats
                .iter()
                .map(|s| {
                    (
                        s.member_id.clone(),
                        s.ministry.clone(),
                        cfg.member(&s.member_id)
                            .map(|m| m.name.clone())
                            .unwrap_or_else(|| s.member.display().to_string()),
                        s.views.iter().map(|v| v.received_at).min(),
                    )
                })
                .collect(),
            answered: c
                .seats
                .iter()
                .filter(|s| s.current_view().is_some())
                .count(),
            any_position,
            common: if finished && any_position {
                common_position(cfg, c)
            } else {
                None
            },
        });
        self.facts.insert(c.id, Facts::default());
    }

    /// Takes a journal entry of a case taken before; others are skipped.
    pub fn add_entry(&mut self, e: &EntryFacts) {
        let Some(f) = e.case.and_then(|id| self.facts.get_mut(&id)) else {
            return;
        };
        match e.event.as_str() {
            "distributed" => {
                f.distributed.get_or_insert(e.at);
            }
            "view_recorded" => {
                if let Some(m) = &e.member {
                    f.first_view.entry(m.clone()).or_insert(e.at);
                }
            }
            "reminder_sent" => {
                f.rounds += 1;
                for m in &e.members {
                    *f.reminded.entry(m.clone()).or_default() += 1;
                }
            }
            "deadline_extended" => f.extensions += 1,
            "meeting_proposed" => f.proposed = true,
            "meeting_scheduled" => {
                f.scheduled = Some(e.start);
                f.cancelled = false;
                f.proposed = true;
            }
            "meeting_cancelled" => f.cancelled = f.scheduled.is_some(),
            _ => {}
        }
    }

    pub fn finish(mut self) -> Report {
        let cfg = self.cfg;
        let (from, to, now) = (self.from, self.to, self.now);
        let tz = cfg.periods.timezone;
        self.cases.sort_by_key(|c| c.id);
        let today = local_date(now, tz);
        let index = WorkdayIndex::new(
            from - chrono::Duration::days(40),
            today.max(to) + chrono::Duration::days(120),
            &cfg.calendar,
        );

        let mut ministries: BTreeMap<String, MinistryRow> = BTreeMap::new();
        let mut months: BTreeMap<String, usize> = BTreeMap::new();
        let mut status = StatusCounts::default();
        let mut outcomes = Outcomes::default();
        let mut members: BTreeMap<String, Acc> = BTreeMap::new();
        let mut all_times = Vec::new();
        let mut reminders = Reminders::default();
        let mut deadlines = Deadlines::default();
        let mut meetings = Meetings::default();
        let mut split_cases = Vec::new();
        let mut rows = Vec::with_capacity(self.cases.len());
        let mut urgent = 0;

        for c in &self.cases {
            let f = self.facts.remove(&c.id).unwrap_or_default();
            if c.urgent {
                urgent += 1;
            }
            let m = ministries
                .entry(c.ministry.clone())
                .or_insert_with(|| MinistryRow {
                    code: c.ministry.clone(),
                    name: cfg
                        .ministry(&c.ministry)
                        .map(|m| m.name.clone())
                        .unwrap_or_else(|| c.ministry.clone()),
                    cases: 0,
                    urgent: 0,
                });
            m.cases += 1;
            m.urgent += usize::from(c.urgent);
            *months
                .entry(format!(
                    "{:04}-{:02}",
                    c.received.year(),
                    c.received.month()
                ))
                .or_default() += 1;
            match c.status {
                CaseStatus::AwaitingApproval => status.awaiting_approval += 1,
                CaseStatus::Open => status.open += 1,
                CaseStatus::Bundled => status.bundled += 1,
                CaseStatus::Closed => status.closed += 1,
                _ => status.in_review += 1,
            }

            let has_meeting = f.proposed || f.scheduled.is_some();
            if f.proposed {
                meetings.proposed += 1;
            }
            match (f.scheduled, f.cancelled) {
                (Some(_), true) => meetings.cancelled += 1,
                (Some(Some(start)), false) if start <= now => meetings.held += 1,
                (Some(_), false) => meetings.planned += 1,
                _ => {}
            }
            if f.rounds > 0 {
                reminders.cases += 1;
            }
            reminders.rounds += f.rounds;
            let reminded_total: usize = f.reminded.values().sum();
            reminders.seat_reminders += reminded_total;
            if f.extensions > 0 {
                deadlines.extended += 1;
            }
            deadlines.extensions += f.extensions;

            let passed = c.deadline <= now && c.status != CaseStatus::AwaitingApproval;
            let mut case_missed = false;
            let start = f.distributed.map(|t| local_date(t, tz));
            for (member_id, ministry, name, case_first) in &c.seats {
                let acc = members.entry(member_id.clone()).or_insert_with(|| Acc {
                    name: name.clone(),
                    ministry: ministry.clone(),
                    asked: 0,
                    answered: 0,
                    times: Vec::new(),
                    missed: 0,
                    reminded_cases: 0,
                    reminders: 0,
                });
                if f.distributed.is_some() {
                    acc.asked += 1;
                }
                // The journal says when the seat first answered; the case's views back it
                // up for stores from before the journal recorded every view.
                let first = f.first_view.get(member_id).copied().or(*case_first);
                if let Some(t) = first {
                    acc.answered += 1;
                    if let Some(d0) = start {
                        let n = index.between(d0, local_date(t, tz)).max(0);
                        acc.times.push(n);
                        all_times.push(n);
                    }
                }
                if passed && f.distributed.is_some() && first.is_none_or(|t| t > c.deadline) {
                    acc.missed += 1;
                    deadlines.seat_deadlines_missed += 1;
                    case_missed = true;
                }
                let r = f.reminded.get(member_id).copied().unwrap_or(0);
                if r > 0 {
                    acc.reminded_cases += 1;
                    acc.reminders += r;
                }
            }
            if passed {
                deadlines.passed += 1;
            }
            if case_missed {
                deadlines.missed += 1;
            }

            let finished = matches!(c.status, CaseStatus::Bundled | CaseStatus::Closed);
            let outcome = if !finished {
                outcomes.pending += 1;
                "pending"
            } else if !c.any_position {
                outcomes.no_views += 1;
                "no_views"
            } else {
                match c.common {
                    Some(Position::Advisable) => {
                        outcomes.advisable += 1;
                        "advisable"
                    }
                    Some(Position::UnderConditions) => {
                        outcomes.under_conditions += 1;
                        "under_conditions"
                    }
                    Some(Position::NotAdvisable) => {
                        outcomes.not_advisable += 1;
                        "not_advisable"
                    }
                    _ => {
                        outcomes.split += 1;
                        split_cases.push(c.id.to_string());
                        "split"
                    }
                }
            };
            rows.push(CaseRow {
                id: c.id.to_string(),
                ministry: c.ministry.clone(),
                subject: c.subject.clone(),
                received: c.received,
                urgent: c.urgent,
                status: status_key(c.status),
                outcome,
                seats: c.seats.len(),
                answered: c.answered,
                reminders: reminded_total,
                extensions: f.extensions,
                deadline_missed: case_missed,
                meeting: has_meeting,
            });
        }

        all_times.sort_unstable();
        let mut member_rows: Vec<MemberRow> = members
            .into_iter()
            .map(|(id, mut a)| {
                a.times.sort_unstable();
                MemberRow {
                    member_id: id,
                    name: a.name,
                    ministry: a.ministry,
                    asked: a.asked,
                    answered: a.answered,
                    median_working_days: median(&a.times),
                    p90_working_days: percentile(&a.times, 90),
                    deadlines_missed: a.missed,
                    reminded_cases: a.reminded_cases,
                    reminders: a.reminders,
                }
            })
            .collect();
        // In the order of the config, then the others.
        member_rows.sort_by_key(|r| {
            cfg.members
                .iter()
                .position(|m| m.id == r.member_id)
                .unwrap_or(usize::MAX)
        });
        let mut by_ministry: Vec<MinistryRow> = ministries.into_values().collect();
        by_ministry.sort_by(|a, b| b.cases.cmp(&a.cases).then(a.code.cmp(&b.code)));

        // Every month of the period, also the empty ones.
        let mut by_month = Vec::new();
        let mut d = NaiveDate::from_ymd_opt(from.year(), from.month(), 1).unwrap_or(from);
        while d <= to && by_month.len() < 1200 {
            let key = format!("{:04}-{:02}", d.year(), d.month());
            by_month.push(MonthRow {
                cases: months.get(&key).copied().unwrap_or(0),
                month: key,
            });
            d = d
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(NaiveDate::MAX);
        }

        Report {
            body: cfg.body.name.clone(),
            from,
            to,
            generated_at: now,
            cases: self.cases.len(),
            urgent,
            by_ministry,
            by_month,
            status,
            outcomes,
            response: ResponseTimes {
                answers: all_times.len(),
                median_working_days: median(&all_times),
                p90_working_days: percentile(&all_times, 90),
            },
            members: member_rows,
            reminders,
            deadlines,
            meetings,
            split_cases,
            case_rows: rows,
        }
    }
}

/// Computes the figures for the cases received from `from` to `to` (local dates, both
/// included) as they stand at `now`.
pub fn compute(
    cfg: &Config,
    cases: &[Case],
    journal: &[JournalEntry],
    from: NaiveDate,
    to: NaiveDate,
    now: Timestamp,
) -> Report {
    let mut b = Builder::new(cfg, from, to, now);
    for c in cases {
        b.add_case(c);
    }
    for e in journal {
        if e.case.is_some_and(|id| b.facts.contains_key(&id)) {
            b.add_entry(&EntryFacts::from(e));
        }
    }
    b.finish()
}

/// The report straight from the store: the cases are read one at a time (on this thread)
/// while the journal is read on another, decoding only what the report counts.
pub fn from_store(
    cfg: &Config,
    store: &crate::store::Store,
    from: NaiveDate,
    to: NaiveDate,
    now: Timestamp,
) -> Result<Report, crate::store::StoreError> {
    const COUNTED: [&str; 7] = [
        "distributed",
        "view_recorded",
        "reminder_sent",
        "deadline_extended",
        "meeting_proposed",
        "meeting_scheduled",
        "meeting_cancelled",
    ];
    let (b, entries) = std::thread::scope(|s| {
        let journal = s.spawn(|| {
            let mut v = Vec::new();
            for e in store.journal_as::<EntryFacts>() {
                let e = e?;
                if COUNTED.contains(&e.event.as_str()) {
                    v.push(e);
                }
            }
            Ok::<_, crate::store::StoreError>(v)
        });
        let mut b = Builder::new(cfg, from, to, now);
        let cases: Result<(), crate::store::StoreError> = store
            .cases_as::<Case>()
            .try_for_each(|c| c.map(|c| b.add_case(&c)));
        let entries = journal.join().unwrap_or_else(|_| {
            Err(crate::store::StoreError::Io(
                "reading the journal failed unexpectedly".into(),
            ))
        });
        cases.map(|_| (b, entries))
    })?;
    let mut b = b;
    for e in &entries? {
        b.add_entry(e);
    }
    Ok(b.finish())
}

// ---------------------------------------------------------------------------------------
// Rendering.

struct Words(Lang);

impl Words {
    fn t<'s>(&self, nl: &'s str, en: &'s str) -> &'s str {
        match self.0 {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }
}

fn num(v: Option<f64>) -> String {
    match v {
        None => "-".into(),
        Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.1}"),
    }
}

fn opt(v: Option<i64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_else(|| "-".into())
}

fn outcome_word(w: &Words, key: &str) -> String {
    match key {
        "advisable" => w.t(
            "gelijkluidend: tegemoetkomen geraden",
            "common: compensation advisable",
        ),
        "under_conditions" => w.t(
            "gelijkluidend: geraden onder voorwaarden",
            "common: advisable under conditions",
        ),
        "not_advisable" => w.t(
            "gelijkluidend: tegemoetkomen niet geraden",
            "common: compensation not advisable",
        ),
        "split" => w.t("standpunten uiteenlopend", "views split"),
        "no_views" => w.t("geen standpunten ontvangen", "no views received"),
        "pending" => w.t("nog lopend", "still running"),
        other => other,
    }
    .to_string()
}

fn period_text(w: &Words, r: &Report, lang: Lang) -> String {
    let f = |d: NaiveDate| match lang {
        Lang::Nl => d.format("%d-%m-%Y").to_string(),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    };
    format!(
        "{} {} {} {}",
        w.t("van", "from"),
        f(r.from),
        w.t("tot en met", "to"),
        f(r.to)
    )
}

/// Key figures as (label, value) pairs.
fn key_figures(w: &Words, r: &Report) -> Vec<(String, String)> {
    let o = &r.outcomes;
    vec![
        (
            w.t("Casussen ontvangen", "Cases received").into(),
            r.cases.to_string(),
        ),
        (
            w.t("waarvan spoed", "of which urgent").into(),
            r.urgent.to_string(),
        ),
        (
            w.t(
                "Afgerond (gebundeld of gesloten)",
                "Finished (bundled or closed)",
            )
            .into(),
            (r.status.bundled + r.status.closed).to_string(),
        ),
        (
            w.t("Nog lopend", "Still running").into(),
            (r.status.open + r.status.awaiting_approval + r.status.in_review).to_string(),
        ),
        (
            w.t("Gelijkluidend standpunt", "Common position").into(),
            (o.advisable + o.under_conditions + o.not_advisable).to_string(),
        ),
        (
            w.t("Standpunten uiteenlopend", "Views split").into(),
            o.split.to_string(),
        ),
        (
            w.t(
                "Reactietijd, mediaan (werkdagen)",
                "Response time, median (working days)",
            )
            .into(),
            num(r.response.median_working_days),
        ),
        (
            w.t(
                "Reactietijd, 90e percentiel (werkdagen)",
                "Response time, 90th percentile (working days)",
            )
            .into(),
            opt(r.response.p90_working_days),
        ),
        (
            w.t("Casussen met herinneringen", "Cases that needed reminders")
                .into(),
            r.reminders.cases.to_string(),
        ),
        (
            w.t("Herinneringen aan zetels", "Reminders to seats").into(),
            r.reminders.seat_reminders.to_string(),
        ),
        (
            w.t("Termijn gemist (casussen)", "Deadline missed (cases)")
                .into(),
            format!(
                "{} {} {}",
                r.deadlines.missed,
                w.t("van", "of"),
                r.deadlines.passed
            ),
        ),
        (
            w.t("Termijn verlengd (casussen)", "Deadline extended (cases)")
                .into(),
            r.deadlines.extended.to_string(),
        ),
        (
            w.t("Overleggen gehouden", "Meetings held").into(),
            r.meetings.held.to_string(),
        ),
    ]
}

fn member_table(w: &Words, r: &Report) -> (Vec<String>, Vec<Vec<String>>) {
    (
        vec![
            w.t("Lid", "Member").into(),
            w.t("Ministerie", "Ministry").into(),
            w.t("Gevraagd", "Asked").into(),
            w.t("Gereageerd", "Answered").into(),
            w.t("Mediaan (wd)", "Median (wd)").into(),
            w.t("P90 (wd)", "P90 (wd)").into(),
            w.t("Termijn gemist", "Deadline missed").into(),
            w.t("Herinnerd", "Reminded").into(),
        ],
        r.members
            .iter()
            .map(|m| {
                vec![
                    m.name.clone(),
                    m.ministry.clone(),
                    m.asked.to_string(),
                    m.answered.to_string(),
                    num(m.median_working_days),
                    opt(m.p90_working_days),
                    m.deadlines_missed.to_string(),
                    format!("{} ({})", m.reminded_cases, m.reminders),
                ]
            })
            .collect(),
    )
}

fn outcome_rows(w: &Words, r: &Report) -> Vec<(String, usize)> {
    let o = &r.outcomes;
    [
        ("advisable", o.advisable),
        ("under_conditions", o.under_conditions),
        ("not_advisable", o.not_advisable),
        ("split", o.split),
        ("no_views", o.no_views),
        ("pending", o.pending),
    ]
    .into_iter()
    .map(|(k, n)| (outcome_word(w, k), n))
    .collect()
}

fn text_table(out: &mut String, head: &[String], rows: &[Vec<String>]) {
    let n = head.len();
    let mut widths: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(n) {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate().take(n) {
            let pad = widths[i].saturating_sub(c.chars().count());
            if i > 0 {
                s.push_str("  ");
            }
            // Numbers right-aligned, text left-aligned.
            if i > 0
                && c.chars()
                    .next()
                    .is_some_and(|ch| ch.is_ascii_digit() || ch == '-')
            {
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            }
        }
        s.trim_end().to_string()
    };
    let _ = writeln!(out, "  {}", line(head));
    let _ = writeln!(
        out,
        "  {}",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  ")
    );
    for r in rows {
        let _ = writeln!(out, "  {}", line(r));
    }
}

fn no_cases(w: &Words, r: &Report, lang: Lang) -> String {
    format!(
        "{} {}. {}",
        w.t("Geen casussen ontvangen", "No cases received"),
        period_text(w, r, lang),
        w.t(
            "Kies een andere periode met --from en --to (`loket case list` toont alle casussen).",
            "Choose another period with --from and --to (`loket case list` shows all cases).",
        )
    )
}

/// The report as plain text for a terminal.
pub fn to_table(cfg: &Config, r: &Report) -> String {
    let lang = cfg.body.language;
    let w = Words(lang);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} — {}\n{}\n",
        w.t("Overzicht consultaties", "Consultation report"),
        period_text(&w, r, lang),
        r.body
    );
    if r.cases == 0 {
        let _ = writeln!(s, "{}", no_cases(&w, r, lang));
        return s;
    }
    let figures = key_figures(&w, r);
    let lw = figures
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    for (k, v) in &figures {
        let _ = writeln!(s, "  {k:<lw$}  {v}");
    }
    let _ = writeln!(
        s,
        "\n{}",
        w.t("Per indienend ministerie", "Per submitting ministry")
    );
    text_table(
        &mut s,
        &[
            w.t("Ministerie", "Ministry").into(),
            w.t("Casussen", "Cases").into(),
            w.t("Spoed", "Urgent").into(),
        ],
        &r.by_ministry
            .iter()
            .map(|m| vec![m.code.clone(), m.cases.to_string(), m.urgent.to_string()])
            .collect::<Vec<_>>(),
    );
    let _ = writeln!(s, "\n{}", w.t("Uitkomsten", "Outcomes"));
    text_table(
        &mut s,
        &[
            w.t("Uitkomst", "Outcome").into(),
            w.t("Casussen", "Cases").into(),
        ],
        &outcome_rows(&w, r)
            .into_iter()
            .map(|(k, n)| vec![k, n.to_string()])
            .collect::<Vec<_>>(),
    );
    let _ = writeln!(
        s,
        "\n{}",
        w.t(
            "Per lid (reactietijd in werkdagen, wd)",
            "Per member (response time in working days, wd)"
        )
    );
    let (head, rows) = member_table(&w, r);
    text_table(&mut s, &head, &rows);
    let _ = writeln!(
        s,
        "\n{}: {} {}, {} {}, {} {}",
        w.t("Overleg", "Meetings"),
        r.meetings.held,
        w.t("gehouden", "held"),
        r.meetings.planned,
        w.t("gepland", "planned"),
        r.meetings.cancelled,
        w.t("afgelast", "cancelled")
    );
    if !r.split_cases.is_empty() {
        let _ = writeln!(
            s,
            "{}: {}",
            w.t(
                "Casussen met uiteenlopende standpunten",
                "Cases with split views"
            ),
            r.split_cases.join(", ")
        );
    }
    s
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The report as CSV in long form: `section,item,name,measure,value`, one figure a line,
/// then one line per case (section `case`).
pub fn to_csv(r: &Report) -> String {
    let mut s = String::from("section,item,name,measure,value\n");
    let mut row = |section: &str, item: &str, name: &str, measure: &str, value: String| {
        let _ = writeln!(
            s,
            "{},{},{},{},{}",
            csv_field(section),
            csv_field(item),
            csv_field(name),
            csv_field(measure),
            csv_field(&value)
        );
    };
    row("period", "", "", "from", r.from.to_string());
    row("period", "", "", "to", r.to.to_string());
    row("summary", "", "", "cases", r.cases.to_string());
    row("summary", "", "", "urgent", r.urgent.to_string());
    let st = &r.status;
    for (k, v) in [
        ("awaiting_approval", st.awaiting_approval),
        ("open", st.open),
        ("in_review", st.in_review),
        ("bundled", st.bundled),
        ("closed", st.closed),
    ] {
        row("status", k, "", "cases", v.to_string());
    }
    let o = &r.outcomes;
    for (k, v) in [
        ("advisable", o.advisable),
        ("under_conditions", o.under_conditions),
        ("not_advisable", o.not_advisable),
        ("split", o.split),
        ("no_views", o.no_views),
        ("pending", o.pending),
    ] {
        row("outcome", k, "", "cases", v.to_string());
    }
    row(
        "response",
        "",
        "",
        "answers",
        r.response.answers.to_string(),
    );
    row(
        "response",
        "",
        "",
        "median_working_days",
        num(r.response.median_working_days),
    );
    row(
        "response",
        "",
        "",
        "p90_working_days",
        opt(r.response.p90_working_days),
    );
    for (k, v) in [
        ("cases", r.reminders.cases),
        ("rounds", r.reminders.rounds),
        ("seat_reminders", r.reminders.seat_reminders),
    ] {
        row("reminders", "", "", k, v.to_string());
    }
    let d = &r.deadlines;
    for (k, v) in [
        ("passed", d.passed),
        ("missed", d.missed),
        ("seat_deadlines_missed", d.seat_deadlines_missed),
        ("extended", d.extended),
        ("extensions", d.extensions),
    ] {
        row("deadlines", "", "", k, v.to_string());
    }
    let m = &r.meetings;
    for (k, v) in [
        ("proposed", m.proposed),
        ("held", m.held),
        ("planned", m.planned),
        ("cancelled", m.cancelled),
    ] {
        row("meetings", "", "", k, v.to_string());
    }
    for x in &r.by_ministry {
        row("ministry", &x.code, &x.name, "cases", x.cases.to_string());
        row("ministry", &x.code, &x.name, "urgent", x.urgent.to_string());
    }
    for x in &r.by_month {
        row("month", &x.month, "", "cases", x.cases.to_string());
    }
    for x in &r.members {
        row(
            "member",
            &x.member_id,
            &x.name,
            "asked",
            x.asked.to_string(),
        );
        row(
            "member",
            &x.member_id,
            &x.name,
            "answered",
            x.answered.to_string(),
        );
        row(
            "member",
            &x.member_id,
            &x.name,
            "median_working_days",
            num(x.median_working_days),
        );
        row(
            "member",
            &x.member_id,
            &x.name,
            "p90_working_days",
            opt(x.p90_working_days),
        );
        row(
            "member",
            &x.member_id,
            &x.name,
            "deadlines_missed",
            x.deadlines_missed.to_string(),
        );
        row(
            "member",
            &x.member_id,
            &x.name,
            "reminded_cases",
            x.reminded_cases.to_string(),
        );
        row(
            "member",
            &x.member_id,
            &x.name,
            "reminders",
            x.reminders.to_string(),
        );
    }
    for c in &r.case_rows {
        row("case", &c.id, &c.subject, "outcome", c.outcome.to_string());
    }
    s
}

/// Bars of one series: values, colour, margin between bars (pixels).
type Series<'a> = (&'a [f64], (u8, u8, u8), u32);

/// A bar chart as SVG; `None` when plotters could not draw it (the table still shows it).
fn bar_chart(title: &str, labels: &[String], series: &[Series<'_>], width: u32) -> Option<String> {
    use plotters::prelude::*;
    let n = labels.len();
    if n == 0 {
        return None;
    }
    let max = series
        .iter()
        .flat_map(|(v, _, _)| v.iter().copied())
        .fold(0.0f64, f64::max);
    let top = if max <= 0.0 { 1.0 } else { (max * 1.15).ceil() };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, 300)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(if n > 8 { 48 } else { 30 })
            .y_label_area_size(40)
            .build_cartesian_2d((0..n as i32 - 1).into_segmented(), 0f64..top)
            .ok()?;
        let labels = labels.to_vec();
        // About 7 pixels a character at this size, and some room between labels.
        let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1) as u32;
        let step = ((n as u32 * (widest * 7 + 10)).div_ceil(width.saturating_sub(60).max(1))).max(1)
            as usize;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .y_labels((top as usize + 1).clamp(3, 11))
            .x_label_formatter(&|v| match v {
                // Every `step`-th label when they would not fit side by side.
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i)
                    if (*i as usize).is_multiple_of(step) =>
                {
                    labels.get(*i as usize).cloned().unwrap_or_default()
                }
                _ => String::new(),
            })
            .y_label_formatter(&|y| {
                if y.fract() == 0.0 {
                    format!("{y:.0}")
                } else {
                    format!("{y:.1}")
                }
            })
            .x_label_style(("sans-serif", 11))
            .y_label_style(("sans-serif", 11))
            .draw()
            .ok()?;
        for (values, (r, g, b), margin) in series {
            chart
                .draw_series(
                    Histogram::vertical(&chart)
                        .style(RGBColor(*r, *g, *b).filled())
                        .margin(*margin)
                        .data(values.iter().enumerate().map(|(i, v)| (i as i32, *v))),
                )
                .ok()?;
        }
        root.present().ok()?;
    }
    Some(svg)
}

/// The report as one self-contained HTML page with SVG charts.
pub fn to_html(cfg: &Config, r: &Report) -> String {
    let lang = cfg.body.language;
    let w = Words(lang);
    let e = html_escape;
    let mut s = String::new();
    let title = format!(
        "{} {}",
        w.t("Overzicht consultaties", "Consultation report"),
        period_text(&w, r, lang)
    );
    let _ = writeln!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\
body{{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;font-size:10.5pt;color:#111;max-width:70em;margin:2em auto;padding:0 1em}}\
h1{{font-size:18pt;margin-bottom:.1em}} .sub{{color:#444;margin-top:0}} h2{{font-size:13pt;margin-top:1.6em;border-bottom:1px solid #ccc}}\
table{{border-collapse:collapse;margin:.4em 0 1em}} th,td{{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}}\
th{{background:#eee}} td.n{{text-align:right}} .charts{{display:flex;flex-wrap:wrap;gap:1em}} .charts figure{{margin:0}}\
.notice{{border:1.5px solid #b45309;background:#fff7ed;padding:.6em .8em;font-weight:bold}} .small{{color:#555;font-size:9pt}}\
</style>\n</head>\n<body>",
        lang.code(),
        e(&title)
    );
    let _ = writeln!(s, "<h1>{}</h1>", e(&title));
    let _ = writeln!(
        s,
        "<p class=\"sub\">{} · {} {}</p>",
        e(&r.body),
        w.t("opgesteld", "made"),
        e(&crate::render::format_datetime(
            &r.generated_at,
            cfg.periods.timezone,
            lang
        ))
    );
    if r.cases == 0 {
        let _ = writeln!(
            s,
            "<p class=\"notice\">{}</p>\n</body>\n</html>",
            e(&no_cases(&w, r, lang))
        );
        return s;
    }
    let _ = writeln!(s, "<h2>{}</h2>\n<table>", w.t("Kerncijfers", "Key figures"));
    for (k, v) in key_figures(&w, r) {
        let _ = writeln!(
            s,
            "<tr><th>{}</th><td class=\"n\">{}</td></tr>",
            e(&k),
            e(&v)
        );
    }
    let _ = writeln!(s, "</table>");

    // Charts.
    let _ = writeln!(
        s,
        "<h2>{}</h2>\n<div class=\"charts\">",
        w.t("In beeld", "At a glance")
    );
    let months: Vec<String> = r.by_month.iter().map(|m| m.month.clone()).collect();
    let month_values: Vec<f64> = r.by_month.iter().map(|m| m.cases as f64).collect();
    let ministry_labels: Vec<String> = r.by_ministry.iter().map(|m| m.code.clone()).collect();
    let ministry_values: Vec<f64> = r.by_ministry.iter().map(|m| m.cases as f64).collect();
    let outcomes = outcome_rows(&w, r);
    let outcome_labels: Vec<String> = [
        "advisable",
        "under_conditions",
        "not_advisable",
        "split",
        "no_views",
        "pending",
    ]
    .iter()
    .map(|k| {
        match *k {
            "advisable" => w.t("geraden", "advisable"),
            "under_conditions" => w.t("voorwaarden", "conditions"),
            "not_advisable" => w.t("niet geraden", "not advisable"),
            "split" => w.t("uiteenlopend", "split"),
            "no_views" => w.t("geen", "none"),
            _ => w.t("lopend", "running"),
        }
        .to_string()
    })
    .collect();
    let outcome_values: Vec<f64> = outcomes.iter().map(|(_, n)| *n as f64).collect();
    let member_labels: Vec<String> = r.members.iter().map(|m| m.ministry.clone()).collect();
    let medians: Vec<f64> = r
        .members
        .iter()
        .map(|m| m.median_working_days.unwrap_or(0.0))
        .collect();
    let p90s: Vec<f64> = r
        .members
        .iter()
        .map(|m| m.p90_working_days.unwrap_or(0) as f64)
        .collect();
    let charts = [
        (
            w.t("Casussen per maand", "Cases per month"),
            bar_chart(
                w.t("Casussen per maand", "Cases per month"),
                &months,
                &[(&month_values, (37, 99, 160), 3)],
                (months.len() as u32 * 48).clamp(420, 900),
            ),
        ),
        (
            w.t("Casussen per indienend ministerie", "Cases per submitting ministry"),
            bar_chart(
                w.t("Casussen per ministerie", "Cases per ministry"),
                &ministry_labels,
                &[(&ministry_values, (46, 125, 50), 4)],
                (ministry_labels.len() as u32 * 56).clamp(420, 900),
            ),
        ),
        (
            w.t("Uitkomsten", "Outcomes"),
            bar_chart(
                w.t("Uitkomsten", "Outcomes"),
                &outcome_labels,
                &[(&outcome_values, (180, 83, 9), 6)],
                560,
            ),
        ),
        (
            w.t(
                "Reactietijd per lid in werkdagen: mediaan (donker) en 90e percentiel (licht)",
                "Response time per member in working days: median (dark) and 90th percentile (light)",
            ),
            bar_chart(
                w.t("Reactietijd (werkdagen)", "Response time (working days)"),
                &member_labels,
                &[(&p90s, (170, 196, 230), 3), (&medians, (37, 99, 160), 10)],
                (member_labels.len() as u32 * 56).clamp(420, 900),
            ),
        ),
    ];
    for (caption, svg) in charts {
        match svg {
            Some(svg) => {
                let _ = writeln!(
                    s,
                    "<figure>{}<figcaption class=\"small\">{}</figcaption></figure>",
                    svg.trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
                        .trim(),
                    e(caption)
                );
            }
            None => {
                let _ = writeln!(s, "<p class=\"small\">{} —</p>", e(caption));
            }
        }
    }
    let _ = writeln!(s, "</div>");

    let table = |s: &mut String, head: &[String], rows: &[Vec<String>]| {
        let _ = write!(s, "<table><tr>");
        for h in head {
            let _ = write!(s, "<th>{}</th>", e(h));
        }
        let _ = writeln!(s, "</tr>");
        for r in rows {
            let _ = write!(s, "<tr>");
            for c in r {
                let numeric = !c.is_empty()
                    && c.chars()
                        .all(|ch| ch.is_ascii_digit() || matches!(ch, '.' | '-' | ' ' | '(' | ')'));
                let _ = write!(
                    s,
                    "<td{}>{}</td>",
                    if numeric { " class=\"n\"" } else { "" },
                    e(c)
                );
            }
            let _ = writeln!(s, "</tr>");
        }
        let _ = writeln!(s, "</table>");
    };
    let _ = writeln!(
        s,
        "<h2>{}</h2>",
        w.t("Per indienend ministerie", "Per submitting ministry")
    );
    table(
        &mut s,
        &[
            w.t("Code", "Code").into(),
            w.t("Ministerie", "Ministry").into(),
            w.t("Casussen", "Cases").into(),
            w.t("Spoed", "Urgent").into(),
        ],
        &r.by_ministry
            .iter()
            .map(|m| {
                vec![
                    m.code.clone(),
                    m.name.clone(),
                    m.cases.to_string(),
                    m.urgent.to_string(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    let _ = writeln!(s, "<h2>{}</h2>", w.t("Uitkomsten", "Outcomes"));
    table(
        &mut s,
        &[
            w.t("Uitkomst", "Outcome").into(),
            w.t("Casussen", "Cases").into(),
        ],
        &outcomes
            .iter()
            .map(|(k, n)| vec![k.clone(), n.to_string()])
            .collect::<Vec<_>>(),
    );
    if !r.split_cases.is_empty() {
        let _ = writeln!(
            s,
            "<p>{}: {}</p>",
            w.t(
                "Casussen met uiteenlopende standpunten",
                "Cases with split views"
            ),
            e(&r.split_cases.join(", "))
        );
    }
    let _ = writeln!(
        s,
        "<h2>{}</h2>",
        w.t(
            "Per lid (reactietijd in werkdagen, wd)",
            "Per member (response time in working days, wd)"
        )
    );
    let (head, rows) = member_table(&w, r);
    table(&mut s, &head, &rows);
    let _ = writeln!(
        s,
        "<h2>{}</h2>",
        w.t(
            "Termijnen, herinneringen en overleg",
            "Deadlines, reminders and meetings"
        )
    );
    let d = &r.deadlines;
    let m = &r.meetings;
    table(
        &mut s,
        &[
            w.t("Onderwerp", "Item").into(),
            w.t("Aantal", "Number").into(),
        ],
        &[
            (
                w.t("Termijn verstreken (casussen)", "Deadline passed (cases)"),
                d.passed,
            ),
            (
                w.t(
                    "Termijn gemist door minstens één lid (casussen)",
                    "Deadline missed by at least one member (cases)",
                ),
                d.missed,
            ),
            (
                w.t(
                    "Gemiste termijnen per zetel, totaal",
                    "Deadlines missed per seat, in all",
                ),
                d.seat_deadlines_missed,
            ),
            (
                w.t("Termijn verlengd (casussen)", "Deadline extended (cases)"),
                d.extended,
            ),
            (
                w.t("Verlengingen, totaal", "Extensions, in all"),
                d.extensions,
            ),
            (
                w.t("Casussen met herinneringen", "Cases with reminders"),
                r.reminders.cases,
            ),
            (
                w.t("Herinneringsrondes", "Reminder rounds"),
                r.reminders.rounds,
            ),
            (
                w.t("Herinneringen aan zetels", "Reminders to seats"),
                r.reminders.seat_reminders,
            ),
            (w.t("Overleg voorgesteld", "Meetings proposed"), m.proposed),
            (w.t("Overleg gehouden", "Meetings held"), m.held),
            (w.t("Overleg gepland", "Meetings planned"), m.planned),
            (w.t("Overleg afgelast", "Meetings cancelled"), m.cancelled),
        ]
        .iter()
        .map(|(k, v)| vec![k.to_string(), v.to_string()])
        .collect::<Vec<_>>(),
    );
    let _ = writeln!(s, "<h2>{}</h2>", w.t("Casussen", "Cases"));
    let yes = w.t("ja", "yes");
    table(
        &mut s,
        &[
            w.t("Casus", "Case").into(),
            w.t("Ontvangen", "Received").into(),
            w.t("Ministerie", "Ministry").into(),
            w.t("Onderwerp", "Subject").into(),
            w.t("Uitkomst", "Outcome").into(),
            w.t("Reacties", "Views").into(),
            w.t("Herinneringen", "Reminders").into(),
            w.t("Verlengd", "Extended").into(),
            w.t("Termijn gemist", "Deadline missed").into(),
        ],
        &r.case_rows
            .iter()
            .map(|c| {
                vec![
                    c.id.clone(),
                    c.received.to_string(),
                    c.ministry.clone(),
                    format!(
                        "{}{}",
                        if c.urgent {
                            w.t("[spoed] ", "[urgent] ")
                        } else {
                            ""
                        },
                        c.subject
                    ),
                    outcome_word(&w, c.outcome),
                    format!("{}/{}", c.answered, c.seats),
                    c.reminders.to_string(),
                    if c.extensions > 0 {
                        c.extensions.to_string()
                    } else {
                        String::new()
                    },
                    if c.deadline_missed {
                        yes.to_string()
                    } else {
                        String::new()
                    },
                ]
            })
            .collect::<Vec<_>>(),
    );
    let _ = writeln!(
        s,
        "<p class=\"small\">{}</p>\n</body>\n</html>",
        e(w.t(
            "Een casus telt mee als zij in de periode is ontvangen. Reactietijd: werkdagen van de dag van verzending aan de leden tot de dag van de eerste reactie (0 = dezelfde dag); mediaan en 90e percentiel (dichtstbijzijnde rang). Een termijn is gemist door een lid dat bij het verstrijken van de (laatste) termijn nog niet had gereageerd. Uitkomst: gelijkluidend volgens de bundelregel in de configuratie, anders uiteenlopend.",
            "A case counts when it was received in the period. Response time: working days from the day the case went to the members to the day of the first view (0 = the same day); median and 90th percentile (nearest rank). A deadline is missed by a member who had not answered when the (final) deadline passed. Outcome: common by the bundling rule in the configuration, otherwise split.",
        ))
    );
    s
}

/// Renders a report.
pub fn render(cfg: &Config, r: &Report, format: Format) -> String {
    match format {
        Format::Table => to_table(cfg, r),
        Format::Csv => to_csv(r),
        Format::Json => serde_json::to_string_pretty(r).unwrap_or_default() + "\n",
        Format::Html => to_html(cfg, r),
    }
}
