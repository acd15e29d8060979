//! The case file for a ministry's document system (`loket export`) and the retention period
//! (`loket purge`).
//!
//! An export writes, per case, a directory `<TAG>-<id>/` with:
//! - `received/NNN-<raw id>.eml`: the raw messages of the case as they arrived (the
//!   submission and resubmissions, every reply, messages about the case);
//! - `sent/NNN-<message id>.eml`: what loket sent about the case, rendered again from the
//!   outbox with the current templates (with its record, for the bundle);
//! - `journal.jsonl`: the case's journal, one JSON object a line, oldest first;
//! - `case.json`: the case as the store holds it;
//! - the consultation record as PDF, HTML and Markdown;
//! - `manifest.json`: every file with its size and SHA-256.
//!
//! A purge removes finished cases (bundled or closed) whose last activity is before a date,
//! and only when the config sets `[retention] purge_after` and the date is at least that long
//! ago. Removed are the case, its raw messages (unless another case needs them), its journal
//! entries and its outgoing messages; a small mark records when it was purged.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::json;

use crate::config::model::Config;
use crate::core::calendar::local_date;
use crate::core::model::*;
use crate::record::{self, Format};
use crate::render::Renderer;
use crate::store::{PurgeSet, Store, sha256_hex};

/// Writes `bytes` to `path` through a temporary file in the same directory, so a reader
/// never sees half a file.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the directory {}: {e}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp"));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!(
            "cannot write {}: {e}; check that the directory exists and this user may write to it",
            path.display()
        )
    })
}

/// A file name for a Message-ID or other text: letters, digits and `.-_@+` only.
fn safe(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-@+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    s.trim_start_matches('.').to_string()
}

/// What one exported case holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exported {
    pub case: CaseId,
    pub dir: PathBuf,
    pub received: usize,
    pub sent: usize,
    pub journal: usize,
    pub files: usize,
}

/// Which cases an export or a report is about.
pub enum Selection {
    Case(CaseId),
    Period(NaiveDate, NaiveDate),
}

/// The cases of a selection, oldest first; an unknown case id is an error that says so.
pub fn select(cfg: &Config, store: &Store, sel: &Selection) -> Result<Vec<Case>, String> {
    match sel {
        Selection::Case(id) => match store.case(*id).map_err(|e| e.to_string())? {
            Some(c) => Ok(vec![c]),
            None => match store.purged(*id).map_err(|e| e.to_string())? {
                Some(m) => Err(format!(
                    "case {id} was purged on {} (retention period); it can no longer be exported",
                    local_date(m.at, cfg.periods.timezone)
                )),
                None => Err(format!(
                    "there is no case {id}; `loket case list` shows the cases"
                )),
            },
        },
        Selection::Period(from, to) => {
            let tz = cfg.periods.timezone;
            let mut cases: Vec<Case> = store
                .cases()
                .map_err(|e| e.to_string())?
                .into_iter()
                .filter(|c| {
                    let d = local_date(c.received_at, tz);
                    d >= *from && d <= *to
                })
                .collect();
            cases.sort_by_key(|c| c.id);
            Ok(cases)
        }
    }
}

/// Renders an outgoing message as the driver does, attachments from the stored raw mail.
fn render_sent(
    cfg: &Config,
    store: &Store,
    renderer: &Renderer,
    out: &Outgoing,
) -> Result<Vec<u8>, String> {
    let mut raws = std::collections::HashMap::new();
    for id in out
        .attachments
        .iter()
        .map(|r| r.raw_id)
        .chain(out.attach_raw)
    {
        if let std::collections::hash_map::Entry::Vacant(e) = raws.entry(id) {
            e.insert(store.raw(id).map_err(|e| e.to_string())?);
        }
    }
    let fetch = |r: &AttachmentRef| {
        raws.get(&r.raw_id)
            .and_then(|raw| raw.as_deref())
            .and_then(|raw| crate::mail::attachment(raw, r.index))
            .map(|a| a.bytes)
    };
    let original = out
        .attach_raw
        .and_then(|id| raws.get(&id).and_then(|r| r.as_deref()));
    let extra = record::attachments_for(cfg, store, out).map_err(|e| e.to_string())?;
    renderer
        .render_with(out, &fetch, original, &extra)
        .map_err(|e| e.to_string())
}

