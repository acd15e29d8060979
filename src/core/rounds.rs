//! Sending a case round: distribution to the seats, reminders, and the bundle.

use super::calendar::{at_local, is_working_day, local_date, next_working_day, sub_working_days};
use super::letters::*;
use super::model::*;
use super::{Core, Out, to_context};
use crate::config::model::{AgreementRule, Bundling};
use crate::token::seat_local;

impl Core<'_> {
    fn recipient(&self, seat: &Seat, person: Person) -> Option<Recipient> {
        let a = seat.person_address(person)?;
        Some(Recipient {
            name: a.display().to_string(),
            email: a.email.clone(),
            person,
            member_name: seat.member.display().to_string(),
            ministry: seat.ministry.clone(),
        })
    }

    /// A personal message to one person of a seat, carrying the reply token.
    fn seat_message(
        &self,
        case: &Case,
        seat: &Seat,
        person: Person,
        purpose: &str,
        (template, context): (TemplateName, serde_json::Value),
        now: Timestamp,
    ) -> Option<Outgoing> {
        let to = seat.person_address(person)?.clone();
        let local = seat_local(self.key, case.id, &seat.member_id, person, purpose);
        let reply_to = self.config.desk.plus_addressing.then(|| {
            let desk = &self.config.desk.address;
            let (user, domain) = desk.email.split_once('@').unwrap_or((&desk.email, ""));
            let token = local.trim_start_matches("loket.");
            Address {
                name: desk.name.clone(),
                email: format!("{user}+{token}@{domain}"),
            }
        });
        Some(Outgoing {
            message_id: self.msg_id(&local),
            template,
            to: vec![to],
            cc: vec![],
            reply_to,
            in_reply_to: None,
            references: vec![],
            case: Some(case.id),
            date: now,
            context,
            attachments: case
                .attachments
                .iter()
                .filter(|_| template == TemplateName::Distribution)
                .map(|a| AttachmentRef {
                    raw_id: a.raw_id,
                    index: a.index,
                    name: a.name.clone(),
                    content_type: a.content_type.clone(),
                })
                .collect(),
            attach_raw: None,
            ics: None,
        })
    }

    pub(super) fn distribute(&self, case: &Case, now: Timestamp, out: &mut Out) {
        let info = self.case_info(case);
        let mut to = Vec::new();
        for seat in &case.seats {
            for &person in &seat.addressed {
                let Some(recipient) = self.recipient(seat, person) else {
                    continue;
                };
                to.push(recipient.email.clone());
                let letter = DistributionLetter {
                    case: info.clone(),
                    recipient,
                };
                if let Some(m) = self.seat_message(
                    case,
                    seat,
                    person,
                    "d",
                    (TemplateName::Distribution, to_context(&letter)),
                    now,
                ) {
                    out.send(m);
                }
            }
        }
        out.journal(now, Some(case.id), JournalEvent::Distributed { to });
    }

    /// The reminder times for a deadline, from the configured rules: on working days at
    /// office times, after today (never on the day the case goes out), before the deadline.
    pub(super) fn plan_reminders(&self, deadline: Timestamp, now: Timestamp) -> Vec<Timestamp> {
        let p = &self.config.periods;
        let cal = &self.config.calendar;
        let day = local_date(deadline, p.timezone);
        let today = local_date(now, p.timezone);
        let mut out: Vec<Timestamp> = p
            .reminders
            .iter()
            .map(|r| {
                at_local(
                    sub_working_days(day, r.working_days_before, cal),
                    r.at,
                    p.timezone,
                )
            })
            .filter(|t| *t > now && *t < deadline && local_date(*t, p.timezone) > today)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Reminds now if the office is open; otherwise moves the reminder to the next opening
    /// (dropped if that is past the deadline). Reminders missed while loket was down are
    /// sent once, not once per missed time.
    pub(super) fn remind_when_office_open(&self, case: &mut Case, now: Timestamp, out: &mut Out) {
        let p = &self.config.periods;
        let cal = &self.config.calendar;
        case.reminders_at.retain(|t| *t > now);
        let local = now.with_timezone(&p.timezone);
        let (open, close) = p.office_hours;
        let date = local.date_naive();
        if is_working_day(date, cal) && local.time() >= open && local.time() < close {
            self.remind(case, now, out);
            return;
        }
        let next_day = if is_working_day(date, cal) && local.time() < open {
            date
        } else {
            next_working_day(date.succ_opt().unwrap_or(date), cal)
        };
        let next = at_local(next_day, open, p.timezone);
        if next < case.deadline && case.reminders_at.first().is_none_or(|t| next < *t) {
            case.reminders_at.insert(0, next);
        }
    }

    pub(super) fn remind(&self, case: &mut Case, now: Timestamp, out: &mut Out) {
        case.reminders_at.retain(|t| *t > now);
        let info = self.case_info(case);
        let due: Vec<usize> = (0..case.seats.len())
            .filter(|&i| case.seats[i].current_view().is_none())
            .collect();
        for &i in &due {
            case.seats[i].reminders.push(now);
        }
        let case: &Case = case;
        let mut members = Vec::new();
        for &i in &due {
            let seat = &case.seats[i];
            let n = seat.reminders.len();
            members.push(seat.member_id.clone());
            for &person in &seat.addressed {
                let Some(recipient) = self.recipient(seat, person) else {
                    continue;
                };
                let letter = ReminderLetter {
                    case: info.clone(),
                    recipient,
                };
                let first =
                    self.msg_id(&seat_local(self.key, case.id, &seat.member_id, person, "d"));
                if let Some(mut m) = self.seat_message(
                    case,
                    seat,
                    person,
                    &format!("r{n}"),
                    (TemplateName::Reminder, to_context(&letter)),
                    now,
                ) {
                    m.in_reply_to = Some(first.clone());
                    m.references = vec![first];
                    out.send(m);
                }
            }
        }
        if !members.is_empty() {
            out.journal(now, Some(case.id), JournalEvent::ReminderSent { members });
        }
    }

    /// Approval by the desk: the period starts now; the case goes to the members.
    pub(super) fn approve(&self, case: &mut Case, by: &str, now: Timestamp, out: &mut Out) {
        let desired = case
            .form
            .get(CaseField::DesiredDate)
            .and_then(super::calendar::parse_date);
        let (deadline, urgent) = self.deadline(now, desired, case.urgent);
        case.deadline = deadline;
        case.urgent = urgent;
        case.status = CaseStatus::Open;
        case.reminders_at = self.plan_reminders(deadline, now);
        out.journal(
            now,
            Some(case.id),
            JournalEvent::Approved { by: by.to_string() },
        );
        self.distribute(case, now, out);
        if let Some(t) = super::case_wakeup(case) {
            out.push(super::Action::WakeAt(t));
        }
    }

    /// Moves the deadline later, replans the reminders and tells the seats still missing.
    pub(super) fn extend(
        &self,
        case: &mut Case,
        to: Timestamp,
        by: &str,
        now: Timestamp,
        out: &mut Out,
    ) {
        let previous = case.deadline;
        case.deadline = to;
        case.reminders_at = self.plan_reminders(to, now);
        out.journal(
            now,
            Some(case.id),
            JournalEvent::DeadlineExtended {
                from: previous,
                to,
                by: by.to_string(),
            },
        );
        let info = self.case_info(case);
        let n = to.timestamp();
        for seat in case.seats.iter().filter(|s| s.current_view().is_none()) {
            for &person in &seat.addressed {
                let Some(recipient) = self.recipient(seat, person) else {
                    continue;
                };
                let letter = ExtensionLetter {
                    case: info.clone(),
                    recipient,
                    previous_deadline: previous,
                };
                let first =
                    self.msg_id(&seat_local(self.key, case.id, &seat.member_id, person, "d"));
                if let Some(mut m) = self.seat_message(
                    case,
                    seat,
                    person,
                    &format!("x{n}"),
                    (TemplateName::Extension, to_context(&letter)),
                    now,
                ) {
                    m.in_reply_to = Some(first.clone());
                    m.references = vec![first];
                    out.send(m);
                }
            }
        }
        if let Some(t) = super::case_wakeup(case) {
            out.push(super::Action::WakeAt(t));
        }
    }

    /// The views are complete or the time is up: the bundle goes to the submitter, or, with
    /// review configured, the draft goes to the desk first.
    pub(super) fn bundle(
        &self,
        case: &mut Case,
        reason: BundleReason,
        now: Timestamp,
        out: &mut Out,
    ) {
        case.reminders_at.clear();
        if self.config.bundling.review {
            let message_id = self.msg_id(&format!("loket.{}.draft.{}", case.id, now.timestamp()));
            case.status = CaseStatus::InReview;
            case.draft = Some(Draft {
                reason,
                message_id: message_id.clone(),
                drafted_at: now,
                edited_text: None,
            });
            out.journal(now, Some(case.id), JournalEvent::BundleDrafted);
            let letter = self.bundle_letter(case, reason, true, None);
            out.send(Outgoing {
                message_id,
                template: TemplateName::Bundle,
                to: self.staff(),
                cc: vec![],
                reply_to: None,
                in_reply_to: None,
                references: vec![],
                case: Some(case.id),
                date: now,
                context: to_context(&letter),
                attachments: vec![],
                attach_raw: None,
                ics: None,
            });
            return;
        }
        self.send_bundle(case, reason, None, now, out);
    }

    /// Which position the views share, by the configured rule; `None` when they differ.
    pub fn common_position(&self, case: &Case) -> Option<Position> {
        common_position(&self.config.bundling, case)
    }

    /// Sends the bundle to the submitter (the desk in copy).
    pub(super) fn send_bundle(
        &self,
        case: &mut Case,
        reason: BundleReason,
        edited_text: Option<String>,
        now: Timestamp,
        out: &mut Out,
    ) {
        case.status = CaseStatus::Bundled;
        case.bundled_at = Some(now);
        case.reminders_at.clear();
        out.journal(
            now,
            Some(case.id),
            JournalEvent::Bundled {
                missing: case.missing_seats().map(|s| s.member_id.clone()).collect(),
                reason: to_context(&reason).as_str().unwrap_or_default().to_string(),
            },
        );
        let letter = self.bundle_letter(case, reason, false, edited_text);
        let receipt = self.msg_id(&format!("loket.{}.receipt", case.id));
        let mut references = case.thread.clone();
        references.push(receipt.clone());
        out.send(Outgoing {
            message_id: self.msg_id(&format!("loket.{}.bundle", case.id)),
            template: TemplateName::Bundle,
            to: vec![case.submitter.clone()],
            cc: self.staff(),
            reply_to: None,
            in_reply_to: Some(receipt),
            references,
            case: Some(case.id),
            date: now,
            context: to_context(&letter),
            attachments: vec![],
            attach_raw: None,
            ics: None,
        });
    }

    fn bundle_letter(
        &self,
        case: &Case,
        reason: BundleReason,
        review: bool,
        edited_text: Option<String>,
    ) -> BundleLetter {
        let ministry_name = |code: &str| {
            self.config
                .ministry(code)
                .map(|m| m.name.clone())
                .unwrap_or_else(|| code.to_string())
        };
        let views = case
            .seats
            .iter()
            .filter_map(|s| {
                let v = s.current_view()?;
                Some(ViewInfo {
                    member_name: s.member.display().to_string(),
                    ministry: s.ministry.clone(),
                    ministry_name: ministry_name(&s.ministry),
                    by: v.by,
                    by_name: v.from.display().to_string(),
                    received_at: v.received_at,
                    position: v.form.position,
                    arguments: v.form.arguments.clone(),
                    compensation: v.form.compensation.clone(),
                    remarks: v.form.remarks.clone(),
                    text: v.text.clone(),
                })
            })
            .collect();
        let missing: Vec<MissingSeat> = case
            .missing_seats()
            .map(|s| MissingSeat {
                member_name: s.member.display().to_string(),
                ministry: s.ministry.clone(),
                ministry_name: ministry_name(&s.ministry),
            })
            .collect();
        BundleLetter {
            case: self.case_info(case),
            reason,
            views,
            missing,
            common_position: self.common_position(case),
            review,
            edited_text,
        }
    }
}

