//! loket against real mail servers: Dovecot (IMAP, LMTP, SASL) and Postfix (submission),
//! started on loopback by `scripts/mailservers.sh` (which `scripts/test.sh` runs). Messages
//! are counted by Message-ID in the Maildirs Dovecot writes.
//!
//! Without the servers (no `LOKET_TEST_MAIL`) these tests fail in CI (`CI=true`) and are
//! skipped loudly elsewhere. They run one at a time: they share the servers' mailboxes.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use common::*;

const CASE: &[u8] = include_bytes!("fixtures/case_form.eml");
const DESK: &str = "loket-ott@minjenv.nl";
const SUBMITTER: &str = "p.devries@minbzk.nl";
const STAFF: &str = "s.visser@minjenv.nl";
const MEMBERS: [&str; 4] = [
    "a.devries@minjenv.nl",
    "b.jansen@minjenv.nl",
    "c.bakker@minbzk.nl",
    "d.smit@minfin.nl",
];

/// The running test servers, from the env file `scripts/mailservers.sh` wrote.
struct Servers {
    dir: PathBuf,
    vars: BTreeMap<String, String>,
    _lock: MutexGuard<'static, ()>,
}

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn servers() -> Option<Servers> {
    let lock = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let Some(dir) = std::env::var_os("LOKET_TEST_MAIL").map(PathBuf::from) else {
        let msg = "LOKET_TEST_MAIL is not set: the mail-server tests need Dovecot and Postfix \
                   started by `bash scripts/mailservers.sh start` (run everything with `bash \
                   scripts/test.sh`, which does that)";
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            panic!("{msg}");
        }
        eprintln!("\n!!!!!!!! SKIPPED: {msg} !!!!!!!!\n");
        return None;
    };
    let text = std::fs::read_to_string(dir.join("env")).unwrap_or_else(|e| {
        panic!(
            "cannot read {}/env ({e}); restart the servers",
            dir.display()
        )
    });
    let vars = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
        .collect();
    let s = Servers {
        dir,
        vars,
        _lock: lock,
    };
    s.wipe();
    Some(s)
}

impl Servers {
    fn var(&self, k: &str) -> &str {
        self.vars
            .get(k)
            .unwrap_or_else(|| panic!("{k} missing from the env file"))
    }

    fn port(&self, k: &str) -> u16 {
        self.var(k).parse().unwrap()
    }

    fn password(&self) -> String {
        self.var("LOKET_TEST_PASSWORD").to_string()
    }

