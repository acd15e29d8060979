//! The durable store: one sled database holding raw messages, the dedup index, cases,
//! pending submissions, case-id counters, the outbox and the journal.
//!
//! **Architecture invariant:** only this module knows sled. Everything that one event
//! changes is written in one atomic batch ([`Store::commit`]); nothing is durable until
//! [`Store::flush`] returns Ok, and the driver flushes before any effect outside the store
//! (moving a mail, writing or sending a message).
//!
//! Key layout (one tree, prefixes): `raw/<id>` bytes, `meta/<id>` [`RawMeta`],
//! `mid/<message-id>` and `sha/<hex>` → raw id, `case/<year>-<seq>` [`Case`],
//! `pending/<id>`, `counter/<year>`, `outbatch/<n>` (the [`Outgoing`] messages of one event, rendered
//! at sending), `outq/<n>` (present while one of them is unsent), `outstate/<n><i>`
//! [`OutboxEntry`] (written once something happened to message i), `outid/<message-id>`, `journal/<seq>`,
//! `jcase/<case>/<seq>`, `quarantine/<raw id>`, `purged/<case>` ([`PurgeMark`]). Numbers are
//! big-endian so keys sort.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::core::model::*;
use crate::core::{Action, State};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the store at {path} is in use by another loket process; stop that one first \
         (only one loket may use a store at a time)"
    )]
    Locked { path: PathBuf },
    #[error(
        "cannot open the store at {path}: {source}. Check that the directory exists or can \
         be created and that this user may write to it"
    )]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the store at {path} is damaged ({detail}); restore it from the latest backup, or \
         move it aside to start empty (then run `loket reconcile` once it exists)"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error("store I/O failed: {0}; check free disk space and permissions, then restart loket")]
    Io(String),
    #[error("a stored record could not be read ({what}): {detail}")]
    Decode { what: String, detail: String },
}

type Result<T> = std::result::Result<T, StoreError>;

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Io(e.to_string())
    }
}

/// What the store knows about a raw message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawMeta {
    pub id: RawId,
    pub received_at: Timestamp,
    /// Where it came from (Maildir file name, later IMAP UID).
    pub source: String,
    pub size: u64,
    pub sha256: String,
    pub message_id: Option<String>,
    /// All effects of the message are committed.
    pub processed: bool,
}

/// An outgoing message in the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The event's batch and the message's place in it.
    pub batch: u64,
    pub index: u32,
    /// Without angle brackets.
    pub message_id: String,
    pub to: Vec<String>,
    pub template: TemplateName,
    pub case: Option<CaseId>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    pub attempts: u32,
    /// Why it could not be rendered or sent, when that happened.
    pub error: Option<String>,
    /// After a temporary failure: not before this time (backoff with jitter).
    #[serde(default)]
    pub next_attempt_at: Option<Timestamp>,
    /// Refused for good, or retried too long: the desk was told, it is not tried again.
    #[serde(default)]
    pub gave_up: bool,
}

/// How a new message relates to what the store already has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    New,
    /// Stored before, effects not committed: handle it again under the same id.
    Unfinished(RawId),
    /// Stored and handled: only the move to `cur/` (or the IMAP flag) is left to do.
    Done(RawId),
}

pub struct Store {
    path: PathBuf,
    db: sled::Db,
    next_raw: u64,
    next_out: u64,
    next_journal: u64,
}

fn k(prefix: &str, n: u64) -> Vec<u8> {
    let mut v = prefix.as_bytes().to_vec();
    v.extend_from_slice(&n.to_be_bytes());
    v
}

fn case_key(id: CaseId) -> Vec<u8> {
    format!("case/{:04}-{:08}", id.year, id.seq).into_bytes()
}

fn enc<T: Serialize>(v: &T) -> Vec<u8> {
    // Our own plain data types always serialise.
    serde_json::to_vec(v).unwrap_or_default()
}

