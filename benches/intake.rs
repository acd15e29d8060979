//! Intake benchmark (a bench binary, not a timed test): N case mails in a Maildir, handled
//! to committed state (stored raw, parsed, case created, receipt and personal messages
//! rendered into the outbox, flushed, mail moved to cur/).
//!
//! Run: `cargo bench --bench intake` (N = 1,000 and 10,000; override with
//! `LOKET_BENCH_N=500,2000`). Reports, per N: intake messages/s (in-process, `Engine::intake`),
//! outbox delivery messages/s, and the peak RSS of the real binary doing the same full pass
//! (`loket run --once`, measured with getrusage on the child).

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use loket::adapters::maildir::Maildir;
use loket::driver::Engine;

const CONFIG: &str = r#"
[body]
name = "Interdepartementaal overleggremium onverplicht tegemoetkomen"
tag = "OTT"
[desk]
address = "loket-ott@minjenv.nl"
name = "Loket overleggremium OTT"
staff = [ { name = "Sanne Visser", email = "s.visser@minjenv.nl" } ]
[secrets]
token_key_file = "token.key"
[store]
path = "store"
[mailbox]
kind = "maildir"
path = "maildir"
[transport]
kind = "eml"
path = "outbox"
"#;

fn ministries_and_members() -> String {
    let list = [
        ("VenJ", "minjenv.nl"),
        ("BZK", "minbzk.nl"),
        ("Fin", "minfin.nl"),
        ("SZW", "minszw.nl"),
        ("VWS", "minvws.nl"),
        ("IenW", "minienw.nl"),
        ("OCW", "minocw.nl"),
    ];
    let mut s = String::new();
    for (i, (code, domain)) in list.iter().enumerate() {
        s.push_str(&format!(
            "[[ministries]]\ncode = \"{code}\"\nname = \"Ministerie {code}\"\ndomains = [\"{domain}\"]\n\n"
        ));
        s.push_str(&format!(
            "[[members]]\nid = \"{}\"\nname = \"Lid {code}\"\nemail = \"lid@{domain}\"\nministry = \"{code}\"\n",
            code.to_lowercase()
        ));
        if i % 2 == 0 {
            s.push_str(&format!(
                "deputy = {{ name = \"Plv {code}\", email = \"plv@{domain}\" }}\n"
            ));
        }
        s.push('\n');
    }
    s
}

fn case_mail(i: usize) -> Vec<u8> {
    format!(
        "From: Indiener {i} <indiener{i}@minbzk.nl>\r\nTo: loket-ott@minjenv.nl\r\n\
         Subject: Casus {i}\r\nDate: Mon, 02 Nov 2026 10:00:00 +0100\r\n\
         Message-ID: <bench.{i}@minbzk.nl>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Indienend ministerie: BZK\r\nOnderwerp: Schade door vertraging nummer {i}\r\n\
         Casuspositie:\r\nEen burger heeft schade geleden doordat een besluit te laat kwam.\r\n\
         De schade bedraagt ongeveer € {amount}.\r\n\
         Vraag aan het gremium:\r\nIs onverplicht tegemoetkomen geraden?\r\nSpoed: nee\r\n",
        amount = 1000 + i
    )
    .into_bytes()
}

fn setup(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("loket.toml"),
        format!("{CONFIG}\n{}", ministries_and_members()),
    )
    .unwrap();
    let maildir = Maildir::open(&dir.path().join("maildir")).unwrap();
    for i in 0..n {
        maildir
            .deliver(
                &format!("{:010}.M{i}P1.bench", 1_762_000_000 + i),
                &case_mail(i),
            )
            .unwrap();
    }
    dir
}

fn child_peak_rss_kb() -> i64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    ru.ru_maxrss
}

fn main() {
    let ns: Vec<usize> = std::env::var("LOKET_BENCH_N")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000]);
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap();
    println!(
        "loket intake benchmark ({} cores)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    for n in ns {
        // In-process: intake and delivery timed separately.
        let dir = setup(n);
        let cfg = loket::config::load(&dir.path().join("loket.toml")).expect("bench config");
        let mut engine = Engine::open(cfg).expect("engine");
        let stop = AtomicBool::new(false);
        let t = Instant::now();
        let r = engine.intake(now, &stop).expect("intake");
        let intake = t.elapsed();
        assert_eq!(r.handled, n);
        let t = Instant::now();
        let sent = engine.deliver(now).expect("deliver");
        let deliver = t.elapsed();
        drop(engine);
        let store_mb = dir_size(&dir.path().join("store")) as f64 / 1e6;
        println!(
            "N={n:>6}  intake: {:>8.0} mails/s ({:.2} s, committed and flushed)  \
             outbox: {sent} messages, {:>7.0} msgs/s ({:.2} s)  store on disk: {store_mb:.0} MB",
            n as f64 / intake.as_secs_f64(),
            intake.as_secs_f64(),
            sent as f64 / deliver.as_secs_f64(),
            deliver.as_secs_f64()
        );

        // The real binary, full pass, for peak RSS.
        let dir = setup(n);
        let t = Instant::now();
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_loket"))
            .args(["run", "--once", "--now", "2026-11-02T10:00:00Z", "--config"])
            .arg(dir.path().join("loket.toml"))
            .env("LOKET_LOG", "warn")
            .status()
            .expect("run loket");
        assert!(status.success());
        println!(
            "N={n:>6}  binary `run --once` (intake + delivery): {:.2} s, peak RSS {:.1} MB (max over child runs so far)",
            t.elapsed().as_secs_f64(),
            child_peak_rss_kb() as f64 / 1024.0
        );
    }
}

fn dir_size(p: &std::path::Path) -> u64 {
    let mut total = 0;
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let m = e.metadata();
            match m {
                Ok(m) if m.is_dir() => total += dir_size(&e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}
