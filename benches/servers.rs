//! End to end over real IMAP and SMTP on loopback: Dovecot and Postfix from
//! `scripts/mailservers.sh`, the real `loket` daemon in between.
//!
//! * latency: cases submitted one at a time; from the moment Dovecot has delivered the case
//!   into the desk's Maildir to the moment the case's last personal message lands in its
//!   member's Maildir (so it includes IDLE, the pass, SMTP submission of the receipt and all
//!   personal messages, and Postfix's LMTP delivery), p50/p99;
//! * throughput: a burst of cases submitted at once; cases handled per second and personal
//!   messages delivered per second, until every one has arrived.
//!
//! (Members' messages are counted, not receipts: the core holds back answers to a sender
//! that submits many cases in a row, as a loop guard.)
//!
//! Run: `cargo bench --bench servers` (starts the servers itself when `LOKET_TEST_MAIL` is not
//! set, and stops them after). `LOKET_BENCH_CASES` sets the burst size (default 100).

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CASE: &str = include_str!("../tests/fixtures/case_form.eml");
const DESK: &str = "loket-ott@minjenv.nl";
const SUBMITTER: &str = "p.devries@minbzk.nl";
/// The last of a case's personal messages to be sent.
const LAST: &str = "d.smit@minfin.nl";
const LATENCY_SAMPLES: usize = 40;

fn main() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/mailservers.sh");
    let (dir, started) = match std::env::var_os("LOKET_TEST_MAIL") {
        Some(d) => (PathBuf::from(d), false),
        None => {
            let out = Command::new("bash")
                .args([script, "start"])
                .stdin(Stdio::null())
                .output()
                .expect("run mailservers.sh");
            assert!(out.status.success(), "the test mail servers did not start");
            let line = String::from_utf8_lossy(&out.stdout);
            let d = line
                .trim()
                .trim_start_matches("export LOKET_TEST_MAIL=")
                .to_string();
            (PathBuf::from(d), true)
        }
    };
    let result = std::panic::catch_unwind(|| bench(&dir));
    if started {
        let _ = Command::new("bash")
            .args([script, "stop", "--clean"])
            .env("LOKET_TEST_MAIL", &dir)
            .status();
    }
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

