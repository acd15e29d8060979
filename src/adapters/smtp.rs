//! SMTP submission as the outgoing transport (lettre's SMTP client on tokio, rustls with the
//! ring provider).
//!
//! The message goes out byte for byte as rendered; the envelope is the desk address as
//! sender and the outbox entry's recipients. Each recipient is tried on its own (`RCPT`), so
//! one refused address does not stop the others:
//!
//! * every recipient taken and the data accepted (2xx) → [`SendOutcome::Sent`];
//! * a 4xx anywhere, a dropped connection, a timeout, TLS or login trouble →
//!   [`SendOutcome::Temporary`]: the outbox tries the whole message again later;
//! * a 5xx for some recipients (the rest took it), or for the data →
//!   [`SendOutcome::Permanent`] with the refused recipients.
//!
//! A 5xx to `AUTH` or `MAIL FROM` is a problem of our configuration, not of the message, so
//! it is temporary: the outbox retries until the retry period ends.
//!
//! The connection lives in a thread of its own with a small current-thread tokio runtime; the
//! sync [`Transport`](super::Transport) side hands it each message through a channel and
//! waits for the outcome, so it works alike from the daemon's blocking worker and from
//! `--once`, and dropping it never blocks an async context. One connection is kept open
//! between messages and opened again when the server dropped it.

use std::str::FromStr;
use std::time::Duration;

use lettre::Address;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use tracing::{debug, warn};

use super::net::{ConnectProblem, Stage, load_password, read_ca_file};
use super::{SendOutcome, SourceError};
use crate::config::model::{SmtpConfig, TlsMode};

pub struct SmtpTransport {
    tx: tokio::sync::mpsc::UnboundedSender<Request>,
}

enum Request {
    Send {
        recipients: Vec<String>,
        bytes: Vec<u8>,
        reply: std::sync::mpsc::Sender<Result<SendOutcome, Failure>>,
    },
    Check {
        reply: std::sync::mpsc::Sender<Result<String, ConnectProblem>>,
    },
}

/// The connection's owner, in the SMTP thread.
struct Worker {
    cfg: SmtpConfig,
    credentials: Option<Credentials>,
    from: Address,
    hello: ClientId,
    tls: Option<TlsParameters>,
    conn: Option<AsyncSmtpConnection>,
}

/// How one SMTP step failed.
enum Failure {
    /// The connection is unusable (network, TLS, protocol, timeout): drop it, try later.
    Connection(String),
    /// The connection failed at `MAIL FROM`, before any of the message was sent: a kept-open
    /// connection the server has meanwhile closed. Safe to try again at once.
    Stale(String),
    /// The server answered 4xx.
    Transient(String),
    /// The server answered 5xx.
    Permanent(String),
}

fn classify(step: &str, e: lettre::transport::smtp::Error) -> Failure {
    let text = format!("{step}: {e}");
    if e.is_permanent() {
        Failure::Permanent(text)
    } else if e.is_transient() {
        Failure::Transient(text)
    } else {
        Failure::Connection(text)
    }
}

