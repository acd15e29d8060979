//! `[mailbox] kind = "imap"` and `[transport] kind = "smtp"`: the network mail servers.
//!
//! A child of the loader so it shares its checker and section helpers; kept apart because
//! these keys only matter for the network adapters.

use std::path::Path;
use std::time::Duration;

use toml::de::DeValue;

use super::resolve;
use super::{Checker, Section, a_type, check_duration, check_env_name, check_name, check_path};
use crate::config::model::{
    ImapConfig, MailboxConfig, RetryPolicy, SecretSource, SmtpConfig, TlsMode, TransportConfig,
};

/// Reports keys of this section that the chosen `kind` does not take.
pub(super) fn not_for_kind(
    ck: &mut Checker,
    s: &Section<'_, '_>,
    kind: &str,
    known: &[&str],
    allowed: &[&str],
) {
    for (k, _) in s.table.iter() {
        let name: &str = k.get_ref().as_ref();
        if known.contains(&name) && !allowed.contains(&name) {
            let msg = format!(
                "`{name}` does not apply to kind = \"{kind}\"; remove it, or change `kind`"
            );
            ck.error(k.span(), &s.key(name), msg);
        }
    }
}

/// A TCP port number, or `default` when absent.
fn port_or(ck: &mut Checker, s: &Section<'_, '_>, key: &str, default: u16) -> Option<u16> {
    let Some(v) = s.get(key) else {
        return Some(default);
    };
    let problem = match v.get_ref() {
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            match i64::from_str_radix(&digits, i.radix()) {
                Ok(n) if (1..=65535).contains(&n) => return Some(n as u16),
                _ => format!("`{}` is not a port number", i.as_str()),
            }
        }
        other => format!("must be a number, not {}", a_type(other)),
    };
    let msg = format!(
        "{problem}; write a port number from 1 to 65535 without quotes, e.g. {key} = {default}"
    );
    ck.error(v.span(), &s.key(key), msg);
    None
}

/// `host`: a name or an address; no scheme, no port.
fn check_host(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.contains("://") || t.contains(char::is_whitespace) || t.contains('/') {
        return Err(format!(
            "`{s}` is not a host name; write only the name or address, e.g. \"mail.minjenv.nl\" (the port goes in `port`)"
        ));
    }
    if t.rsplit_once(':')
        .is_some_and(|(h, p)| !h.contains(':') && p.parse::<u16>().is_ok())
    {
        return Err(format!(
            "`{s}` contains a port; write the port in `port` and only the name in `host`"
        ));
    }
    Ok(t.to_string())
}

fn check_tls(allow_none: bool) -> impl FnOnce(&str) -> Result<TlsMode, String> {
    move |s: &str| match s.trim() {
        "implicit" => Ok(TlsMode::Implicit),
        "starttls" => Ok(TlsMode::Starttls),
        "none" if allow_none => Ok(TlsMode::None),
        _ if allow_none => Err(format!(
            "`{s}` is not a TLS mode; write \"starttls\" (port 587), \"implicit\" (port 465), or \"none\" (only for a server on 127.0.0.1)"
        )),
        _ => Err(format!(
            "`{s}` is not a TLS mode; write \"implicit\" (port 993) or \"starttls\" (port 143)"
        )),
    }
}

fn check_folder(s: &str) -> Result<String, String> {
    let t = s.trim().trim_matches('/');
    if t.is_empty()
        || t.chars()
            .any(|c| c.is_control() || matches!(c, '"' | '\\' | '*' | '%'))
    {
        return Err(format!(
            "`{s}` is not a usable folder name; avoid quotes, backslashes, `*` and `%`, and write levels with `/`, e.g. \"loket/verwerkt\""
        ));
    }
    Ok(t.to_string())
}

