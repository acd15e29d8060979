//! The workflow as a pure state machine.
//!
//! **Architecture invariant:** nothing in `core` does I/O, reads the clock, draws random
//! numbers or knows about sled, tokio, files, IMAP or SMTP. Every input is an [`Event`] plus
//! the current time; every output is an [`Action`] for the driver to carry out. Handling
//! the same event twice at the same time on the same state yields the same actions, so the
//! driver can replay after a crash.

pub mod letters;
pub mod model;

use crate::config::model::Config;
use crate::token::TokenKey;
use model::*;
use std::collections::BTreeMap;

/// Something that happened, fed to [`Core::handle`].
#[derive(Clone, Debug)]
pub enum Event {
    /// An inbound mail, already stored raw, parsed and classified, with what the receiving
    /// server said about its sender.
    Mail(Box<InboundMail>, SenderAuth),
    /// The clock passed a wake-up (or the driver just checks); idempotent.
    Tick,
    /// A command from the desk (CLI, later by mail).
    Command(Command),
    /// The transport gave up on a message (permanent refusal, or retries exhausted).
    DeliveryFailed(DeliveryFailure),
}

/// A message the transport could not deliver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryFailure {
    pub message_id: String,
    pub template: TemplateName,
    pub case: Option<CaseId>,
    pub recipients: Vec<String>,
    pub reason: String,
    /// Refused for good (5xx), rather than retried until the retry period ran out.
    pub permanent: bool,
}

/// Whether the sender of a mail is who the From header says, per the receiving server's
/// Authentication-Results (only consulted when the policy names an authserv-id).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum SenderAuth {
    /// No check configured, or not applicable.
    #[default]
    NotChecked,
    Pass,
    Fail(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Distribute a case that waits for approval.
    Approve { case: CaseId },
    /// Move the deadline later.
    Extend { case: CaseId, to: Extension },
    /// Bundle the case now with the views that are in.
    Bundle { case: CaseId },
    /// Send the reviewed draft bundle to the submitter.
    Send { case: CaseId },
    /// Close the case; no more reminders or bundles.
    Close { case: CaseId },
    /// Poll the members on candidate slots for a meeting (a new list while polling).
    ProposeMeeting {
        case: CaseId,
        slots: Vec<Slot>,
        location: Option<String>,
        /// Agenda items; empty: the standard agenda.
        agenda: Vec<String>,
    },
    /// Set the meeting at slot N (from 1) of the poll and send the invitations.
    ChooseSlot { case: CaseId, slot: u32 },
    /// Set or move the meeting to this time (`None`: keep the time) and place; updated
    /// invitations go out.
    MoveMeeting {
        case: CaseId,
        to: Option<Slot>,
        location: Option<String>,
    },
    /// Cancel the meeting (or withdraw the poll).
    CancelMeeting { case: CaseId },
}

/// How a deadline is extended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extension {
    /// To the end of this working day.
    To(chrono::NaiveDate),
    /// By this many working days.
    WorkingDays(u32),
}

/// What the driver must do. The driver commits all actions of one event atomically
/// (store changes, journal and outbox together) before any effect outside the store.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Store this case (insert or replace).
    SaveCase(Box<Case>),
    /// Store this incomplete submission (insert or replace).
    SavePending(Box<PendingSubmission>),
    /// The pending submission with this id was completed into a case; remove it.
    DropPending(RawId),
    /// The next free sequence number for case ids of this year.
    SaveCaseCounter { year: i32, next: u32 },
    /// Put this message in the outbox.
    Send(Box<Outgoing>),
    /// Append to the journal.
    Journal(JournalEntry),
    /// Put the raw message in the desk's queue.
    Quarantine { raw_id: RawId, reason: String },
    /// Times of the automatic answers sent to this address in the last hour.
    SaveAnswerLog {
        address: String,
        times: Vec<Timestamp>,
    },
    /// A periodic job ran at this time.
    SaveJobRun { job: String, at: Timestamp },
    /// Wake the core with a `Tick` at this instant.
    WakeAt(Timestamp),
}

