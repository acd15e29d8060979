//! Data the workflow works on: cases, views, inbound mail as the core sees it, outgoing
//! messages as the core asks for them, journal events. Plain values, serialisable, no I/O.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An instant. The core never reads a clock: every `now` comes from the caller.
pub type Timestamp = DateTime<Utc>;

/// Key of a raw message in the store.
pub type RawId = u64;

/// A mail address with an optional display name. `email` is kept as written but compared
/// case-insensitively.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub email: String,
}

impl Address {
    pub fn new(name: impl Into<String>, email: impl Into<String>) -> Self {
        let name = name.into();
        Address {
            name: if name.is_empty() { None } else { Some(name) },
            email: email.into(),
        }
    }

    pub fn bare(email: impl Into<String>) -> Self {
        Address {
            name: None,
            email: email.into(),
        }
    }

    pub fn is(&self, email: &str) -> bool {
        self.email.eq_ignore_ascii_case(email)
    }

    pub fn domain(&self) -> &str {
        self.email.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }

    /// Display name, or the address when there is none.
    pub fn display(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.email)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) => write!(f, "{n} <{}>", self.email),
            None => write!(f, "{}", self.email),
        }
    }
}

/// A case id such as `2026-014`: year of intake and a sequence number within that year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct CaseId {
    pub year: i32,
    pub seq: u32,
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:03}", self.year, self.seq)
    }
}

impl FromStr for CaseId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a case id; case ids look like 2026-014");
        let (y, n) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || n.is_empty() || n.len() > 6 {
            return Err(bad());
        }
        Ok(CaseId {
            year: y.parse().map_err(|_| bad())?,
            seq: n.parse().map_err(|_| bad())?,
        })
    }
}

impl From<CaseId> for String {
    fn from(c: CaseId) -> String {
        c.to_string()
    }
}

impl TryFrom<String> for CaseId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

/// Which person of a seat: the member or the member's deputy. One seat per member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Person {
    Member,
    Deputy,
}

impl Person {
    pub fn letter(self) -> char {
        match self {
            Person::Member => 'm',
            Person::Deputy => 'd',
        }
    }
    pub fn from_letter(c: &str) -> Option<Person> {
        match c {
            "m" => Some(Person::Member),
            "d" => Some(Person::Deputy),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Inbound mail, as the mail module hands it to the core.

/// What kind of mail this is. Only `Message` can ever become a case or a view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MailKind {
    Message,
    AutoReply { reason: String },
    Bounce { recipients: Vec<String> },
    ReadReceipt,
    CalendarReply,
}

/// A field of the case form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseField {
    Ministry,
    Contact,
    Subject,
    Description,
    Question,
    Urgency,
    DesiredDate,
    Attachments,
}

impl CaseField {
    pub const ALL: [CaseField; 8] = [
        CaseField::Ministry,
        CaseField::Contact,
        CaseField::Subject,
        CaseField::Description,
        CaseField::Question,
        CaseField::Urgency,
        CaseField::DesiredDate,
        CaseField::Attachments,
    ];
    /// Fields without which a case cannot be created.
    pub const REQUIRED: [CaseField; 4] = [
        CaseField::Ministry,
        CaseField::Subject,
        CaseField::Description,
        CaseField::Question,
    ];
    pub fn key(self) -> &'static str {
        match self {
            CaseField::Ministry => "ministry",
            CaseField::Contact => "contact",
            CaseField::Subject => "subject",
            CaseField::Description => "description",
            CaseField::Question => "question",
            CaseField::Urgency => "urgency",
            CaseField::DesiredDate => "desired_date",
            CaseField::Attachments => "attachments",
        }
    }
}

/// The case-form fields found in a mail, as text. Interpretation (which ministry, urgent or
/// not, which date) is the core's job, so that every problem can be answered in one reply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseForm {
    pub fields: BTreeMap<CaseField, String>,
}

impl CaseForm {
    pub fn get(&self, f: CaseField) -> Option<&str> {
        self.fields
            .get(&f)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }
    pub fn is_empty(&self) -> bool {
        self.fields.values().all(|v| v.trim().is_empty())
    }
    /// Fields of `newer` that are filled in replace ours.
    pub fn merge(&mut self, newer: &CaseForm) {
        for (k, v) in &newer.fields {
            if !v.trim().is_empty() {
                self.fields.insert(*k, v.clone());
            }
        }
    }
}

