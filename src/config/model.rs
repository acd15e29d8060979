//! The validated configuration: what the rest of loket reads.
//!
//! Produced only by [`crate::config::load`]; every value here has been checked, so code
//! that holds a `Config` never re-validates it.

use std::path::PathBuf;

use chrono::NaiveTime;
use chrono_tz::Tz;
use serde::Serialize;

use crate::core::model::Address;

/// Language of templates and parsed labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Nl,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    /// The file this config was read from (for messages).
    pub source: PathBuf,
    pub body: BodyConfig,
    pub desk: DeskConfig,
    pub ministries: Vec<Ministry>,
    pub members: Vec<Member>,
    pub periods: Periods,
    pub distribution: Distribution,
    pub intake: Intake,
    pub store: StoreConfig,
    pub mailbox: MailboxConfig,
    pub transport: TransportConfig,
    pub secrets: Secrets,
    /// Directory with `nl/` and `en/` template overrides; `None` uses the built-in templates.
    pub templates_dir: Option<PathBuf>,
    pub calendar: CalendarConfig,
    pub policy: Policy,
    pub jobs: Jobs,
    pub bundling: Bundling,
    pub meeting: MeetingConfig,
    pub retention: Retention,
}

#[derive(Clone, Debug)]
pub struct BodyConfig {
    /// Full name of the advisory body, used in letters.
    pub name: String,
    /// Short tag used in subject lines: `[OTT 2026-014]`.
    pub tag: String,
    pub language: Lang,
}

#[derive(Clone, Debug)]
pub struct DeskConfig {
    /// The desk mailbox address (From of everything loket sends).
    pub address: Address,
    /// People who staff the desk; they receive notices and may steer cases.
    pub staff: Vec<Address>,
    /// Give each member a personal reply address `desk+<token>@domain`
    /// (only for servers that support plus-addressing).
    pub plus_addressing: bool,
}

#[derive(Clone, Debug)]
pub struct Ministry {
    /// Short code such as `VenJ`, `BZK`; unique.
    pub code: String,
    pub name: String,
    /// Mail domains (lowercase) whose senders may submit cases for this ministry.
    pub domains: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Member {
    /// Stable id used in tokens and the store (lowercase, `[a-z0-9-]`).
    pub id: String,
    pub name: String,
    pub email: String,
    /// Code of a ministry in `ministries`.
    pub ministry: String,
    pub deputy: Option<Deputy>,
}

#[derive(Clone, Debug)]
pub struct Deputy {
    pub name: String,
    pub email: String,
}

/// A response period: working days (the body's unit) or a plain span of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    WorkingDays(u32),
    Span(chrono::Duration),
}

/// A reminder to seats without a view: `working_days_before` the deadline's day, at `at`
/// local time (0 = on the deadline day).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReminderRule {
    pub working_days_before: u32,
    pub at: NaiveTime,
}

#[derive(Clone, Debug)]
pub struct Periods {
    /// Response period for a normal case.
    pub normal: Period,
    /// Response period for an urgent case.
    pub urgent: Period,
    /// Reminders before the deadline, to seats without a view.
    pub reminders: Vec<ReminderRule>,
    /// Local time of day at which a deadline falls.
    pub deadline_time: NaiveTime,
    pub timezone: Tz,
    /// Automatic mail to members (reminders, digests) only goes out between these times.
    pub office_hours: (NaiveTime, NaiveTime),
}

/// Whether 5 May (Bevrijdingsdag) is a day off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LiberationDay {
    /// Every year, as the Algemene termijnenwet has it.
    #[default]
    EveryYear,
    /// Only in lustrum years (2025, 2030, ...), as many collective agreements have it.
    EveryFifthYear,
    Never,
}

/// A day the desk is closed besides weekends and holidays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosedDay {
    pub date: chrono::NaiveDate,
    pub name: String,
}

/// Which days count as working days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarConfig {
    /// Goede Vrijdag is a day off (Atw art. 3(2) equates it with a holiday).
    pub good_friday: bool,
    pub liberation_day: LiberationDay,
    pub closed: Vec<ClosedDay>,
}

impl Default for CalendarConfig {
    fn default() -> Self {
        CalendarConfig {
            good_friday: true,
            liberation_day: LiberationDay::EveryYear,
            closed: Vec::new(),
        }
    }
}

