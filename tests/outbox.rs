//! The outbox's retry policy, without a mail server: SMTP to a closed loopback port fails
//! (connection refused, a temporary failure), so messages wait with backoff and jitter and
//! are given up after `retry_for`, when the desk is told through the core.

mod common;

use std::time::Duration;

use chrono::DateTime;
use common::*;
use loket::store::{Store, retry_delay};

const CASE: &[u8] = include_bytes!("fixtures/case_form.eml");
const T0: &str = "2026-11-02T10:30:00+01:00";

#[test]
fn retry_delay_doubles_with_deterministic_jitter() {
    let (first, max) = (Duration::from_secs(60), Duration::from_secs(3600));
    let id = "loket.2026-001.receipt@minjenv.nl";
    for attempt in 1..=10 {
        let base = first.saturating_mul(1 << (attempt - 1)).min(max);
        let d = retry_delay(id, attempt, first, max);
        assert!(
            d >= base / 2 && d < base,
            "attempt {attempt}: {d:?} vs {base:?}"
        );
        assert_eq!(
            d,
            retry_delay(id, attempt, first, max),
            "same after a restart"
        );
    }
    // Different messages failing together spread out.
    let spread: std::collections::BTreeSet<_> = (0..20)
        .map(|i| retry_delay(&format!("m{i}@x"), 3, first, max))
        .collect();
    assert!(spread.len() > 15, "{spread:?}");
}

fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn smtp_site() -> Site {
    let site = Site::new();
    let text = CONFIG.replace(
        "[transport]\nkind = \"eml\"\npath = \"outbox\"\n",
        &format!(
            "[transport]\nkind = \"smtp\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\ntimeout = \"2s\"\nretry_first = \"1h\"\nretry_max = \"4h\"\nretry_for = \"1d\"\n",
            closed_port()
        ),
    );
    assert!(text.contains("kind = \"smtp\""));
    std::fs::write(site.config(), text).unwrap();
    site
}

fn store(site: &Site) -> Store {
    Store::open(&site.path("store"), 8_000_000).unwrap()
}

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn failures_in_journal(site: &Site) -> usize {
    store(site)
        .journal()
        .unwrap()
        .iter()
        .filter(|e| {
            serde_json::to_string(e)
                .unwrap()
                .contains("delivery_failed")
        })
        .count()
}

#[test]
fn unreachable_smtp_waits_with_backoff_then_gives_up_and_tells_the_desk() {
    let site = smtp_site();
    site.deliver("1762074843.M1P1.host", CASE);
    site.run_once(T0);

    let entries = store(&site).outbox().unwrap();
    assert_eq!(entries.len(), 5, "receipt + 4 personal messages");
    // Three failures in a row: the transport is down, the rest waits (no timeout each).
    let tried: Vec<_> = entries.iter().filter(|e| e.attempts == 1).collect();
    assert_eq!(tried.len(), 3, "{entries:#?}");
    for e in &tried {
        assert!(e.sent_at.is_none() && !e.gave_up);
        let next = e.next_attempt_at.expect("a retry time");
        let wait = (next - at(T0)).to_std().unwrap();
        assert!(
            wait >= Duration::from_secs(1800) && wait < Duration::from_secs(3600),
            "{wait:?}"
        );
        assert!(
            e.error.as_deref().unwrap_or("").contains("127.0.0.1"),
            "{e:?}"
        );
    }
    // The next pass tries the two left.
    site.run_once("2026-11-02T10:31:00+01:00");
    assert!(
        store(&site)
            .outbox()
            .unwrap()
            .iter()
            .all(|e| e.attempts == 1)
    );

    // Before the retry times nothing is tried.
    site.run_once("2026-11-02T10:40:00+01:00");
    assert!(
        store(&site)
            .outbox()
            .unwrap()
            .iter()
            .all(|e| e.attempts == 1)
    );

    // After them: tried again, and the delay doubles.
    let t2 = "2026-11-02T11:32:00+01:00";
    site.run_once(t2);
    let again: Vec<_> = store(&site)
        .outbox()
        .unwrap()
        .into_iter()
        .filter(|e| e.attempts == 2)
        .collect();
    assert_eq!(again.len(), 3);
    for e in again {
        let wait = (e.next_attempt_at.unwrap() - at(t2)).to_std().unwrap();
        assert!(
            wait >= Duration::from_secs(3600) && wait < Duration::from_secs(7200),
            "{wait:?}"
        );
    }
    assert_eq!(failures_in_journal(&site), 0);

    // A day on: retry_for is over. Each message is given up once and the core journals it
    // (and queues a notice to the desk, which has its own retry clock).
    site.run_once("2026-11-03T11:00:00+01:00");
    let entries = store(&site).outbox().unwrap();
    let gave_up: Vec<_> = entries.iter().filter(|e| e.gave_up).collect();
    assert_eq!(gave_up.len(), 5, "{entries:#?}");
    for e in &gave_up {
        assert!(
            e.error
                .as_deref()
                .unwrap()
                .contains("not delivered after trying for"),
            "{e:?}"
        );
    }
    assert_eq!(failures_in_journal(&site), 5);
    let notices: Vec<_> = entries.iter().filter(|e| !e.gave_up).collect();
    assert!(!notices.is_empty(), "the desk is told");
    assert!(
        notices
            .iter()
            .all(|e| e.to.iter().any(|t| t == "s.visser@minjenv.nl")),
        "{notices:#?}"
    );

    // Given up is final: no second failure report.
    site.run_once("2026-11-03T18:00:00+01:00");
    assert_eq!(failures_in_journal(&site), 5);
}
