//! Desk commands: what desk staff write on the first line of a mail (Dutch or English),
//! and their execution, shared with the CLI.

use chrono::NaiveDate;
use regex::Regex;
use std::sync::LazyLock;

use super::calendar::{add_working_days, at_local, local_date, next_working_day, parse_date};
use super::letters::*;
use super::model::*;
use super::{Action, Command, Core, Extension, Out, State, to_context};
use crate::token::parse_seat_ref;

/// A command as read from a mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeskCommand {
    Approve,
    /// `None`: the extension could not be read.
    Extend(Option<Extension>),
    Bundle,
    Send,
    /// `overleg`/`meeting`: slots on the following lines (a poll), or the status.
    Meeting,
    Choose(Option<u32>),
    /// `verplaatsen`/`reschedule`: a new slot and/or `Locatie:` on the following lines.
    MoveMeeting,
    /// `annuleren`/`cancel`: the meeting (or its poll) is off.
    CancelMeeting,
    Close,
    Status,
}

pub fn status_word(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::AwaitingApproval => "awaiting approval",
        CaseStatus::Open => "open",
        CaseStatus::InReview => "in review",
        CaseStatus::Bundled => "bundled",
        CaseStatus::Closed => "closed",
    }
}

static NUMBER_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:met|by|with)?\s*(\d{1,3})\s*(?:werkdagen|werkdag|working\s+days?|dagen|dag|days?|wd|d)?$")
        .expect("valid regex")
});

/// Reads a command from the first line of a mail. `today` (local) completes dates written
/// without a year ("verlengen tot 4 december").
pub fn parse_command(line: &str, today: NaiveDate) -> Option<DeskCommand> {
    let line: String = line.chars().take(200).collect();
    let line = line
        .trim()
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim_end_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    let (word, rest) = match line.split_once(char::is_whitespace) {
        Some((w, r)) => (w, r.trim()),
        None => (line.as_str(), ""),
    };
    let word = word.trim_end_matches([':', ',']);
    Some(match word {
        "goedkeuren" | "goedgekeurd" | "approve" | "approved" if rest.is_empty() => {
            DeskCommand::Approve
        }
        "bundelen" | "bundel" | "bundle" if rest.is_empty() => DeskCommand::Bundle,
        "verzenden" | "verzend" | "versturen" | "send" if rest.is_empty() => DeskCommand::Send,
        "sluiten" | "sluit" | "close" if rest.is_empty() => DeskCommand::Close,
        "status" if rest.is_empty() => DeskCommand::Status,
        "overleg" | "meeting" => DeskCommand::Meeting,
        "kies" | "choose" => DeskCommand::Choose(
            rest.trim_start_matches(|c: char| !c.is_ascii_digit())
                .trim_end_matches(|c: char| !c.is_ascii_digit())
                .parse()
                .ok()
                .filter(|_| rest.chars().filter(char::is_ascii_digit).count() <= 2),
        ),
        "verplaatsen" | "verplaats" | "verzetten" | "verzet" | "reschedule" | "move" => {
            DeskCommand::MoveMeeting
        }
        "annuleren" | "annuleer" | "afzeggen" | "cancel"
            if matches!(
                rest,
                "" | "overleg" | "het overleg" | "meeting" | "the meeting"
            ) =>
        {
            DeskCommand::CancelMeeting
        }
        "verlengen" | "verleng" | "extend" => DeskCommand::Extend(parse_extension(rest, today)),
        _ => return None,
    })
}

fn parse_extension(rest: &str, today: NaiveDate) -> Option<Extension> {
    if let Some(c) = NUMBER_RE.captures(rest.trim()) {
        return c[1]
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .map(Extension::WorkingDays);
    }
    let rest = rest
        .trim()
        .trim_start_matches("tot en met ")
        .trim_start_matches("tot ")
        .trim_start_matches("until ")
        .trim_start_matches("to ")
        .trim();
    if let Some(d) = parse_date(rest) {
        return Some(Extension::To(d));
    }
    // A date without a year: the next such date from today on.
    let year = chrono::Datelike::year(&today);
    for year in [year, year + 1] {
        if let Some(d) = parse_date(&format!("{rest} {year}")).filter(|d| *d >= today) {
            return Some(Extension::To(d));
        }
    }
    None
}

