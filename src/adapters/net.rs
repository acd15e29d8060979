//! What the IMAP and SMTP adapters share: passwords from their [`SecretSource`], the rustls
//! client configuration (ring provider; web roots plus an optional CA file), reconnect
//! backoff, and a precise account of why a connection failed (for `loket check --connect`).

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::config::model::SecretSource;

/// Reads a password. Errors name the variable or file and what to do; they never hold the
/// password itself. Only the trailing line end of a file is removed.
pub fn load_password(src: &SecretSource, what: &str) -> Result<String, String> {
    match src {
        SecretSource::Env(var) => match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(v),
            Ok(_) | Err(std::env::VarError::NotPresent) => Err(format!(
                "the {what} password: environment variable {var} (named by password_env) is not set or empty; set it before starting loket, or use password_file"
            )),
            Err(std::env::VarError::NotUnicode(_)) => Err(format!(
                "the {what} password: environment variable {var} is not valid UTF-8"
            )),
        },
        SecretSource::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                format!(
                    "the {what} password: cannot read {} ({e}); check password_file and that loket may read it (chmod 600, owned by loket's user)",
                    path.display()
                )
            })?;
            let pw = text.trim_end_matches(['\r', '\n']);
            if pw.is_empty() {
                return Err(format!(
                    "the {what} password: {} is empty; write the password in it",
                    path.display()
                ));
            }
            Ok(pw.to_string())
        }
    }
}

/// The certificates in a PEM file (`ca_file`).
pub fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs: Vec<_> = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read ca_file {}: {e}", path.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("ca_file {} is not PEM: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "ca_file {} holds no certificate (expected -----BEGIN CERTIFICATE-----)",
            path.display()
        ));
    }
    Ok(certs)
}

/// A rustls client configuration with the ring provider, trusting the Mozilla roots
/// (webpki-roots) and the certificates in `ca_file`.
pub fn tls_config(
    ca_file: Option<&Path>,
) -> Result<Arc<tokio_rustls::rustls::ClientConfig>, String> {
    use tokio_rustls::rustls;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        for cert in read_ca_file(path)? {
            roots
                .add(cert)
                .map_err(|e| format!("ca_file {}: unusable certificate: {e}", path.display()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The delay before reconnect attempt `attempt` (1-based): doubling from `min`, at most `max`.
pub fn backoff(attempt: u32, min: Duration, max: Duration) -> Duration {
    let factor = 1u32 << attempt.saturating_sub(1).min(20);
    min.saturating_mul(factor).min(max).max(min)
}

/// At which step a connection to a mail server failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Dns,
    Tcp,
    Tls,
    Auth,
    Folder,
    Protocol,
}

/// Why a connection to a mail server failed, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectProblem {
    pub stage: Stage,
    pub detail: String,
}

impl ConnectProblem {
    pub fn new(stage: Stage, detail: impl Into<String>) -> Self {
        ConnectProblem {
            stage,
            detail: detail.into(),
        }
    }

    /// What a person should do about it.
    pub fn advice(&self) -> &'static str {
        match self.stage {
            Stage::Dns => "check `host` in the config and this machine's DNS",
            Stage::Tcp => {
                "check `host` and `port`, that the server runs, and that no firewall blocks the port"
            }
            Stage::Tls => {
                "check `tls` (implicit or starttls must match the port) and the server's certificate; for a private CA set `ca_file` to its PEM certificate"
            }
            Stage::Auth => {
                "check `user` and the password (password_env / password_file); the server refused them"
            }
            Stage::Folder => "check `folder` in [mailbox]; it must exist on the server",
            Stage::Protocol => "the server answered unexpectedly; check `host`, `port` and `tls`",
        }
    }
}

impl fmt::Display for ConnectProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stage = match self.stage {
            Stage::Dns => "DNS",
            Stage::Tcp => "TCP connection",
            Stage::Tls => "TLS",
            Stage::Auth => "login",
            Stage::Folder => "folder",
            Stage::Protocol => "protocol",
        };
        write!(f, "{stage} failed: {}; {}", self.detail, self.advice())
    }
}