/// A member's position on a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Advisable,
    NotAdvisable,
    UnderConditions,
    #[default]
    Unstated,
}

/// The view fields found in a member's reply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewForm {
    pub position: Position,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
}

impl ViewForm {
    pub fn is_empty(&self) -> bool {
        self.position == Position::Unstated
            && self.arguments.is_none()
            && self.compensation.is_none()
            && self.remarks.is_none()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    /// Index among the message's attachments (as mail-parser numbers them).
    pub index: usize,
    pub name: String,
    pub content_type: String,
    pub size: u64,
}

/// Something wrong with an inbound mail that a person may need to act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum MailProblem {
    /// The bytes are not a mail loket can read.
    Unparseable,
    NoFrom,
    NoMessageId,
    /// A text part was not valid in its declared charset; it was read with replacements.
    BadCharset {
        part: String,
    },
    AttachmentTooLarge {
        name: String,
        size: u64,
        limit: u64,
    },
}

/// An inbound mail, parsed and classified. Built by `crate::mail`, consumed by the core.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InboundMail {
    pub raw_id: RawId,
    /// Message-ID without angle brackets.
    pub message_id: Option<String>,
    pub from: Option<Address>,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    pub subject: String,
    pub date: Option<Timestamp>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub kind: MailKind,
    /// The mail carries loket's own loop header: it came from a loket.
    pub from_loket: bool,
    /// The new text of the mail (quotes and signature cut).
    pub reply_text: String,
    /// What was cut from the text (quotes, signature); kept for the desk.
    pub quoted_text: String,
    pub case_form: CaseForm,
    pub view_form: ViewForm,
    pub attachments: Vec<AttachmentInfo>,
    pub problems: Vec<MailProblem>,
    /// The calendar part of an iTIP message (invitation, reply, cancellation), if any.
    #[serde(default)]
    pub itip: Option<Itip>,
    /// The language of the new text (`nl`, `en`, `de`, `fr`), when it can be told.
    #[serde(default)]
    pub language: Option<String>,
    /// Notes on how the mail was read that need no action (a charset that was mislabelled,
    /// a winmail.dat that was unpacked, text cut for length).
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// What an iTIP calendar part says (RFC 5546).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Itip {
    /// `REQUEST`, `REPLY`, `CANCEL`, … (uppercase).
    pub method: Option<String>,
    pub uid: Option<String>,
    #[serde(default)]
    pub attendees: Vec<ItipAttendee>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u32>,
    /// The event's STATUS (uppercase), e.g. `CONFIRMED`, `CANCELLED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prodid: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItipAttendee {
    pub email: String,
    /// `ACCEPTED`, `DECLINED`, `TENTATIVE`, `NEEDS-ACTION`, … (uppercase).
    pub partstat: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl InboundMail {
    /// All message ids this mail refers to, In-Reply-To first.
    pub fn thread_ids(&self) -> impl Iterator<Item = &str> {
        self.in_reply_to
            .iter()
            .chain(self.references.iter())
            .map(String::as_str)
    }
}

// ---------------------------------------------------------------------------------------
// Cases.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Waiting for the desk's approval before it is distributed (policy `approval`).
    AwaitingApproval,
    /// Distributed; views being collected.
    Open,
    /// The draft bundle is with the desk for review (policy `bundling.review`).
    InReview,
    /// The bundle went to the submitter.
    Bundled,
    Closed,
}

/// Whether a recorded view counts for its seat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewStatus {
    /// The view that counts for the seat.
    Current,
    /// Replaced by a later reply from the same person.
    Superseded,
    /// A second person of the seat disagreed with the view that counts; the desk was told.
    Conflicting,
    /// Agrees with the view that counts, from the other person of the seat.
    Concurring,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub by: Person,
    pub from: Address,
    pub received_at: Timestamp,
    pub raw_id: RawId,
    pub message_id: Option<String>,
    pub form: ViewForm,
    /// The reply text as written (quotes cut).
    pub text: String,
    pub status: ViewStatus,
    /// Arrived after the bundle was sent.
    #[serde(default)]
    pub late: bool,
}

/// One member's place on a case: the member and, optionally, the deputy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seat {
    pub member_id: String,
    pub ministry: String,
    pub member: Address,
    pub deputy: Option<Address>,
    /// Who got the distribution message.
    pub addressed: Vec<Person>,
    pub views: Vec<View>,
    /// Reminders sent to this seat.
    pub reminders: Vec<Timestamp>,
}