impl SmtpTransport {
    /// Reads the password and the CA file; connects only when the first message goes out.
    pub fn open(cfg: &SmtpConfig, from: &str) -> Result<SmtpTransport, SourceError> {
        let credentials = match (&cfg.user, &cfg.password) {
            (Some(user), Some(src)) => Some(Credentials::new(
                user.clone(),
                load_password(src, "SMTP").map_err(SourceError)?,
            )),
            _ => None,
        };
        let from = Address::from_str(from).map_err(|e| {
            SourceError(format!(
                "the desk address {from} is not usable as SMTP sender: {e}"
            ))
        })?;
        let tls = match cfg.tls {
            TlsMode::None => None,
            _ => Some(tls_parameters(cfg).map_err(SourceError)?),
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| SourceError(format!("cannot start the SMTP runtime: {e}")))?;
        let mut worker = Worker {
            hello: ClientId::Domain(from.domain().to_string()),
            cfg: cfg.clone(),
            credentials,
            from,
            tls,
            conn: None,
        };
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Request>();
        std::thread::Builder::new()
            .name("loket-smtp".into())
            .spawn(move || {
                rt.block_on(async move {
                    while let Some(req) = rx.recv().await {
                        match req {
                            Request::Send {
                                recipients,
                                bytes,
                                reply,
                            } => {
                                let _ = reply.send(worker.send(&recipients, &bytes).await);
                            }
                            Request::Check { reply } => {
                                let _ = reply.send(worker.check().await);
                            }
                        }
                    }
                    if let Some(mut c) = worker.conn.take() {
                        let _ = tokio::time::timeout(Duration::from_secs(2), c.quit()).await;
                    }
                })
            })
            .map_err(|e| SourceError(format!("cannot start the SMTP thread: {e}")))?;
        Ok(SmtpTransport { tx })
    }

    /// Logs in and out again (`loket check --connect`).
    pub fn check(&mut self) -> Result<String, ConnectProblem> {
        let (reply, rx) = std::sync::mpsc::channel();
        let gone = || ConnectProblem::new(Stage::Protocol, "the SMTP thread stopped");
        self.tx.send(Request::Check { reply }).map_err(|_| gone())?;
        rx.recv().map_err(|_| gone())?
    }
}

impl Worker {
    /// Connects, says EHLO, upgrades with STARTTLS and logs in: says precisely what failed.
    async fn connect(
        cfg: &SmtpConfig,
        tls: Option<&TlsParameters>,
        hello: &ClientId,
        credentials: Option<&Credentials>,
    ) -> Result<AsyncSmtpConnection, ConnectProblem> {
        let limit = cfg.timeout;
        // DNS and TCP first, so a failure there is told apart from TLS.
        drop(super::net::tcp_connect(&cfg.host, cfg.port, limit).await?);
        let implicit = match cfg.tls {
            TlsMode::Implicit => tls.cloned(),
            _ => None,
        };
        let mut conn = match tokio::time::timeout(
            limit,
            AsyncSmtpConnection::connect_tokio1(
                (cfg.host.as_str(), cfg.port),
                Some(limit),
                hello,
                implicit,
                None,
            ),
        )
        .await
        {
            Err(_) => {
                return Err(ConnectProblem::new(
                    Stage::Protocol,
                    format!("no SMTP greeting within {limit:?}"),
                ));
            }
            Ok(Err(e)) if e.is_tls() => return Err(ConnectProblem::new(Stage::Tls, e.to_string())),
            Ok(Err(e)) => return Err(ConnectProblem::new(Stage::Protocol, e.to_string())),
            Ok(Ok(c)) => c,
        };
        if cfg.tls == TlsMode::Starttls {
            if !conn.server_info().supports_feature(Extension::StartTls) {
                conn.abort().await;
                return Err(ConnectProblem::new(
                    Stage::Tls,
                    "the server does not offer STARTTLS",
                ));
            }
            let params = tls.cloned().expect("STARTTLS has TLS parameters");
            match tokio::time::timeout(limit, conn.starttls(params, hello)).await {
                Err(_) => {
                    return Err(ConnectProblem::new(
                        Stage::Tls,
                        format!("STARTTLS took longer than {limit:?}"),
                    ));
                }
                Ok(Err(e)) => return Err(ConnectProblem::new(Stage::Tls, e.to_string())),
                Ok(Ok(())) => {}
            }
        }
        if let Some(creds) = credentials {
            let mechanisms = [Mechanism::Plain, Mechanism::Login];
            match tokio::time::timeout(limit, conn.auth(&mechanisms, creds)).await {
                Err(_) => {
                    return Err(ConnectProblem::new(
                        Stage::Auth,
                        format!("AUTH took longer than {limit:?}"),
                    ));
                }
                Ok(Err(e)) => {
                    conn.abort().await;
                    return Err(ConnectProblem::new(Stage::Auth, e.to_string()));
                }
                Ok(Ok(_)) => {}
            }
        }
        Ok(conn)
    }