/// Who may do what, and how loket protects itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// A new case waits for the desk's `approve` before it is distributed.
    pub approval_required: bool,
    /// At most this many automatic answers per address per hour; more are held back and
    /// the desk is told.
    pub max_answers_per_hour: u32,
    /// When set: trust a sender only if the receiving server's Authentication-Results
    /// header with this authserv-id shows DMARC pass (or aligned DKIM/SPF pass).
    pub authserv_id: Option<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            approval_required: false,
            max_answers_per_hour: 5,
            authserv_id: None,
        }
    }
}

/// When the views count as one common position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgreementRule {
    /// Every member who answered with a position gives the same one.
    Unanimous,
    /// At least this percentage of the answers with a position agree, and nobody takes
    /// the opposite position.
    Share(u32),
}

/// How views are bundled into one answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundling {
    pub rule: AgreementRule,
    /// "Advisable" and "advisable under conditions" count as agreeing (the common position
    /// is then "under conditions").
    pub conditions_agree: bool,
    /// The desk gets the draft bundle first and sends it with `verzenden`/`send`.
    pub review: bool,
}

impl Default for Bundling {
    fn default() -> Self {
        Bundling {
            rule: AgreementRule::Unanimous,
            conditions_agree: true,
            review: false,
        }
    }
}

/// How long finished cases are kept (`[retention]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Retention {
    /// `loket purge` may remove finished cases whose last activity is at least this old;
    /// `None`: purging is off.
    pub purge_after: Option<Age>,
}

/// A calendar age: a number of years, months or days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Age {
    Years(u32),
    Months(u32),
    Days(u32),
}

impl Age {
    /// The day `self` before `day`.
    pub fn before(self, day: chrono::NaiveDate) -> chrono::NaiveDate {
        match self {
            Age::Years(n) => day
                .checked_sub_months(chrono::Months::new(n.saturating_mul(12)))
                .unwrap_or(chrono::NaiveDate::MIN),
            Age::Months(n) => day
                .checked_sub_months(chrono::Months::new(n))
                .unwrap_or(chrono::NaiveDate::MIN),
            Age::Days(n) => day
                .checked_sub_days(chrono::Days::new(u64::from(n)))
                .unwrap_or(chrono::NaiveDate::MIN),
        }
    }
}

impl std::fmt::Display for Age {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Age::Years(n) => write!(f, "{n} year(s)"),
            Age::Months(n) => write!(f, "{n} month(s)"),
            Age::Days(n) => write!(f, "{n} day(s)"),
        }
    }
}

/// Periodic jobs (cron expressions with a seconds field, in the body's time zone).
#[derive(Clone, Debug, Default)]
pub struct Jobs {
    /// Daily digest to the desk: open cases, deadlines today, views missing.
    pub daily_digest: Option<String>,
    /// Weekly summary to the desk.
    pub weekly_summary: Option<String>,
}

/// Deliberation meetings: the slot poll and the invitations (`[meeting]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingConfig {
    /// Choose the slot without the desk when every seat has answered or the poll closes:
    /// most yes, then most yes-or-maybe, then the earliest.
    pub auto_choose: bool,
    /// Every invitation lists all attendees; otherwise each shows only its own recipient.
    pub list_attendees: bool,
    /// Length of a slot written with a start time only.
    pub default_duration: chrono::Duration,
    /// Also invited to every meeting (e.g. policy colleagues, the chair's secretary).
    pub guests: Vec<Address>,
    /// Place of the meeting when the desk names none.
    pub location: Option<String>,
    /// The poll closes this many working days after it went out (at the deadline time),
    /// or at the first slot if that is earlier.
    pub poll_working_days: u32,
}

