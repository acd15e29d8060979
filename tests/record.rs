//! The consultation record: golden files from a fixed round driven through the core with a
//! fake clock (no I/O), the PDF read back with pdftotext, and the commands around it on the
//! real binary (`case record`, the record attached to the bundle, `export`, `purge`).
//!
//! Golden files are in tests/fixtures/record/; after an intended change of the record, write
//! them again with `LOKET_BLESS=1 cargo test --test record` and review the diff.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Duration, Utc};
use loket::config::model::{Config, Lang};
use loket::core::model::*;
use loket::core::{Action, Command as CoreCommand, Core, Event, Extension, SenderAuth, State};
use loket::record;
use loket::store::OutboxEntry;
use loket::token::TokenKey;
use mail_parser::MimeHeaders;

use common::*;

const CASE: &[u8] = include_bytes!("fixtures/case_form.eml");

fn at(s: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn config(dir: &Path, extra: &str) -> Config {
    let path = dir.join("loket.toml");
    std::fs::write(&path, format!("{CONFIG}\n{extra}")).unwrap();
    loket::config::load(&path).expect("the test config loads")
}

/// The core with a fake clock, keeping the journal and an outbox where every message is
/// sent a minute after it was asked for.
struct Round {
    cfg: Config,
    key: TokenKey,
    state: State,
    journal: Vec<JournalEntry>,
    outbox: Vec<OutboxEntry>,
    sent: Vec<Outgoing>,
    batch: u64,
    raw: RawId,
}

impl Round {
    fn new(cfg: Config) -> Round {
        Round {
            cfg,
            key: TokenKey::new(b"record-test-key-0123456789".to_vec()),
            state: State::default(),
            journal: vec![],
            outbox: vec![],
            sent: vec![],
            batch: 1,
            raw: 1,
        }
    }

    fn handle(&mut self, event: Event, now: Timestamp) -> Vec<Action> {
        let actions = Core {
            config: &self.cfg,
            key: &self.key,
        }
        .handle(&mut self.state, event, now);
        let mut index = 0;
        for a in &actions {
            match a {
                Action::Journal(e) => self.journal.push(e.clone()),
                Action::Send(o) => {
                    self.outbox.push(OutboxEntry {
                        batch: self.batch,
                        index,
                        message_id: o.message_id.clone(),
                        to: o.to.iter().chain(&o.cc).map(|a| a.email.clone()).collect(),
                        template: o.template,
                        case: o.case,
                        created_at: now,
                        sent_at: Some(now + Duration::minutes(1)),
                        attempts: 1,
                        error: None,
                        next_attempt_at: None,
                        gave_up: false,
                    });
                    self.sent.push(o.as_ref().clone());
                    index += 1;
                }
                _ => {}
            }
        }
        self.batch += 1;
        actions
    }

    fn mail(&mut self, raw: &[u8], now: Timestamp) -> Vec<Action> {
        let m = loket::mail::read(self.raw, raw, &loket::mail::ReadLimits::default());
        self.raw += 1;
        self.handle(Event::Mail(Box::new(m), SenderAuth::NotChecked), now)
    }

    /// A reply to the distribution message sent to `to`, as a mail client writes it.
    fn reply(&mut self, to: &str, from: &str, text: &str, date: &str, now: Timestamp) {
        let original = self
            .sent
            .iter()
            .find(|o| o.template == TemplateName::Distribution && o.to[0].email == to)
            .expect("a distribution message to that address")
            .clone();
        let raw = format!(
            "From: {from}\r\nTo: loket-ott@minjenv.nl\r\nSubject: Re: [OTT 2026-001] casus\r\n\
             Date: {date}\r\nMessage-ID: <reply.{n}@client.example>\r\nIn-Reply-To: <{id}>\r\n\
             References: <{id}>\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
             {text}\r\n\r\nOp 2 nov. 2026 om 10:31 schreef Loket overleggremium OTT \
             <loket-ott@minjenv.nl>:\r\n> Casus 2026-001\r\n",
            n = self.raw,
            id = original.message_id,
        );
        self.mail(raw.as_bytes(), now);
    }

    fn case(&self) -> &Case {
        self.state
            .cases
            .values()
            .next()
            .expect("the round made a case")
    }

    fn record(&self, now: Timestamp) -> record::Document {
        record::build(&self.cfg, self.case(), &self.journal, &self.outbox, now)
    }
}

/// One step of the round, at its time.
type Step = Box<dyn Fn(&mut Round, Timestamp)>;

/// The fixed round: a case from BZK on Monday 2 November 2026, a view from the BZK member
/// on Tuesday, one from the VenJ deputy on Wednesday, the deadline extended on Thursday by
/// two working days, a reminder to Fin on Monday, the bundle after the deadline on
/// Wednesday 11 November without Fin. `until` stops the round early.
fn round(cfg: Config, until: Timestamp) -> Round {
    let mut r = Round::new(cfg);
    let steps: Vec<(Timestamp, Step)> = vec![
        (
            at("2026-11-02T10:30:00+01:00"),
            Box::new(|r, now| {
                r.mail(CASE, now);
            }),
        ),
        (
            at("2026-11-03T09:15:00+01:00"),
            Box::new(|r, now| {
                r.reply(
                    "c.bakker@minbzk.nl",
                    "Cor Bakker <c.bakker@minbzk.nl>",
                    "Standpunt: ja, onder voorwaarden\r\nArgumenten: de overheid heeft de \
                     termijn ruim overschreden; de café-eigenaar leed € 12.500 schade.\r\n\
                     Vorm van tegemoetkoming: vergoeding van de huur",
                    "Tue, 03 Nov 2026 09:12:00 +0100",
                    now,
                )
            }),
        ),
        (
            at("2026-11-04T14:00:00+01:00"),
            Box::new(|r, now| {
                r.reply(
                    "b.jansen@minjenv.nl",
                    "Bas Jansen <b.jansen@minjenv.nl>",
                    "Standpunt: ja\r\nArgumenten: namens Anna de Vries: de aanvrager heeft \
                     geen fout gemaakt; ook de coördinatie met de gemeente liep mis.",
                    "Wed, 04 Nov 2026 13:58:00 +0100",
                    now,
                )
            }),
        ),
        (
            at("2026-11-05T11:00:00+01:00"),
            Box::new(|r, now| {
                let case = r.case().id;
                r.handle(
                    Event::Command(CoreCommand::Extend {
                        case,
                        to: Extension::WorkingDays(2),
                    }),
                    now,
                );
            }),
        ),
        (
            at("2026-11-09T09:00:00+01:00"),
            Box::new(|r, now| {
                r.handle(Event::Tick, now);
            }),
        ),
        (
            at("2026-11-11T17:05:00+01:00"),
            Box::new(|r, now| {
                r.handle(Event::Tick, now);
            }),
        ),
    ];
    for (t, step) in steps {
        if t > until {
            break;
        }
        step(&mut r, t);
    }
    r
}

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/record")
        .join(name);
    if std::env::var_os("LOKET_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing; write it with LOKET_BLESS=1 cargo test --test record",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from the golden file from line {}:\n  expected: {:?}\n  actual:   {:?}\n\
             (if the change is intended: LOKET_BLESS=1 cargo test --test record, and review the diff)",
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

#[test]
fn record_of_a_finished_round_matches_the_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let r = round(config(dir.path(), ""), at("2026-12-31T00:00:00+01:00"));
    assert_eq!(r.case().status, CaseStatus::Bundled);
    let doc = r.record(at("2026-11-11T17:30:00+01:00"));
    let md = record::to_markdown(&doc);
    golden("record_nl.md", &md);
    golden("record_nl.html", &record::to_html(&doc));

    // What a Council of Ministers submission needs, in so many words.
    for needle in [
        "# Verslag van consultatie",
        "OTT 2026-001",
        "Petra de Vries",
        "Is het geraden de ondernemer onverplicht tegemoet te komen",
        // who was asked, member and deputy
        "Anna de Vries",
        "Bas Jansen",
        "Cor Bakker",
        "Dirk Smit",
        // the answers verbatim, with their times
        "de café-eigenaar leed € 12.500 schade",
        "dinsdag 3 november 2026, 09:15",
        // the extension and the reminder
        "Termijn verlengd",
        "Herinnering verzonden",
        // who did not answer, and the outcome
        "Geen reactie ontvangen van:",
        "Gebundeld antwoord",
    ] {
        assert!(md.contains(needle), "the record lacks {needle:?}:\n{md}");
    }
    assert!(!md.contains("Deze casus loopt nog"));
}

#[test]
fn record_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), "");
    cfg.body.language = Lang::En;
    let r = round(cfg, at("2026-12-31T00:00:00+01:00"));
    let md = record::to_markdown(&r.record(at("2026-11-11T17:30:00+01:00")));
    golden("record_en.md", &md);
    assert!(md.contains("# Consultation record"));
    assert!(md.contains("No view was received from:"));
}

