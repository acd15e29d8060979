//! Intake: a mail that is not a reply on a case. Authorised sender → a case (complete form)
//! or a missing-fields reply (incomplete form, kept as a pending submission); anyone else →
//! quarantine.

use super::calendar::{at_local, deadline_for, local_date, next_working_day, parse_date};
use super::letters::*;
use super::model::*;
use super::{Action, Core, Out, State, to_context};
use crate::forms;

/// The case fields after interpretation.
struct Reading {
    ministry: Option<String>,
    urgent: bool,
    desired: Option<chrono::NaiveDate>,
    problems: Vec<FieldProblem>,
}

impl Core<'_> {
    pub(super) fn on_submission(
        &self,
        state: &mut State,
        mail: &InboundMail,
        from: &Address,
        now: Timestamp,
        out: &mut Out,
    ) {
        // A resubmission in the thread of an incomplete form, from the same sender.
        let pending_id = state
            .pending
            .values()
            .find(|p| {
                p.sender.is(&from.email)
                    && mail.thread_ids().any(|id| p.thread.iter().any(|t| t == id))
            })
            .map(|p| p.id);
        let mut pending = match pending_id.and_then(|id| state.pending.remove(&id)) {
            Some(mut p) => {
                p.form.merge(&mail.case_form);
                p.source.push(mail.raw_id);
                p.attachments.extend(self.case_attachments(mail));
                p
            }
            None => {
                if !self.may_submit(from) {
                    let detail = format!(
                        "{} is not a member, desk staff, or an address of a ministry of the body",
                        from.email
                    );
                    self.quarantine(mail, QuarantineReason::UnknownSender, &detail, now, out);
                    return;
                }
                PendingSubmission {
                    id: mail.raw_id,
                    sender: from.clone(),
                    received_at: now,
                    form: mail.case_form.clone(),
                    source: vec![mail.raw_id],
                    attachments: self.case_attachments(mail),
                    thread: vec![],
                }
            }
        };
        if let Some(id) = &mail.message_id {
            pending.thread.push(id.clone());
        }
        // The mail's subject stands in for a missing subject field.
        if pending.form.get(CaseField::Subject).is_none() {
            let s = strip_reply_prefixes(&mail.subject);
            if !s.is_empty() {
                pending
                    .form
                    .fields
                    .insert(CaseField::Subject, s.to_string());
            }
        }
        if pending.form.get(CaseField::Contact).is_none() {
            pending
                .form
                .fields
                .insert(CaseField::Contact, from.to_string());
        }
        let reading = self.read_form(&pending, from, now);
        if reading.problems.is_empty() {
            let was_pending = pending_id.is_some();
            self.create_case(state, pending, reading, mail, now, out);
            if was_pending {
                out.push(Action::DropPending(pending_id.unwrap_or_default()));
            }
        } else {
            self.ask_for_missing(pending, reading.problems, mail, state, now, out);
        }
    }

    fn may_submit(&self, from: &Address) -> bool {
        let c = self.config;
        c.ministry_of_address(&from.email).is_some()
            || c.is_staff(&from.email)
            || c.members.iter().any(|m| {
                m.email.eq_ignore_ascii_case(&from.email)
                    || m.deputy
                        .as_ref()
                        .is_some_and(|d| d.email.eq_ignore_ascii_case(&from.email))
            })
            || c.intake
                .allowed_senders
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&from.email))
    }

    fn case_attachments(&self, mail: &InboundMail) -> Vec<CaseAttachment> {
        let limit = self.config.intake.max_attachment_bytes;
        mail.attachments
            .iter()
            .filter(|a| a.size <= limit)
            .map(|a| CaseAttachment {
                raw_id: mail.raw_id,
                index: a.index,
                name: a.name.clone(),
                content_type: a.content_type.clone(),
                size: a.size,
            })
            .collect()
    }

    /// Interprets the form; every problem is collected so one reply can name them all.
    fn read_form(&self, p: &PendingSubmission, from: &Address, now: Timestamp) -> Reading {
        let lang = self.config.body.language;
        let mut problems = Vec::new();
        let mut problem = |field: CaseField, text: String| {
            problems.push(FieldProblem {
                field: field.key().to_string(),
                label: forms::case_label(field, lang).to_string(),
                problem: text,
            })
        };
        for f in CaseField::REQUIRED {
            if f != CaseField::Ministry && p.form.get(f).is_none() {
                problem(f, String::new());
            }
        }
        // Ministry: as written, else from the sender's address.
        let ministry = match p.form.get(CaseField::Ministry) {
            Some(v) => match self.find_ministry(v) {
                Some(code) => Some(code),
                None => {
                    let codes: Vec<&str> = self
                        .config
                        .ministries
                        .iter()
                        .map(|m| m.code.as_str())
                        .collect();
                    problem(
                        CaseField::Ministry,
                        format!(
                            "`{v}` is not one of the body's ministries ({})",
                            codes.join(", ")
                        ),
                    );
                    None
                }
            },
            None => match self.ministry_of_sender(from) {
                Some(code) => Some(code),
                None => {
                    problem(CaseField::Ministry, String::new());
                    None
                }
            },
        };
        let urgent = match p.form.get(CaseField::Urgency) {
            None => false,
            Some(v) => match yes_no(v) {
                Some(b) => b,
                None => {
                    problem(CaseField::Urgency, format!("`{v}` is not ja or nee"));
                    false
                }
            },
        };
        let desired = match p.form.get(CaseField::DesiredDate) {
            None => None,
            Some(v) => match parse_date(v) {
                Some(d) if d < local_date(now, self.config.periods.timezone) => {
                    problem(CaseField::DesiredDate, format!("{v} lies in the past"));
                    None
                }
                Some(d) => Some(d),
                None => {
                    problem(
                        CaseField::DesiredDate,
                        format!("`{v}` is not a date; write it as 4-12-2026"),
                    );
                    None
                }
            },
        };
        Reading {
            ministry,
            urgent,
            desired,
            problems,
        }
    }

    fn find_ministry(&self, v: &str) -> Option<String> {
        let v = v.trim().trim_end_matches('.').to_lowercase();
        self.config
            .ministries
            .iter()
            .find(|m| {
                m.code.to_lowercase() == v
                    || m.name.to_lowercase() == v
                    || (v.len() > 6 && m.name.to_lowercase().contains(&v))
                    || v.split(|c: char| !c.is_alphanumeric())
                        .any(|w| w == m.code.to_lowercase())
            })
            .map(|m| m.code.clone())
    }

    fn ministry_of_sender(&self, from: &Address) -> Option<String> {
        if let Some(m) = self.config.ministry_of_address(&from.email) {
            return Some(m.code.clone());
        }
        self.config
            .members
            .iter()
            .find(|m| {
                m.email.eq_ignore_ascii_case(&from.email)
                    || m.deputy
                        .as_ref()
                        .is_some_and(|d| d.email.eq_ignore_ascii_case(&from.email))
            })
            .map(|m| m.ministry.clone())
    }

    fn ask_for_missing(
        &self,
        mut pending: PendingSubmission,
        problems: Vec<FieldProblem>,
        mail: &InboundMail,
        state: &mut State,
        now: Timestamp,
        out: &mut Out,
    ) {
        let lang = self.config.body.language;
        let message_id = self.msg_id(&format!("loket.missing.{}", mail.raw_id));
        let found = CaseField::ALL
            .iter()
            .filter_map(|f| {
                pending.form.get(*f).map(|v| FieldValue {
                    label: forms::case_label(*f, lang).to_string(),
                    value: v.to_string(),
                })
            })
            .collect();
        out.journal(
            now,
            None,
            JournalEvent::FormIncomplete {
                raw_id: mail.raw_id,
                from: pending.sender.email.clone(),
                missing: problems.iter().map(|p| p.field.clone()).collect(),
            },
        );
        let letter = MissingFieldsLetter {
            original_subject: mail.subject.clone(),
            problems,
            found,
        };
        self.answer(
            state,
            Outgoing {
                message_id: message_id.clone(),
                template: TemplateName::MissingFields,
                to: vec![pending.sender.clone()],
                cc: vec![],
                reply_to: None,
                in_reply_to: mail.message_id.clone(),
                references: pending.thread.clone(),
                case: None,
                date: now,
                context: to_context(&letter),
                attachments: vec![],
                attach_raw: None,
                ics: None,
            },
            now,
            out,
        );
        pending.thread.push(message_id);
        out.push(Action::SavePending(Box::new(pending.clone())));
        state.pending.insert(pending.id, pending);
    }

    fn create_case(
        &self,
        state: &mut State,
        pending: PendingSubmission,
        reading: Reading,
        mail: &InboundMail,
        now: Timestamp,
        out: &mut Out,
    ) {
        let p = &self.config.periods;
        let year = chrono::Datelike::year(&local_date(now, p.timezone));
        let seq = state.counters.get(&year).copied().unwrap_or(1);
        state.counters.insert(year, seq + 1);
        out.push(Action::SaveCaseCounter {
            year,
            next: seq + 1,
        });
        let id = CaseId { year, seq };

        let (deadline, urgent) = self.deadline(now, reading.desired, reading.urgent);
        let approval = self.config.policy.approval_required;

        let to_deputies = self.config.distribution.to_deputies;
        let seats = self
            .config
            .members
            .iter()
            .map(|m| {
                let deputy = m.deputy.as_ref().map(|d| Address::new(&d.name, &d.email));
                let mut addressed = vec![Person::Member];
                if to_deputies && deputy.is_some() {
                    addressed.push(Person::Deputy);
                }
                Seat {
                    member_id: m.id.clone(),
                    ministry: m.ministry.clone(),
                    member: Address::new(&m.name, &m.email),
                    deputy,
                    addressed,
                    views: vec![],
                    reminders: vec![],
                }
            })
            .collect();
        let mut case = Case {
            id,
            status: if approval {
                CaseStatus::AwaitingApproval
            } else {
                CaseStatus::Open
            },
            received_at: pending.received_at,
            submitter: pending.sender.clone(),
            ministry: reading.ministry.unwrap_or_default(),
            form: pending.form.clone(),
            urgent,
            deadline,
            reminders_at: vec![],
            source: pending.source.clone(),
            thread: pending.thread.clone(),
            attachments: pending.attachments.clone(),
            seats,
            bundled_at: None,
            draft: None,
            meeting: None,
        };
        out.journal(
            now,
            Some(id),
            JournalEvent::CaseCreated {
                raw_id: mail.raw_id,
                submitter: case.submitter.email.clone(),
                ministry: case.ministry.clone(),
                urgent,
                deadline,
            },
        );
        let info = self.case_info(&case);
        let letter = ReceiptLetter {
            case: info,
            seats: case.seats.len(),
        };
        self.answer(
            state,
            Outgoing {
                message_id: self.msg_id(&format!("loket.{id}.receipt")),
                template: TemplateName::Receipt,
                to: vec![case.submitter.clone()],
                cc: vec![],
                reply_to: None,
                in_reply_to: mail.message_id.clone(),
                references: case.thread.clone(),
                case: Some(id),
                date: now,
                context: to_context(&letter),
                attachments: vec![],
                attach_raw: None,
                ics: None,
            },
            now,
            out,
        );
        if approval {
            out.journal(now, Some(id), JournalEvent::AwaitingApproval);
            let details = vec![format!(
                "reply to this message with `goedkeuren` (or `approve`) to send case {id} to the members"
            )];
            self.notify_desk(
                mail,
                NoticeKind::ApprovalNeeded,
                Some(&case),
                details,
                now,
                out,
            );
        } else {
            case.reminders_at = self.plan_reminders(case.deadline, now);
            self.distribute(&case, now, out);
        }
        out.push(Action::SaveCase(Box::new(case.clone())));
        if let Some(t) = super::case_wakeup(&case) {
            out.push(Action::WakeAt(t));
        }
        state.cases.insert(id, case);
    }

    /// The deadline for a case starting now: the desired date within bounds, or the urgent
    /// or normal period. Also says whether the case counts as urgent.
    pub(super) fn deadline(
        &self,
        now: Timestamp,
        desired: Option<chrono::NaiveDate>,
        urgent: bool,
    ) -> (Timestamp, bool) {
        let p = &self.config.periods;
        let cal = &self.config.calendar;
        let normal = deadline_for(now, p.normal, p.deadline_time, p.timezone, cal);
        let shortest = deadline_for(now, p.urgent, p.deadline_time, p.timezone, cal);
        match desired {
            Some(d) => {
                let asked = at_local(next_working_day(d, cal), p.deadline_time, p.timezone);
                (asked.max(shortest).min(normal), urgent || asked < normal)
            }
            None if urgent => (shortest, true),
            None => (normal, false),
        }
    }
}

fn yes_no(v: &str) -> Option<bool> {
    let v = v.trim().trim_end_matches(['.', '!']).to_lowercase();
    let first = v.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
    match first {
        "ja" | "yes" | "y" | "j" | "spoed" | "urgent" | "true" | "x" => Some(true),
        "nee" | "no" | "n" | "geen" | "niet" | "false" | "normaal" | "normal" => Some(false),
        _ => None,
    }
}

/// `Re: Fwd: AW: Subject` → `Subject`.
pub(super) fn strip_reply_prefixes(s: &str) -> &str {
    let mut s = s.trim();
    loop {
        let cut = [
            "re:", "fw:", "fwd:", "aw:", "wg:", "antw:", "doorst:", "tr:", "sv:",
        ]
        .iter()
        .find(|p| s.len() >= p.len() && s.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
        .map(|p| p.len());
        match cut {
            // The prefix is ASCII, so `n` is a character boundary.
            Some(n) => s = s[n..].trim_start(),
            None => return s,
        }
    }
}