/// `password_env` or `password_file`: exactly one when `required`, at most one otherwise.
fn password_source(
    ck: &mut Checker,
    s: &Section<'_, '_>,
    base: &Path,
    required: bool,
    env_example: &str,
) -> Result<Option<SecretSource>, ()> {
    let file = s.opt(
        ck,
        "password_file",
        "password_file = \"/etc/loket/mail.pass\"",
        check_path,
    );
    let env_ex = format!("password_env = \"{env_example}\"");
    let env = s.opt(ck, "password_env", &env_ex, check_env_name);
    match (file?, env?) {
        (Some(f), None) => Ok(Some(SecretSource::File(resolve(base, &f.value)))),
        (None, Some(e)) => Ok(Some(SecretSource::Env(e.value))),
        (Some(_), Some(e)) => {
            ck.error(
                e.span,
                &s.key("password_env"),
                "password_file and password_env are both set; keep exactly one of them",
            );
            Err(())
        }
        (None, None) if required => {
            let msg = format!(
                "{} needs password_file or password_env (never the password itself); add e.g. {env_ex}",
                s.label()
            );
            ck.error(s.span.clone(), &s.key("password_env"), msg);
            Err(())
        }
        (None, None) => Ok(None),
    }
}

fn duration_or(
    ck: &mut Checker,
    s: &Section<'_, '_>,
    key: &str,
    default: Duration,
) -> Option<Duration> {
    let example = format!("{key} = \"{}\"", humantime::format_duration(default));
    s.opt_or(ck, key, &example, default, check_duration)
}

/// Reports `key` when present: it belongs to the other kind.
fn reject_key(ck: &mut Checker, s: &Section<'_, '_>, key: &str, kind: &str) {
    if let Some((k, _)) = s.table.get_key_value(key) {
        let msg =
            format!("`{key}` does not apply to kind = \"{kind}\"; remove it, or change `kind`");
        ck.error(k.span(), &s.key(key), msg);
    }
}

fn span_of(s: &Section<'_, '_>, key: &str) -> std::ops::Range<usize> {
    s.get(key).map(|v| v.span()).unwrap_or(s.span.clone())
}

pub(super) fn parse_imap(
    ck: &mut Checker,
    s: &Section<'_, '_>,
    base: &Path,
) -> Option<MailboxConfig> {
    reject_key(ck, s, "path", "imap");
    let host = s.req(ck, "host", "host = \"imap.minjenv.nl\"", check_host);
    let tls = s.opt_or(
        ck,
        "tls",
        "tls = \"implicit\"",
        TlsMode::Implicit,
        check_tls(false),
    );
    let default_port = if tls == Some(TlsMode::Starttls) {
        143
    } else {
        993
    };
    let port = port_or(ck, s, "port", default_port);
    let user = s.req(ck, "user", "user = \"loket-ott@minjenv.nl\"", check_name);
    let password = password_source(ck, s, base, true, "LOKET_IMAP_PASSWORD");
    let folder = s.opt_or(
        ck,
        "folder",
        "folder = \"INBOX\"",
        "INBOX".to_string(),
        check_folder,
    );
    let processed = s.opt_or(
        ck,
        "processed_folder",
        "processed_folder = \"loket/verwerkt\"",
        "loket/verwerkt".to_string(),
        check_folder,
    );
    let ca_file = s.opt(ck, "ca_file", "ca_file = \"/etc/loket/ca.pem\"", check_path);
    let timeout = duration_or(ck, s, "timeout", Duration::from_secs(60));
    let idle_renew = duration_or(ck, s, "idle_renew", Duration::from_secs(25 * 60));
    let backoff_min = duration_or(ck, s, "backoff_min", Duration::from_secs(1));
    let backoff_max = duration_or(ck, s, "backoff_max", Duration::from_secs(5 * 60));
    let poll = duration_or(ck, s, "poll_interval", Duration::from_secs(5 * 60));
    if idle_renew.is_some_and(|r| r > Duration::from_secs(29 * 60)) {
        ck.error(
            span_of(s, "idle_renew"),
            &s.key("idle_renew"),
            "must be at most 29 minutes (servers may end an IDLE after 30); write e.g. \"25min\"",
        );
        return None;
    }
    if let (Some(lo), Some(hi)) = (backoff_min, backoff_max)
        && hi < lo
    {
        ck.error(
            span_of(s, "backoff_max"),
            &s.key("backoff_max"),
            "is shorter than backoff_min; make it at least as long",
        );
        return None;
    }
    let (folder, processed) = (folder?, processed?);
    if folder.eq_ignore_ascii_case(&processed) {
        ck.error(
            span_of(s, "processed_folder"),
            &s.key("processed_folder"),
            "is the same folder as `folder`; handled mail must move elsewhere, e.g. \"loket/verwerkt\"",
        );
        return None;
    }
    Some(MailboxConfig::Imap(ImapConfig {
        host: host?.value,
        port: port?,
        tls: tls?,
        user: user?.value,
        password: password.ok()??,
        folder,
        processed_folder: processed,
        ca_file: ca_file.ok()?.map(|g| resolve(base, &g.value)),
        timeout: timeout?,
        idle_renew: idle_renew?,
        backoff_min: backoff_min?,
        backoff_max: backoff_max?,
        poll_interval: poll?,
    }))
}