fn dec<T: for<'a> Deserialize<'a>>(what: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Decode {
        what: what.to_string(),
        detail: e.to_string(),
    })
}

pub fn sha256_hex(raw: &[u8]) -> String {
    hex::encode(Sha256::digest(raw))
}

/// The delay before retry `attempt` (1-based) of an outbox entry: `first` doubling per
/// attempt up to `max`, then scaled by a jitter factor in [0.5, 1.0) so many messages that
/// failed together do not all come back at once. The jitter comes from a hash of the
/// Message-ID and the attempt, so it is the same after a restart (and in tests).
pub fn retry_delay(
    message_id: &str,
    attempt: u32,
    first: std::time::Duration,
    max: std::time::Duration,
) -> std::time::Duration {
    let base = first
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(24))
        .min(max);
    let h = Sha256::digest(format!("{message_id}\n{attempt}").as_bytes());
    let r = u64::from_be_bytes(h[..8].try_into().unwrap_or([0; 8]));
    // 0.5 + r/2^65: in [0.5, 1.0).
    let jitter = 0.5 + (r >> 11) as f64 / (1u64 << 54) as f64;
    base.mul_f64(jitter)
        .max(std::time::Duration::from_millis(100))
}

impl Store {
    pub fn open(path: &Path, cache_bytes: u64) -> Result<Store> {
        if let Err(source) = std::fs::create_dir_all(path) {
            return Err(StoreError::Open {
                path: path.to_path_buf(),
                source,
            });
        }
        let db = sled::Config::new()
            .path(path)
            .cache_capacity(cache_bytes)
            .flush_every_ms(None)
            .mode(sled::Mode::HighThroughput)
            .open()
            .map_err(|e| match e {
                sled::Error::Io(io)
                    if io.kind() == std::io::ErrorKind::WouldBlock
                        || io.to_string().contains("lock") =>
                {
                    StoreError::Locked {
                        path: path.to_path_buf(),
                    }
                }
                sled::Error::Io(source) => StoreError::Open {
                    path: path.to_path_buf(),
                    source,
                },
                other => StoreError::Corrupt {
                    path: path.to_path_buf(),
                    detail: other.to_string(),
                },
            })?;
        let last = |prefix: &str| -> Result<u64> {
            Ok(match db.scan_prefix(prefix).next_back() {
                Some(kv) => {
                    let (key, _) = kv?;
                    let tail = &key[prefix.len()..];
                    let bytes: [u8; 8] = tail.try_into().map_err(|_| StoreError::Corrupt {
                        path: path.to_path_buf(),
                        detail: format!("bad key under {prefix}"),
                    })?;
                    u64::from_be_bytes(bytes) + 1
                }
                None => 1,
            })
        };
        Ok(Store {
            next_raw: last("raw/")?,
            next_out: last("outbatch/")?,
            next_journal: last("journal/")?,
            path: path.to_path_buf(),
            db,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes everything written so far durable.
    pub fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    /// Whether this message (same Message-ID, or same bytes) was seen before.
    pub fn seen(&self, message_id: Option<&str>, sha256: &str) -> Result<Seen> {
        let by_sha = self.db.get(format!("sha/{sha256}"))?;
        let by_mid = match message_id {
            Some(m) => self.db.get(format!("mid/{m}"))?,
            None => None,
        };
        let Some(id) = by_sha.or(by_mid) else {
            return Ok(Seen::New);
        };
        let id = u64::from_be_bytes(id.as_ref().try_into().unwrap_or([0; 8]));
        Ok(match self.raw_meta(id)? {
            Some(m) if m.processed => Seen::Done(id),
            _ => Seen::Unfinished(id),
        })
    }

    /// Stores a raw message and its dedup index, before anything else is done with it.
    pub fn put_raw(
        &mut self,
        raw: &[u8],
        message_id: Option<&str>,
        sha256: &str,
        source: &str,
        now: Timestamp,
    ) -> Result<RawId> {
        let id = self.next_raw;
        self.next_raw += 1;
        let meta = RawMeta {
            id,
            received_at: now,
            source: source.to_string(),
            size: raw.len() as u64,
            sha256: sha256.to_string(),
            message_id: message_id.map(str::to_string),
            processed: false,
        };
        let mut b = sled::Batch::default();
        b.insert(k("raw/", id), raw);
        b.insert(k("meta/", id), enc(&meta));
        b.insert(format!("sha/{sha256}").as_bytes(), &id.to_be_bytes());
        if let Some(m) = message_id {
            // The first message with a Message-ID owns it.
            if self.db.get(format!("mid/{m}"))?.is_none() {
                b.insert(format!("mid/{m}").as_bytes(), &id.to_be_bytes());
            }
        }
        self.db.apply_batch(b)?;
        Ok(id)
    }

    pub fn raw(&self, id: RawId) -> Result<Option<Vec<u8>>> {
        Ok(self.db.get(k("raw/", id))?.map(|v| v.to_vec()))
    }

    pub fn raw_meta(&self, id: RawId) -> Result<Option<RawMeta>> {
        self.db
            .get(k("meta/", id))?
            .map(|v| dec("raw message record", &v))
            .transpose()
    }

    /// Commits all actions of one event in one atomic batch, and marks the raw message
    /// processed in the same batch. Not durable until `flush`.
    pub fn commit(
        &mut self,
        raw_id: Option<RawId>,
        actions: &[Action],
        now: Timestamp,
    ) -> Result<()> {
        let b = self.batch_for(raw_id, actions, now)?;
        self.db.apply_batch(b)?;
        Ok(())
    }

    /// The one atomic batch that commits these actions (see [`Store::commit`]).
    fn batch_for(
        &mut self,
        raw_id: Option<RawId>,
        actions: &[Action],
        now: Timestamp,
    ) -> Result<sled::Batch> {
        let mut b = sled::Batch::default();
        let mut batch: Vec<Outgoing> = Vec::new();
        for a in actions {
            match a {
                Action::SaveCase(c) => b.insert(case_key(c.id), enc(c.as_ref())),
                Action::SavePending(p) => b.insert(k("pending/", p.id), enc(p.as_ref())),
                Action::DropPending(id) => b.remove(k("pending/", *id)),
                Action::SaveCaseCounter { year, next } => {
                    b.insert(format!("counter/{year:04}").as_bytes(), &next.to_be_bytes())
                }
                Action::Journal(e) => {
                    let seq = self.next_journal;
                    self.next_journal += 1;
                    b.insert(k("journal/", seq), enc(e));
                    if let Some(c) = e.case {
                        let mut key = format!("jcase/{c}/").into_bytes();
                        key.extend_from_slice(&seq.to_be_bytes());
                        b.insert(key, &[]);
                    }
                }
                Action::Quarantine { raw_id, reason } => {
                    b.insert(k("quarantine/", *raw_id), reason.as_bytes())
                }
                Action::Send(o) => {
                    let idkey = format!("outid/{}", o.message_id);
                    // A stable Message-ID is sent once, however often it is asked for.
                    if self.db.get(&idkey)?.is_some()
                        || batch.iter().any(|m| m.message_id == o.message_id)
                    {
                        continue;
                    }
                    b.insert(idkey.as_bytes(), &[]);
                    batch.push(o.as_ref().clone());
                }
                Action::SaveAnswerLog { address, times } => {
                    let key = format!("answers/{address}");
                    if times.is_empty() {
                        b.remove(key.as_bytes())
                    } else {
                        b.insert(key.as_bytes(), enc(times))
                    }
                }
                Action::SaveJobRun { job, at } => {
                    b.insert(format!("job/{job}").as_bytes(), enc(at))
                }
                Action::WakeAt(_) => {}
            }
        }
        if !batch.is_empty() {
            let n = self.next_out;
            self.next_out += 1;
            let record = OutBatch {
                created_at: now,
                messages: batch,
            };
            b.insert(k("outbatch/", n), enc(&record));
            b.insert(k("outq/", n), &[]);
        }
        if let Some(id) = raw_id
            && let Some(mut meta) = self.raw_meta(id)?
        {
            meta.processed = true;
            b.insert(k("meta/", id), enc(&meta));
        }
        Ok(b)
    }

    /// The core's state: all cases, pending submissions and counters.
    pub fn load_state(&self) -> Result<State> {
        let mut state = State::default();
        for kv in self.db.scan_prefix("case/") {
            let (_, v) = kv?;
            let c: Case = dec("case", &v)?;
            state.cases.insert(c.id, c);
        }
        for kv in self.db.scan_prefix("pending/") {
            let (_, v) = kv?;
            let p: PendingSubmission = dec("pending submission", &v)?;
            state.pending.insert(p.id, p);
        }
        for kv in self.db.scan_prefix("answers/") {
            let (key, v) = kv?;
            let address = String::from_utf8_lossy(&key[8..]).into_owned();
            state.answers.insert(address, dec("answer log", &v)?);
        }
        for kv in self.db.scan_prefix("job/") {
            let (key, v) = kv?;
            let job = String::from_utf8_lossy(&key[4..]).into_owned();
            state.jobs.insert(job, dec("job run", &v)?);
        }
        for kv in self.db.scan_prefix("counter/") {
            let (key, v) = kv?;
            let year = std::str::from_utf8(&key[8..])
                .ok()
                .and_then(|y| y.parse().ok())
                .unwrap_or(0);
            let next = u32::from_be_bytes(v.as_ref().try_into().unwrap_or([0; 4]));
            state.counters.insert(year, next);
        }
        Ok(state)
    }

    pub fn case(&self, id: CaseId) -> Result<Option<Case>> {
        self.db
            .get(case_key(id))?
            .map(|v| dec("case", &v))
            .transpose()
    }

    pub fn cases(&self) -> Result<Vec<Case>> {
        self.db
            .scan_prefix("case/")
            .map(|kv| dec("case", &kv?.1))
            .collect()
    }

    /// The journal entries of one case, oldest first.
    pub fn journal_for(&self, id: CaseId) -> Result<Vec<JournalEntry>> {
        let prefix = format!("jcase/{id}/");
        let mut out = Vec::new();
        for kv in self.db.scan_prefix(&prefix) {
            let (key, _) = kv?;
            let seq = &key[prefix.len()..];
            let mut jk = b"journal/".to_vec();
            jk.extend_from_slice(seq);
            if let Some(v) = self.db.get(jk)? {
                out.push(dec("journal entry", &v)?);
            }
        }
        Ok(out)
    }

    /// The whole journal, oldest first.
    pub fn journal(&self) -> Result<Vec<JournalEntry>> {
        self.db
            .scan_prefix("journal/")
            .map(|kv| dec("journal entry", &kv?.1))
            .collect()
    }

    /// Every case, read and decoded one at a time as `T` (a [`Case`], or a smaller view of
    /// one with the fields it needs), in id order. For reports over the whole store.
    pub fn cases_as<T: for<'a> Deserialize<'a>>(&self) -> impl Iterator<Item = Result<T>> + '_ {
        self.db.scan_prefix("case/").map(|kv| dec("case", &kv?.1))
    }

    /// The whole journal, oldest first, read and decoded one entry at a time as `T` (a
    /// [`JournalEntry`], or a smaller view of one). For reports over the whole store.
    pub fn journal_as<T: for<'a> Deserialize<'a>>(&self) -> impl Iterator<Item = Result<T>> + '_ {
        self.db
            .scan_prefix("journal/")
            .map(|kv| dec("journal entry", &kv?.1))
    }

    /// Messages in the desk's queue: raw id and why.
    pub fn quarantine(&self) -> Result<Vec<(RawId, String)>> {
        self.db
            .scan_prefix("quarantine/")
            .map(|kv| {
                let (key, v) = kv?;
                let id = u64::from_be_bytes(key[11..].try_into().unwrap_or([0; 8]));
                Ok((id, String::from_utf8_lossy(&v).into_owned()))
            })
            .collect()
    }

    fn batch(&self, n: u64) -> Result<Option<OutBatch>> {
        self.db
            .get(k("outbatch/", n))?
            .map(|v| dec("outbox batch", &v))
            .transpose()
    }

    fn state_key(batch: u64, index: u32) -> Vec<u8> {
        let mut key = k("outstate/", batch);
        key.extend_from_slice(&index.to_be_bytes());
        key
    }

    /// The entries of one batch: stored state, or a fresh entry for a message not yet tried.
    fn entries(&self, n: u64, batch: &OutBatch) -> Result<Vec<OutboxEntry>> {
        batch
            .messages
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let i = i as u32;
                match self.db.get(Self::state_key(n, i))? {
                    Some(v) => dec("outbox entry", &v),
                    None => Ok(OutboxEntry {
                        batch: n,
                        index: i,
                        message_id: o.message_id.clone(),
                        to: o.to.iter().chain(&o.cc).map(|a| a.email.clone()).collect(),
                        template: o.template,
                        case: o.case,
                        created_at: batch.created_at,
                        sent_at: None,
                        attempts: 0,
                        error: None,
                        next_attempt_at: None,
                        gave_up: false,
                    }),
                }
            })
            .collect()
    }

    /// Batches with messages not yet sent, oldest first.
    pub fn unsent_batches(&self) -> Result<Vec<u64>> {
        self.db
            .scan_prefix("outq/")
            .keys()
            .map(|key| Ok(u64::from_be_bytes(key?[5..].try_into().unwrap_or([0; 8]))))
            .collect()
    }

    /// The unsent messages of one batch, with their entries.
    pub fn unsent_in(&self, n: u64) -> Result<Vec<(OutboxEntry, Outgoing)>> {
        let Some(batch) = self.batch(n)? else {
            return Ok(vec![]);
        };
        let entries = self.entries(n, &batch)?;
        Ok(entries
            .into_iter()
            .zip(batch.messages)
            .filter(|(e, _)| e.sent_at.is_none() && !e.gave_up)
            .collect())
    }

    /// All unsent messages, oldest first (for tools and tests; the driver goes batch by batch).
    pub fn unsent(&self) -> Result<Vec<(OutboxEntry, Outgoing)>> {
        let mut out = Vec::new();
        for n in self.unsent_batches()? {
            out.extend(self.unsent_in(n)?);
        }
        Ok(out)
    }

    /// Every outbox entry, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        let mut out = Vec::new();
        for kv in self.db.scan_prefix("outbatch/") {
            let (key, v) = kv?;
            let n = u64::from_be_bytes(key[9..].try_into().unwrap_or([0; 8]));
            out.extend(self.entries(n, &dec("outbox batch", &v)?)?);
        }
        Ok(out)
    }

    fn save_entry(&self, entry: &OutboxEntry) -> Result<()> {
        self.db
            .insert(Self::state_key(entry.batch, entry.index), enc(entry))?;
        Ok(())
    }

    /// Takes a batch out of the queue once every message in it is sent.
    pub fn settle_batch(&mut self, n: u64) -> Result<()> {
        if self.unsent_in(n)?.is_empty() {
            self.db.remove(k("outq/", n))?;
        }
        Ok(())
    }

    /// Marks an outbox entry taken by the transport. Not durable until `flush`.
    pub fn mark_sent(&mut self, entry: &OutboxEntry, now: Timestamp) -> Result<()> {
        let mut e = entry.clone();
        e.sent_at = Some(now);
        e.attempts += 1;
        e.error = None;
        self.save_entry(&e)
    }

    /// Records a failed attempt; the entry stays in the queue.
    pub fn mark_failed(&mut self, entry: &OutboxEntry, error: &str) -> Result<()> {
        let mut e = entry.clone();
        e.attempts += 1;
        e.error = Some(error.to_string());
        self.save_entry(&e)
    }

    /// Records a temporary failure; the entry is tried again from `next` on.
    pub fn mark_retry(&mut self, entry: &OutboxEntry, error: &str, next: Timestamp) -> Result<()> {
        let mut e = entry.clone();
        e.attempts += 1;
        e.error = Some(error.to_string());
        e.next_attempt_at = Some(next);
        self.save_entry(&e)
    }

    /// Gives up on an entry (refused for good, or retried too long) and commits what the
    /// core made of that (journal, notice to the desk) in the same atomic batch, so a crash
    /// cannot leave the one without the other. Not durable until `flush`.
    pub fn give_up(
        &mut self,
        entry: &OutboxEntry,
        error: &str,
        actions: &[Action],
        now: Timestamp,
    ) -> Result<()> {
        let mut b = self.batch_for(None, actions, now)?;
        let mut e = entry.clone();
        e.attempts += 1;
        e.error = Some(error.to_string());
        e.next_attempt_at = None;
        e.gave_up = true;
        b.insert(Self::state_key(e.batch, e.index), enc(&e));
        self.db.apply_batch(b)?;
        Ok(())
    }

    // -----------------------------------------------------------------------------------
    // Archive and retention (`loket export`, `loket purge`).

    /// Every outgoing message of one case with its outbox entry, oldest first.
    pub fn outgoing_for(&self, id: CaseId) -> Result<Vec<(OutboxEntry, Outgoing)>> {
        let needle = format!("\"{id}\"").into_bytes();
        let mut out = Vec::new();
        for kv in self.db.scan_prefix("outbatch/") {
            let (key, v) = kv?;
            // Most batches are about other cases: look for the case id before decoding.
            if !mentions(&v, &needle) {
                continue;
            }
            let n = u64::from_be_bytes(key[9..].try_into().unwrap_or([0; 8]));
            let batch: OutBatch = dec("outbox batch", &v)?;
            if !batch.messages.iter().any(|m| m.case == Some(id)) {
                continue;
            }
            let entries = self.entries(n, &batch)?;
            out.extend(
                entries
                    .into_iter()
                    .zip(batch.messages)
                    .filter(|(e, _)| e.case == Some(id)),
            );
        }
        Ok(out)
    }

    /// What removing a case would remove: its raw messages (except those in `keep`), its
    /// journal entries and the outbox batches that hold only its messages.
    pub fn purge_set(
        &self,
        case: &Case,
        keep: &std::collections::HashSet<RawId>,
    ) -> Result<PurgeSet> {
        let mut raw: Vec<RawId> = case.source.clone();
        raw.extend(case.attachments.iter().map(|a| a.raw_id));
        for s in &case.seats {
            raw.extend(s.views.iter().map(|v| v.raw_id));
        }
        let prefix = format!("jcase/{}/", case.id);
        let mut journal = Vec::new();
        for kv in self.db.scan_prefix(&prefix) {
            let (key, _) = kv?;
            let seq = u64::from_be_bytes(key[prefix.len()..].try_into().unwrap_or([0; 8]));
            journal.push(seq);
            if let Some(v) = self.db.get(k("journal/", seq))?
                && let Ok(e) = serde_json::from_slice::<serde_json::Value>(&v)
                && let Some(id) = e.get("raw_id").and_then(|r| r.as_u64())
            {
                raw.push(id);
            }
        }
        raw.sort_unstable();
        raw.dedup();
        raw.retain(|r| !keep.contains(r));
        let mut batches = Vec::new();
        let needle = format!("\"{}\"", case.id).into_bytes();
        for kv in self.db.scan_prefix("outbatch/") {
            let (key, v) = kv?;
            if !mentions(&v, &needle) {
                continue;
            }
            let n = u64::from_be_bytes(key[9..].try_into().unwrap_or([0; 8]));
            let batch: OutBatch = dec("outbox batch", &v)?;
            if !batch.messages.is_empty() && batch.messages.iter().all(|m| m.case == Some(case.id))
            {
                batches.push((
                    n,
                    batch
                        .messages
                        .iter()
                        .map(|m| m.message_id.clone())
                        .collect(),
                ));
            }
        }
        Ok(PurgeSet {
            case: case.id,
            raw,
            journal,
            batches,
        })
    }

    /// Removes a case and everything in its [`PurgeSet`] in one atomic batch, leaves a
    /// [`PurgeMark`] in its place, and flushes.
    pub fn purge(&mut self, set: &PurgeSet, now: Timestamp) -> Result<PurgeMark> {
        let mut b = sled::Batch::default();
        b.remove(case_key(set.case));
        for id in &set.raw {
            if let Some(meta) = self.raw_meta(*id)? {
                let sha = format!("sha/{}", meta.sha256);
                if self.db.get(&sha)?.as_deref() == Some(&id.to_be_bytes()[..]) {
                    b.remove(sha.as_bytes());
                }
                if let Some(m) = &meta.message_id {
                    let mid = format!("mid/{m}");
                    if self.db.get(&mid)?.as_deref() == Some(&id.to_be_bytes()[..]) {
                        b.remove(mid.as_bytes());
                    }
                }
            }
            b.remove(k("raw/", *id));
            b.remove(k("meta/", *id));
            b.remove(k("quarantine/", *id));
        }
        for seq in &set.journal {
            b.remove(k("journal/", *seq));
            let mut key = format!("jcase/{}/", set.case).into_bytes();
            key.extend_from_slice(&seq.to_be_bytes());
            b.remove(key);
        }
        let mut messages = 0;
        for (n, ids) in &set.batches {
            b.remove(k("outbatch/", *n));
            b.remove(k("outq/", *n));
            for (i, id) in ids.iter().enumerate() {
                b.remove(Self::state_key(*n, i as u32));
                b.remove(format!("outid/{id}").as_bytes());
            }
            messages += ids.len();
        }
        let mark = PurgeMark {
            at: now,
            raw_messages: set.raw.len(),
            journal_entries: set.journal.len(),
            outgoing: messages,
        };
        b.insert(format!("purged/{}", set.case).as_bytes(), enc(&mark));
        self.db.apply_batch(b)?;
        self.flush()?;
        Ok(mark)
    }

    /// When a case was purged, if it was.
    pub fn purged(&self, id: CaseId) -> Result<Option<PurgeMark>> {
        self.db
            .get(format!("purged/{id}"))?
            .map(|v| dec("purge mark", &v))
            .transpose()
    }
}

/// Whether stored bytes contain `needle` (a quick test before decoding a record).
fn mentions(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// What `Store::purge` removes for one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PurgeSet {
    pub case: CaseId,
    pub raw: Vec<RawId>,
    /// Journal sequence numbers.
    pub journal: Vec<u64>,
    /// Outbox batches holding only this case's messages, with their Message-IDs.
    pub batches: Vec<(u64, Vec<String>)>,
}

impl PurgeSet {
    pub fn outgoing(&self) -> usize {
        self.batches.iter().map(|(_, ids)| ids.len()).sum()
    }
}

/// Left in the store where a purged case was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeMark {
    pub at: Timestamp,
    pub raw_messages: usize,
    pub journal_entries: usize,
    pub outgoing: usize,
}

/// The messages one event asked for, stored together.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct OutBatch {
    created_at: Timestamp,
    messages: Vec<Outgoing>,
}
