//! Mail-reading benchmark (a bench binary, not a timed test): every file of the shared
//! corpus (`../shared/corpus`) read as the daemon reads it — parse, classify, split the
//! reply from the quote, read the forms, the calendar part and any winmail.dat.
//!
//! Run: `cargo bench --bench mail` (20 rounds; override with `LOKET_BENCH_ROUNDS=50`).
//! Reports messages/s and MB/s over all files, and separately for the mail files alone
//! (`.eml`) and the bare bodies (`.txt`/`.html`, through the reply splitter only).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use loket::mail::{self, ReadLimits};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

fn files() -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for folder in ["replies", "autoreplies", "bounces", "encodings", "itip"] {
        let Ok(dir) = std::fs::read_dir(Path::new(CORPUS).join(folder)) else {
            continue;
        };
        for e in dir.flatten() {
            let p = e.path();
            if p.file_name().is_some_and(|n| n == "EXPECTED.json") {
                continue;
            }
            if let Ok(b) = std::fs::read(&p) {
                out.push((p, b));
            }
        }
    }
    out.sort();
    out
}

fn report(label: &str, messages: usize, bytes: usize, elapsed: Duration) {
    let secs = elapsed.as_secs_f64().max(1e-9);
    println!(
        "{label:<34} {messages:>7} messages  {:>10.0} messages/s  {:>7.1} MB/s",
        messages as f64 / secs,
        bytes as f64 / secs / 1e6
    );
}

fn main() {
    let rounds: usize = std::env::var("LOKET_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let files = files();
    if files.is_empty() {
        println!("no corpus at {CORPUS}: nothing to measure");
        return;
    }
    let limits = ReadLimits::default();
    let is_mail = |p: &Path| p.extension().is_some_and(|e| e == "eml");
    let total_bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    println!(
        "corpus: {} files, {:.2} MB; {rounds} rounds",
        files.len(),
        total_bytes as f64 / 1e6
    );

    // Warm up (regexes, tables).
    for (_, b) in &files {
        std::hint::black_box(mail::read(1, b, &limits));
    }

    let start = Instant::now();
    for _ in 0..rounds {
        for (_, b) in &files {
            std::hint::black_box(mail::read(1, b, &limits));
        }
    }
    report(
        "read (all files)",
        files.len() * rounds,
        total_bytes * rounds,
        start.elapsed(),
    );

    let mails: Vec<&Vec<u8>> = files
        .iter()
        .filter(|(p, _)| is_mail(p))
        .map(|(_, b)| b)
        .collect();
    let mail_bytes: usize = mails.iter().map(|b| b.len()).sum();
    let start = Instant::now();
    for _ in 0..rounds {
        for b in &mails {
            std::hint::black_box(mail::read(1, b, &limits));
        }
    }
    report(
        "read (.eml only)",
        mails.len() * rounds,
        mail_bytes * rounds,
        start.elapsed(),
    );

    let bodies: Vec<(bool, String)> = files
        .iter()
        .filter_map(|(p, b)| {
            let ext = p.extension()?.to_str()?;
            matches!(ext, "txt" | "html")
                .then(|| (ext == "html", String::from_utf8_lossy(b).into_owned()))
        })
        .collect();
    let body_bytes: usize = bodies.iter().map(|(_, b)| b.len()).sum();
    let start = Instant::now();
    for _ in 0..rounds {
        for (html, b) in &bodies {
            if *html {
                std::hint::black_box(mail::split_html_reply(b));
            } else {
                std::hint::black_box(mail::reply::split_reply(b));
            }
        }
    }
    report(
        "reply split (.txt/.html bodies)",
        bodies.len() * rounds,
        body_bytes * rounds,
        start.elapsed(),
    );

    let start = Instant::now();
    for _ in 0..rounds {
        for b in &mails {
            std::hint::black_box(mail::inspect::inspect(b, &limits));
        }
    }
    report(
        "inspect (.eml only)",
        mails.len() * rounds,
        mail_bytes * rounds,
        start.elapsed(),
    );
}