/// The core's state: what it needs to decide. Loaded from the store at start-up and kept in
/// step with it through the actions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    pub cases: BTreeMap<CaseId, Case>,
    pub pending: BTreeMap<RawId, PendingSubmission>,
    /// Next sequence number per year.
    pub counters: BTreeMap<i32, u32>,
    /// Automatic answers per address (lowercase) in the last hour, for the rate limit.
    pub answers: BTreeMap<String, Vec<Timestamp>>,
    /// When each periodic job last ran.
    pub jobs: BTreeMap<String, Timestamp>,
}

/// The workflow with its fixed inputs: the configuration and the reply-token key.
pub struct Core<'a> {
    pub config: &'a Config,
    pub key: &'a TokenKey,
}

pub mod calendar;
mod collect;
pub mod commands;
mod intake;
mod jobs;
pub mod meeting;
mod rounds;

pub use rounds::common_position;

use letters::*;

impl Core<'_> {
    /// Handles one event at time `now` and returns what must be done. Never fails: every
    /// problem becomes an action (a reply, a desk notice, a journal entry).
    pub fn handle(&self, state: &mut State, event: Event, now: Timestamp) -> Vec<Action> {
        let mut out = Out::default();
        match event {
            Event::Mail(mail, auth) => self.on_mail(state, *mail, auth, now, &mut out),
            Event::Tick => self.on_tick(state, now, &mut out),
            Event::Command(cmd) => self.on_command(state, cmd, now, &mut out),
            Event::DeliveryFailed(f) => self.on_delivery_failed(state, f, now, &mut out),
        }
        out.0
    }

    /// The earliest instant at which a `Tick` has work to do, if any.
    pub fn next_wakeup(&self, state: &State) -> Option<Timestamp> {
        let cases = state.cases.values().filter_map(case_wakeup).min();
        let jobs = self.next_job(state).map(|(_, t)| t);
        cases.into_iter().chain(jobs).min()
    }

    fn on_mail(
        &self,
        state: &mut State,
        mail: InboundMail,
        auth: SenderAuth,
        now: Timestamp,
        out: &mut Out,
    ) {
        let from_text = mail
            .from
            .as_ref()
            .map(|a| a.email.clone())
            .unwrap_or_default();
        // 1. Unreadable or anonymous: a person must look.
        let Some(from) = mail.from.clone() else {
            let reason = if mail.problems.contains(&MailProblem::Unparseable) {
                "the message could not be read as mail"
            } else {
                "the message has no sender (From)"
            };
            self.quarantine(&mail, QuarantineReason::Unreadable, reason, now, out);
            return;
        };
        if mail.problems.contains(&MailProblem::Unparseable) {
            let reason = "the message could not be read as mail";
            self.quarantine(&mail, QuarantineReason::Unreadable, reason, now, out);
            return;
        }
        // 2. Never answer ourselves: loops.
        if mail.from_loket || from.is(&self.config.desk.address.email) {
            out.journal(
                now,
                None,
                ignored(&mail, &from_text, "sent by loket itself (loop)"),
            );
            return;
        }
        // 3. Automatic mail never counts and is never answered.
        match &mail.kind {
            MailKind::Message => {}
            MailKind::Bounce { recipients } => {
                self.on_bounce(state, &mail, recipients, now, out);
                return;
            }
            MailKind::AutoReply { reason } => {
                let reason = format!("automatic reply ({reason})");
                out.journal(now, None, ignored(&mail, &from_text, &reason));
                return;
            }
            MailKind::ReadReceipt => {
                out.journal(now, None, ignored(&mail, &from_text, "read receipt"));
                return;
            }
            // Calendar replies go to the meeting code below, after the sender check.
            MailKind::CalendarReply => {}
        }
        // 4. A sender the receiving server could not vouch for never acts.
        if let SenderAuth::Fail(why) = &auth
            && self.config.policy.authserv_id.is_some()
        {
            let detail = format!(
                "the sender {} could not be verified by the mail server ({why}); the message \
                 may be forged",
                from.email
            );
            self.quarantine(&mail, QuarantineReason::Unauthenticated, &detail, now, out);
            return;
        }
        self.attention(&mail, now, out);
        // 4b. An answer to a meeting invitation (iTIP REPLY, COUNTER, ...).
        if self.on_calendar_mail(state, &mail, &from, now, out) {
            return;
        }
        // 5. A command from the desk staff.
        if self.config.is_staff(&from.email) && self.on_desk_mail(state, &mail, &from, now, out) {
            return;
        }
        // 6a. A reply to a meeting poll or invitation: never a view.
        if self.on_meeting_reply(state, &mail, &from, now, out) {
            return;
        }
        // 6. A reply to a member's personal message (token), or with a case tag.
        if self.on_case_reply(state, &mail, &from, now, out) {
            return;
        }
        // 7. A resubmission in the thread of an incomplete form, or a new case.
        self.on_submission(state, &mail, &from, now, out);
    }

    fn on_tick(&self, state: &mut State, now: Timestamp, out: &mut Out) {
        let due: Vec<CaseId> = state
            .cases
            .values()
            .filter(|c| case_wakeup(c).is_some_and(|t| t <= now))
            .map(|c| c.id)
            .collect();
        for id in due {
            let Some(case) = state.cases.get_mut(&id) else {
                continue;
            };
            let open = case.status == CaseStatus::Open;
            if open && case.deadline <= now {
                self.bundle(case, BundleReason::DeadlinePassed, now, out);
            } else if open && case.reminders_at.first().is_some_and(|t| *t <= now) {
                self.remind_when_office_open(case, now, out);
            }
            self.meeting_tick(case, now, out);
            out.push(Action::SaveCase(Box::new(case.clone())));
            if let Some(t) = case_wakeup(case) {
                out.push(Action::WakeAt(t));
            }
        }
        self.run_jobs(state, now, out);
    }

    fn on_command(&self, state: &mut State, cmd: Command, now: Timestamp, out: &mut Out) {
        if Self::check_command(state, &cmd).is_err() {
            return;
        }
        let _ = self.execute(state, &cmd, "cli", now, out);
    }

    fn on_delivery_failed(&self, state: &State, f: DeliveryFailure, now: Timestamp, out: &mut Out) {
        out.journal(
            now,
            f.case,
            JournalEvent::DeliveryFailed {
                message_id: f.message_id.clone(),
                recipients: f.recipients.clone(),
                reason: f.reason.clone(),
                permanent: f.permanent,
            },
        );
        // A notice to the desk that itself fails is only journalled: no loop of notices.
        if matches!(
            f.template,
            TemplateName::DeskNotice | TemplateName::Quarantine
        ) {
            return;
        }
        let mut details: Vec<String> = f
            .recipients
            .iter()
            .map(|r| format!("not delivered to {r}"))
            .collect();
        details.push(format!("reason: {}", f.reason));
        details.push(format!("message: <{}>", f.message_id));
        let letter = DeskNoticeLetter {
            notice: NoticeKind::DeliveryFailed,
            case: f
                .case
                .and_then(|c| state.cases.get(&c))
                .map(|c| self.case_info(c)),
            from: String::new(),
            subject: String::new(),
            raw_id: 0,
            details,
        };
        let digest = crate::token::short_hash(f.message_id.as_bytes());
        out.send(Outgoing {
            message_id: self.msg_id(&format!("loket.notice.failed.{digest}")),
            template: TemplateName::DeskNotice,
            to: self.staff(),
            cc: vec![],
            reply_to: None,
            in_reply_to: None,
            references: vec![],
            case: f.case,
            date: now,
            context: to_context(&letter),
            attachments: vec![],
            attach_raw: None,
            ics: None,
        });
    }

    /// Checks a desk command before it is handled, so a CLI can say what is wrong.
    pub fn check_command(state: &State, cmd: &Command) -> Result<(), String> {
        let id = cmd.case();
        let case = state
            .cases
            .get(&id)
            .ok_or_else(|| format!("there is no case {id}; `loket case list` shows the cases"))?;
        let status = case.status;
        let wrong = |what: &str| {
            Err(format!(
                "case {id} is {}; {what}",
                commands::status_word(status)
            ))
        };
        match cmd {
            Command::Approve { .. } if status != CaseStatus::AwaitingApproval => {
                wrong("only a case that waits for approval can be approved")
            }
            Command::Extend { .. } | Command::Bundle { .. } if status != CaseStatus::Open => {
                wrong("only an open case can be extended or bundled")
            }
            Command::Send { .. } if status != CaseStatus::InReview => {
                wrong("only a draft bundle under review can be sent")
            }
            Command::Close { .. } if status == CaseStatus::Closed => wrong("nothing to do"),
            Command::ProposeMeeting { .. }
            | Command::ChooseSlot { .. }
            | Command::MoveMeeting { .. }
            | Command::CancelMeeting { .. } => meeting::check(case, cmd),
            _ => Ok(()),
        }
    }

    // ---- shared helpers -------------------------------------------------------------

    fn desk_domain(&self) -> &str {
        self.config.desk.address.domain()
    }

    fn msg_id(&self, local: &str) -> String {
        format!("{local}@{}", self.desk_domain())
    }

    fn staff(&self) -> Vec<Address> {
        self.config.desk.staff.clone()
    }

    fn case_info(&self, case: &Case) -> CaseInfo {
        let ministry_name = self
            .config
            .ministry(&case.ministry)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| case.ministry.clone());
        let field = |f: CaseField| case.form.get(f).unwrap_or("").to_string();
        CaseInfo {
            id: case.id.to_string(),
            subject: case.subject().to_string(),
            ministry: case.ministry.clone(),
            ministry_name,
            submitter: case.submitter.clone(),
            contact: field(CaseField::Contact),
            description: field(CaseField::Description),
            question: field(CaseField::Question),
            urgent: case.urgent,
            received_at: case.received_at,
            deadline: case.deadline,
            desired_date: case.form.get(CaseField::DesiredDate).map(str::to_string),
            attachments: case.attachments.iter().map(|a| a.name.clone()).collect(),
        }
    }

    /// A message for the desk staff about a mail; the original is attached.
    fn notify_desk(
        &self,
        mail: &InboundMail,
        notice: NoticeKind,
        case: Option<&Case>,
        details: Vec<String>,
        now: Timestamp,
        out: &mut Out,
    ) {
        let letter = DeskNoticeLetter {
            notice,
            case: case.map(|c| self.case_info(c)),
            from: mail
                .from
                .as_ref()
                .map(|a| a.to_string())
                .unwrap_or_default(),
            subject: mail.subject.clone(),
            raw_id: mail.raw_id,
            details,
        };
        let kind = serde_json::to_value(notice)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        out.send(Outgoing {
            message_id: self.msg_id(&format!("loket.notice.{}.{kind}", mail.raw_id)),
            template: TemplateName::DeskNotice,
            to: self.staff(),
            cc: vec![],
            reply_to: None,
            in_reply_to: None,
            references: vec![],
            case: case.map(|c| c.id),
            date: now,
            context: to_context(&letter),
            attachments: vec![],
            attach_raw: Some(mail.raw_id),
            ics: None,
        });
    }

    fn quarantine(
        &self,
        mail: &InboundMail,
        reason: QuarantineReason,
        detail: &str,
        now: Timestamp,
        out: &mut Out,
    ) {
        let from = mail
            .from
            .as_ref()
            .map(|a| a.to_string())
            .unwrap_or_default();
        out.push(Action::Quarantine {
            raw_id: mail.raw_id,
            reason: detail.to_string(),
        });
        out.journal(
            now,
            None,
            JournalEvent::Quarantined {
                raw_id: mail.raw_id,
                from: from.clone(),
                reason: detail.to_string(),
            },
        );
        let letter = QuarantineLetter {
            raw_id: mail.raw_id,
            from,
            subject: mail.subject.clone(),
            received_at: now,
            reason,
            detail: detail.to_string(),
        };
        out.send(Outgoing {
            message_id: self.msg_id(&format!("loket.quarantine.{}", mail.raw_id)),
            template: TemplateName::Quarantine,
            to: self.staff(),
            cc: vec![],
            reply_to: None,
            in_reply_to: None,
            references: vec![],
            case: None,
            date: now,
            context: to_context(&letter),
            attachments: vec![],
            attach_raw: Some(mail.raw_id),
            ics: None,
        });
    }

    /// Problems in a readable mail that a person must act on.
    fn attention(&self, mail: &InboundMail, now: Timestamp, out: &mut Out) {
        let problems: Vec<String> = mail
            .problems
            .iter()
            .filter_map(|p| match p {
                MailProblem::AttachmentTooLarge { name, size, limit } => Some(format!(
                    "attachment `{name}` is {size} bytes, over the limit of {limit}; it is kept \
                     in the store but not forwarded"
                )),
                MailProblem::BadCharset { part } => Some(format!(
                    "part `{part}` is not valid in its character set; unreadable characters \
                     were replaced"
                )),
                _ => None,
            })
            .collect();
        let noted: Vec<String> = mail
            .problems
            .iter()
            .filter(|p| matches!(p, MailProblem::NoMessageId))
            .map(|_| "the message has no Message-ID".to_string())
            .collect();
        if problems.is_empty() && noted.is_empty() {
            return;
        }
        out.journal(
            now,
            None,
            JournalEvent::AttentionNeeded {
                raw_id: mail.raw_id,
                problems: problems.iter().chain(&noted).cloned().collect(),
            },
        );
        if !problems.is_empty() {
            self.notify_desk(mail, NoticeKind::Attention, None, problems, now, out);
        }
    }

    fn on_bounce(
        &self,
        state: &State,
        mail: &InboundMail,
        recipients: &[String],
        now: Timestamp,
        out: &mut Out,
    ) {
        out.journal(
            now,
            None,
            JournalEvent::BounceReported {
                raw_id: mail.raw_id,
                recipients: recipients.to_vec(),
            },
        );
        if recipients.is_empty() {
            return;
        }
        let details = recipients
            .iter()
            .map(|r| {
                match self.config.members.iter().find(|m| {
                    m.email.eq_ignore_ascii_case(r)
                        || m.deputy
                            .as_ref()
                            .is_some_and(|d| d.email.eq_ignore_ascii_case(r))
                }) {
                    Some(m) => format!("{r} (member or deputy for {})", m.ministry),
                    None => r.clone(),
                }
            })
            .collect();
        let case = mail
            .thread_ids()
            .find_map(crate::token::parse_seat_ref)
            .and_then(|r| state.cases.get(&r.case));
        self.notify_desk(mail, NoticeKind::Bounce, case, details, now, out);
    }
}

