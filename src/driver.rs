//! The driver: ties the pure core to the store and the adapters.
//!
//! For each new mail: store raw → read (`mail`) → `core.handle` → render every `Send` →
//! commit all actions in one batch. After a group of mails: flush the store, then move the
//! mails to `cur/`. Outgoing mail leaves only from the flushed outbox. See ARCHITECTURE.md.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing::{debug, info, warn};

use crate::adapters::eml_dir::EmlDir;
use crate::adapters::maildir::Maildir;
use crate::adapters::{MailSource, SendOutcome, Transport};
use crate::config::model::{Config, MailboxConfig, TransportConfig};
use crate::core::model::*;
use crate::core::{Action, Command, Core, Event, State};
use crate::mail;
use crate::render::Renderer;
use crate::store::{Seen, Store, StoreError, sha256_hex};
use crate::token::TokenKey;

mod reconcile;
pub use reconcile::ReconcileReport;

/// Mails handled between two flushes of the store.
const GROUP: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Secret(String),
    #[error("templates: {0}")]
    Templates(String),
    #[error("mailbox {path}: {source}")]
    Mailbox {
        path: String,
        source: std::io::Error,
    },
    #[error("mailbox: {0}")]
    Source(crate::adapters::SourceError),
    #[error("outgoing directory {path}: {source}")]
    Transport {
        path: String,
        source: std::io::Error,
    },
}

/// What one pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Mails read from the mailbox and committed.
    pub handled: usize,
    /// Mails found already handled (moved without handling again).
    pub duplicates: usize,
    /// Mails that could not be read from disk (left in place, retried next pass).
    pub unreadable: usize,
    /// Messages written to the transport.
    pub sent: usize,
    /// Outbox entries given up on (refused for good, or retried too long); the desk is told.
    pub gave_up: usize,
    /// The mailbox could not be read in this pass (e.g. the IMAP server is unreachable);
    /// the clock and the outbox were still handled.
    pub source_error: Option<String>,
}

pub struct Engine {
    config: Config,
    key: TokenKey,
    store: Store,
    renderer: Renderer,
    state: State,
    source: Box<dyn MailSource>,
    transport: Box<dyn Transport>,
    /// The earliest `next_attempt_at` of the entries the last delivery had to put off.
    next_retry: Option<Timestamp>,
}

/// Test hook: `LOKET_FAILPOINT=<name>` aborts the process at that point, as a crash would.
/// Used by the crash tests; the names are listed in ARCHITECTURE.md.
pub(crate) fn failpoint(name: &str) {
    static SET: OnceLock<Option<String>> = OnceLock::new();
    if SET
        .get_or_init(|| std::env::var("LOKET_FAILPOINT").ok())
        .as_deref()
        == Some(name)
    {
        eprintln!("loket: failpoint {name}: aborting");
        std::process::abort();
    }
}