impl Seat {
    pub fn current_view(&self) -> Option<&View> {
        self.views.iter().find(|v| v.status == ViewStatus::Current)
    }
    pub fn person_address(&self, p: Person) -> Option<&Address> {
        match p {
            Person::Member => Some(&self.member),
            Person::Deputy => self.deputy.as_ref(),
        }
    }
    /// Which person of this seat has this address.
    pub fn person_of(&self, email: &str) -> Option<Person> {
        if self.member.is(email) {
            Some(Person::Member)
        } else if self.deputy.as_ref().is_some_and(|d| d.is(email)) {
            Some(Person::Deputy)
        } else {
            None
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub status: CaseStatus,
    pub received_at: Timestamp,
    pub submitter: Address,
    /// Code of the submitting ministry.
    pub ministry: String,
    pub form: CaseForm,
    pub urgent: bool,
    pub deadline: Timestamp,
    /// When reminders to seats without a view are due, earliest first.
    #[serde(default)]
    pub reminders_at: Vec<Timestamp>,
    /// Raw messages that formed the case (the submission and any resubmission).
    pub source: Vec<RawId>,
    /// Message-IDs of the submission thread, oldest first; replies to the submitter refer to
    /// them.
    pub thread: Vec<String>,
    /// Attachments of the submission, forwarded to the members.
    pub attachments: Vec<CaseAttachment>,
    pub seats: Vec<Seat>,
    pub bundled_at: Option<Timestamp>,
    /// The draft bundle the desk is reviewing.
    #[serde(default)]
    pub draft: Option<Draft>,
    /// The deliberation meeting about the case, if one was proposed (issue 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<Meeting>,
}

/// A bundle waiting for the desk's review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub reason: super::letters::BundleReason,
    /// Message-ID of the draft sent to the desk; an edited text answers it.
    pub message_id: String,
    pub drafted_at: Timestamp,
    /// Text from the desk that replaces the generated letter.
    pub edited_text: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseAttachment {
    pub raw_id: RawId,
    pub index: usize,
    pub name: String,
    pub content_type: String,
    pub size: u64,
}

impl Case {
    pub fn seat(&self, member_id: &str) -> Option<&Seat> {
        self.seats.iter().find(|s| s.member_id == member_id)
    }
    pub fn seat_mut(&mut self, member_id: &str) -> Option<&mut Seat> {
        self.seats.iter_mut().find(|s| s.member_id == member_id)
    }
    pub fn subject(&self) -> &str {
        self.form.get(CaseField::Subject).unwrap_or("")
    }
    pub fn missing_seats(&self) -> impl Iterator<Item = &Seat> {
        self.seats.iter().filter(|s| s.current_view().is_none())
    }
    pub fn all_views_in(&self) -> bool {
        self.seats.iter().all(|s| s.current_view().is_some())
    }
}

/// A submission that was not complete; kept until a resubmission in the same thread
/// completes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSubmission {
    /// Raw id of the first message; the key of the pending submission.
    pub id: RawId,
    pub sender: Address,
    pub received_at: Timestamp,
    pub form: CaseForm,
    pub source: Vec<RawId>,
    pub attachments: Vec<CaseAttachment>,
    /// Message-IDs of the thread so far, including loket's own replies.
    pub thread: Vec<String>,
}

// ---------------------------------------------------------------------------------------
// Outgoing.

/// Which template renders a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateName {
    /// To the submitter: case received, id and deadline.
    Receipt,
    /// To the sender of an incomplete form: what is missing, with a blank form.
    MissingFields,
    /// To a member or deputy: the case and the view form.
    Distribution,
    /// To a member or deputy without a view: the deadline is near.
    Reminder,
    /// To the submitter: all views, and who did not answer.
    Bundle,
    /// To the desk: a message was put aside and needs a person.
    Quarantine,
    /// To the desk: something happened on a case that a person should know.
    DeskNotice,
    /// The blank case form (used inside other messages and on request).
    CaseForm,
    /// To a member or deputy without a view: the deadline moved.
    Extension,
    /// To desk staff: the result of a desk command sent by mail.
    CommandReply,
    /// To desk staff: the daily digest or weekly summary.
    Digest,
    /// To a member or deputy: candidate times for a meeting, numbered, to answer.
    MeetingPoll,
    /// To a member or deputy who answered a poll: what loket read, or how to answer.
    MeetingPollReply,
    /// To every attendee: the invitation (iTIP REQUEST), first or updated.
    MeetingInvite,
    /// To every attendee: the meeting is cancelled (iTIP CANCEL), or the poll withdrawn.
    MeetingCancel,
    /// To desk staff: the availability table, a meeting command's result, RSVPs.
    MeetingStatus,
}

