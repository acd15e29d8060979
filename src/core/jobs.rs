//! The rate limit on automatic answers, and periodic jobs (digests) from cron expressions.

use std::str::FromStr;

use chrono::Duration;

use super::calendar::local_date;
use super::letters::*;
use super::model::*;
use super::{Action, Core, Out, State, to_context};

const DAILY: &str = "daily_digest";
const WEEKLY: &str = "weekly_summary";

impl Core<'_> {
    /// Sends an automatic answer unless its recipient already had the configured number in
    /// the last hour; then it is held back, journalled, and the desk told once.
    pub(super) fn answer(&self, state: &mut State, o: Outgoing, now: Timestamp, out: &mut Out) {
        let Some(to) = o.to.first() else {
            return;
        };
        let address = to.email.to_lowercase();
        let log = state.answers.entry(address.clone()).or_default();
        log.retain(|t| now - *t < Duration::hours(1));
        let max = self.config.policy.max_answers_per_hour as usize;
        let held = log.len() >= max;
        let first_held = log.len() == max;
        log.push(now);
        out.push(Action::SaveAnswerLog {
            address: address.clone(),
            times: log.clone(),
        });
        if !held {
            out.send(o);
            return;
        }
        out.journal(
            now,
            o.case,
            JournalEvent::AnswerHeldBack {
                to: address.clone(),
                template: o.template,
            },
        );
        if first_held {
            let letter = DeskNoticeLetter {
                notice: NoticeKind::AnswerHeldBack,
                case: None,
                from: address.clone(),
                subject: String::new(),
                raw_id: 0,
                details: vec![format!(
                    "{address} got {max} automatic answers in the last hour; further answers \
                     are held back for an hour (a mail loop, or a sender in trouble?)"
                )],
            };
            out.send(Outgoing {
                message_id: self.msg_id(&format!(
                    "loket.notice.held.{}",
                    crate::token::short_hash(format!("{address}|{}", now.timestamp()).as_bytes())
                )),
                template: TemplateName::DeskNotice,
                to: self.staff(),
                cc: vec![],
                reply_to: None,
                in_reply_to: None,
                references: vec![],
                case: None,
                date: now,
                context: to_context(&letter),
                attachments: vec![],
                attach_raw: None,
                ics: None,
            });
        }
    }

    fn schedules(&self) -> Vec<(&'static str, cron::Schedule)> {
        let j = &self.config.jobs;
        [(DAILY, &j.daily_digest), (WEEKLY, &j.weekly_summary)]
            .into_iter()
            .filter_map(|(name, expr)| {
                Some((name, cron::Schedule::from_str(expr.as_deref()?).ok()?))
            })
            .collect()
    }

    /// The next periodic job due after its last run.
    pub(super) fn next_job(&self, state: &State) -> Option<(&'static str, Timestamp)> {
        let tz = self.config.periods.timezone;
        self.schedules()
            .into_iter()
            .filter_map(|(name, sched)| {
                let last = state.jobs.get(name)?.with_timezone(&tz);
                let next = sched.after(&last).next()?;
                Some((name, next.with_timezone(&chrono::Utc)))
            })
            .min_by_key(|(_, t)| *t)
    }

    /// Runs due jobs: one digest however many runs were missed. A job that never ran starts
    /// its schedule now.
    pub(super) fn run_jobs(&self, state: &mut State, now: Timestamp, out: &mut Out) {
        let tz = self.config.periods.timezone;
        for (name, sched) in self.schedules() {
            let due = match state.jobs.get(name) {
                None => false,
                Some(last) => sched
                    .after(&last.with_timezone(&tz))
                    .next()
                    .is_some_and(|t| t.with_timezone(&chrono::Utc) <= now),
            };
            if !state.jobs.contains_key(name) || due {
                state.jobs.insert(name.to_string(), now);
                out.push(Action::SaveJobRun {
                    job: name.to_string(),
                    at: now,
                });
            }
            if due {
                self.digest(
                    state,
                    if name == DAILY { "daily" } else { "weekly" },
                    now,
                    out,
                );
            }
        }
    }

    fn digest(&self, state: &State, kind: &str, now: Timestamp, out: &mut Out) {
        let tz = self.config.periods.timezone;
        let today = local_date(now, tz);
        let mut cases: Vec<DigestCase> = state
            .cases
            .values()
            .filter(|c| matches!(c.status, CaseStatus::Open | CaseStatus::AwaitingApproval))
            .map(|c| DigestCase {
                case: self.case_info(c),
                status: super::commands::status_word(c.status).to_string(),
                views_in: c
                    .seats
                    .iter()
                    .filter(|s| s.current_view().is_some())
                    .count(),
                seats: c.seats.len(),
                missing: c
                    .missing_seats()
                    .map(|s| s.member.display().to_string())
                    .collect(),
                due_today: local_date(c.deadline, tz) == today,
                overdue: c.deadline < now,
            })
            .collect();
        cases.sort_by_key(|c| c.case.deadline);
        let finished_last_week = if kind == "weekly" {
            state
                .cases
                .values()
                .filter(|c| c.bundled_at.is_some_and(|t| now - t < Duration::days(7)))
                .map(|c| self.case_info(c))
                .collect()
        } else {
            vec![]
        };
        out.journal(
            now,
            None,
            JournalEvent::DigestSent {
                kind: kind.to_string(),
            },
        );
        let letter = DigestLetter {
            kind: kind.to_string(),
            at: now,
            cases,
            pending_forms: state.pending.len(),
            finished_last_week,
        };
        let stamp = now.with_timezone(&tz).format("%Y%m%d%H%M");
        out.send(Outgoing {
            message_id: self.msg_id(&format!("loket.digest.{kind}.{stamp}")),
            template: TemplateName::Digest,
            to: self.staff(),
            cc: vec![],
            reply_to: None,
            in_reply_to: None,
            references: vec![],
            case: None,
            date: now,
            context: to_context(&letter),
            attachments: vec![],
            attach_raw: None,
            ics: None,
        });
    }
}