#[test]
fn record_of_an_open_case_says_it_is_still_open() {
    let dir = tempfile::tempdir().unwrap();
    let r = round(config(dir.path(), ""), at("2026-11-09T10:00:00+01:00"));
    assert_eq!(r.case().status, CaseStatus::Open);
    let doc = r.record(at("2026-11-09T12:00:00+01:00"));
    let md = record::to_markdown(&doc);
    golden("record_open_nl.md", &md);
    assert!(
        md.contains("Deze casus loopt nog"),
        "an open case must say so:\n{md}"
    );
    assert!(md.contains("Nog geen uitkomst"));
    assert!(md.contains("Nog geen reactie van:"));
    assert!(doc.footer.contains("(lopend)"));
    assert!(
        matches!(&doc.blocks[1], record::Block::Notice { .. }),
        "the notice comes right after the heading fields"
    );
}

/// The text of a PDF, as pdftotext (Debian's poppler-utils) reads it.
fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
        .expect(
            "pdftotext is needed to check the PDF; install poppler-utils \
             (scripts/test.sh does: apt-get install poppler-utils)",
        );
    assert!(
        out.status.success(),
        "pdftotext could not read the PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// pdftotext wraps and spaces text as it lays it out; compare on single spaces.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn record_pdf_opens_and_holds_the_case_and_every_member() {
    let dir = tempfile::tempdir().unwrap();
    let r = round(config(dir.path(), ""), at("2026-12-31T00:00:00+01:00"));
    let doc = r.record(at("2026-11-11T17:30:00+01:00"));
    let pdf = record::to_pdf(&doc).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.len() < 200_000, "fonts are subset: {} bytes", pdf.len());
    // The same record gives the same bytes (a bundle sent again carries the same record).
    assert_eq!(pdf, record::to_pdf(&doc).unwrap());
    let text = squash(&pdftotext(&pdf));
    for needle in [
        "Verslag van consultatie",
        "2026-001",
        "Anna de Vries",
        "Bas Jansen",
        "Cor Bakker",
        "Dirk Smit",
        "Petra de Vries",
        // Dutch characters come through
        "café-eigenaar",
        "€ 12.500",
        "coördinatie",
        "pagina 1 van",
    ] {
        assert!(text.contains(needle), "the PDF lacks {needle:?}:\n{text}");
    }
}

