//! `loket reconcile`: the IMAP folder of handled mail against the store.
//!
//! After a restore from backup (or a disk that lost its last writes) the server may hold
//! handled mail the store no longer knows. Every message in the processed folder is looked up
//! by Message-ID; the unknown ones are fetched and run through the ordinary intake, where the
//! dedup index (Message-ID, or the bytes' hash for mail without one) still stops anything
//! handled from being handled twice. The messages stay where they are.

use std::collections::VecDeque;
use std::sync::atomic::AtomicBool;

use super::{Engine, EngineError};
use crate::adapters::{IncomingMail, MailSource, SourceError, imap};
use crate::config::model::MailboxConfig;
use crate::core::model::Timestamp;
use crate::store::Seen;

/// What a reconcile found and did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Messages in the processed folder.
    pub in_folder: usize,
    /// Of those, known to the store as handled (by Message-ID).
    pub known: usize,
    /// Read again and handled now.
    pub reread: usize,
    /// Fetched, then recognised by their bytes as already handled.
    pub duplicates: usize,
}

/// A mail source over messages already fetched; `ack` leaves them where they are.
struct Fetched(VecDeque<IncomingMail>);

impl MailSource for Fetched {
    fn begin_pass(&mut self) -> Result<(), SourceError> {
        Ok(())
    }
    fn fetch(&mut self, max: usize) -> Result<Vec<IncomingMail>, SourceError> {
        let n = max.min(self.0.len());
        Ok(self.0.drain(..n).collect())
    }
    fn ack(&mut self, _: &[String]) -> Result<(), SourceError> {
        Ok(())
    }
}

impl Engine {
    /// Reads again every message of the processed folder the store does not know.
    pub fn reconcile(&mut self, now: Timestamp) -> Result<ReconcileReport, EngineError> {
        let MailboxConfig::Imap(cfg) = &self.config.mailbox else {
            return Err(EngineError::Source(SourceError(
                "reconcile compares the IMAP folder of handled mail with the store; [mailbox] is not kind = \"imap\"".into(),
            )));
        };
        let cfg = cfg.clone();
        let listed =
            imap::processed_messages(&cfg).map_err(|e| EngineError::Source(SourceError(e)))?;
        let mut report = ReconcileReport {
            in_folder: listed.len(),
            ..ReconcileReport::default()
        };
        let mut unknown = Vec::new();
        for p in &listed {
            match p.message_id.as_deref() {
                Some(mid) if matches!(self.store.seen(Some(mid), "")?, Seen::Done(_)) => {
                    report.known += 1
                }
                _ => unknown.push(p.uid),
            }
        }
        if unknown.is_empty() {
            return Ok(report);
        }
        let mails = imap::fetch_processed(&cfg, &unknown)
            .map_err(|e| EngineError::Source(SourceError(e)))?
            .into_iter()
            .map(|(uid, raw)| IncomingMail {
                source: format!("reconcile:{uid}"),
                raw,
            })
            .collect();
        let mine = std::mem::replace(&mut self.source, Box::new(Fetched(mails)));
        let r = self.intake(now, &AtomicBool::new(false));
        self.source = mine;
        let r = r?;
        report.reread = r.handled;
        report.duplicates = r.duplicates;
        Ok(report)
    }
}