impl Engine {
    /// Opens the store and the adapters named in the config, loads the key and the state.
    pub fn open(config: Config) -> Result<Engine, EngineError> {
        let (key, created) = crate::config::load_token_key(&config.secrets.token_key)
            .map_err(|e| EngineError::Secret(e.to_string()))?;
        if created {
            info!(
                source = ?config.secrets.token_key,
                "created a new reply-token key (first run); keep it safe and back it up with the store"
            );
        }
        let renderer = Renderer::new(&config).map_err(|e| EngineError::Templates(e.to_string()))?;
        let store = Store::open(&config.store.path, config.store.cache_bytes)?;
        let state = store.load_state()?;
        let source: Box<dyn MailSource> = match &config.mailbox {
            MailboxConfig::Maildir { path, .. } => {
                Box::new(Maildir::open(path).map_err(|source| EngineError::Mailbox {
                    path: path.display().to_string(),
                    source,
                })?)
            }
            MailboxConfig::Imap(imap) => Box::new(
                crate::adapters::imap::ImapSource::open(imap).map_err(EngineError::Source)?,
            ),
        };
        let transport: Box<dyn Transport> = match &config.transport {
            TransportConfig::EmlDir { path } => {
                Box::new(EmlDir::open(path).map_err(|source| EngineError::Transport {
                    path: path.display().to_string(),
                    source,
                })?)
            }
            TransportConfig::Smtp(smtp) => Box::new(
                crate::adapters::smtp::SmtpTransport::open(smtp, &config.desk.address.email)
                    .map_err(EngineError::Source)?,
            ),
        };
        info!(
            cases = state.cases.len(),
            pending = state.pending.len(),
            store = %config.store.path.display(),
            "store opened"
        );
        Ok(Engine {
            key: TokenKey::new(key),
            config,
            store,
            renderer,
            state,
            source,
            transport,
            next_retry: None,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// Signalled by a push-capable mail source when new mail may be waiting.
    pub fn mail_notifier(&self) -> Option<std::sync::Arc<tokio::sync::Notify>> {
        self.source.notifier()
    }

    /// When the core next needs a tick.
    pub fn next_wakeup(&self) -> Option<Timestamp> {
        Core {
            config: &self.config,
            key: &self.key,
        }
        .next_wakeup(&self.state)
        .into_iter()
        .chain(self.next_retry)
        .min()
    }

    /// One full pass: new mail, due reminders and deadlines, then the outbox.
    pub fn run_once(
        &mut self,
        now: Timestamp,
        stop: &AtomicBool,
    ) -> Result<PassReport, EngineError> {
        let mut report = match self.intake(now, stop) {
            Ok(r) => r,
            // An unreachable mail server must not stop the clock or the outbox.
            Err(EngineError::Source(e)) => {
                warn!(error = %e, "the mailbox could not be read in this pass; tried again next pass");
                PassReport {
                    source_error: Some(e.to_string()),
                    ..PassReport::default()
                }
            }
            Err(e) => return Err(e),
        };
        if !stop.load(Ordering::Relaxed) {
            self.tick(now)?;
        }
        let (sent, gave_up) = self.deliver_all(now)?;
        report.sent = sent;
        report.gave_up = gave_up;
        Ok(report)
    }

    /// Reads every waiting mail, commits its effects, flushes, then acks it to the source.
    pub fn intake(&mut self, now: Timestamp, stop: &AtomicBool) -> Result<PassReport, EngineError> {
        let mut report = PassReport::default();
        self.source.begin_pass().map_err(EngineError::Source)?;
        while !stop.load(Ordering::Relaxed) {
            let group = self.source.fetch(GROUP).map_err(EngineError::Source)?;
            if group.is_empty() {
                break;
            }
            let mut done = Vec::with_capacity(group.len());
            failpoint("after-fetch");
            for item in group {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let raw = &item.raw;
                let message_id = mail::message_id(raw);
                let sha = sha256_hex(raw);
                let raw_id = match self.store.seen(message_id.as_deref(), &sha)? {
                    Seen::Done(id) => {
                        debug!(raw_id = id, source = %item.source, "already handled; only marking it");
                        report.duplicates += 1;
                        done.push(item.source);
                        continue;
                    }
                    Seen::Unfinished(id) => id,
                    Seen::New => {
                        self.store
                            .put_raw(raw, message_id.as_deref(), &sha, &item.source, now)?
                    }
                };
                self.handle_mail(raw_id, raw, now)?;
                report.handled += 1;
                done.push(item.source);
            }
            failpoint("after-commit");
            self.store.flush()?;
            failpoint("after-flush");
            if let Err(e) = self.source.ack(&done) {
                warn!(error = %e, "handled mail could not be marked; it is recognised next pass");
            }
            failpoint("after-move");
        }
        report.unreadable = self.source.unreadable();
        Ok(report)
    }

    fn handle_mail(
        &mut self,
        raw_id: RawId,
        raw: &[u8],
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let limits = mail::ReadLimits {
            max_attachment_bytes: self.config.intake.max_attachment_bytes,
        };
        let inbound = mail::read(raw_id, raw, &limits);
        let kind = match &inbound.kind {
            MailKind::Message => "message",
            MailKind::AutoReply { .. } => "auto_reply",
            MailKind::Bounce { .. } => "bounce",
            MailKind::ReadReceipt => "read_receipt",
            MailKind::CalendarReply => "calendar_reply",
        };
        let message_id = inbound.message_id.clone().unwrap_or_default();
        let actions = {
            let core = Core {
                config: &self.config,
                key: &self.key,
            };
            let domain = inbound.from.as_ref().map(|a| a.domain()).unwrap_or("");
            let auth =
                crate::authres::verdict(raw, domain, self.config.policy.authserv_id.as_deref());
            core.handle(&mut self.state, Event::Mail(Box::new(inbound), auth), now)
        };
        info!(raw_id, %message_id, kind, outcome = %summary(&actions), "mail handled");
        self.commit(Some(raw_id), &actions, now)
    }

    /// Commits all actions of one event in one batch.
    fn commit(
        &mut self,
        raw_id: Option<RawId>,
        actions: &[Action],
        now: Timestamp,
    ) -> Result<(), EngineError> {
        self.store.commit(raw_id, actions, now)?;
        Ok(())
    }

    /// Renders an outgoing message; attachments and originals come from the stored raw mail.
    fn render(&self, out: &Outgoing) -> Result<Vec<u8>, String> {
        let mut raws: HashMap<RawId, Option<Vec<u8>>> = HashMap::new();
        let mut ids: Vec<RawId> = out.attachments.iter().map(|r| r.raw_id).collect();
        ids.extend(out.attach_raw);
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(e) = raws.entry(id) {
                e.insert(self.store.raw(id).map_err(|e| e.to_string())?);
            }
        }
        let fetch = |r: &AttachmentRef| {
            raws.get(&r.raw_id)
                .and_then(|raw| raw.as_deref())
                .and_then(|raw| mail::attachment(raw, r.index))
                .map(|a| a.bytes)
        };
        let original = out
            .attach_raw
            .and_then(|id| raws.get(&id).and_then(|r| r.as_deref()));
        // The consultation record with a bundle, the week's report with the weekly summary.
        let extra = crate::record::attachments_for(&self.config, &self.store, out)
            .map_err(|e| e.to_string())?;
        self.renderer
            .render_with(out, &fetch, original, &extra)
            .map_err(|e| e.to_string())
    }

    /// Lets the core act on the clock: reminders and deadlines that are due.
    pub fn tick(&mut self, now: Timestamp) -> Result<(), EngineError> {
        let actions = {
            let core = Core {
                config: &self.config,
                key: &self.key,
            };
            core.handle(&mut self.state, Event::Tick, now)
        };
        if actions.is_empty() {
            return Ok(());
        }
        info!(outcome = %summary(&actions), "clock tick");
        self.commit(None, &actions, now)?;
        self.store.flush()?;
        Ok(())
    }

    /// Executes a desk command (CLI); checked first so a wrong command changes nothing.
    pub fn command(
        &mut self,
        cmd: Command,
        now: Timestamp,
    ) -> Result<Result<(), String>, EngineError> {
        if let Err(e) = Core::check_command(&self.state, &cmd) {
            return Ok(Err(e));
        }
        let actions = {
            let core = Core {
                config: &self.config,
                key: &self.key,
            };
            core.handle(&mut self.state, Event::Command(cmd), now)
        };
        self.commit(None, &actions, now)?;
        self.store.flush()?;
        Ok(Ok(()))
    }

    /// Delivers the outbox; when that gave up on messages, once more, so the notices to the
    /// desk it caused go out in the same pass. Returns (sent, given up).
    fn deliver_all(&mut self, now: Timestamp) -> Result<(usize, usize), EngineError> {
        let (mut sent, mut gave_up) = self.deliver_round(now)?;
        if gave_up > 0 {
            let (s, g) = self.deliver_round(now)?;
            sent += s;
            gave_up += g;
        }
        Ok((sent, gave_up))
    }

    /// Hands every unsent outbox entry to the transport, one event's batch at a time;
    /// marks what it took as sent.
    pub fn deliver(&mut self, now: Timestamp) -> Result<usize, EngineError> {
        Ok(self.deliver_all(now)?.0)
    }

    /// Tells the core that the transport gave up on a message, and marks the entry given up,
    /// in one atomic batch; then flushes.
    fn give_up(
        &mut self,
        entry: &crate::store::OutboxEntry,
        recipients: Vec<String>,
        reason: &str,
        permanent: bool,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        warn!(message_id = %entry.message_id, ?recipients, permanent, error = %reason, "giving up on a message; the desk is told");
        let failure = crate::core::DeliveryFailure {
            message_id: entry.message_id.clone(),
            template: entry.template,
            case: entry.case,
            recipients,
            reason: reason.to_string(),
            permanent,
        };
        let actions = {
            let core = Core {
                config: &self.config,
                key: &self.key,
            };
            core.handle(&mut self.state, Event::DeliveryFailed(failure), now)
        };
        self.store.give_up(entry, reason, &actions, now)?;
        self.store.flush()?;
        Ok(())
    }

    /// One round over the outbox: (sent, given up).
    fn deliver_round(&mut self, now: Timestamp) -> Result<(usize, usize), EngineError> {
        let mut sent = 0;
        let mut gave_up = 0;
        let mut unsynced = 0;
        let policy = self.config.transport.retry();
        self.next_retry = None;
        // After this many temporary failures in a row the transport is taken to be down (a
        // server that does not answer costs a timeout per message): the rest waits for the
        // next pass that has a retry due, instead of each costing a timeout now.
        const DOWN_AFTER: u32 = 3;
        let mut failed_in_a_row = 0;
        'batches: for n in self.store.unsent_batches()? {
            for (entry, out) in self.store.unsent_in(n)? {
                if let Some(t) = entry.next_attempt_at
                    && t > now
                {
                    self.next_retry = Some(self.next_retry.map_or(t, |r| r.min(t)));
                    continue;
                }
                let bytes = match self.render(&out) {
                    Ok(b) => b,
                    Err(e) => {
                        warn!(message_id = %entry.message_id, error = %e, "message could not be rendered; it stays in the outbox, fix the template and it goes out next pass");
                        self.store.mark_failed(&entry, &e)?;
                        continue;
                    }
                };
                failpoint("before-send");
                match self.transport.send(&entry.message_id, &entry.to, &bytes) {
                    SendOutcome::Sent => {
                        failpoint("after-send");
                        self.store.mark_sent(&entry, now)?;
                        debug!(message_id = %entry.message_id, "message sent");
                        sent += 1;
                        failed_in_a_row = 0;
                        unsynced += 1;
                    }
                    SendOutcome::Permanent { recipients, reason } => {
                        self.give_up(&entry, recipients, &reason, true, now)?;
                        gave_up += 1;
                    }
                    SendOutcome::Temporary(e) => {
                        let age = (now - entry.created_at).to_std().unwrap_or_default();
                        if policy.retry_for.is_some_and(|limit| age >= limit) {
                            let reason = format!(
                                "not delivered after trying for {}: {e}",
                                humantime::format_duration(policy.retry_for.unwrap_or_default())
                            );
                            self.give_up(&entry, entry.to.clone(), &reason, false, now)?;
                            gave_up += 1;
                            continue;
                        }
                        let delay = crate::store::retry_delay(
                            &entry.message_id,
                            entry.attempts + 1,
                            policy.first_delay,
                            policy.max_delay,
                        );
                        let next = now
                            + chrono::Duration::from_std(delay)
                                .unwrap_or_else(|_| chrono::Duration::hours(1));
                        warn!(message_id = %entry.message_id, error = %e, attempt = entry.attempts + 1, retry_in = ?delay, "could not send message; tried again later");
                        self.store.mark_retry(&entry, &e, next)?;
                        self.next_retry = Some(self.next_retry.map_or(next, |r| r.min(next)));
                        failed_in_a_row += 1;
                        if failed_in_a_row >= DOWN_AFTER {
                            warn!(
                                "the transport looks down; the rest of the outbox waits for the next retry"
                            );
                            break 'batches;
                        }
                    }
                }
            }
            self.store.settle_batch(n)?;
            if unsynced >= 1024 {
                // Keep the window between sending and recording it small on long runs.
                self.sync_sent()?;
                unsynced = 0;
            }
        }
        if sent > 0 {
            self.sync_sent()?;
            info!(sent, "outbox delivered");
        }
        // Retry times must survive a restart as well as the sent marks.
        self.store.flush()?;
        Ok((sent, gave_up))
    }

    fn sync_sent(&mut self) -> Result<(), EngineError> {
        if let Err(e) = self.transport.sync() {
            warn!(error = %e, "could not make sent messages durable");
        }
        self.store.flush()?;
        Ok(())
    }
}

/// A one-line account of actions for the log (no bodies, no addresses).
fn summary(actions: &[Action]) -> String {
    let mut parts = Vec::new();
    for a in actions {
        match a {
            Action::Journal(e) => {
                let v = serde_json::to_value(&e.event).unwrap_or_default();
                let name = v.get("event").and_then(|n| n.as_str()).unwrap_or("?");
                match e.case {
                    Some(c) => parts.push(format!("{name}[{c}]")),
                    None => parts.push(name.to_string()),
                }
            }
            Action::Send(o) => parts.push(format!("send:{:?}", o.template).to_lowercase()),
            _ => {}
        }
    }
    parts.join(" ")
}