/// Exports `cases` into `dir`, one directory per case. Refuses to write into a case
/// directory that already has files, so an earlier export is never mixed with a new one.
pub fn export(
    cfg: &Config,
    store: &Store,
    cases: &[Case],
    dir: &Path,
    now: Timestamp,
) -> Result<Vec<Exported>, String> {
    let renderer = Renderer::new(cfg).map_err(|e| e.to_string())?;
    let mut done = Vec::new();
    for case in cases {
        let target = dir.join(format!("{}-{}", cfg.body.tag, case.id));
        if std::fs::read_dir(&target).is_ok_and(|mut d| d.next().is_some()) {
            return Err(format!(
                "{} already holds an export; remove it or choose another --output directory",
                target.display()
            ));
        }
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let journal = store.journal_for(case.id).map_err(|e| e.to_string())?;

        // The raw messages of the case: what formed it, every view, and any other message
        // the journal ties to it.
        let mut raw_ids: Vec<RawId> = case.source.clone();
        for s in &case.seats {
            raw_ids.extend(s.views.iter().map(|v| v.raw_id));
        }
        for e in &journal {
            if let Ok(v) = serde_json::to_value(&e.event)
                && let Some(id) = v.get("raw_id").and_then(|r| r.as_u64())
            {
                raw_ids.push(id);
            }
        }
        let mut seen = HashSet::new();
        raw_ids.retain(|r| seen.insert(*r));
        raw_ids.sort_unstable();
        let mut received = 0;
        for (i, id) in raw_ids.iter().enumerate() {
            if let Some(raw) = store.raw(*id).map_err(|e| e.to_string())? {
                files.push((format!("received/{:03}-{id}.eml", i + 1), raw));
                received += 1;
            }
        }

        let outgoing = store.outgoing_for(case.id).map_err(|e| e.to_string())?;
        let mut sent = 0;
        for (i, (_, out)) in outgoing.iter().enumerate() {
            let bytes = render_sent(cfg, store, &renderer, out)?;
            files.push((
                format!("sent/{:03}-{}.eml", i + 1, safe(&out.message_id)),
                bytes,
            ));
            sent += 1;
        }

        let mut jsonl = String::new();
        for e in &journal {
            jsonl.push_str(&serde_json::to_string(e).unwrap_or_default());
            jsonl.push('\n');
        }
        files.push(("journal.jsonl".into(), jsonl.into_bytes()));
        files.push((
            "case.json".into(),
            (serde_json::to_string_pretty(case).unwrap_or_default() + "\n").into_bytes(),
        ));
        let outbox: Vec<_> = outgoing.iter().map(|(e, _)| e.clone()).collect();
        let doc = record::build(cfg, case, &journal, &outbox, now);
        for f in [Format::Pdf, Format::Html, Format::Md] {
            let bytes = record::render(&doc, f).map_err(|e| e.to_string())?;
            files.push((record::file_name(cfg, case.id, f), bytes));
        }

        let manifest = json!({
            "case": case.id.to_string(),
            "body": cfg.body.name,
            "exported_at": now,
            "exported_by": format!("loket {}", env!("CARGO_PKG_VERSION")),
            "files": files.iter().map(|(name, bytes)| json!({
                "name": name,
                "size": bytes.len(),
                "sha256": sha256_hex(bytes),
            })).collect::<Vec<_>>(),
        });
        files.push((
            "manifest.json".into(),
            (serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n").into_bytes(),
        ));
        for (name, bytes) in &files {
            write_file(&target.join(name), bytes)?;
        }
        done.push(Exported {
            case: case.id,
            dir: target,
            received,
            sent,
            journal: journal.len(),
            files: files.len(),
        });
    }
    Ok(done)
}

/// One case a purge removes (or would remove).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PurgeItem {
    pub case: CaseId,
    pub status: CaseStatus,
    pub last_activity: Timestamp,
    pub set: PurgeSet,
}