/// Which position the views share under the bundling rule `b`; `None` when they differ
/// (or there are none). The bundle, the record and the reports all use this.
pub fn common_position(b: &Bundling, case: &Case) -> Option<Position> {
    let positions: Vec<Position> = case
        .seats
        .iter()
        .filter_map(|s| s.current_view().map(|v| v.form.position))
        .filter(|p| *p != Position::Unstated)
        .collect();
    if positions.is_empty() {
        return None;
    }
    let favourable = |p: Position| matches!(p, Position::Advisable | Position::UnderConditions);
    // The classes that agree with each other.
    let class = |p: Position| {
        if b.conditions_agree && favourable(p) {
            Position::Advisable
        } else {
            p
        }
    };
    let mut counts: Vec<(Position, usize)> = Vec::new();
    for p in &positions {
        match counts.iter_mut().find(|(c, _)| *c == class(*p)) {
            Some((_, n)) => *n += 1,
            None => counts.push((class(*p), 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    let (top, n) = counts[0];
    let agrees = match b.rule {
        AgreementRule::Unanimous => n == positions.len(),
        AgreementRule::Share(pct) => {
            let objection = positions.iter().any(|p| favourable(*p) != favourable(top));
            n * 100 >= positions.len() * pct as usize && !objection
        }
    };
    if !agrees {
        return None;
    }
    // The common favourable position carries the conditions some members attached.
    let members_of_top: Vec<Position> = positions
        .iter()
        .copied()
        .filter(|p| class(*p) == top)
        .collect();
    Some(if members_of_top.contains(&Position::UnderConditions) {
        Position::UnderConditions
    } else {
        top
    })
}
