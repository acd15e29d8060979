//! The desk mailbox on an IMAP server (async-imap on tokio, rustls with the ring provider).
//!
//! A thread of its own, with a current-thread tokio runtime, owns the connection: it logs
//! in, selects the folder, and between requests sits in IDLE (issued again every
//! `idle_renew`, before the 29 minutes after which servers may drop it). When IDLE reports a
//! change it signals [`MailSource::notifier`], so the daemon makes a pass at once. After any
//! failure it reconnects with exponential backoff. Every IMAP command has a time limit.
//!
//! The sync [`MailSource`] side asks the thread through a channel and waits for the answer:
//! `begin_pass` lists the waiting messages by UID, `fetch` takes their bytes with
//! `BODY.PEEK[]` (which leaves them unseen), and `ack` (only after the store flushed) sets
//! `\Seen` and moves them to the processed folder (`MOVE`, else `COPY` + `\Deleted` + `UID
//! EXPUNGE`), created when missing.
//!
//! All messages not marked deleted in the folder are waiting, not only the unseen ones: a
//! person who opens the desk folder in a mail client sets `\Seen`, and that must not hide a
//! message from loket. Handled mail leaves the folder, so this costs nothing; a message whose
//! move failed is read again, recognised by the store's dedup index, and only moved.
//!
//! A message's source is `<UIDVALIDITY>:<UID>`. When UIDVALIDITY changes (the server rebuilt
//! the folder), old UIDs mean nothing: acks for them are skipped and the folder is read
//! anew; the dedup index makes sure nothing is handled twice.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use async_imap::types::UnsolicitedResponse;
use futures_util::TryStreamExt;
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio_rustls::client::TlsStream;
use tracing::{debug, info, warn};

use super::net::{
    ConnectProblem, Stage, backoff, load_password, tcp_connect, tls_config, tls_connect,
};
use super::{IncomingMail, MailSource, SourceError};
use crate::config::model::{ImapConfig, TlsMode};

type Session = async_imap::Session<TlsStream<TcpStream>>;
type Reply<T> = std::sync::mpsc::Sender<Result<T, String>>;

enum Request {
    /// UIDVALIDITY and the UIDs of the waiting messages, oldest first.
    List(Reply<(u32, Vec<u32>)>),
    Fetch {
        validity: u32,
        uids: Vec<u32>,
        reply: Reply<Vec<(u32, Vec<u8>)>>,
    },
    Ack {
        validity: u32,
        uids: Vec<u32>,
        reply: Reply<()>,
    },
}

pub struct ImapSource {
    tx: tokio::sync::mpsc::UnboundedSender<Request>,
    notify: Arc<Notify>,
    /// How long to wait for the connection thread's answer.
    wait: Duration,
    validity: u32,
    waiting: VecDeque<u32>,
}

impl ImapSource {
    /// Reads the password and CA file and starts the connection thread (which connects in
    /// the background; the first request waits for it).
    pub fn open(cfg: &ImapConfig) -> Result<ImapSource, SourceError> {
        let password = load_password(&cfg.password, "IMAP").map_err(SourceError)?;
        let tls = tls_config(cfg.ca_file.as_deref()).map_err(SourceError)?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| SourceError(format!("cannot start the IMAP runtime: {e}")))?;
        let notify = Arc::new(Notify::new());
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let worker = Worker {
            cfg: cfg.clone(),
            password,
            tls,
            notify: notify.clone(),
            validity: None,
            delimiter: None,
        };
        std::thread::Builder::new()
            .name("loket-imap".into())
            .spawn(move || rt.block_on(worker.run(rx)))
            .map_err(|e| SourceError(format!("cannot start the IMAP thread: {e}")))?;
        Ok(ImapSource {
            tx,
            notify,
            // Connecting (DNS, TCP, TLS, login, select) plus the command itself.
            wait: cfg.timeout.saturating_mul(6),
            validity: 0,
            waiting: VecDeque::new(),
        })
    }

    fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, SourceError> {
        let (reply, rx) = std::sync::mpsc::channel();
        self.tx
            .send(make(reply))
            .map_err(|_| SourceError("the IMAP thread stopped".into()))?;
        match rx.recv_timeout(self.wait) {
            Ok(r) => r.map_err(SourceError),
            Err(_) => Err(SourceError(format!(
                "the IMAP server did not answer within {:?}",
                self.wait
            ))),
        }
    }
}