impl TemplateName {
    pub fn file_stem(self) -> &'static str {
        match self {
            TemplateName::Receipt => "receipt",
            TemplateName::MissingFields => "missing_fields",
            TemplateName::Distribution => "distribution",
            TemplateName::Reminder => "reminder",
            TemplateName::Bundle => "bundle",
            TemplateName::Quarantine => "quarantine",
            TemplateName::DeskNotice => "desk_notice",
            TemplateName::CaseForm => "case_form",
            TemplateName::Extension => "extension",
            TemplateName::CommandReply => "command_reply",
            TemplateName::Digest => "digest",
            TemplateName::MeetingPoll => "meeting_poll",
            TemplateName::MeetingPollReply => "meeting_poll_reply",
            TemplateName::MeetingInvite => "meeting_invite",
            TemplateName::MeetingCancel => "meeting_cancel",
            TemplateName::MeetingStatus => "meeting_status",
        }
    }
}

/// An attachment to copy from a stored raw message into an outgoing one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRef {
    pub raw_id: RawId,
    pub index: usize,
    pub name: String,
    pub content_type: String,
}

/// A message the core wants sent. Rendering (template → RFC 5322 bytes) happens at the
/// edge; everything that decides *what* is sent to *whom* is here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outgoing {
    /// Message-ID without angle brackets; stable: derived from case, seat and purpose.
    pub message_id: String,
    pub template: TemplateName,
    pub to: Vec<Address>,
    #[serde(default)]
    pub cc: Vec<Address>,
    /// Personal reply address, when plus-addressing is on.
    pub reply_to: Option<Address>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub case: Option<CaseId>,
    pub date: Timestamp,
    /// Data for the template.
    pub context: serde_json::Value,
    pub attachments: Vec<AttachmentRef>,
    /// Also attach the original raw message (quarantine notices).
    pub attach_raw: Option<RawId>,
    /// A calendar part (iTIP): the message is then sent as an invitation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ics: Option<IcsPart>,
}

/// The iCalendar object of an invitation or cancellation, ready to send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IcsPart {
    /// The iTIP method, uppercase: `REQUEST` or `CANCEL`.
    pub method: String,
    /// The VCALENDAR text, CRLF line endings.
    pub content: String,
}

// ---------------------------------------------------------------------------------------
// Journal.

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<CaseId>,
    #[serde(flatten)]
    pub event: JournalEvent,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum JournalEvent {
    CaseCreated {
        raw_id: RawId,
        submitter: String,
        ministry: String,
        urgent: bool,
        deadline: Timestamp,
    },
    FormIncomplete {
        raw_id: RawId,
        from: String,
        missing: Vec<String>,
    },
    Distributed {
        to: Vec<String>,
    },
    ViewRecorded {
        raw_id: RawId,
        member: String,
        by: Person,
        position: Position,
        status: ViewStatus,
    },
    ViewSuperseded {
        member: String,
        by: Person,
    },
    ReplyNotCounted {
        raw_id: RawId,
        from: String,
        reason: String,
    },
    Quarantined {
        raw_id: RawId,
        from: String,
        reason: String,
    },
    Ignored {
        raw_id: RawId,
        from: String,
        reason: String,
    },
    BounceReported {
        raw_id: RawId,
        recipients: Vec<String>,
    },
    ReminderSent {
        members: Vec<String>,
    },
    Bundled {
        missing: Vec<String>,
        reason: String,
    },
    Closed,
    AttentionNeeded {
        raw_id: RawId,
        problems: Vec<String>,
    },
    DeliveryFailed {
        message_id: String,
        recipients: Vec<String>,
        reason: String,
        permanent: bool,
    },
    AwaitingApproval,
    Approved {
        by: String,
    },
    DeadlineExtended {
        from: Timestamp,
        to: Timestamp,
        by: String,
    },
    CommandExecuted {
        command: String,
        by: String,
    },
    CommandRejected {
        raw_id: RawId,
        by: String,
        problem: String,
    },
    AnswerHeldBack {
        to: String,
        template: TemplateName,
    },
    DigestSent {
        kind: String,
    },
    BundleDrafted,
    DraftEdited {
        by: String,
    },
    /// Candidate slots went to the members (a new poll, or a new list for the same meeting).
    MeetingProposed {
        uid: String,
        round: u32,
        slots: Vec<Slot>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        location: Option<String>,
        by: String,
    },
    /// A seat's availability, as read from a reply.
    PollAnswered {
        raw_id: RawId,
        member: String,
        by: Person,
        answers: Vec<Availability>,
        /// Arrived after the poll was closed; kept but not counted.
        #[serde(default)]
        late: bool,
    },
    /// A reply to a poll that loket could not read; the sender was told how to answer.
    PollAnswerUnreadable {
        raw_id: RawId,
        from: String,
    },
    /// The meeting time was set (chosen from the poll, or moved) and invitations sent.
    MeetingScheduled {
        uid: String,
        start: Timestamp,
        end: Timestamp,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        location: Option<String>,
        sequence: u32,
        /// The slot number chosen from the poll, if it was one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        slot: Option<u32>,
        by: String,
    },
    MeetingCancelled {
        uid: String,
        sequence: u32,
        by: String,
    },
    /// An attendee's answer to the invitation (iTIP REPLY, or an Outlook response mail).
    RsvpRecorded {
        raw_id: RawId,
        attendee: String,
        partstat: String,
    },
    /// A calendar message loket did not record (unknown meeting, not an attendee, a
    /// counter-proposal, an outdated reply); the desk was told.
    CalendarMessageForDesk {
        raw_id: RawId,
        from: String,
        method: String,
        reason: String,
    },
}