/// Resolves `host:port` (DNS) and opens a TCP connection, within `limit`; a failure says
/// which of the two went wrong.
pub async fn tcp_connect(
    host: &str,
    port: u16,
    limit: Duration,
) -> Result<tokio::net::TcpStream, ConnectProblem> {
    let addrs: Vec<std::net::SocketAddr> =
        match tokio::time::timeout(limit, tokio::net::lookup_host((host, port))).await {
            Err(_) => {
                return Err(ConnectProblem::new(
                    Stage::Dns,
                    format!("looking up {host} took longer than {limit:?}"),
                ));
            }
            Ok(Err(e)) => {
                return Err(ConnectProblem::new(
                    Stage::Dns,
                    format!("cannot resolve {host}: {e}"),
                ));
            }
            Ok(Ok(a)) => a.collect(),
        };
    if addrs.is_empty() {
        return Err(ConnectProblem::new(
            Stage::Dns,
            format!("{host} has no address"),
        ));
    }
    let mut last = String::new();
    for addr in addrs {
        match tokio::time::timeout(limit, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Ok(Err(e)) => last = format!("{addr}: {e}"),
            Err(_) => last = format!("{addr}: no answer within {limit:?}"),
        }
    }
    Err(ConnectProblem::new(Stage::Tcp, last))
}

/// Upgrades a TCP stream to TLS for `host` (a name or an IP address).
pub async fn tls_connect(
    config: Arc<tokio_rustls::rustls::ClientConfig>,
    host: &str,
    tcp: tokio::net::TcpStream,
    limit: Duration,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, ConnectProblem> {
    let name = rustls_pki_types::ServerName::try_from(host.trim_matches(['[', ']']).to_string())
        .map_err(|e| {
            ConnectProblem::new(
                Stage::Tls,
                format!("`{host}` is not a valid server name: {e}"),
            )
        })?;
    let connector = tokio_rustls::TlsConnector::from(config);
    match tokio::time::timeout(limit, connector.connect(name, tcp)).await {
        Err(_) => Err(ConnectProblem::new(
            Stage::Tls,
            format!("the TLS handshake took longer than {limit:?}"),
        )),
        Ok(Err(e)) => Err(ConnectProblem::new(Stage::Tls, e.to_string())),
        Ok(Ok(s)) => Ok(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_limit() {
        let (lo, hi) = (Duration::from_secs(1), Duration::from_secs(60));
        let got: Vec<u64> = (1..=8).map(|a| backoff(a, lo, hi).as_secs()).collect();
        assert_eq!(got, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(backoff(0, lo, hi), lo);
        assert_eq!(backoff(u32::MAX, lo, hi), hi);
    }

    #[test]
    fn passwords_come_from_env_or_file_and_errors_do_not_leak() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pw");
        std::fs::write(&f, "s3cret pass\n").unwrap();
        assert_eq!(
            load_password(&SecretSource::File(f.clone()), "IMAP").unwrap(),
            "s3cret pass"
        );
        std::fs::write(&f, "\n").unwrap();
        let e = load_password(&SecretSource::File(f), "IMAP").unwrap_err();
        assert!(e.contains("empty"), "{e}");
        let e = load_password(
            &SecretSource::Env("LOKET_TEST_SURELY_UNSET_PW".into()),
            "SMTP",
        )
        .unwrap_err();
        assert!(
            e.contains("LOKET_TEST_SURELY_UNSET_PW") && e.contains("SMTP"),
            "{e}"
        );
    }

    #[test]
    fn ca_file_must_hold_a_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("ca.pem");
        std::fs::write(&f, "not a certificate\n").unwrap();
        let e = read_ca_file(&f).unwrap_err();
        assert!(e.contains("no certificate"), "{e}");
        assert!(tls_config(Some(&f)).is_err());
        assert!(tls_config(None).is_ok());
    }

    #[test]
    fn problems_say_what_to_do() {
        let p = ConnectProblem::new(Stage::Auth, "535 bad credentials");
        let s = p.to_string();
        assert!(s.starts_with("login failed: 535"), "{s}");
        assert!(s.contains("password_env"), "{s}");
    }
}