pub(super) fn parse_smtp(
    ck: &mut Checker,
    s: &Section<'_, '_>,
    base: &Path,
) -> Option<TransportConfig> {
    reject_key(ck, s, "path", "smtp");
    let host = s.req(ck, "host", "host = \"smtp.minjenv.nl\"", check_host);
    let tls = s.opt_or(
        ck,
        "tls",
        "tls = \"starttls\"",
        TlsMode::Starttls,
        check_tls(true),
    );
    let default_port = match tls {
        Some(TlsMode::Implicit) => 465,
        Some(TlsMode::None) => 25,
        _ => 587,
    };
    let port = port_or(ck, s, "port", default_port);
    let user = s.opt(ck, "user", "user = \"loket-ott@minjenv.nl\"", check_name);
    let password = password_source(ck, s, base, false, "LOKET_SMTP_PASSWORD");
    let ca_file = s.opt(ck, "ca_file", "ca_file = \"/etc/loket/ca.pem\"", check_path);
    let timeout = duration_or(ck, s, "timeout", Duration::from_secs(60));
    let retry_for = duration_or(ck, s, "retry_for", Duration::from_secs(5 * 86400));
    let first = duration_or(ck, s, "retry_first", Duration::from_secs(60));
    let max = duration_or(ck, s, "retry_max", Duration::from_secs(3600));
    let (user, password) = (user.ok()?, password.ok()?);
    match (&user, &password) {
        (Some(u), None) => {
            ck.error(
                u.span.clone(),
                &s.key("user"),
                "`user` is set but not where its password comes from; add password_env = \"LOKET_SMTP_PASSWORD\" or password_file",
            );
            return None;
        }
        (None, Some(_)) => {
            ck.error(
                s.span.clone(),
                &s.key("user"),
                "a password source is set but no `user`; add user = \"loket-ott@minjenv.nl\"",
            );
            return None;
        }
        _ => {}
    }
    let host = host?;
    if tls == Some(TlsMode::None) && !is_loopback(&host.value) {
        ck.error(
            span_of(s, "tls"),
            &s.key("tls"),
            "tls = \"none\" is only allowed for a server on the loopback address (127.0.0.1, ::1, localhost); use \"starttls\" or \"implicit\"",
        );
        return None;
    }
    if let (Some(lo), Some(hi)) = (first, max)
        && hi < lo
    {
        ck.error(
            span_of(s, "retry_max"),
            &s.key("retry_max"),
            "is shorter than retry_first; make it at least as long",
        );
        return None;
    }
    Some(TransportConfig::Smtp(SmtpConfig {
        host: host.value,
        port: port?,
        tls: tls?,
        user: user.map(|u| u.value),
        password,
        ca_file: ca_file.ok()?.map(|g| resolve(base, &g.value)),
        timeout: timeout?,
        retry: RetryPolicy {
            retry_for: Some(retry_for?),
            first_delay: first?,
            max_delay: max?,
        },
    }))
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(check_host(" imap.example.nl ").unwrap(), "imap.example.nl");
        assert!(check_host("imaps://imap.example.nl").is_err());
        assert!(
            check_host("imap.example.nl:993")
                .unwrap_err()
                .contains("port")
        );
        assert!(check_host("::1").is_ok());
        assert!(is_loopback("127.0.0.1") && is_loopback("::1") && is_loopback("localhost"));
        assert!(!is_loopback("10.0.0.1") && !is_loopback("mail.example.nl"));
    }

    #[test]
    fn folders_and_tls() {
        assert_eq!(check_folder("/loket/verwerkt/").unwrap(), "loket/verwerkt");
        assert!(check_folder("a*b").is_err());
        assert!(check_folder("/").is_err());
        assert_eq!(check_tls(false)("starttls"), Ok(TlsMode::Starttls));
        assert!(check_tls(false)("none").is_err());
        assert_eq!(check_tls(true)("none"), Ok(TlsMode::None));
    }
}