#[test]
fn long_texts_break_across_pages_in_the_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let r = round(config(dir.path(), ""), at("2026-12-31T00:00:00+01:00"));
    let mut doc = r.record(at("2026-11-11T17:30:00+01:00"));
    let long: String = (1..=400)
        .map(|i| format!("Regel {i} van een heel lange reactie met een woordzonderspatiesdatnietpastopééndragelijkeregelvanditverslagenduszeker\u{7}moetwordengebroken.\n"))
        .collect();
    doc.blocks.push(record::Block::Verbatim {
        caption: "Lang".into(),
        text: long,
    });
    doc.blocks.push(record::Block::Table {
        columns: vec!["A".into(), "B".into()],
        widths: vec![1, 1],
        rows: vec![vec!["x\n".repeat(200), "y".into()]],
    });
    let pdf = record::to_pdf(&doc).unwrap();
    let text = squash(&pdftotext(&pdf));
    assert!(text.contains("Regel 400 van een heel lange reactie"));
    let pages = text.matches("pagina ").count();
    assert!(pages >= 10, "{pages} pages");
}

// ---------------------------------------------------------------------------------------
// On the real binary.

const T0: &str = "2026-11-02T10:30:00+01:00";

fn to_one<'a>(sent: &'a [Sent], addr: &str) -> &'a Sent {
    sent.iter()
        .find(|s| s.to.iter().any(|t| t == addr))
        .unwrap_or_else(|| panic!("no message to {addr}"))
}

