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
}

pub struct Engine {
    config: Config,
    key: TokenKey,
    store: Store,
    renderer: Renderer,
    state: State,
    source: Box<dyn MailSource>,
    transport: Box<dyn Transport>,
}

/// Test hook: `LOKET_FAILPOINT=<name>` aborts the process at that point, as a crash would.
/// Used by the crash tests; the names are listed in ARCHITECTURE.md.
fn failpoint(name: &str) {
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
        let MailboxConfig::Maildir { path, .. } = &config.mailbox;
        let source: Box<dyn MailSource> =
            Box::new(Maildir::open(path).map_err(|source| EngineError::Mailbox {
                path: path.display().to_string(),
                source,
            })?);
        let TransportConfig::EmlDir { path } = &config.transport;
        let transport: Box<dyn Transport> =
            Box::new(EmlDir::open(path).map_err(|source| EngineError::Transport {
                path: path.display().to_string(),
                source,
            })?);
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
        Core::next_wakeup(&self.state)
    }

    /// One full pass: new mail, due reminders and deadlines, then the outbox.
    pub fn run_once(
        &mut self,
        now: Timestamp,
        stop: &AtomicBool,
    ) -> Result<PassReport, EngineError> {
        let mut report = self.intake(now, stop)?;
        if !stop.load(Ordering::Relaxed) {
            self.tick(now)?;
        }
        report.sent = self.deliver(now)?;
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
            core.handle(&mut self.state, Event::Mail(Box::new(inbound)), now)
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
        self.renderer
            .render(out, &fetch, original)
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

    /// Hands every unsent outbox entry to the transport, one event's batch at a time;
    /// marks what it took as sent.
    pub fn deliver(&mut self, now: Timestamp) -> Result<usize, EngineError> {
        let mut sent = 0;
        let mut unsynced = 0;
        for n in self.store.unsent_batches()? {
            for (entry, out) in self.store.unsent_in(n)? {
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
                        unsynced += 1;
                    }
                    SendOutcome::Temporary(e) | SendOutcome::Permanent { reason: e, .. } => {
                        warn!(message_id = %entry.message_id, error = %e, "could not send message; tried again next pass");
                        self.store.mark_failed(&entry, &e)?;
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
        Ok(sent)
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
