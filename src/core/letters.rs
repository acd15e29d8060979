//! The data each template receives, as typed structs. The core fills them; `render`
//! serialises them into the template context. Field names here are the names templates use.

use serde::Serialize;

use super::model::*;

/// A case as letters show it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CaseInfo {
    /// `2026-014`
    pub id: String,
    pub subject: String,
    /// Ministry code, e.g. `BZK`.
    pub ministry: String,
    pub ministry_name: String,
    pub submitter: Address,
    pub contact: String,
    pub description: String,
    pub question: String,
    pub urgent: bool,
    /// RFC 3339; templates format it with the `datetime` / `date` filters.
    pub received_at: Timestamp,
    pub deadline: Timestamp,
    pub desired_date: Option<String>,
    /// Names of the attachments forwarded with the case.
    pub attachments: Vec<String>,
}

/// The person a personal message goes to.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Recipient {
    pub name: String,
    pub email: String,
    pub person: Person,
    /// Name of the member whose seat this is (the recipient themself, or whom they deputise).
    pub member_name: String,
    pub ministry: String,
}

/// `receipt`: to the submitter.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ReceiptLetter {
    pub case: CaseInfo,
    /// How many seats were asked.
    pub seats: usize,
}

/// A field that is missing or wrong in a submitted form.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FieldProblem {
    /// Field key, e.g. `question`.
    pub field: String,
    /// The label as the blank form writes it, in the body's language.
    pub label: String,
    /// Empty when the field is simply missing; else what is wrong with the value.
    pub problem: String,
}

/// `missing_fields`: to the sender of an incomplete form.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MissingFieldsLetter {
    pub original_subject: String,
    pub problems: Vec<FieldProblem>,
    /// Fields that were read, so the sender sees what loket understood.
    pub found: Vec<FieldValue>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FieldValue {
    pub label: String,
    pub value: String,
}

/// `distribution`: to a member or deputy.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DistributionLetter {
    pub case: CaseInfo,
    pub recipient: Recipient,
}

/// `reminder`: to a member or deputy whose seat has no view yet.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ReminderLetter {
    pub case: CaseInfo,
    pub recipient: Recipient,
}

/// One view in a bundle.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ViewInfo {
    pub member_name: String,
    pub ministry: String,
    pub ministry_name: String,
    /// Who wrote it: the member or the deputy.
    pub by: Person,
    pub by_name: String,
    pub received_at: Timestamp,
    /// `advisable`, `not_advisable`, `under_conditions` or `unstated`; templates show it
    /// with the `position` filter.
    pub position: Position,
    pub arguments: Option<String>,
    pub compensation: Option<String>,
    pub remarks: Option<String>,
    /// The reply as written, used when the view has no form fields.
    pub text: String,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MissingSeat {
    pub member_name: String,
    pub ministry: String,
    pub ministry_name: String,
}

/// Why a bundle went out.
#[derive(Clone, Copy, Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BundleReason {
    /// Every seat answered.
    AllViewsIn,
    /// The deadline passed.
    DeadlinePassed,
    /// The desk asked for it.
    DeskRequest,
}

/// `bundle`: to the submitter (desk in cc).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct BundleLetter {
    pub case: CaseInfo,
    pub reason: BundleReason,
    pub views: Vec<ViewInfo>,
    pub missing: Vec<MissingSeat>,
    /// The common position, when the views agree by the configured rule; `None`: the
    /// positions are given side by side.
    pub common_position: Option<Position>,
    /// This is the draft for the desk's review, not the letter to the submitter.
    pub review: bool,
    /// The desk's own text, which replaces the generated letter.
    pub edited_text: Option<String>,
}

/// `quarantine`: to the desk staff; the original is attached.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct QuarantineLetter {
    pub raw_id: RawId,
    pub from: String,
    pub subject: String,
    pub received_at: Timestamp,
    /// Why the message was put aside, in plain words (English key + the template phrases it).
    pub reason: QuarantineReason,
    pub detail: String,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum QuarantineReason {
    /// The sender is not a ministry, member or desk address.
    UnknownSender,
    /// The mail could not be read, or has no sender.
    Unreadable,
    /// A reply that matched no case.
    Unmatched,
    /// The receiving server could not verify the sender (Authentication-Results).
    Unauthenticated,
}

/// `desk_notice`: to the desk staff about something on a case.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DeskNoticeLetter {
    pub notice: NoticeKind,
    pub case: Option<CaseInfo>,
    pub from: String,
    pub subject: String,
    pub raw_id: RawId,
    /// Extra facts, already in words (member names, addresses, problems).
    pub details: Vec<String>,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A reply on a case from someone who is not the member or deputy it was sent to.
    ReplyNotCounted,
    /// The deputy and the member gave different positions.
    ViewConflict,
    /// A view arrived after the bundle was sent.
    LateView,
    /// A message to a member bounced.
    Bounce,
    /// A mail has a problem a person must look at (attachment too large, no Message-ID...).
    Attention,
    /// A message from the submitter (or another party) about an open case.
    CaseMessage,
    /// A message loket sent could not be delivered (refused, or retried too long).
    DeliveryFailed,
    /// A new case waits for the desk's approval before it is distributed.
    ApprovalNeeded,
    /// Too many automatic answers to one address this hour; this one was held back.
    AnswerHeldBack,
}