/// When a case next needs the clock: its next reminder or its deadline while it is open,
/// and the closing of a meeting poll.
fn case_wakeup(case: &Case) -> Option<Timestamp> {
    let meeting = meeting::wakeup(case);
    if case.status != CaseStatus::Open {
        return meeting;
    }
    let round = match case.reminders_at.first() {
        Some(r) if *r < case.deadline => *r,
        _ => case.deadline,
    };
    Some(meeting.map_or(round, |m| m.min(round)))
}

fn ignored(mail: &InboundMail, from: &str, reason: &str) -> JournalEvent {
    JournalEvent::Ignored {
        raw_id: mail.raw_id,
        from: from.to_string(),
        reason: reason.to_string(),
    }
}

fn to_context<T: serde::Serialize>(letter: &T) -> serde_json::Value {
    // Serialising plain structs of strings, numbers and timestamps cannot fail.
    serde_json::to_value(letter).unwrap_or(serde_json::Value::Null)
}

/// Collects actions.
#[derive(Default)]
struct Out(Vec<Action>);

impl Command {
    pub fn case(&self) -> CaseId {
        match self {
            Command::Approve { case }
            | Command::Extend { case, .. }
            | Command::Bundle { case }
            | Command::Send { case }
            | Command::Close { case }
            | Command::ProposeMeeting { case, .. }
            | Command::ChooseSlot { case, .. }
            | Command::MoveMeeting { case, .. }
            | Command::CancelMeeting { case } => *case,
        }
    }
}

impl Out {
    fn push(&mut self, a: Action) {
        self.0.push(a);
    }
    fn send(&mut self, o: Outgoing) {
        self.0.push(Action::Send(Box::new(o)));
    }
    fn journal(&mut self, at: Timestamp, case: Option<CaseId>, event: JournalEvent) {
        self.0
            .push(Action::Journal(JournalEntry { at, case, event }));
    }
}