fn parse_source(s: &str) -> Option<(u32, u32)> {
    let (v, u) = s.split_once(':')?;
    Some((v.parse().ok()?, u.parse().ok()?))
}

impl MailSource for ImapSource {
    fn begin_pass(&mut self) -> Result<(), SourceError> {
        let (validity, uids) = self.ask(Request::List)?;
        self.validity = validity;
        self.waiting = uids.into();
        Ok(())
    }

    fn fetch(&mut self, max: usize) -> Result<Vec<IncomingMail>, SourceError> {
        let n = max.min(self.waiting.len());
        if n == 0 {
            return Ok(vec![]);
        }
        let uids: Vec<u32> = self.waiting.drain(..n).collect();
        let validity = self.validity;
        let got = self.ask(|reply| Request::Fetch {
            validity,
            uids,
            reply,
        })?;
        Ok(got
            .into_iter()
            .map(|(uid, raw)| IncomingMail {
                source: format!("{validity}:{uid}"),
                raw,
            })
            .collect())
    }

    fn ack(&mut self, sources: &[String]) -> Result<(), SourceError> {
        let validity = self.validity;
        let uids: Vec<u32> = sources
            .iter()
            .filter_map(|s| parse_source(s))
            .filter(|(v, _)| *v == validity)
            .map(|(_, u)| u)
            .collect();
        if uids.is_empty() {
            return Ok(());
        }
        self.ask(|reply| Request::Ack {
            validity,
            uids,
            reply,
        })
    }

    fn notifier(&self) -> Option<Arc<Notify>> {
        Some(self.notify.clone())
    }
}