/// `extension`: to a member or deputy whose seat has no view yet.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ExtensionLetter {
    pub case: CaseInfo,
    pub recipient: Recipient,
    pub previous_deadline: Timestamp,
}

/// A seat in a status overview.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SeatStatus {
    pub member_name: String,
    pub ministry: String,
    pub answered: bool,
    pub position: Option<Position>,
    pub by_deputy: bool,
}

/// What a desk command did, or why it was not done.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CommandOutcome {
    Approved,
    /// The reviewed bundle went to the submitter.
    Sent,
    /// The desk's text replaced the draft bundle.
    DraftReplaced,
    Extended,
    Bundled,
    Closed,
    Status,
    /// Not done; see `problem`.
    Rejected,
}

/// Why a desk command was not done.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CommandProblem {
    /// The first line is not a command loket knows.
    UnknownCommand,
    /// The command needs a case, and the mail names none (subject tag or reply).
    NoCase,
    /// The case named does not exist.
    NoSuchCase,
    /// `extend` without a date or period loket can read.
    BadDate,
    /// The new deadline is not later than the current one.
    NotLater,
    /// The case is not in a state where this command applies.
    WrongState,
    /// Meetings arrive in a later version.
    NotAvailable,
}

/// `command_reply`: to the staff member who sent a command.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CommandReplyLetter {
    /// The command line as written.
    pub command: String,
    pub outcome: CommandOutcome,
    pub problem: Option<CommandProblem>,
    pub case: Option<CaseInfo>,
    /// The case status after the command (`status`, and after every executed command).
    pub status: Option<String>,
    pub seats: Vec<SeatStatus>,
    pub previous_deadline: Option<Timestamp>,
}

/// One case in a digest.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DigestCase {
    pub case: CaseInfo,
    pub status: String,
    pub views_in: usize,
    pub seats: usize,
    /// Names of members whose view is missing.
    pub missing: Vec<String>,
    pub due_today: bool,
    pub overdue: bool,
}

/// `digest`: to the desk staff.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DigestLetter {
    /// `daily` or `weekly`.
    pub kind: String,
    pub at: Timestamp,
    pub cases: Vec<DigestCase>,
    /// Incomplete submissions waiting for the sender.
    pub pending_forms: usize,
    /// Cases bundled or closed in the last week (weekly summary).
    pub finished_last_week: Vec<CaseInfo>,
}

// ---- Meetings (issue 7) -----------------------------------------------------------------

/// A candidate slot as letters show it, with the poll's counts so far.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SlotInfo {
    /// Numbered from 1, as members answer.
    pub number: u32,
    pub start: Timestamp,
    pub end: Timestamp,
    pub yes: usize,
    pub maybe: usize,
    pub no: usize,
    /// The slot the automatic rule would choose now (most yes, most yes-or-maybe, earliest).
    pub best: bool,
}

/// A meeting as letters show it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MeetingInfo {
    pub uid: String,
    /// `polling`, `invited` or `cancelled`.
    pub state: MeetingState,
    pub slots: Vec<SlotInfo>,
    pub location: Option<String>,
    /// When the meeting takes place, once set.
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    /// The slot chosen from the poll, if the time is one of them.
    pub chosen: Option<u32>,
    pub sequence: u32,
    pub poll_closes_at: Option<Timestamp>,
    /// Agenda items, in order.
    pub agenda: Vec<String>,
    /// Seats that answered the poll, of all seats.
    pub answered: usize,
    pub seats: usize,
}

/// One seat's row in the availability table.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AvailabilityRow {
    pub member_name: String,
    pub ministry: String,
    pub answered: bool,
    pub by_deputy: bool,
    /// Per slot in order: `yes`, `maybe` or `no`; empty when the seat did not answer.
    pub answers: Vec<Availability>,
}

/// One attendee and their answer to the invitation.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RsvpRow {
    pub name: String,
    pub email: String,
    pub kind: AttendeeKind,
    pub required: bool,
    /// iCalendar PARTSTAT, uppercase: `NEEDS-ACTION`, `ACCEPTED`, `DECLINED`, `TENTATIVE`...
    pub partstat: String,
}

/// `meeting_poll`: to a member or deputy: the numbered slots and how to answer.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MeetingPollLetter {
    pub case: CaseInfo,
    pub recipient: Recipient,
    pub meeting: MeetingInfo,
    /// This list replaces an earlier one; earlier answers no longer count.
    pub revised: bool,
}

