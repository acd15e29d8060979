//! Report benchmark (a bench binary, not a timed test): a report over 10,000 generated cases
//! (two years, 11 seats each, ~14 journal entries a case).
//!
//! Run: `cargo bench --bench report` (override the number of cases with
//! `LOKET_BENCH_CASES=50000`). Reports:
//! - `compute`: the figures from cases and journal in memory (median of 5 runs), and the
//!   peak heap it takes (a counting allocator);
//! - each rendering (table, CSV, JSON, HTML with charts);
//! - `store → html`: what `loket report` does — open the sled store, stream every case and
//!   the journal through the report (`reports::from_store`), render HTML — with its peak heap
//!   (in the process that just wrote the store, so sled's open is slower than in the binary);
//! - the real binary `loket report --format html` on that store, three runs: wall time and
//!   peak RSS (the child's VmHWM, read from /proc while it runs).
//!
//! Goal (issue 8): under a second and under 200 MB.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use loket::config::model::Config;
use loket::core::Action;
use loket::core::model::*;
use loket::reports::{self, Format};
use serde_json::json;

// ---------------------------------------------------------------------------------------
// Counting allocator: current and peak live heap bytes.

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns its result, the time it took and the peak heap above what was live
/// when it started.
fn measure<T>(f: impl FnOnce() -> T) -> (T, Duration, usize) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let t = Instant::now();
    let out = f();
    let took = t.elapsed();
    (out, took, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1_000_000.0
}

// ---------------------------------------------------------------------------------------
// Generated data.

/// A small deterministic generator (xorshift), so every run sees the same cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn entry(id: CaseId, at: Timestamp, event: serde_json::Value) -> JournalEntry {
    let mut v = event;
    v["at"] = json!(at);
    v["case"] = json!(id.to_string());
    serde_json::from_value(v).expect("a generated journal entry")
}

