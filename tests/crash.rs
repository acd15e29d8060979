//! Crashes at every step between reading a mail and writing the messages it causes. The
//! process is aborted at a failpoint (`LOKET_FAILPOINT`, as a kill -9 would stop it) and
//! started again; afterwards every mail is handled exactly once and every message exists
//! exactly once.

mod common;

use std::collections::BTreeSet;

use common::*;

const CASE: &[u8] = include_bytes!("fixtures/case_form.eml");
const T0: &str = "2026-11-02T10:30:00+01:00";

fn crash_then_recover(point: &str) -> Site {
    let site = Site::new();
    site.deliver("1762074843.M1P1.host", CASE);
    let out = site
        .loket(&["run", "--once", "--now", T0])
        .env("LOKET_FAILPOINT", point)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "{point}: the process should have crashed"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("failpoint {point}")),
        "{point}: crashed elsewhere: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    site.run_once(T0);
    // A third run must change nothing.
    site.run_once(T0);
    site
}

fn assert_exactly_once(site: &Site, point: &str) {
    assert!(
        site.files("maildir/new").is_empty(),
        "{point}: mail left unhandled"
    );
    assert_eq!(site.files("maildir/cur").len(), 1, "{point}");
    let cases = site.case_list();
    assert_eq!(cases.as_array().unwrap().len(), 1, "{point}: one case");
    let sent = site.outbox();
    assert_eq!(sent.len(), 5, "{point}: receipt + 4 personal messages");
    let ids: BTreeSet<&str> = sent.iter().map(|s| s.message_id.as_str()).collect();
    assert_eq!(ids.len(), 5, "{point}: every Message-ID once");
    // No temp files left behind in the outbox.
    let all = std::fs::read_dir(site.path("outbox")).unwrap().count();
    assert_eq!(all, 5, "{point}: stray files in the outbox");
    // The journal tells the story once.
    let out = site
        .loket(&["case", "show", "2026-001", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let events: Vec<&str> = v["journal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["case_created", "distributed"], "{point}");
}

#[test]
fn crash_after_commit_before_flush() {
    let site = crash_then_recover("after-commit");
    assert_exactly_once(&site, "after-commit");
}

#[test]
fn crash_after_flush_before_the_mail_is_moved() {
    let site = crash_then_recover("after-flush");
    assert_exactly_once(&site, "after-flush");
}

#[test]
fn crash_after_the_mail_is_moved_before_sending() {
    let site = crash_then_recover("before-send");
    assert_exactly_once(&site, "before-send");
}

#[test]
fn crash_after_writing_a_message_before_marking_it_sent() {
    let site = crash_then_recover("after-send");
    assert_exactly_once(&site, "after-send");
}