fn env_var(dir: &Path, key: &str) -> String {
    std::fs::read_to_string(dir.join("env"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")).map(str::to_string))
        .unwrap_or_else(|| panic!("{key} not in the env file"))
}

fn count_new(dir: &Path, user: &str) -> usize {
    ["new", "cur"]
        .iter()
        .map(|s| {
            std::fs::read_dir(dir.join("mail").join(user).join(s))
                .map(|r| r.count())
                .unwrap_or(0)
        })
        .sum()
}

fn count_all(dir: &Path) -> usize {
    [
        "a.devries@minjenv.nl",
        "b.jansen@minjenv.nl",
        "c.bakker@minbzk.nl",
        LAST,
    ]
    .iter()
    .map(|u| count_new(dir, u))
    .sum()
}

fn case(i: usize) -> Vec<u8> {
    CASE.replace(
        "Message-ID: <CAB1234567890.casus@minbzk.nl>",
        &format!("Message-ID: <bench.{i}.{}@minbzk.nl>", std::process::id()),
    )
    .into_bytes()
}

fn bench(dir: &Path) {
    let st = Command::new("doveadm")
        .arg("-c")
        .arg(dir.join("dc/dovecot.conf"))
        .args(["expunge", "-A", "mailbox", "*", "all"])
        .status()
        .unwrap();
    assert!(st.success());
    let password = env_var(dir, "LOKET_TEST_PASSWORD");
    let ca = env_var(dir, "LOKET_TEST_CA");
    let smtp_port: u16 = env_var(dir, "LOKET_TEST_SMTP_PORT").parse().unwrap();
    let imap_port: u16 = env_var(dir, "LOKET_TEST_IMAP_PORT").parse().unwrap();

    let site = common::Site::new();
    let net = format!(
        "[mailbox]\nkind = \"imap\"\nhost = \"127.0.0.1\"\nport = {imap_port}\ntls = \"starttls\"\nuser = \"{DESK}\"\npassword_env = \"LOKET_TEST_PASSWORD\"\nca_file = \"{ca}\"\npoll_interval = \"60s\"\n\n[transport]\nkind = \"smtp\"\nhost = \"127.0.0.1\"\nport = {smtp_port}\ntls = \"starttls\"\nuser = \"{DESK}\"\npassword_env = \"LOKET_TEST_PASSWORD\"\nca_file = \"{ca}\"\n"
    );
    let text = common::CONFIG
        .replace(
            "[mailbox]\nkind = \"maildir\"\npath = \"maildir\"\npoll_interval = \"200ms\"\n",
            "",
        )
        .replace("[transport]\nkind = \"eml\"\npath = \"outbox\"\n", &net);
    std::fs::write(site.config(), text).unwrap();
    let log = std::fs::File::create(site.path("daemon.log")).unwrap();
    let daemon = Command::new(common::BIN)
        .args(["run", "--config"])
        .arg(site.config())
        .env("LOKET_TEST_PASSWORD", &password)
        .env("LOKET_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    // Stopped (SIGTERM) however the bench ends.
    struct Stop(std::process::Child);
    impl Drop for Stop {
        fn drop(&mut self) {
            unsafe { libc::kill(self.0.id() as i32, libc::SIGTERM) };
            let _ = self.0.wait();
        }
    }
    let daemon = Stop(daemon);
    std::thread::sleep(Duration::from_millis(800));

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let transport = {
        use lettre::transport::smtp::authentication::Credentials;
        use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
        let tls = TlsParameters::builder("127.0.0.1".into())
            .add_root_certificate(Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap())
            .build_rustls()
            .unwrap();
        lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(smtp_port)
            .tls(Tls::Required(tls))
            .credentials(Credentials::new(SUBMITTER.into(), password.clone()))
            .build()
    };
    let envelope = lettre::address::Envelope::new(
        Some(SUBMITTER.parse().unwrap()),
        vec![DESK.parse().unwrap()],
    )
    .unwrap();
    let submit = |bytes: &[u8]| {
        use lettre::AsyncTransport;
        rt.block_on(transport.send_raw(&envelope, bytes))
            .expect("submit");
    };
    let wait = |what: &str, limit: Duration, cond: &dyn Fn() -> bool| {
        let t = Instant::now();
        while !cond() {
            if t.elapsed() > limit {
                let log = std::fs::read_to_string(site.path("daemon.log")).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(30).collect();
                panic!(
                    "timed out waiting for {what}; the daemon's log ends:\n{}",
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    };

    // Latency, one case at a time.
    let mut lat = Vec::new();
    for i in 0..LATENCY_SAMPLES {
        let before = count_new(dir, LAST);
        submit(&case(i));
        wait(
            "the case in the desk's Maildir",
            Duration::from_secs(10),
            &|| count_new(dir, DESK) > 0 || count_new(dir, LAST) > before,
        );
        let arrived = Instant::now();
        wait("the case's messages", Duration::from_secs(20), &|| {
            count_new(dir, LAST) > before
        });
        lat.push(arrived.elapsed());
    }
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1];

    // Throughput, a burst.
    let n: usize = std::env::var("LOKET_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let base = count_all(dir);
    let start = Instant::now();
    for i in 0..n {
        submit(&case(10_000 + i));
    }
    let submitted = start.elapsed();
    let want = base + n * 4;
    wait("the burst delivered", Duration::from_secs(600), &|| {
        count_all(dir) >= want
    });
    let total = start.elapsed();
    std::thread::sleep(Duration::from_millis(500));
    let got = count_all(dir);
    drop(daemon);

    println!("servers bench (Dovecot + Postfix on loopback, IMAP IDLE in, SMTP submission out)");
    println!(
        "  delivery into the desk Maildir -> the case's last personal message in its member's Maildir, {} cases one at a time: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        lat.len(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        lat.last().unwrap().as_secs_f64() * 1e3
    );
    println!(
        "  burst of {n} cases (submitted in {:.1} s): all {} messages delivered in {:.1} s = {:.1} cases/s, {:.1} messages/s out",
        submitted.as_secs_f64(),
        n * 4,
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
        (n * 4) as f64 / total.as_secs_f64()
    );
    assert_eq!(got, want, "every message exactly once");
}