impl Core<'_> {
    /// The new deadline for an extension, or why there is none.
    fn extended_deadline(&self, case: &Case, to: Extension) -> Result<Timestamp, CommandProblem> {
        let p = &self.config.periods;
        let cal = &self.config.calendar;
        let date = match to {
            Extension::To(d) => next_working_day(d, cal),
            Extension::WorkingDays(n) => {
                add_working_days(local_date(case.deadline, p.timezone), n, cal)
            }
        };
        let t = at_local(date, p.deadline_time, p.timezone);
        if t <= case.deadline {
            return Err(CommandProblem::NotLater);
        }
        Ok(t)
    }

    /// Executes a checked command. Returns the previous deadline for an extension.
    pub(super) fn execute(
        &self,
        state: &mut State,
        cmd: &Command,
        by: &str,
        now: Timestamp,
        out: &mut Out,
    ) -> Result<Option<Timestamp>, CommandProblem> {
        let Some(case) = state.cases.get_mut(&cmd.case()) else {
            return Err(CommandProblem::NoSuchCase);
        };
        let mut previous = None;
        match cmd {
            Command::Approve { .. } => {
                if case.status != CaseStatus::AwaitingApproval {
                    return Err(CommandProblem::WrongState);
                }
                self.approve(case, by, now, out);
            }
            Command::Extend { to, .. } => {
                if case.status != CaseStatus::Open {
                    return Err(CommandProblem::WrongState);
                }
                let t = self.extended_deadline(case, *to)?;
                previous = Some(case.deadline);
                self.extend(case, t, by, now, out);
            }
            Command::Bundle { .. } => {
                if case.status != CaseStatus::Open {
                    return Err(CommandProblem::WrongState);
                }
                self.bundle(case, BundleReason::DeskRequest, now, out);
            }
            Command::Send { .. } => {
                let Some(draft) = case.draft.clone() else {
                    return Err(CommandProblem::WrongState);
                };
                if case.status != CaseStatus::InReview {
                    return Err(CommandProblem::WrongState);
                }
                self.send_bundle(case, draft.reason, draft.edited_text, now, out);
            }
            Command::Close { .. } => {
                if case.status == CaseStatus::Closed {
                    return Err(CommandProblem::WrongState);
                }
                case.status = CaseStatus::Closed;
                case.reminders_at.clear();
                out.journal(now, Some(case.id), JournalEvent::Closed);
            }
            Command::ProposeMeeting { .. }
            | Command::ChooseSlot { .. }
            | Command::MoveMeeting { .. }
            | Command::CancelMeeting { .. } => {
                self.meeting_command(case, cmd, by, now, out)
                    .map_err(|_| CommandProblem::WrongState)?;
            }
        }
        out.journal(
            now,
            Some(case.id),
            JournalEvent::CommandExecuted {
                command: format!("{cmd:?}"),
                by: by.to_string(),
            },
        );
        out.push(Action::SaveCase(Box::new(case.clone())));
        Ok(previous)
    }

    /// The case a desk mail is about: the subject tag, or a loket Message-ID it answers.
    fn desk_mail_case(&self, mail: &InboundMail) -> Option<CaseId> {
        self.subject_case(&mail.subject).or_else(|| {
            mail.thread_ids().find_map(|id| {
                parse_seat_ref(id).map(|r| r.case).or_else(|| {
                    let rest = id.strip_prefix("loket.")?;
                    rest.split('.').next()?.parse().ok()
                })
            })
        })
    }

    /// A mail from desk staff. Returns false when it is not a command and names no case
    /// (then it is handled like any other mail, e.g. a case the desk submits itself).
    pub(super) fn on_desk_mail(
        &self,
        state: &mut State,
        mail: &InboundMail,
        from: &Address,
        now: Timestamp,
        out: &mut Out,
    ) -> bool {
        let today = local_date(now, self.config.periods.timezone);
        let line = mail
            .reply_text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("");
        let cmd = parse_command(line, today);
        let case_id = self.desk_mail_case(mail);
        // A reply to a draft bundle that is not a command: the desk's own text for it.
        if cmd.is_none()
            && let Some(case) = state.cases.values_mut().find(|c| {
                c.status == CaseStatus::InReview
                    && c.draft
                        .as_ref()
                        .is_some_and(|d| mail.thread_ids().any(|t| t == d.message_id))
            })
        {
            let id = case.id;
            if let Some(d) = case.draft.as_mut() {
                d.edited_text = Some(mail.reply_text.trim().to_string());
            }
            out.journal(
                now,
                Some(id),
                JournalEvent::DraftEdited {
                    by: from.email.clone(),
                },
            );
            out.push(Action::SaveCase(Box::new(case.clone())));
            let ok = Ok((CommandOutcome::DraftReplaced, None));
            self.reply_to_command(state, mail, from, line, ok, Some(id), now, out);
            return true;
        }
        let (Some(cmd), Some(id)) = (cmd.clone(), case_id) else {
            if cmd.is_none() && case_id.is_none() {
                return false;
            }
            let problem = if cmd.is_none() {
                CommandProblem::UnknownCommand
            } else {
                CommandProblem::NoCase
            };
            self.reply_to_command(state, mail, from, line, Err(problem), case_id, now, out);
            return true;
        };
        let command = match cmd {
            DeskCommand::Approve => Some(Command::Approve { case: id }),
            DeskCommand::Bundle => Some(Command::Bundle { case: id }),
            DeskCommand::Send => Some(Command::Send { case: id }),
            DeskCommand::Close => Some(Command::Close { case: id }),
            DeskCommand::Extend(Some(to)) => Some(Command::Extend { case: id, to }),
            DeskCommand::Extend(None) => {
                let r = Err(CommandProblem::BadDate);
                self.reply_to_command(state, mail, from, line, r, Some(id), now, out);
                return true;
            }
            DeskCommand::Meeting
            | DeskCommand::Choose(_)
            | DeskCommand::MoveMeeting
            | DeskCommand::CancelMeeting => {
                self.on_meeting_command(state, mail, from, &cmd, id, line, now, out);
                return true;
            }
            DeskCommand::Status => None,
        };
        let result = match &command {
            None if state.cases.contains_key(&id) => Ok((CommandOutcome::Status, None)),
            None => Err(CommandProblem::NoSuchCase),
            Some(c) => {
                let outcome = match c {
                    Command::Approve { .. } => CommandOutcome::Approved,
                    Command::Extend { .. } => CommandOutcome::Extended,
                    Command::Bundle { .. } => CommandOutcome::Bundled,
                    Command::Send { .. } => CommandOutcome::Sent,
                    Command::Close { .. } => CommandOutcome::Closed,
                    // Meeting commands are answered by the meeting code above.
                    Command::ProposeMeeting { .. }
                    | Command::ChooseSlot { .. }
                    | Command::MoveMeeting { .. }
                    | Command::CancelMeeting { .. } => CommandOutcome::Status,
                };
                self.execute(state, c, &from.email, now, out)
                    .map(|prev| (outcome, prev))
            }
        };
        if let Err(p) = &result {
            out.journal(
                now,
                Some(id),
                JournalEvent::CommandRejected {
                    raw_id: mail.raw_id,
                    by: from.email.clone(),
                    problem: format!("{p:?}"),
                },
            );
        }
        self.reply_to_command(state, mail, from, line, result, Some(id), now, out);
        true
    }

    /// Tells the staff member what their command did.
    #[allow(clippy::too_many_arguments)]
    fn reply_to_command(
        &self,
        state: &mut State,
        mail: &InboundMail,
        from: &Address,
        line: &str,
        result: Result<(CommandOutcome, Option<Timestamp>), CommandProblem>,
        case: Option<CaseId>,
        now: Timestamp,
        out: &mut Out,
    ) {
        let c = case.and_then(|id| state.cases.get(&id));
        let (outcome, problem, previous_deadline) = match result {
            Ok((o, prev)) => (o, None, prev),
            Err(p) => (CommandOutcome::Rejected, Some(p), None),
        };
        let seats = c
            .map(|c| {
                c.seats
                    .iter()
                    .map(|s| SeatStatus {
                        member_name: s.member.display().to_string(),
                        ministry: s.ministry.clone(),
                        answered: s.current_view().is_some(),
                        position: s.current_view().map(|v| v.form.position),
                        by_deputy: s.current_view().is_some_and(|v| v.by == Person::Deputy),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let letter = CommandReplyLetter {
            command: line.chars().take(200).collect(),
            outcome,
            problem,
            case: c.map(|c| self.case_info(c)),
            status: c.map(|c| status_word(c.status).to_string()),
            seats,
            previous_deadline,
        };
        let o = Outgoing {
            message_id: self.msg_id(&format!("loket.cmd.{}", mail.raw_id)),
            template: TemplateName::CommandReply,
            to: vec![from.clone()],
            cc: vec![],
            reply_to: None,
            in_reply_to: mail.message_id.clone(),
            references: mail.message_id.iter().cloned().collect(),
            case: c.map(|c| c.id),
            date: now,
            context: to_context(&letter),
            attachments: vec![],
            attach_raw: None,
            ics: None,
        };
        self.answer(state, o, now, out);
    }
}