// ---------------------------------------------------------------------------------------
// Meetings (issue 7).

/// A period of time: a candidate slot, or the meeting's time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Slot {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// Where a meeting stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingState {
    /// The members were asked which slots they can make.
    Polling,
    /// A time is set and the invitations went out.
    Invited,
    Cancelled,
}

/// A seat's answer for one slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    Yes,
    Maybe,
    No,
}

/// One seat's poll answer: the latest reply from the member or the deputy counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollAnswer {
    pub by: Person,
    pub from: String,
    pub at: Timestamp,
    pub raw_id: RawId,
    /// One entry per slot, in slot order; slots the reply did not mention are `No`.
    pub answers: Vec<Availability>,
}

/// What an attendee is to the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttendeeKind {
    Member,
    Deputy,
    Submitter,
    Guest,
}

/// Someone invited to the meeting, with their answer (iCalendar PARTSTAT).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingAttendee {
    pub address: Address,
    pub kind: AttendeeKind,
    /// The seat (member id) for members and deputies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_id: Option<String>,
    /// REQ-PARTICIPANT (true) or OPT-PARTICIPANT (false).
    pub required: bool,
    /// `NEEDS-ACTION`, `ACCEPTED`, `DECLINED`, `TENTATIVE`, `DELEGATED`.
    pub partstat: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replied_at: Option<Timestamp>,
}

/// A deliberation meeting about a case: the poll, the chosen time, the invitations and
/// the answers. All of it is decided by the core (`core::meeting`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// Counts the meetings of this case from 1; a meeting after a cancelled one is new.
    pub number: u32,
    /// iCalendar UID, stable for this meeting: derived from case, number and desk domain.
    pub uid: String,
    pub state: MeetingState,
    /// The candidate slots of the current poll, numbered from 1 in this order.
    pub slots: Vec<Slot>,
    /// Counts the lists of slots sent for this meeting (a new list restarts the answers).
    pub poll_round: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Agenda items; empty: the standard agenda.
    #[serde(default)]
    pub agenda: Vec<String>,
    pub proposed_at: Timestamp,
    pub proposed_by: String,
    /// When the poll closes (`None` once handled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_closes_at: Option<Timestamp>,
    /// Poll answers per seat (member id).
    #[serde(default)]
    pub answers: BTreeMap<String, PollAnswer>,
    /// The desk was told that every seat answered.
    #[serde(default)]
    pub complete_told: bool,
    /// The slot number chosen from the poll.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<u32>,
    /// When the meeting takes place, once set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Slot>,
    /// iCalendar SEQUENCE of the last invitation or cancellation sent.
    #[serde(default)]
    pub sequence: u32,
    #[serde(default)]
    pub attendees: Vec<MeetingAttendee>,
}
