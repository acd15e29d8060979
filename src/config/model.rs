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

#[derive(Clone, Debug)]
pub struct Periods {
    /// Response period for a normal case.
    pub normal: chrono::Duration,
    /// Response period for an urgent case.
    pub urgent: chrono::Duration,
    /// Send a reminder this long before the deadline to seats without a view; `None`: never.
    pub remind_before: Option<chrono::Duration>,
    /// Local time of day at which a deadline falls.
    pub deadline_time: NaiveTime,
    pub timezone: Tz,
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
}

#[derive(Clone, Debug)]
pub enum TransportConfig {
    /// A directory that receives one `.eml` file per outgoing message.
    EmlDir { path: PathBuf },
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
        }
    }
}