/// `n` cases received over 2025 and 2026, with their journal.
fn generate(cfg: &Config, n: usize) -> (Vec<Case>, Vec<JournalEntry>) {
    let mut rng = Rng(0x5eed_1234_abcd_9876);
    let members = &cfg.members;
    let seats: Vec<serde_json::Value> = members
        .iter()
        .map(|m| {
            json!({
                "member_id": m.id, "ministry": m.ministry,
                "member": {"name": m.name, "email": m.email},
                "deputy": m.deputy.as_ref().map(|d| json!({"name": d.name, "email": d.email})),
                "addressed": if m.deputy.is_some() { json!(["member", "deputy"]) } else { json!(["member"]) },
                "views": [], "reminders": [],
            })
        })
        .collect();
    let template: Case = serde_json::from_value(json!({
        "id": "2025-001", "status": "bundled", "received_at": Utc::now(),
        "submitter": {"name": "Indiener", "email": "indiener@minbzk.nl"},
        "ministry": "BZK",
        "form": {"fields": {"subject": "Schade door te late vergunningverlening",
                            "question": "Is onverplicht tegemoetkomen geraden?",
                            "description": "Een ondernemer lijdt schade door een te late beslissing."}},
        "urgent": false, "deadline": Utc::now(), "source": [1], "thread": [], "attachments": [],
        "seats": seats, "bundled_at": null,
    }))
    .expect("the template case");
    let view: View = serde_json::from_value(json!({
        "by": "member", "from": {"name": "Lid", "email": "lid@example.org"},
        "received_at": Utc::now(), "raw_id": 2, "message_id": null,
        "form": {"position": "advisable", "arguments": "De overheid heeft de termijn ruim overschreden."},
        "text": "Standpunt: ja\nArgumenten: de overheid heeft de termijn ruim overschreden.",
        "status": "current",
    }))
    .expect("the template view");
    let positions = [
        Position::Advisable,
        Position::Advisable,
        Position::Advisable,
        Position::UnderConditions,
        Position::NotAdvisable,
    ];
    let start = Utc.with_ymd_and_hms(2025, 1, 2, 9, 0, 0).unwrap();
    let span = 720 * 24 * 3600;
    let mut cases = Vec::with_capacity(n);
    let mut journal = Vec::with_capacity(n * 15);
    let mut seq: std::collections::BTreeMap<i32, u32> = Default::default();
    let mut times: Vec<i64> = (0..n).map(|_| rng.below(span) as i64).collect();
    times.sort_unstable();
    for (i, off) in times.into_iter().enumerate() {
        let received = start + chrono::Duration::seconds(off);
        let year = chrono::Datelike::year(&received);
        let s = seq.entry(year).or_insert(0);
        *s += 1;
        let id = CaseId { year, seq: *s };
        let mut c = template.clone();
        c.id = id;
        c.received_at = received;
        c.ministry = cfg.ministries[rng.below(cfg.ministries.len() as u64) as usize]
            .code
            .clone();
        c.urgent = rng.below(10) == 0;
        let period = if c.urgent { 2 } else { 7 };
        let mut deadline = received + chrono::Duration::days(period);
        journal.push(entry(
            id,
            received,
            json!({"event": "case_created", "raw_id": 1, "submitter": "indiener@minbzk.nl",
                   "ministry": c.ministry, "urgent": c.urgent, "deadline": deadline}),
        ));
        journal.push(entry(
            id,
            received,
            json!({"event": "distributed", "to": members.iter().map(|m| m.email.clone()).collect::<Vec<_>>()}),
        ));
        if rng.below(20) == 0 {
            let to = deadline + chrono::Duration::days(3);
            journal.push(entry(
                id,
                received + chrono::Duration::days(2),
                json!({"event": "deadline_extended", "from": deadline, "to": to, "by": "cli"}),
            ));
            deadline = to;
        }
        c.deadline = deadline;
        let split = rng.below(6) == 0;
        let mut reminded = Vec::new();
        for seat in &mut c.seats {
            if rng.below(100) < 15 {
                reminded.push(seat.member_id.clone());
                continue;
            }
            let mut v = view.clone();
            v.from = seat.member.clone();
            v.received_at = received + chrono::Duration::hours(rng.below(24 * 9) as i64);
            v.form.position = if split {
                positions[rng.below(positions.len() as u64) as usize]
            } else {
                Position::Advisable
            };
            journal.push(entry(
                id,
                v.received_at,
                json!({"event": "view_recorded", "raw_id": 2, "member": seat.member_id,
                       "by": "member", "position": v.form.position, "status": "current"}),
            ));
            seat.views.push(v);
        }
        if !reminded.is_empty() {
            journal.push(entry(
                id,
                deadline - chrono::Duration::days(2),
                json!({"event": "reminder_sent", "members": reminded}),
            ));
        }
        if rng.below(30) == 0 {
            let start = deadline + chrono::Duration::days(5);
            journal.push(entry(
                id,
                deadline,
                json!({"event": "meeting_scheduled", "uid": format!("m{i}"), "start": start,
                       "end": start + chrono::Duration::hours(1), "sequence": 0, "by": "desk@minjenv.nl"}),
            ));
        }
        let done = received < Utc.with_ymd_and_hms(2026, 12, 15, 0, 0, 0).unwrap();
        if done {
            c.status = if rng.below(40) == 0 {
                CaseStatus::Closed
            } else {
                CaseStatus::Bundled
            };
            c.bundled_at = Some(deadline);
            journal.push(entry(
                id,
                deadline,
                json!({"event": "bundled", "missing": reminded, "reason": "deadline_passed"}),
            ));
        } else {
            c.status = CaseStatus::Open;
        }
        cases.push(c);
    }
    journal.sort_by_key(|e| e.at);
    (cases, journal)
}