/// What became of a poll answer.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PollReplyOutcome {
    /// Read and counted; `answers` shows how.
    Recorded,
    /// Not readable; the letter says how to answer.
    Unreadable,
    /// The poll is over (a time was chosen, or the meeting cancelled); kept, not counted.
    Closed,
}

/// A slot with one seat's answer.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SlotAnswerInfo {
    pub number: u32,
    pub start: Timestamp,
    pub end: Timestamp,
    pub answer: Availability,
}

/// `meeting_poll_reply`: to the member or deputy who answered a poll.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MeetingPollReplyLetter {
    pub case: CaseInfo,
    pub recipient: Recipient,
    pub outcome: PollReplyOutcome,
    /// What loket read, per slot (`recorded`).
    pub answers: Vec<SlotAnswerInfo>,
    /// Option numbers in the reply that are no slot.
    pub unknown_numbers: Vec<u32>,
    /// The reply answers an earlier list of slots, since replaced.
    pub earlier_list: bool,
    pub meeting: MeetingInfo,
}

/// `meeting_invite`: to an attendee, with the iCalendar REQUEST.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MeetingInviteLetter {
    pub case: CaseInfo,
    pub recipient_name: String,
    pub recipient_kind: AttendeeKind,
    pub meeting: MeetingInfo,
    /// A change of an invitation sent before (time or place).
    pub update: bool,
    /// The time and place before the change.
    pub previous: Option<Slot>,
    pub previous_location: Option<String>,
    /// Everyone invited (empty when the configuration does not list attendees).
    pub attendees: Vec<RsvpRow>,
}

/// `meeting_cancel`: to an attendee (with the iCalendar CANCEL), or to a polled member.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MeetingCancelLetter {
    pub case: CaseInfo,
    pub recipient_name: String,
    pub meeting: MeetingInfo,
    /// Only the poll is withdrawn: no invitation had gone out.
    pub poll_only: bool,
}

/// What a `meeting_status` letter to the desk is about.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MeetingEvent {
    /// The poll went out (answer to `overleg` with slots).
    Proposed,
    /// The availability so far (answer to `overleg` without slots).
    Status,
    /// A slot was chosen and the invitations went out.
    Chosen,
    /// The time or place changed; updated invitations went out.
    Rescheduled,
    /// The meeting (or the poll) was cancelled.
    Cancelled,
    /// Every seat answered the poll; the desk chooses.
    PollComplete,
    /// The poll closed; the desk chooses.
    PollClosed,
    /// The automatic choice found no slot (nobody answered, or every slot has passed).
    NoSlot,
    /// A meeting command that was not carried out; see `problem`.
    Rejected,
    /// An attendee answered the invitation.
    Rsvp,
    /// An attendee proposed another time (iTIP COUNTER).
    Counter,
    /// Another calendar message (REFRESH, DECLINECOUNTER, unreadable).
    CalendarMessage,
    /// A calendar reply for a meeting loket does not know.
    UnknownMeeting,
    /// A calendar reply from someone who is not invited.
    NotAttendee,
    /// An answer to an earlier version of the invitation.
    StaleReply,
    /// A poll answer after the poll was over.
    LateAnswer,
    /// A written reply to a poll or invitation that is not a poll answer.
    MeetingMessage,
}

/// Why a meeting command was not carried out.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MeetingProblem {
    /// `overleg` (or `verplaatsen`) without a slot loket can read.
    NoSlots,
    /// Some slot lines could not be read; `details` lists them.
    BadSlots,
    /// A slot lies in the past.
    SlotInPast,
    /// There is no meeting on this case (or it was cancelled).
    NoMeeting,
    /// `kies N` with a number that is not a slot.
    NoSuchSlot,
    /// A time is set already: move it (`verplaatsen`) or cancel it (`annuleren`) first.
    AlreadyPlanned,
    /// The command needs a case, and the mail names none.
    NoCase,
    /// The case named does not exist.
    NoSuchCase,
}

/// `meeting_status`: to the desk staff.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MeetingStatusLetter {
    pub event: MeetingEvent,
    /// The command line as written, when this answers a command.
    pub command: Option<String>,
    pub problem: Option<MeetingProblem>,
    /// Extra facts in words (unreadable lines, who answered, the reply's text...).
    pub details: Vec<String>,
    pub case: Option<CaseInfo>,
    pub meeting: Option<MeetingInfo>,
    pub availability: Vec<AvailabilityRow>,
    pub rsvps: Vec<RsvpRow>,
    /// The mail this is about (empty for commands and the clock).
    pub from: String,
    pub subject: String,
    pub raw_id: RawId,
    /// The time an attendee proposed (COUNTER).
    pub proposed: Option<Slot>,
}