    async fn check(&mut self) -> Result<String, ConnectProblem> {
        let creds = self.credentials.as_ref();
        let mut conn = Self::connect(&self.cfg, self.tls.as_ref(), &self.hello, creds).await?;
        let encrypted = conn.is_encrypted();
        let _ = conn.quit().await;
        Ok(format!(
            "SMTP {}:{}: connected{}{}",
            self.cfg.host,
            self.cfg.port,
            if encrypted {
                ", TLS verified"
            } else {
                ", unencrypted"
            },
            if creds.is_some() { ", logged in" } else { "" }
        ))
    }

    /// One message: on the open connection, and once more on a fresh one if the server had
    /// meanwhile closed the one kept open.
    async fn send(&mut self, recipients: &[String], bytes: &[u8]) -> Result<SendOutcome, Failure> {
        let reused = self.conn.is_some();
        let mut r = self.attempt(recipients, bytes).await;
        if reused && matches!(r, Err(Failure::Stale(_))) {
            if let Some(mut c) = self.conn.take() {
                c.abort().await;
            }
            r = self.attempt(recipients, bytes).await;
        }
        if let Err(Failure::Stale(m)) = r {
            r = Err(Failure::Connection(m));
        }
        if matches!(r, Err(Failure::Connection(_)))
            && let Some(mut c) = self.conn.take()
        {
            c.abort().await;
        }
        r
    }