fn main() {
    let n: usize = std::env::var("LOKET_BENCH_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let tmp = tempfile::tempdir().expect("temp dir");
    // LOKET_BENCH_DIR keeps the generated store (and config) there, to look at afterwards.
    let kept = std::env::var_os("LOKET_BENCH_DIR").map(std::path::PathBuf::from);
    if let Some(k) = &kept {
        let _ = std::fs::remove_dir_all(k);
        std::fs::create_dir_all(k).expect("LOKET_BENCH_DIR can be made");
    }
    let dir_path = kept.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    let dir = &dir_path;
    let config = include_str!("../config/loket.toml").replace(
        "path = \"../var/store\"",
        &format!("path = \"{}\"", dir.join("store").display()),
    );
    let config = config.replace("dir = \"../templates\"", "");
    let cfg_path = dir.join("loket.toml");
    std::fs::write(&cfg_path, &config).unwrap();
    let cfg = loket::config::load(&cfg_path).expect("the example config loads");

    let t = Instant::now();
    let (cases, journal) = generate(&cfg, n);
    println!(
        "generated {} cases, {} journal entries, {} seats each, in {:.1?}",
        cases.len(),
        journal.len(),
        cfg.members.len(),
        t.elapsed()
    );
    let from = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    let now: Timestamp = DateTime::parse_from_rfc3339("2027-01-15T12:00:00+01:00")
        .unwrap()
        .with_timezone(&Utc);

    // In memory.
    let mut runs = Vec::new();
    let mut peak = 0;
    let mut report = None;
    for _ in 0..5 {
        let (r, took, p) = measure(|| reports::compute(&cfg, &cases, &journal, from, to, now));
        runs.push(took);
        peak = peak.max(p);
        report = Some(r);
    }
    runs.sort();
    let report = report.unwrap();
    assert_eq!(report.cases, n);
    println!(
        "compute            {:>8.1} ms (median of 5)  peak heap {:>6.1} MB   [{} members, median {:?} wd, p90 {:?} wd, {} split]",
        runs[2].as_secs_f64() * 1000.0,
        mb(peak),
        report.members.len(),
        report.response.median_working_days,
        report.response.p90_working_days,
        report.outcomes.split
    );
    for (name, f) in [
        ("render table", Format::Table),
        ("render csv", Format::Csv),
        ("render json", Format::Json),
        ("render html", Format::Html),
    ] {
        let (s, took, p) = measure(|| reports::render(&cfg, &report, f));
        println!(
            "{name:<18} {:>8.1} ms                 peak heap {:>6.1} MB   [{} KB]",
            took.as_secs_f64() * 1000.0,
            mb(p),
            s.len() / 1000
        );
    }

    // Through the store, as `loket report` does.
    {
        let mut store =
            loket::store::Store::open(&cfg.store.path, cfg.store.cache_bytes).expect("store");
        let mut journal_by_case: std::collections::HashMap<CaseId, Vec<JournalEntry>> =
            Default::default();
        for e in &journal {
            if let Some(c) = e.case {
                journal_by_case.entry(c).or_default().push(e.clone());
            }
        }
        for chunk in cases.chunks(200) {
            let mut actions = Vec::new();
            for c in chunk {
                actions.push(Action::SaveCase(Box::new(c.clone())));
                for e in journal_by_case.remove(&c.id).unwrap_or_default() {
                    actions.push(Action::Journal(e));
                }
            }
            store.commit(None, &actions, now).expect("commit");
        }
        store.flush().expect("flush");
    }
    drop(journal);
    drop(cases);
    let mut steps = Vec::new();
    let ((html, _r), took, p) = measure(|| {
        let mut lap = Instant::now();
        let mut step = |name: &'static str| {
            steps.push((name, lap.elapsed()));
            lap = Instant::now();
        };
        let store =
            loket::store::Store::open(&cfg.store.path, cfg.store.cache_bytes).expect("store");
        step("open");
        let r = reports::from_store(&cfg, &store, from, to, now).expect("report");
        step("read + compute");
        let html = reports::render(&cfg, &r, Format::Html);
        step("html");
        (html, r)
    });
    println!(
        "store → html       {:>8.1} ms                 peak heap {:>6.1} MB   [{} KB of HTML]",
        took.as_secs_f64() * 1000.0,
        mb(p),
        html.len() / 1000
    );
    println!(
        "  of which         {}",
        steps
            .iter()
            .map(|(n, d)| format!("{n} {:.0} ms", d.as_secs_f64() * 1000.0))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let store_took = took;

    // The real binary, three times: the first run after the store was written in this
    // process has sled recover its log (slower, more memory); the later runs are what a desk
    // sees on a store a stopped daemon left.
    let bin = env!("CARGO_BIN_EXE_loket");
    let mut last = (Duration::ZERO, 0i64);
    for run in 1..=3 {
        let t = Instant::now();
        let child = std::process::Command::new(bin)
            .args([
                "report",
                "--from",
                "2025-01-01",
                "--to",
                "2026-12-31",
                "--format",
                "html",
                "--now",
                "2027-01-15T12:00:00+01:00",
                "--output",
            ])
            .arg(dir.join("report.html"))
            .arg("--config")
            .arg(&cfg_path)
            .env("LOKET_LOG", "warn")
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("run loket report");
        // The child's peak RSS: VmHWM of its own memory after exec, read from /proc while it
        // runs (getrusage would count the parent's memory it shares between spawn and exec).
        let pid = child.id();
        let mut child = child;
        let mut hwm_kb = 0u64;
        let status = loop {
            if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status"))
                && s.lines()
                    .any(|l| l.starts_with("Name:") && l.contains("loket"))
                && let Some(kb) = s
                    .lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse::<u64>().ok())
            {
                hwm_kb = hwm_kb.max(kb);
            }
            if let Some(st) = child.try_wait().expect("wait for loket") {
                break st;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        let rss_kb = hwm_kb as i64;
        let wall = t.elapsed();
        assert!(status.success(), "loket report failed");
        println!(
            "loket report html  {:>8.1} ms (wall, binary)  peak RSS  {:>6.1} MB   [run {run}]",
            wall.as_secs_f64() * 1000.0,
            rss_kb as f64 / 1000.0
        );
        last = (wall, rss_kb);
    }
    let _ = store_took;
    let ok = last.0 < Duration::from_secs(1) && (last.1 as f64) < 200_000.0;
    println!(
        "goal (binary on a closed store: under 1 s, under 200 MB for {n} cases): {}",
        if ok { "met" } else { "NOT met" }
    );
}