/// The cases `loket purge --before DATE` would remove, after checking that the config
/// allows it and that DATE lies at least the retention period back.
pub fn plan_purge(
    cfg: &Config,
    store: &Store,
    before: NaiveDate,
    now: Timestamp,
) -> Result<Vec<PurgeItem>, String> {
    let Some(age) = cfg.retention.purge_after else {
        return Err(format!(
            "purging is off: {} sets no retention period. To allow it, add\n\n[retention]\npurge_after = \"7y\"\n\n(the period after which finished cases may be removed) and run this again",
            cfg.source.display()
        ));
    };
    let today = local_date(now, cfg.periods.timezone);
    let latest = age.before(today);
    if before > latest {
        return Err(format!(
            "the config keeps cases for {age} ([retention] purge_after), so --before may be at most {latest}; cases with activity after that are kept"
        ));
    }
    let tz = cfg.periods.timezone;
    let cases = store.cases().map_err(|e| e.to_string())?;
    let journal = store.journal().map_err(|e| e.to_string())?;
    let mut last: std::collections::HashMap<CaseId, Timestamp> = std::collections::HashMap::new();
    for e in &journal {
        if let Some(id) = e.case {
            let t = last.entry(id).or_insert(e.at);
            *t = (*t).max(e.at);
        }
    }
    let last_activity = |c: &Case| {
        let mut t = c.received_at;
        for x in c.bundled_at.iter().chain(last.get(&c.id)) {
            t = t.max(*x);
        }
        for s in &c.seats {
            for v in &s.views {
                t = t.max(v.received_at);
            }
        }
        t
    };
    let (doomed, kept): (Vec<&Case>, Vec<&Case>) = cases.iter().partition(|c| {
        matches!(c.status, CaseStatus::Bundled | CaseStatus::Closed)
            && local_date(last_activity(c), tz) < before
    });
    // Raw messages another (kept) case still refers to stay.
    let doomed_ids: HashSet<CaseId> = doomed.iter().map(|c| c.id).collect();
    let mut keep: HashSet<RawId> = HashSet::new();
    for c in &kept {
        keep.extend(c.source.iter().copied());
        keep.extend(c.attachments.iter().map(|a| a.raw_id));
        for s in &c.seats {
            keep.extend(s.views.iter().map(|v| v.raw_id));
        }
    }
    for e in &journal {
        if e.case.is_some_and(|id| !doomed_ids.contains(&id))
            && let Ok(v) = serde_json::to_value(&e.event)
            && let Some(id) = v.get("raw_id").and_then(|r| r.as_u64())
        {
            keep.insert(id);
        }
    }
    let mut items = Vec::new();
    for c in doomed {
        items.push(PurgeItem {
            case: c.id,
            status: c.status,
            last_activity: last_activity(c),
            set: store.purge_set(c, &keep).map_err(|e| e.to_string())?,
        });
    }
    items.sort_by_key(|i| i.case);
    Ok(items)
}

/// Removes the planned cases; returns how many.
pub fn purge(store: &mut Store, items: &[PurgeItem], now: Timestamp) -> Result<usize, String> {
    for i in items {
        store.purge(&i.set, now).map_err(|e| e.to_string())?;
    }
    Ok(items.len())
}

/// What a purge removes, one line per case, for people.
pub fn describe_purge(cfg: &Config, items: &[PurgeItem], dry_run: bool) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    if items.is_empty() {
        let _ = writeln!(
            s,
            "no finished case has its last activity before that date; nothing to remove"
        );
        return s;
    }
    let _ = writeln!(
        s,
        "{} {} case(s):",
        if dry_run { "would remove" } else { "removed" },
        items.len()
    );
    for i in items {
        let _ = writeln!(
            s,
            "  {} {}-{}  {:<8} last activity {}: {} raw message(s), {} journal entries, {} outgoing message(s)",
            if dry_run { "-" } else { "x" },
            cfg.body.tag,
            i.case,
            match i.status {
                CaseStatus::Closed => "closed",
                _ => "bundled",
            },
            local_date(i.last_activity, cfg.periods.timezone),
            i.set.raw.len(),
            i.set.journal.len(),
            i.set.outgoing()
        );
    }
    if dry_run {
        let _ = writeln!(
            s,
            "nothing was removed (--dry-run); run without --dry-run to remove them"
        );
    }
    s
}

// ---------------------------------------------------------------------------------------
// The commands (`loket case record`, `report`, `export`, `purge`).

fn open_store(cfg: &Config) -> Result<Store, String> {
    Store::open(&cfg.store.path, cfg.store.cache_bytes).map_err(|e| e.to_string())
}