    fn script(&self, cmd: &str) {
        let st = Command::new("bash")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/scripts/mailservers.sh"
            ))
            .arg(cmd)
            .env("LOKET_TEST_MAIL", &self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(st.success(), "mailservers.sh {cmd} failed");
    }

    /// Empties every mailbox and folder (the servers are shared by the tests).
    fn wipe(&self) {
        let st = Command::new("doveadm")
            .args(["-c"])
            .arg(self.dir.join("dc/dovecot.conf"))
            .args(["expunge", "-A", "mailbox", "*", "all"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(st.success(), "doveadm expunge failed");
    }

    /// Every message of a user: (folder, Message-ID), from the Maildir files.
    fn mailbox(&self, user: &str) -> Vec<(String, String)> {
        fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, String)>) {
            let Ok(rd) = std::fs::read_dir(dir) else {
                return;
            };
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let p = e.path();
                if !p.is_dir() {
                    continue;
                }
                if name == "cur" || name == "new" {
                    for f in std::fs::read_dir(&p).into_iter().flatten().flatten() {
                        let Ok(raw) = std::fs::read(f.path()) else {
                            continue;
                        };
                        let id = mail_parser::MessageParser::default()
                            .parse(&raw)
                            .and_then(|m| m.message_id().map(str::to_string))
                            .unwrap_or_default();
                        let folder = if rel.is_empty() { "INBOX" } else { rel };
                        out.push((folder.to_string(), id));
                    }
                } else if let Some(folder) = name.strip_prefix('.') {
                    walk(&p, folder, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.dir.join("mail").join(user), "", &mut out);
        out.sort();
        out
    }

    /// The raw bytes of the message with this Message-ID in a user's mailbox.
    fn message(&self, user: &str, id: &str) -> Sent {
        for sub in ["cur", "new"] {
            let d = self.dir.join("mail").join(user).join(sub);
            for f in std::fs::read_dir(d).into_iter().flatten().flatten() {
                let s = Sent::read(&f.path());
                if s.message_id == id {
                    return s;
                }
            }
        }
        panic!("{id} not in {user}'s inbox");
    }

    fn ids(&self, user: &str) -> Vec<String> {
        self.mailbox(user).into_iter().map(|(_, id)| id).collect()
    }

    fn count(&self, user: &str, pred: impl Fn(&str) -> bool) -> usize {
        self.ids(user).iter().filter(|id| pred(id)).count()
    }

    /// Submits a message as `user` (SMTP submission, STARTTLS, AUTH).
    fn send_as(&self, user: &str, to: &[&str], bytes: &[u8]) {
        use lettre::AsyncTransport;
        use lettre::transport::smtp::authentication::Credentials;
        use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
        let pem = std::fs::read(self.var("LOKET_TEST_CA")).unwrap();
        let tls = TlsParameters::builder("127.0.0.1".into())
            .add_root_certificate(Certificate::from_pem(&pem).unwrap())
            .build_rustls()
            .unwrap();
        let t =
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1")
                .port(self.port("LOKET_TEST_SMTP_PORT"))
                .tls(Tls::Required(tls))
                .credentials(Credentials::new(user.into(), self.password()))
                .build();
        let env = lettre::address::Envelope::new(
            Some(user.parse().unwrap()),
            to.iter().map(|a| a.parse().unwrap()).collect(),
        )
        .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(t.send_raw(&env, bytes))
            .unwrap_or_else(|e| panic!("submitting as {user}: {e}"));
    }

    /// A loket site on these servers. `edit` may change the config text.
    fn site(&self, implicit: bool, edit: impl Fn(String) -> String) -> Site {
        let site = Site::new();
        let (imap_tls, imap_port, smtp_tls, smtp_port) = if implicit {
            (
                "implicit",
                self.port("LOKET_TEST_IMAPS_PORT"),
                "implicit",
                self.port("LOKET_TEST_SMTPS_PORT"),
            )
        } else {
            (
                "starttls",
                self.port("LOKET_TEST_IMAP_PORT"),
                "starttls",
                self.port("LOKET_TEST_SMTP_PORT"),
            )
        };
        let ca = self.var("LOKET_TEST_CA");
        let net = format!(
            r#"[mailbox]
kind = "imap"
host = "127.0.0.1"
port = {imap_port}
tls = "{imap_tls}"
user = "{DESK}"
password_env = "LOKET_TEST_PASSWORD"
ca_file = "{ca}"
timeout = "10s"
backoff_min = "200ms"
backoff_max = "1s"
poll_interval = "60s"

[transport]
kind = "smtp"
host = "127.0.0.1"
port = {smtp_port}
tls = "{smtp_tls}"
user = "{DESK}"
password_env = "LOKET_TEST_PASSWORD"
ca_file = "{ca}"
timeout = "10s"
retry_first = "300ms"
retry_max = "1s"
"#
        );
        let text = CONFIG
            .replace(
                "[mailbox]\nkind = \"maildir\"\npath = \"maildir\"\npoll_interval = \"200ms\"\n",
                "",
            )
            .replace("[transport]\nkind = \"eml\"\npath = \"outbox\"\n", &net);
        assert!(
            text.contains("kind = \"imap\""),
            "test bug: config not edited"
        );
        std::fs::write(site.config(), edit(text)).unwrap();
        site
    }

    fn loket(&self, site: &Site, args: &[&str]) -> Command {
        let mut c = site.loket(args);
        c.env("LOKET_TEST_PASSWORD", self.password())
            .env("LOKET_LOG", "info,loket=debug");
        c
    }

    fn once(&self, site: &Site) {
        let out = self.loket(site, &["run", "--once"]).output().unwrap();
        assert!(
            out.status.success(),
            "loket run --once failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The daemon, logging to `site/daemon.log`.
    fn daemon(&self, site: &Site) -> Daemon {
        let log = std::fs::File::create(site.path("daemon.log")).unwrap();
        let child = self
            .loket(site, &["run"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        Daemon {
            child,
            log: site.path("daemon.log"),
        }
    }
}

struct Daemon {
    child: Child,
    log: PathBuf,
}

impl Daemon {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn stop(mut self) -> String {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let st = self.child.wait().unwrap();
        let log = self.log();
        assert!(st.success(), "daemon did not stop cleanly:\n{log}");
        log
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for(what: &str, limit: Duration, mut cond: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !cond() {
        if start.elapsed() > limit {
            panic!("timed out after {limit:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    start.elapsed()
}

fn is_receipt(id: &str) -> bool {
    id.starts_with("loket.") && id.contains(".receipt@")
}

fn is_personal(id: &str) -> bool {
    id.starts_with("loket.") && id.ends_with("@minjenv.nl") && id.contains(".d@")
}

/// Every member and the deputy hold exactly one personal message, the submitter one receipt.
fn assert_distributed_once(s: &Servers, label: &str) {
    assert_eq!(
        s.count(SUBMITTER, is_receipt),
        1,
        "{label}: receipts: {:?}",
        s.ids(SUBMITTER)
    );
    for m in MEMBERS {
        assert_eq!(
            s.count(m, is_personal),
            1,
            "{label}: {m} holds {:?}",
            s.ids(m)
        );
    }
}

/// The desk's INBOX is empty and the handled folder holds `n` messages.
fn assert_desk_handled(s: &Servers, n: usize, label: &str) {
    let desk = s.mailbox(DESK);
    let inbox = desk.iter().filter(|(f, _)| f == "INBOX").count();
    let done = desk.iter().filter(|(f, _)| f == "loket.verwerkt").count();
    assert_eq!((inbox, done), (0, n), "{label}: desk mailbox {desk:?}");
}

fn case_submitted(s: &Servers) {
    s.send_as(SUBMITTER, &[DESK], CASE);
    wait_for(
        "the case in the desk's INBOX",
        Duration::from_secs(10),
        || s.mailbox(DESK).iter().any(|(f, _)| f == "INBOX"),
    );
}

fn journal_events(s: &Servers, site: &Site) -> Vec<String> {
    let out = s
        .loket(site, &["case", "show", "2026-001", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["journal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------

#[test]
fn a_round_over_imap_idle_and_smtp_from_case_to_bundle() {
    let Some(s) = servers() else { return };
    let site = s.site(false, |t| t);
    let daemon = s.daemon(&site);
    // The daemon is idle on the desk folder before the case comes (its poll is 60 s, so
    // anything faster is IDLE's doing).
    wait_for("the daemon's IDLE", Duration::from_secs(10), || {
        daemon.log().contains("loket running")
    });
    std::thread::sleep(Duration::from_millis(500));
    let sent_at = Instant::now();
    s.send_as(SUBMITTER, &[DESK], CASE);
    wait_for("the receipt", Duration::from_secs(10), || {
        s.count(SUBMITTER, is_receipt) == 1
    });
    let latency = sent_at.elapsed();
    assert!(
        latency < Duration::from_secs(5),
        "push, not polling: {latency:?}"
    );
    wait_for("the personal messages", Duration::from_secs(10), || {
        MEMBERS.iter().all(|m| s.count(m, is_personal) == 1)
    });
    assert_distributed_once(&s, "distribution");
    wait_for(
        "the case moved out of the INBOX",
        Duration::from_secs(10),
        || s.mailbox(DESK).iter().all(|(f, _)| f != "INBOX"),
    );
    assert_desk_handled(&s, 1, "after intake");

    // Replies from the members' own accounts: the VenJ deputy, BZK, Fin.
    let replies = [
        (
            "b.jansen@minjenv.nl",
            "Bas Jansen",
            "Standpunt: nee\r\nArgumenten: geen aanleiding.",
        ),
        (
            "c.bakker@minbzk.nl",
            "Cor Bakker",
            "Standpunt: ja, onder voorwaarden\r\nArgumenten: de termijn is ruim overschreden.",
        ),
        (
            "d.smit@minfin.nl",
            "Dirk Smit",
            "Standpunt: ja\r\nArgumenten: redelijk.",
        ),
    ];
    for (who, name, text) in replies {
        let id = s.ids(who).into_iter().find(|i| is_personal(i)).unwrap();
        let personal = s.message(who, &id);
        let reply = personal.reply(
            &format!("{name} <{who}>"),
            text,
            "Tue, 24 Nov 2026 09:12:00 +0100",
        );
        s.send_as(who, &[DESK], &reply);
    }
    wait_for("the bundle", Duration::from_secs(15), || {
        s.count(SUBMITTER, |i| i.contains(".bundle@")) == 1
    });
    wait_for("the replies handled", Duration::from_secs(10), || {
        s.mailbox(DESK).iter().all(|(f, _)| f != "INBOX")
    });
    assert_desk_handled(&s, 4, "after the replies");
    let log = daemon.stop();
    assert!(log.contains("stopped cleanly"), "{log}");
    // Nothing twice.
    assert_eq!(s.count(SUBMITTER, |i| i.contains(".bundle@")), 1);
    assert_distributed_once(&s, "at the end");
    let bundle_id = s
        .ids(SUBMITTER)
        .into_iter()
        .find(|i| i.contains(".bundle@"))
        .unwrap();
    let bundle = s.message(SUBMITTER, &bundle_id);
    assert!(
        bundle.body.contains("de termijn is ruim overschreden"),
        "{}",
        bundle.body
    );
    let cases = site.case_list();
    assert_eq!(cases[0]["status"], "bundled", "{cases}");
    eprintln!("delivery to receipt over IMAP IDLE + SMTP: {latency:?}");
}

/// Kill the process at `point` in a `--once` pass, run again twice; everything once.
fn crash_and_recover(point: &str) -> Option<(Servers, Site)> {
    let s = servers()?;
    let site = s.site(false, |t| t);
    case_submitted(&s);
    let out = s
        .loket(&site, &["run", "--once"])
        .env("LOKET_FAILPOINT", point)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "{point}: should have crashed:\n{err}"
    );
    assert!(
        err.contains(&format!("failpoint {point}")),
        "{point}: crashed elsewhere:\n{err}"
    );
    s.once(&site);
    s.once(&site);
    wait_for("deliveries", Duration::from_secs(10), || {
        MEMBERS.iter().all(|m| s.count(m, is_personal) >= 1) && s.count(SUBMITTER, is_receipt) >= 1
    });
    // Let Postfix deliver anything still queued before counting.
    std::thread::sleep(Duration::from_millis(700));
    Some((s, site))
}

fn assert_exactly_once_everywhere(s: &Servers, site: &Site, point: &str) {
    assert_desk_handled(s, 1, point);
    assert_distributed_once(s, point);
    assert_eq!(site.case_list().as_array().unwrap().len(), 1, "{point}");
    assert_eq!(
        journal_events(s, site),
        ["case_created", "distributed"],
        "{point}"
    );
}

#[test]
fn crash_after_fetch_before_commit() {
    let Some((s, site)) = crash_and_recover("after-fetch") else {
        return;
    };
    assert_exactly_once_everywhere(&s, &site, "after-fetch");
}

#[test]
fn crash_after_commit_before_seen_and_move() {
    let Some((s, site)) = crash_and_recover("after-flush") else {
        return;
    };
    assert_exactly_once_everywhere(&s, &site, "after-flush");
}

#[test]
fn crash_after_outbox_commit_before_smtp() {
    let Some((s, site)) = crash_and_recover("before-send") else {
        return;
    };
    assert_exactly_once_everywhere(&s, &site, "before-send");
}

#[test]
fn crash_during_smtp_data() {
    let Some((s, site)) = crash_and_recover("smtp-during-data") else {
        return;
    };
    assert_exactly_once_everywhere(&s, &site, "smtp-during-data");
}

/// The one documented duplicate: the server said 250, the process died before recording it.
#[test]
fn crash_between_the_servers_ok_and_our_commit_sends_one_message_twice() {
    let Some((s, site)) = crash_and_recover("after-send") else {
        return;
    };
    assert_desk_handled(&s, 1, "after-send");
    // Exactly one message (the first sent) arrives twice; everything else once.
    let mut twice = 0;
    for who in std::iter::once(SUBMITTER).chain(MEMBERS) {
        let ids = s.ids(who);
        let mine: Vec<&String> = ids.iter().filter(|i| i.starts_with("loket.")).collect();
        match mine.len() {
            1 => {}
            2 if mine[0] == mine[1] => twice += 1,
            _ => panic!("{who}: {ids:?}"),
        }
    }
    assert_eq!(twice, 1, "one duplicate, no more");
    assert_eq!(journal_events(&s, &site), ["case_created", "distributed"]);
}

#[test]
fn dovecot_restarted_while_loket_idles_it_reconnects() {
    let Some(s) = servers() else { return };
    // Implicit TLS on both sides this time.
    let site = s.site(true, |t| t);
    let daemon = s.daemon(&site);
    wait_for("the daemon", Duration::from_secs(10), || {
        daemon.log().contains("loket running")
    });
    std::thread::sleep(Duration::from_millis(500));
    s.script("stop-dovecot");
    std::thread::sleep(Duration::from_millis(800));
    s.script("start-dovecot");
    case_submitted(&s);
    wait_for(
        "the receipt after the restart",
        Duration::from_secs(15),
        || s.count(SUBMITTER, is_receipt) == 1,
    );
    wait_for("the personal messages", Duration::from_secs(10), || {
        MEMBERS.iter().all(|m| s.count(m, is_personal) == 1)
    });
    let log = daemon.stop();
    assert!(
        log.contains("connection lost") || log.contains("cannot connect"),
        "{log}"
    );
    assert!(log.contains("connected again"), "{log}");
    assert_distributed_once(&s, "after the restart");
    assert_desk_handled(&s, 1, "after the restart");
}

#[test]
fn postfix_down_mail_waits_in_the_outbox_and_goes_when_it_is_back() {
    let Some(s) = servers() else { return };
    let site = s.site(false, |t| t);
    case_submitted(&s);
    s.script("stop-postfix");
    let restart = scopeguard(|| s.script("start-postfix"));
    let daemon = s.daemon(&site);
    wait_for("the case handled", Duration::from_secs(10), || {
        s.mailbox(DESK).iter().all(|(f, _)| f != "INBOX")
    });
    wait_for("a failed send", Duration::from_secs(10), || {
        daemon.log().contains("could not send message")
    });
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(s.count(SUBMITTER, is_receipt), 0);
    drop(restart);
    wait_for("the outbox delivered", Duration::from_secs(15), || {
        s.count(SUBMITTER, is_receipt) == 1 && MEMBERS.iter().all(|m| s.count(m, is_personal) == 1)
    });
    std::thread::sleep(Duration::from_millis(500));
    daemon.stop();
    assert_distributed_once(&s, "postfix back");
}

#[test]
fn a_recipient_refused_for_good_is_reported_to_the_desk() {
    let Some(s) = servers() else { return };
    // Fin's member has an address the server does not know: 550 at RCPT.
    let site = s.site(false, |t| {
        t.replace("d.smit@minfin.nl", "x.onbekend@minfin.nl")
    });
    case_submitted(&s);
    s.once(&site);
    wait_for("the desk's notice", Duration::from_secs(10), || {
        s.count(STAFF, |i| i.starts_with("loket.")) >= 1
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        s.count(STAFF, |i| i.starts_with("loket.")),
        1,
        "{:?}",
        s.ids(STAFF)
    );
    let id = s
        .ids(STAFF)
        .into_iter()
        .find(|i| i.starts_with("loket."))
        .unwrap();
    let notice = s.message(STAFF, &id);
    assert!(
        notice.body.contains("x.onbekend@minfin.nl"),
        "{}",
        notice.body
    );
    // The others got theirs.
    for m in &MEMBERS[..3] {
        assert_eq!(s.count(m, is_personal), 1, "{m}");
    }
    let events = journal_events(&s, &site);
    assert!(
        events.contains(&"delivery_failed".to_string()),
        "{events:?}"
    );
    // And it is not tried again.
    s.once(&site);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(s.count(STAFF, |i| i.starts_with("loket.")), 1);
}

#[test]
fn check_connect_says_what_works_and_what_fails() {
    let Some(s) = servers() else { return };
    let site = s.site(false, |t| t);
    let run = |site: &Site| {
        let out = s.loket(site, &["check", "--connect"]).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, out) = run(&site);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("IMAP: OK") && out.contains("SMTP: OK"),
        "{out}"
    );

    let wrong_pw = s.site(false, |t| {
        t.replace(
            "password_env = \"LOKET_TEST_PASSWORD\"",
            "password_env = \"LOKET_TEST_WRONG\"",
        )
    });
    let out = s
        .loket(&wrong_pw, &["check", "--connect"])
        .env("LOKET_TEST_WRONG", "not-the-password")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("IMAP: FAILED: login failed"), "{text}");
    assert!(text.contains("SMTP: FAILED: login failed"), "{text}");

    let no_ca = s.site(false, |t| {
        t.lines()
            .filter(|l| !l.starts_with("ca_file"))
            .collect::<Vec<_>>()
            .join("\n")
    });
    let (code, out) = run(&no_ca);
    assert_eq!(code, Some(3), "{out}");
    assert!(out.contains("IMAP: FAILED: TLS failed"), "{out}");
    assert!(out.contains("ca_file"), "says what to do: {out}");

    let closed = s.site(false, |t| {
        t.replace(
            &format!("port = {}", s.port("LOKET_TEST_IMAP_PORT")),
            "port = 1",
        )
    });
    let (code, out) = run(&closed);
    assert_eq!(code, Some(3), "{out}");
    assert!(out.contains("IMAP: FAILED: TCP connection failed"), "{out}");
}

#[test]
fn reconcile_rereads_what_a_lost_store_forgot_and_nothing_twice() {
    let Some(s) = servers() else { return };
    let site = s.site(false, |t| t);
    case_submitted(&s);
    s.once(&site);
    assert_desk_handled(&s, 1, "handled");
    let reconcile = || {
        let out = s.loket(&site, &["reconcile"]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let out = reconcile();
    assert!(
        out.contains("1 message(s)") && out.contains("1 known") && out.contains("0 read again"),
        "{out}"
    );
    // The store is lost (restored from an old backup: empty).
    std::fs::remove_dir_all(site.path("store")).unwrap();
    let out = reconcile();
    assert!(
        out.contains("0 known") && out.contains("1 read again"),
        "{out}"
    );
    assert_eq!(site.case_list().as_array().unwrap().len(), 1);
    let out = reconcile();
    assert!(
        out.contains("1 known") && out.contains("0 read again"),
        "{out}"
    );
    assert_eq!(site.case_list().as_array().unwrap().len(), 1);
    assert_desk_handled(&s, 1, "reconcile moves nothing");
}

/// Runs `f` when dropped (also when the test fails).
fn scopeguard<F: FnOnce()>(f: F) -> impl Drop {
    struct G<F: FnOnce()>(Option<F>);
    impl<F: FnOnce()> Drop for G<F> {
        fn drop(&mut self) {
            if let Some(f) = self.0.take() {
                f()
            }
        }
    }
    G(Some(f))
}
