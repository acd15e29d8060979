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
    /// An inbound mail, already stored raw, parsed and classified.
    Mail(Box<InboundMail>),
    /// The clock passed a wake-up (or the driver just checks); idempotent.
    Tick,
    /// A command from the desk (CLI, later by mail).
    Command(Command),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Bundle the case now with the views that are in.
    Bundle { case: CaseId },
    /// Close the case; no more reminders or bundles.
    Close { case: CaseId },
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
}

/// The workflow with its fixed inputs: the configuration and the reply-token key.
pub struct Core<'a> {
    pub config: &'a Config,
    pub key: &'a TokenKey,
}