/// Writes a command's output to a file (saying so on stderr) or to standard output.
pub fn emit(bytes: &[u8], output: Option<&Path>, binary: bool) -> Result<(), String> {
    use std::io::IsTerminal;
    match output {
        Some(p) => {
            write_file(p, bytes)?;
            eprintln!("wrote {} ({} bytes)", p.display(), bytes.len());
            Ok(())
        }
        None => {
            let mut out = std::io::stdout().lock();
            if binary && out.is_terminal() {
                return Err(
                    "a PDF is not for the terminal; give --output FILE (e.g. --output verslag.pdf) or redirect the output"
                        .into(),
                );
            }
            out.write_all(bytes)
                .and_then(|_| out.flush())
                .map_err(|e| format!("cannot write the output: {e}"))
        }
    }
}

fn case_id(s: &str) -> Result<CaseId, String> {
    s.parse()
}

/// `loket case record ID`.
pub fn run_record(
    cfg: &Config,
    id: &str,
    format: crate::cli::RecordFormat,
    output: Option<&Path>,
    now: Timestamp,
) -> Result<(), String> {
    let id = case_id(id)?;
    let store = open_store(cfg)?;
    let doc = record::from_store(cfg, &store, id, now).map_err(|e| e.to_string())?;
    let format = match format {
        crate::cli::RecordFormat::Pdf => Format::Pdf,
        crate::cli::RecordFormat::Html => Format::Html,
        crate::cli::RecordFormat::Md => Format::Md,
    };
    let bytes = record::render(&doc, format).map_err(|e| e.to_string())?;
    emit(&bytes, output, format == Format::Pdf)
}

/// `loket report --from --to`.
pub fn run_report(
    cfg: &Config,
    args: &crate::cli::ReportArgs,
    now: Timestamp,
) -> Result<(), String> {
    let (from, to) = crate::reports::parse_period(&args.from, &args.to)?;
    let store = open_store(cfg)?;
    let report =
        crate::reports::from_store(cfg, &store, from, to, now).map_err(|e| e.to_string())?;
    let format = match args.format {
        crate::cli::ReportFormat::Table => crate::reports::Format::Table,
        crate::cli::ReportFormat::Csv => crate::reports::Format::Csv,
        crate::cli::ReportFormat::Json => crate::reports::Format::Json,
        crate::cli::ReportFormat::Html => crate::reports::Format::Html,
    };
    if report.cases == 0 {
        eprintln!(
            "loket: no cases were received from {from} to {to}; the report says so (`loket case list` shows every case)"
        );
    }
    let text = crate::reports::render(cfg, &report, format);
    emit(text.as_bytes(), args.output.as_deref(), false)
}

/// `loket export`.
pub fn run_export(
    cfg: &Config,
    args: &crate::cli::ExportArgs,
    now: Timestamp,
) -> Result<(), String> {
    let sel = match (&args.case, &args.from, &args.to) {
        (Some(c), _, _) => Selection::Case(case_id(c)?),
        (None, Some(f), Some(t)) => {
            let (f, t) = crate::reports::parse_period(f, t)?;
            Selection::Period(f, t)
        }
        _ => {
            return Err(
                "say what to export: --case 2026-014, or --from 2026-01-01 --to 2026-12-31".into(),
            );
        }
    };
    let store = open_store(cfg)?;
    let cases = select(cfg, &store, &sel)?;
    if cases.is_empty() {
        return Err(
            "no cases were received in that period; nothing was written (`loket case list` shows every case)"
                .into(),
        );
    }
    let done = export(cfg, &store, &cases, &args.output, now)?;
    for d in &done {
        println!(
            "{}: {} received and {} sent message(s), {} journal entries, record; {} files in {}",
            d.case,
            d.received,
            d.sent,
            d.journal,
            d.files,
            d.dir.display()
        );
    }
    Ok(())
}

/// `loket purge --before`.
pub fn run_purge(cfg: &Config, args: &crate::cli::PurgeArgs, now: Timestamp) -> Result<(), String> {
    let before = crate::reports::parse_day("--before", &args.before)?;
    let mut store = open_store(cfg)?;
    let items = plan_purge(cfg, &store, before, now)?;
    if !args.dry_run {
        purge(&mut store, &items, now)?;
    }
    print!("{}", describe_purge(cfg, &items, args.dry_run));
    Ok(())
}
