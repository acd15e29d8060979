//! Adapters at the edge: where mail comes from ([`MailSource`]) and where it goes
//! ([`Transport`]). Neither knows the workflow; the driver calls them only at the right
//! moments (a source's `ack` only after the store has flushed the mail's effects; a
//! transport's `send` only for entries already durable in the outbox).

pub mod eml_dir;
pub mod imap;
pub mod maildir;
pub mod net;
pub mod smtp;

use std::sync::Arc;

/// A raw message handed over by a mail source.
#[derive(Clone, Debug)]
pub struct IncomingMail {
    /// Where it is in the source (a Maildir file name, an IMAP UID); passed back to `ack`.
    pub source: String,
    pub raw: Vec<u8>,
}

/// A failure of a mail source. The driver logs it and tries again later.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SourceError(pub String);

/// The desk mailbox.
pub trait MailSource: Send {
    /// Starts a pass: the source takes stock of what is waiting.
    fn begin_pass(&mut self) -> Result<(), SourceError>;
    /// Up to `max` waiting messages not yet handed out in this pass, oldest first. Empty
    /// when the pass is done. Messages that cannot be read are logged and counted in
    /// `unreadable`, and left where they are.
    fn fetch(&mut self, max: usize) -> Result<Vec<IncomingMail>, SourceError>;
    /// These messages' effects are durably committed: mark them handled (move, flag).
    fn ack(&mut self, sources: &[String]) -> Result<(), SourceError>;
    /// Messages skipped in this pass because they could not be read.
    fn unreadable(&self) -> usize {
        0
    }
    /// Signalled when new mail may be waiting (push); `None` if the source is only polled.
    fn notifier(&self) -> Option<Arc<tokio::sync::Notify>> {
        None
    }
}

/// What became of one attempt to send a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// The transport took it.
    Sent,
    /// Not now (connection failure, 4xx): try again later.
    Temporary(String),
    /// Refused for good (5xx) for these recipients; the rest (if any) took it.
    Permanent {
        recipients: Vec<String>,
        reason: String,
    },
}

/// The way out.
pub trait Transport: Send {
    /// Sends one rendered message to its recipients. Must be idempotent for the same
    /// Message-ID where the transport allows it (the `.eml` directory replaces the file).
    fn send(&mut self, message_id: &str, recipients: &[String], bytes: &[u8]) -> SendOutcome;
    /// Makes what was sent durable, where that is the transport's job (fsync).
    fn sync(&mut self) -> Result<(), String> {
        Ok(())
    }
}

/// `loket check --connect`: logs in to the configured network servers. One line per server:
/// what works, or precisely what failed and what to do. Local adapters need no check.
pub fn check_connections(
    config: &crate::config::model::Config,
) -> Vec<(&'static str, Result<String, String>)> {
    use crate::config::model::{MailboxConfig, TransportConfig};
    let mut out = Vec::new();
    if let MailboxConfig::Imap(cfg) = &config.mailbox {
        out.push((
            "IMAP",
            imap::check_connection(cfg).map_err(|p| p.to_string()),
        ));
    }
    if let TransportConfig::Smtp(cfg) = &config.transport {
        let r = smtp::SmtpTransport::open(cfg, &config.desk.address.email)
            .map_err(|e| e.to_string())
            .and_then(|mut t| t.check().map_err(|p| p.to_string()));
        out.push(("SMTP", r));
    }
    out
}