impl Default for MeetingConfig {
    fn default() -> Self {
        MeetingConfig {
            auto_choose: false,
            list_attendees: true,
            default_duration: chrono::Duration::hours(2),
            guests: Vec::new(),
            location: None,
            poll_working_days: 3,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Distribution {
    /// Also send each case to the members' deputies (each gets a personal message).
    pub to_deputies: bool,
}

#[derive(Clone, Debug)]
pub struct Intake {
    /// Extra addresses (lowercase) that may submit cases besides the ministries' domains,
    /// the members and the desk staff.
    pub allowed_senders: Vec<String>,
    /// Attachments larger than this are kept in the store but not forwarded; the desk is told.
    pub max_attachment_bytes: u64,
}

#[derive(Clone, Debug)]
pub struct StoreConfig {
    pub path: PathBuf,
    /// sled page cache in bytes.
    pub cache_bytes: u64,
}

#[derive(Clone, Debug)]
pub enum MailboxConfig {
    /// A local Maildir (`new/`, `cur/`, `tmp/`); handled mail moves to `cur/` with flag S.
    Maildir {
        path: PathBuf,
        poll_interval: std::time::Duration,
    },
    /// The desk mailbox on an IMAP server, watched with IDLE.
    Imap(ImapConfig),
}

/// How a connection to a mail server is encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// TLS from the first byte (IMAP 993, SMTP 465).
    Implicit,
    /// Plain connection upgraded with STARTTLS (IMAP 143, SMTP 587); refused if the server
    /// does not offer it.
    Starttls,
    /// No encryption at all (SMTP only, and only to a loopback address).
    None,
}

/// An IMAP desk mailbox. Durations are checked to be positive.
#[derive(Clone, Debug)]
pub struct ImapConfig {
    pub host: String,
    pub port: u16,
    /// `Implicit` or `Starttls` (never `None` for IMAP).
    pub tls: TlsMode,
    pub user: String,
    pub password: SecretSource,
    /// The folder loket reads (default `INBOX`).
    pub folder: String,
    /// Where handled mail is moved (default `loket/verwerkt`; `/` separates levels and is
    /// translated to the server's separator). Created when missing.
    pub processed_folder: String,
    /// Extra CA certificate(s), PEM, trusted besides the built-in web roots.
    pub ca_file: Option<PathBuf>,
    /// Limit for every IMAP command (and for connecting).
    pub timeout: std::time::Duration,
    /// IDLE is ended and issued again after this long (servers drop it after 30 min).
    pub idle_renew: std::time::Duration,
    /// Reconnect delays: doubling from `backoff_min` up to `backoff_max`.
    pub backoff_min: std::time::Duration,
    pub backoff_max: std::time::Duration,
    /// A pass also runs this often without push (a safety net; IDLE does the real work).
    pub poll_interval: std::time::Duration,
}

#[derive(Clone, Debug)]
pub enum TransportConfig {
    /// A directory that receives one `.eml` file per outgoing message.
    EmlDir { path: PathBuf },
    /// SMTP submission.
    Smtp(SmtpConfig),
}

/// SMTP submission. Durations are checked to be positive.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// Login; `None` sends without AUTH.
    pub user: Option<String>,
    pub password: Option<SecretSource>,
    pub ca_file: Option<PathBuf>,
    /// Limit for connecting and for every SMTP command.
    pub timeout: std::time::Duration,
    /// The outbox retry policy.
    pub retry: RetryPolicy,
}

/// How the outbox retries a message a transport could not take now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Give up this long after the message was committed (`None`: never).
    pub retry_for: Option<std::time::Duration>,
    /// First delay; doubles per attempt, with jitter, up to `max_delay`.
    pub first_delay: std::time::Duration,
    pub max_delay: std::time::Duration,
}

impl TransportConfig {
    /// The outbox retry policy for this transport. The `.eml` directory never gives up
    /// (a full disk is fixed by a person) and retries within a minute.
    pub fn retry(&self) -> RetryPolicy {
        match self {
            TransportConfig::EmlDir { .. } => RetryPolicy {
                retry_for: None,
                first_delay: std::time::Duration::from_secs(1),
                max_delay: std::time::Duration::from_secs(60),
            },
            TransportConfig::Smtp(s) => s.retry,
        }
    }
}

/// Where a secret comes from. The TOML never holds the secret itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretSource {
    /// Read from this environment variable.
    Env(String),
    /// Read from this file; for the reply-token key loket creates it on first run.
    File(PathBuf),
}

#[derive(Clone, Debug)]
pub struct Secrets {
    /// Key for the reply tokens (HMAC).
    pub token_key: SecretSource,
}

impl Config {
    pub fn ministry(&self, code: &str) -> Option<&Ministry> {
        self.ministries
            .iter()
            .find(|m| m.code.eq_ignore_ascii_case(code))
    }

    pub fn member(&self, id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }

    /// The ministry whose mail domain matches this address, if any.
    pub fn ministry_of_address(&self, email: &str) -> Option<&Ministry> {
        let domain = email.rsplit_once('@')?.1.to_ascii_lowercase();
        self.ministries.iter().find(|m| m.domains.contains(&domain))
    }

    pub fn is_staff(&self, email: &str) -> bool {
        self.desk
            .staff
            .iter()
            .any(|s| s.email.eq_ignore_ascii_case(email))
    }
}

impl Config {
    /// How often the mailbox is looked at.
    pub fn mailbox_poll_interval(&self) -> std::time::Duration {
        match &self.mailbox {
            MailboxConfig::Maildir { poll_interval, .. } => *poll_interval,
            MailboxConfig::Imap(i) => i.poll_interval,
        }
    }
}