    /// One attempt on the open connection (opened first when needed).
    async fn attempt(
        &mut self,
        recipients: &[String],
        bytes: &[u8],
    ) -> Result<SendOutcome, Failure> {
        let limit = self.cfg.timeout;
        if self.conn.as_ref().is_none_or(|c| c.has_broken()) {
            let creds = self.credentials.as_ref();
            let conn = Self::connect(&self.cfg, self.tls.as_ref(), &self.hello, creds)
                .await
                .map_err(|p| Failure::Connection(p.to_string()))?;
            self.conn = Some(conn);
        }
        let from = &self.from;
        let conn = self.conn.as_mut().expect("connected");
        let t = |what: &str| Failure::Connection(format!("{what}: no answer within {limit:?}"));

        let mut params = Vec::new();
        if !bytes.is_ascii() && conn.server_info().supports_feature(Extension::EightBitMime) {
            params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        match tokio::time::timeout(limit, conn.command(Mail::new(Some(from.clone()), params))).await
        {
            Err(_) => {
                return Err(Failure::Stale(format!(
                    "MAIL FROM: no answer within {limit:?}"
                )));
            }
            // Our sender refused: a configuration problem, retried (and reported) by the outbox.
            Ok(Err(e)) => {
                return Err(match classify("MAIL FROM", e) {
                    Failure::Permanent(m) => Failure::Transient(m),
                    Failure::Connection(m) => Failure::Stale(m),
                    other => other,
                });
            }
            Ok(Ok(_)) => {}
        }
        let mut accepted = Vec::new();
        let mut refused = Vec::new();
        let mut deferred = Vec::new();
        for r in recipients {
            let Ok(addr) = Address::from_str(r) else {
                refused.push((r.clone(), format!("`{r}` is not a valid address")));
                continue;
            };
            match tokio::time::timeout(limit, conn.command(Rcpt::new(addr, vec![]))).await {
                Err(_) => return Err(t("RCPT TO")),
                Ok(Ok(_)) => accepted.push(r.clone()),
                Ok(Err(e)) => match classify(&format!("RCPT TO:<{r}>"), e) {
                    Failure::Permanent(m) => refused.push((r.clone(), m)),
                    Failure::Transient(m) => deferred.push(m),
                    Failure::Connection(m) | Failure::Stale(m) => {
                        return Err(Failure::Connection(m));
                    }
                },
            }
        }
        if !deferred.is_empty() || accepted.is_empty() {
            let _ = tokio::time::timeout(limit, conn.command(Rset)).await;
            if !deferred.is_empty() {
                return Err(Failure::Transient(deferred.join("; ")));
            }
            return Ok(permanent(&refused));
        }
        match tokio::time::timeout(limit, conn.command(Data)).await {
            Err(_) => return Err(t("DATA")),
            Ok(Err(e)) => {
                return match classify("DATA", e) {
                    Failure::Permanent(m) => {
                        let _ = tokio::time::timeout(limit, conn.command(Rset)).await;
                        refused.extend(accepted.iter().map(|r| (r.clone(), m.clone())));
                        Ok(permanent(&refused))
                    }
                    other => Err(other),
                };
            }
            Ok(Ok(_)) => {}
        }
        // The message in two parts, so a test can stop the process in the middle of DATA.
        let half = bytes.len() / 2;
        let mut parts = 0;
        let chunks = std::iter::from_fn(|| {
            parts += 1;
            match parts {
                1 => Some(&bytes[..half]),
                2 => {
                    crate::driver::failpoint("smtp-during-data");
                    Some(&bytes[half..])
                }
                _ => None,
            }
        });
        // From here on a lost answer is the one ambiguous moment: the server may have taken
        // the message (see ARCHITECTURE.md, "the one duplicate").
        match tokio::time::timeout(limit.saturating_mul(2), conn.message_iter(chunks)).await {
            Err(_) => Err(t("end of DATA")),
            Ok(Ok(_)) if refused.is_empty() => Ok(SendOutcome::Sent),
            Ok(Ok(_)) => Ok(permanent(&refused)),
            Ok(Err(e)) => match classify("end of DATA", e) {
                Failure::Permanent(m) => {
                    refused.extend(accepted.iter().map(|r| (r.clone(), m.clone())));
                    Ok(permanent(&refused))
                }
                other => Err(other),
            },
        }
    }
}

/// The outcome for recipients refused for good (5xx); the others (if any) took the message.
fn permanent(refused: &[(String, String)]) -> SendOutcome {
    SendOutcome::Permanent {
        recipients: refused.iter().map(|(r, _)| r.clone()).collect(),
        reason: refused
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn tls_parameters(cfg: &SmtpConfig) -> Result<TlsParameters, String> {
    let mut b = TlsParameters::builder(cfg.host.trim_matches(['[', ']']).to_string());
    if let Some(path) = &cfg.ca_file {
        // Validate (and give our own error message) before lettre parses it.
        read_ca_file(path)?;
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read ca_file {}: {e}", path.display()))?;
        let cert =
            Certificate::from_pem(&pem).map_err(|e| format!("ca_file {}: {e}", path.display()))?;
        b = b.add_root_certificate(cert);
    }
    b.build_rustls()
        .map_err(|e| format!("SMTP TLS setup failed: {e}"))
}

impl super::Transport for SmtpTransport {
    fn send(&mut self, message_id: &str, recipients: &[String], bytes: &[u8]) -> SendOutcome {
        let (reply, rx) = std::sync::mpsc::channel();
        let req = Request::Send {
            recipients: recipients.to_vec(),
            bytes: bytes.to_vec(),
            reply,
        };
        let outcome = match self.tx.send(req) {
            Ok(()) => rx
                .recv()
                .unwrap_or_else(|_| Err(Failure::Connection("the SMTP thread stopped".into()))),
            Err(_) => Err(Failure::Connection("the SMTP thread stopped".into())),
        };
        match outcome {
            Ok(o) => {
                debug!(%message_id, outcome = ?o, "SMTP");
                o
            }
            Err(Failure::Connection(m)) | Err(Failure::Stale(m)) => {
                warn!(%message_id, error = %m, "SMTP connection failed");
                SendOutcome::Temporary(m)
            }
            Err(Failure::Transient(m)) | Err(Failure::Permanent(m)) => SendOutcome::Temporary(m),
        }
    }
}