/// A site with case 2026-001 bundled after its deadline, with views from BZK and VenJ.
fn bundled_site() -> Site {
    let site = Site::new();
    site.deliver("1.host", CASE);
    site.run_once(T0);
    let sent = site.outbox();
    site.deliver(
        "2.host",
        &to_one(&sent, "c.bakker@minbzk.nl").reply(
            "Cor Bakker <c.bakker@minbzk.nl>",
            "Standpunt: ja, onder voorwaarden\r\nArgumenten: de termijn is ruim \
             overschreden; de café-eigenaar leed € 12.500 schade.",
            "Tue, 03 Nov 2026 09:12:00 +0100",
        ),
    );
    site.deliver(
        "3.host",
        &to_one(&sent, "b.jansen@minjenv.nl").reply(
            "Bas Jansen <b.jansen@minjenv.nl>",
            "Standpunt: ja\r\nArgumenten: de aanvrager heeft geen fout gemaakt.",
            "Wed, 04 Nov 2026 13:58:00 +0100",
        ),
    );
    site.run_once("2026-11-04T14:00:00+01:00");
    site.run_once("2026-11-09T17:30:00+01:00");
    site
}

fn run(site: &Site, args: &[&str]) -> std::process::Output {
    site.loket(args).output().expect("run loket")
}

#[test]
fn the_bundle_carries_the_record_as_pdf() {
    let site = bundled_site();
    let bundle = site
        .outbox()
        .into_iter()
        .find(|s| s.message_id.contains(".bundle@"))
        .expect("the bundle went out");
    let m = mail_parser::MessageParser::default()
        .parse(&bundle.raw)
        .unwrap();
    let pdf = m
        .attachments()
        .find(|a| a.attachment_name() == Some("verslag-OTT-2026-001.pdf"))
        .expect("the bundle has the record attached");
    let ct = pdf.content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("application", Some("pdf")));
    let text = squash(&pdftotext(pdf.contents()));
    for needle in [
        "2026-001",
        "Anna de Vries",
        "Bas Jansen",
        "Cor Bakker",
        "Dirk Smit",
        "€ 12.500",
        "Geen reactie ontvangen van",
    ] {
        assert!(
            text.contains(needle),
            "the attached record lacks {needle:?}:\n{text}"
        );
    }
    // Drawn up as of the bundle, which is told as the outcome, not as a message still to go.
    assert!(!text.contains("nog niet verzonden"), "{text}");
}