/// A UID set for a command: `4,7,9`.
fn uid_set(uids: &[u32]) -> String {
    uids.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// A mailbox name as an IMAP quoted string.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

async fn limited<T, E: std::fmt::Display>(
    limit: Duration,
    what: &str,
    f: impl Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(limit, f).await {
        Err(_) => Err(format!("{what}: no answer within {limit:?}")),
        Ok(Err(e)) => Err(format!("{what}: {e}")),
        Ok(Ok(v)) => Ok(v),
    }
}

/// Connects and logs in: TCP, TLS (implicit or STARTTLS), LOGIN. Says precisely what failed.
pub(crate) async fn login(
    cfg: &ImapConfig,
    tls: Arc<tokio_rustls::rustls::ClientConfig>,
    password: &str,
) -> Result<Session, ConnectProblem> {
    let limit = cfg.timeout;
    let tcp = tcp_connect(&cfg.host, cfg.port, limit).await?;
    let greeting_err = |e: String| ConnectProblem::new(Stage::Protocol, e);
    let stream = match cfg.tls {
        TlsMode::Starttls => {
            let mut client = async_imap::Client::new(tcp);
            match tokio::time::timeout(limit, client.read_response()).await {
                Ok(Ok(Some(_))) => {}
                Ok(Ok(None)) => {
                    return Err(greeting_err(
                        "the server closed the connection without a greeting".into(),
                    ));
                }
                Ok(Err(e)) => return Err(greeting_err(format!("no IMAP greeting: {e}"))),
                Err(_) => return Err(greeting_err(format!("no IMAP greeting within {limit:?}"))),
            }
            limited(
                limit,
                "STARTTLS",
                client.run_command_and_check_ok("STARTTLS", None),
            )
            .await
            .map_err(|e| {
                ConnectProblem::new(Stage::Tls, format!("the server refused STARTTLS ({e})"))
            })?;
            tls_connect(tls, &cfg.host, client.into_inner(), limit).await?
        }
        // IMAP has no plain mode; the loader allows only the two above.
        TlsMode::Implicit | TlsMode::None => tls_connect(tls, &cfg.host, tcp, limit).await?,
    };
    let mut client = async_imap::Client::new(stream);
    if cfg.tls != TlsMode::Starttls {
        match tokio::time::timeout(limit, client.read_response()).await {
            Ok(Ok(Some(_))) => {}
            Ok(Ok(None)) => {
                return Err(greeting_err(
                    "the server closed the connection without a greeting".into(),
                ));
            }
            Ok(Err(e)) => return Err(greeting_err(format!("no IMAP greeting: {e}"))),
            Err(_) => return Err(greeting_err(format!("no IMAP greeting within {limit:?}"))),
        }
    }
    match tokio::time::timeout(limit, client.login(&cfg.user, password)).await {
        Err(_) => Err(ConnectProblem::new(
            Stage::Auth,
            format!("LOGIN: no answer within {limit:?}"),
        )),
        Ok(Err((e, _))) => Err(ConnectProblem::new(
            Stage::Auth,
            format!("the server refused the login of {}: {e}", cfg.user),
        )),
        Ok(Ok(s)) => Ok(s),
    }
}

/// The server's hierarchy separator (`LIST "" ""`).
async fn delimiter(session: &mut Session, limit: Duration) -> Result<String, String> {
    let names: Vec<_> = limited(limit, "LIST", async {
        session
            .list(Some(""), Some("\"\""))
            .await?
            .try_collect::<Vec<_>>()
            .await
    })
    .await?;
    Ok(names
        .first()
        .and_then(|n| n.delimiter().map(str::to_string))
        .unwrap_or_else(|| "/".to_string()))
}

/// A configured folder name (levels separated by `/`) in the server's separator.
fn server_name(name: &str, delimiter: &str) -> String {
    if name.eq_ignore_ascii_case("INBOX") {
        return "INBOX".into();
    }
    name.split('/').collect::<Vec<_>>().join(delimiter)
}

struct Worker {
    cfg: ImapConfig,
    password: String,
    tls: Arc<tokio_rustls::rustls::ClientConfig>,
    notify: Arc<Notify>,
    validity: Option<u32>,
    delimiter: Option<String>,
}

/// How a served connection ended.
enum End {
    /// The sync side is gone: log out and stop.
    Closed,
    /// Something failed: reconnect.
    Lost(String),
}

impl Worker {
    async fn run(mut self, mut rx: tokio::sync::mpsc::UnboundedReceiver<Request>) {
        let mut failures = 0u32;
        loop {
            let session = match self.connect().await {
                Ok(s) => s,
                Err(e) => {
                    failures += 1;
                    let delay = backoff(failures, self.cfg.backoff_min, self.cfg.backoff_max);
                    warn!(error = %e, retry_in = ?delay, "IMAP: cannot connect; trying again");
                    // Whoever waits now is told, rather than left waiting.
                    let until = tokio::time::Instant::now() + delay;
                    loop {
                        tokio::select! {
                            _ = tokio::time::sleep_until(until) => break,
                            req = rx.recv() => match req {
                                None => return,
                                Some(req) => fail(req, &format!("not connected to the IMAP server ({e})")),
                            }
                        }
                    }
                    continue;
                }
            };
            if failures > 0 {
                info!("IMAP: connected again");
            }
            // Mail may have come while we were away (or this is the start): look now.
            self.notify.notify_one();
            match self.serve(session, &mut rx).await {
                End::Closed => return,
                End::Lost(e) => {
                    warn!(error = %e, "IMAP: connection lost; reconnecting");
                    failures = 1;
                    tokio::time::sleep(self.cfg.backoff_min).await;
                }
            }
        }
    }

    /// Login, the folder's UIDVALIDITY, the processed folder (created when missing).
    async fn connect(&mut self) -> Result<Session, String> {
        let limit = self.cfg.timeout;
        let mut session = login(&self.cfg, self.tls.clone(), &self.password)
            .await
            .map_err(|p| p.to_string())?;
        let delim = delimiter(&mut session, limit).await?;
        let folder = server_name(&self.cfg.folder, &delim);
        let processed = server_name(&self.cfg.processed_folder, &delim);
        let exists = limited(limit, "LIST", async {
            session
                .list(Some(""), Some(&quoted(&processed)))
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await?;
        if exists.is_empty() {
            limited(
                limit,
                &format!("CREATE {processed}"),
                session.create(&processed),
            )
            .await?;
            info!(folder = %processed, "IMAP: created the folder for handled mail");
        }
        let mailbox = limited(limit, &format!("SELECT {folder}"), session.select(&folder)).await?;
        let validity = mailbox.uid_validity.unwrap_or(0);
        if let Some(old) = self.validity
            && old != validity
        {
            warn!(old, new = validity, folder = %folder, "IMAP: UIDVALIDITY changed; reading the folder anew (the store's dedup prevents double handling)");
        }
        self.validity = Some(validity);
        self.delimiter = Some(delim);
        debug!(folder = %folder, exists = mailbox.exists, validity, "IMAP: selected");
        Ok(session)
    }

    async fn serve(
        &mut self,
        mut session: Session,
        rx: &mut tokio::sync::mpsc::UnboundedReceiver<Request>,
    ) -> End {
        let limit = self.cfg.timeout;
        loop {
            // New mail reported during a command (EXISTS) also means: make a pass.
            while let Ok(u) = session.unsolicited_responses.try_recv() {
                if matches!(
                    u,
                    UnsolicitedResponse::Exists(_) | UnsolicitedResponse::Recent(_)
                ) {
                    self.notify.notify_one();
                }
            }
            match rx.try_recv() {
                Ok(req) => {
                    if let Err(e) = self.handle(&mut session, req).await {
                        return End::Lost(e);
                    }
                    continue;
                }
                Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => {
                    let _ = tokio::time::timeout(limit, session.logout()).await;
                    return End::Closed;
                }
                Err(tokio::sync::mpsc::error::TryRecvError::Empty) => {}
            }
            let mut idle = session.idle();
            if let Err(e) = limited(limit, "IDLE", idle.init()).await {
                return End::Lost(e);
            }
            // Servers send "still here" every few minutes; silence this long means a dead
            // connection, which DONE below then finds out.
            let quiet = self.cfg.idle_renew.min(Duration::from_secs(5 * 60));
            let renew = tokio::time::sleep(self.cfg.idle_renew);
            let mut request = None;
            let mut lost = None;
            {
                let (wait, stop) = idle.wait_with_timeout(quiet);
                tokio::pin!(wait);
                tokio::select! {
                    r = &mut wait => match r {
                        Ok(IdleResponse::NewData(d)) => {
                            debug!(response = ?d.parsed(), "IMAP: IDLE reports a change");
                            self.notify.notify_one();
                        }
                        Ok(IdleResponse::Timeout) => {}
                        // Not stopped by us: the stream ended.
                        Ok(IdleResponse::ManualInterrupt) => lost = Some("the server closed the connection during IDLE".to_string()),
                        Err(e) => lost = Some(format!("IDLE: {e}")),
                    },
                    req = rx.recv() => request = Some(req),
                    _ = renew => debug!("IMAP: renewing IDLE"),
                }
                drop(stop);
            }
            if let Some(e) = lost {
                return End::Lost(e);
            }
            session = match limited(limit, "DONE", idle.done()).await {
                Ok(s) => s,
                Err(e) => return End::Lost(e),
            };
            match request {
                Some(None) => {
                    let _ = tokio::time::timeout(limit, session.logout()).await;
                    return End::Closed;
                }
                Some(Some(req)) => {
                    if let Err(e) = self.handle(&mut session, req).await {
                        return End::Lost(e);
                    }
                }
                None => {}
            }
        }
    }

    /// Answers one request. `Err` means the connection is no longer usable.
    async fn handle(&mut self, session: &mut Session, req: Request) -> Result<(), String> {
        let limit = self.cfg.timeout;
        let validity = self.validity.unwrap_or(0);
        match req {
            Request::List(reply) => {
                let r = limited(limit, "UID SEARCH", session.uid_search("UNDELETED")).await;
                let r = r.map(|set| {
                    let mut v: Vec<u32> = set.into_iter().collect();
                    v.sort_unstable();
                    (validity, v)
                });
                let ok = r.is_ok();
                let _ = reply.send(r.clone());
                if !ok {
                    return r.map(|_| ());
                }
            }
            Request::Fetch {
                validity: v,
                uids,
                reply,
            } => {
                if v != validity {
                    let _ = reply.send(Err(
                        "the folder's UIDVALIDITY changed; the pass starts over".into(),
                    ));
                    return Ok(());
                }
                let set = uid_set(&uids);
                let r = limited(limit.saturating_mul(4), "UID FETCH", async {
                    session
                        .uid_fetch(&set, "(UID BODY.PEEK[])")
                        .await?
                        .try_collect::<Vec<_>>()
                        .await
                })
                .await;
                match r {
                    Ok(fetches) => {
                        let mut got: Vec<(u32, Vec<u8>)> = fetches
                            .iter()
                            .filter_map(|f| Some((f.uid?, f.body()?.to_vec())))
                            .collect();
                        got.sort_by_key(|(u, _)| *u);
                        let _ = reply.send(Ok(got));
                    }
                    Err(e) => {
                        let _ = reply.send(Err(e.clone()));
                        return Err(e);
                    }
                }
            }
            Request::Ack {
                validity: v,
                uids,
                reply,
            } => {
                if v != validity {
                    // Old UIDs mean nothing now; the messages are read again and recognised.
                    let _ = reply.send(Ok(()));
                    return Ok(());
                }
                let r = self.mark_and_move(session, &uids).await;
                let _ = reply.send(r.clone());
                r?;
            }
        }
        Ok(())
    }

    async fn mark_and_move(&mut self, session: &mut Session, uids: &[u32]) -> Result<(), String> {
        let limit = self.cfg.timeout;
        let set = uid_set(uids);
        let delim = self.delimiter.clone().unwrap_or_else(|| "/".into());
        let target = server_name(&self.cfg.processed_folder, &delim);
        limited(limit, "UID STORE \\Seen", async {
            session
                .uid_store(&set, "+FLAGS.SILENT (\\Seen)")
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await?;
        let caps = limited(limit, "CAPABILITY", session.capabilities()).await?;
        if caps.has_str("MOVE") {
            limited(limit, "UID MOVE", session.uid_mv(&set, &target)).await?;
        } else {
            limited(limit, "UID COPY", session.uid_copy(&set, &target)).await?;
            limited(limit, "UID STORE \\Deleted", async {
                session
                    .uid_store(&set, "+FLAGS.SILENT (\\Deleted)")
                    .await?
                    .try_collect::<Vec<_>>()
                    .await
            })
            .await?;
            if caps.has_str("UIDPLUS") {
                limited(limit, "UID EXPUNGE", async {
                    session
                        .uid_expunge(&set)
                        .await?
                        .try_collect::<Vec<_>>()
                        .await
                })
                .await?;
            } else {
                limited(limit, "EXPUNGE", async {
                    session.expunge().await?.try_collect::<Vec<_>>().await
                })
                .await?;
            }
        }
        debug!(count = uids.len(), folder = %target, "IMAP: handled mail marked and moved");
        Ok(())
    }
}

fn fail(req: Request, e: &str) {
    match req {
        Request::List(r) => drop(r.send(Err(e.to_string()))),
        Request::Fetch { reply, .. } => drop(reply.send(Err(e.to_string()))),
        Request::Ack { reply, .. } => drop(reply.send(Err(e.to_string()))),
    }
}

// ---------------------------------------------------------------------------------------
// One-shot tools: `loket check --connect` and `loket reconcile`.

fn one_shot<T>(f: impl Future<Output = T>) -> Result<T, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    Ok(rt.block_on(f))
}

/// Logs in, checks both folders, logs out: what works, or precisely what failed.
pub fn check_connection(cfg: &ImapConfig) -> Result<String, ConnectProblem> {
    let password =
        load_password(&cfg.password, "IMAP").map_err(|e| ConnectProblem::new(Stage::Auth, e))?;
    let tls = tls_config(cfg.ca_file.as_deref()).map_err(|e| ConnectProblem::new(Stage::Tls, e))?;
    one_shot(async {
        let limit = cfg.timeout;
        let mut s = login(cfg, tls, &password).await?;
        let delim = delimiter(&mut s, limit)
            .await
            .map_err(|e| ConnectProblem::new(Stage::Protocol, e))?;
        let folder = server_name(&cfg.folder, &delim);
        let mailbox = limited(limit, "EXAMINE", s.examine(&folder))
            .await
            .map_err(|e| ConnectProblem::new(Stage::Folder, format!("cannot open {folder}: {e}")))?;
        let processed = server_name(&cfg.processed_folder, &delim);
        let there = limited(limit, "LIST", async {
            s.list(Some(""), Some(&quoted(&processed)))
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await
        .map_err(|e| ConnectProblem::new(Stage::Protocol, e))?;
        let caps = limited(limit, "CAPABILITY", s.capabilities())
            .await
            .map_err(|e| ConnectProblem::new(Stage::Protocol, e))?;
        let _ = tokio::time::timeout(limit, s.logout()).await;
        Ok(format!(
            "IMAP {}:{}: TLS verified, logged in as {}; {folder} holds {} message(s); {processed} {}; IDLE {}, MOVE {}",
            cfg.host,
            cfg.port,
            cfg.user,
            mailbox.exists,
            if there.is_empty() { "is missing and will be created on first start" } else { "exists" },
            if caps.has_str("IDLE") { "yes" } else { "no (loket polls instead)" },
            if caps.has_str("MOVE") { "yes" } else { "no (COPY + EXPUNGE)" },
        ))
    })
    .map_err(|e| ConnectProblem::new(Stage::Protocol, e))?
}

/// A message in the processed folder.
#[derive(Clone, Debug)]
pub struct Processed {
    pub uid: u32,
    pub message_id: Option<String>,
}

/// The Message-IDs of everything in the processed folder (headers only).
pub fn processed_messages(cfg: &ImapConfig) -> Result<Vec<Processed>, String> {
    let password = load_password(&cfg.password, "IMAP")?;
    let tls = tls_config(cfg.ca_file.as_deref())?;
    one_shot(async {
        let limit = cfg.timeout;
        let mut s = login(cfg, tls, &password)
            .await
            .map_err(|p| p.to_string())?;
        let delim = delimiter(&mut s, limit).await?;
        let processed = server_name(&cfg.processed_folder, &delim);
        let mailbox = limited(limit, "EXAMINE", s.examine(&processed)).await?;
        let mut out = Vec::new();
        if mailbox.exists > 0 {
            let fetches = limited(limit.saturating_mul(10), "UID FETCH", async {
                s.uid_fetch("1:*", "(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
                    .await?
                    .try_collect::<Vec<_>>()
                    .await
            })
            .await?;
            for f in &fetches {
                let Some(uid) = f.uid else { continue };
                let header = f.header().or_else(|| f.body()).unwrap_or_default();
                out.push(Processed {
                    uid,
                    message_id: crate::mail::message_id(header),
                });
            }
        }
        let _ = tokio::time::timeout(limit, s.logout()).await;
        out.sort_by_key(|p| p.uid);
        Ok(out)
    })?
}

/// The full messages with these UIDs from the processed folder.
pub fn fetch_processed(cfg: &ImapConfig, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>, String> {
    let password = load_password(&cfg.password, "IMAP")?;
    let tls = tls_config(cfg.ca_file.as_deref())?;
    one_shot(async {
        let limit = cfg.timeout;
        let mut s = login(cfg, tls, &password)
            .await
            .map_err(|p| p.to_string())?;
        let delim = delimiter(&mut s, limit).await?;
        let processed = server_name(&cfg.processed_folder, &delim);
        limited(limit, "EXAMINE", s.examine(&processed)).await?;
        let mut out = Vec::new();
        for chunk in uids.chunks(256) {
            let fetches = limited(limit.saturating_mul(4), "UID FETCH", async {
                s.uid_fetch(uid_set(chunk), "(UID BODY.PEEK[])")
                    .await?
                    .try_collect::<Vec<_>>()
                    .await
            })
            .await?;
            out.extend(
                fetches
                    .iter()
                    .filter_map(|f| Some((f.uid?, f.body()?.to_vec()))),
            );
        }
        let _ = tokio::time::timeout(limit, s.logout()).await;
        out.sort_by_key(|(u, _)| *u);
        Ok(out)
    })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_and_names() {
        assert_eq!(parse_source("1700000000:42"), Some((1700000000, 42)));
        assert_eq!(parse_source("cur/abc"), None);
        assert_eq!(uid_set(&[3, 5, 9]), "3,5,9");
        assert_eq!(server_name("loket/verwerkt", "."), "loket.verwerkt");
        assert_eq!(server_name("inbox", "/"), "INBOX");
        assert_eq!(quoted("a \"b\""), "\"a \\\"b\\\"\"");
    }
}