#[test]
fn case_record_command_in_every_format() {
    let site = bundled_site();
    let out = run(&site, &["case", "record", "2026-001", "--format", "md"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("# Verslag van consultatie"), "{md}");
    assert!(md.contains("Dirk Smit"));

    let out = run(&site, &["case", "record", "2026-001", "--format", "html"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("<html lang=\"nl\">"));

    let file = site.path("r/verslag.pdf");
    let out = run(
        &site,
        &[
            "case",
            "record",
            "2026-001",
            "--output",
            file.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = squash(&pdftotext(&std::fs::read(&file).unwrap()));
    assert!(text.contains("2026-001") && text.contains("Cor Bakker"));
    // Now that the bundle went out, the record lists it with its time.
    assert!(text.contains("gebundeld antwoord"), "{text}");
}

#[test]
fn case_record_with_bad_input_says_what_to_do() {
    let site = bundled_site();
    let out = run(&site, &["case", "record", "2026-999"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("there is no case 2026-999"), "{err}");
    assert!(err.contains("loket case list"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let out = run(&site, &["case", "record", "veertien"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("case ids look like 2026-014"), "{err}");
}

#[test]
fn export_writes_the_case_file() {
    let site = bundled_site();
    let dir = site.path("archief");
    let out = run(
        &site,
        &[
            "export",
            "--case",
            "2026-001",
            "--output",
            dir.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let case = dir.join("OTT-2026-001");
    let received: Vec<_> = std::fs::read_dir(case.join("received")).unwrap().collect();
    assert_eq!(received.len(), 3, "the submission and two replies");
    let sent: Vec<_> = std::fs::read_dir(case.join("sent")).unwrap().collect();
    assert!(
        sent.len() >= 6,
        "receipt, four distributions, bundle: {}",
        sent.len()
    );
    let journal = std::fs::read_to_string(case.join("journal.jsonl")).unwrap();
    let entries: Vec<JournalEntry> = journal
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a journal entry"))
        .collect();
    assert!(
        entries
            .iter()
            .any(|e| matches!(e.event, JournalEvent::Bundled { .. }))
    );
    for f in [
        "verslag-OTT-2026-001.pdf",
        "verslag-OTT-2026-001.html",
        "verslag-OTT-2026-001.md",
        "case.json",
    ] {
        assert!(case.join(f).is_file(), "{f}");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(case.join("manifest.json")).unwrap()).unwrap();
    let files = manifest["files"].as_array().unwrap();
    let journal_entry = files.iter().find(|f| f["name"] == "journal.jsonl").unwrap();
    assert_eq!(
        journal_entry["sha256"].as_str().unwrap(),
        loket::store::sha256_hex(journal.as_bytes())
    );

    // A second export into the same place is refused, the first is kept.
    let out = run(
        &site,
        &[
            "export",
            "--case",
            "2026-001",
            "--output",
            dir.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already holds an export"));

    // By period; an empty period says so.
    let dir2 = site.path("archief2");
    let out = run(
        &site,
        &[
            "export",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--output",
            dir2.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir2.join("OTT-2026-001/journal.jsonl").is_file());
    let out = run(
        &site,
        &[
            "export",
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
            "--output",
            dir2.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no cases were received"));
    let out = run(
        &site,
        &[
            "export",
            "--case",
            "2026-404",
            "--output",
            dir2.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no case 2026-404"));
}

#[test]
fn purge_needs_the_config_and_removes_only_old_finished_cases() {
    let site = bundled_site();
    // Not allowed without [retention].
    let out = run(&site, &["purge", "--before", "2027-01-01", "--dry-run"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("purging is off") && err.contains("purge_after"),
        "{err}"
    );

    let mut cfg = std::fs::read_to_string(site.config()).unwrap();
    cfg.push_str("\n[retention]\npurge_after = \"1y\"\n");
    std::fs::write(site.config(), cfg).unwrap();
    let later = "2028-06-01T12:00:00+02:00";

    // A date within the retention period is refused.
    let out = run(&site, &["purge", "--before", "2027-12-01", "--now", later]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("at most 2027-06-01"), "{err}");
    let out = run(&site, &["purge", "--before", "31-02-2027", "--now", later]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a date"));

    // Dry run: says what would go, removes nothing.
    let out = run(
        &site,
        &[
            "purge",
            "--before",
            "2027-01-01",
            "--dry-run",
            "--now",
            later,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("would remove 1 case") && said.contains("2026-001"),
        "{said}"
    );
    assert_eq!(site.case_list().as_array().unwrap().len(), 1);

    // A case whose last activity is after the date stays.
    let out = run(&site, &["purge", "--before", "2026-11-01", "--now", later]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing to remove"));
    assert_eq!(site.case_list().as_array().unwrap().len(), 1);

    let out = run(&site, &["purge", "--before", "2027-01-01", "--now", later]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("removed 1 case"));
    assert_eq!(site.case_list().as_array().unwrap().len(), 0);
    let out = run(&site, &["case", "record", "2026-001", "--format", "md"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("was purged"));
    // Its raw messages and journal are gone too: an export of the year finds nothing.
    let out = run(
        &site,
        &[
            "report",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["cases"], 0);
}

#[test]
fn retention_config_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "[retention]\npurge_after = \"7 jaar\"\n");
    assert_eq!(
        cfg.retention.purge_after,
        Some(loket::config::model::Age::Years(7))
    );
    for bad in ["7", "0y", "zeven jaar", "7w"] {
        let path = dir.path().join("bad.toml");
        std::fs::write(
            &path,
            format!("{CONFIG}\n[retention]\npurge_after = \"{bad}\"\n"),
        )
        .unwrap();
        match loket::config::load(&path) {
            Err(loket::config::ConfigError::Invalid(d)) => {
                let text = d
                    .iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join("\n");
                assert!(
                    text.contains("purge_after") && text.contains("\"7y\""),
                    "{bad}: {text}"
                );
            }
            other => panic!("{bad} should be refused, got {:?}", other.map(|_| ())),
        }
    }
}
