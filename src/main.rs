//! The `loket` binary: parses the command line, loads the config, and hands over to the
//! library. Errors become a message on stderr and a non-zero exit code.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use clap::Parser;
use tracing::{error, info};

use loket::cli::{CaseCmd, Cli, Cmd, MeetingCmd};
use loket::config::{self, ConfigError};
use loket::core::model::{CaseId, Timestamp};
use loket::driver::Engine;
use loket::report;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LOKET_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("loket: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn load_config(path: &std::path::Path) -> Result<config::Config> {
    match config::load(path) {
        Ok(c) => Ok(c),
        Err(ConfigError::Invalid(diags)) => {
            for d in &diags {
                eprintln!("{d}");
            }
            bail!(
                "{} problem(s) in {}; fix them and try again (`loket check` lists them)",
                diags.len(),
                path.display()
            )
        }
        Err(e) => Err(anyhow!(e)),
    }
}

fn parse_now(now: Option<&str>) -> Result<Option<Timestamp>> {
    now.map(|s| {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .with_context(|| {
                format!(
                    "--now `{s}` is not an RFC 3339 time; write it like 2026-12-01T09:00:00+01:00"
                )
            })
    })
    .transpose()
}

fn run(cli: Cli) -> Result<ExitCode> {
    let config = cli.config;
    match cli.command {
        Cmd::Inspect { json, files } => inspect(&config, json, &files),
        Cmd::Check { connect } => match config::load(&config) {
            Ok(c) => {
                println!(
                    "{}: OK ({} ministries, {} members, {} desk staff)",
                    config.display(),
                    c.ministries.len(),
                    c.members.len(),
                    c.desk.staff.len()
                );
                if connect {
                    let mut failed = false;
                    for (what, r) in loket::adapters::check_connections(&c) {
                        match r {
                            Ok(m) => println!("{what}: OK: {m}"),
                            Err(m) => {
                                failed = true;
                                println!("{what}: FAILED: {m}");
                            }
                        }
                    }
                    if failed {
                        return Ok(ExitCode::from(3));
                    }
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(ConfigError::Invalid(diags)) => {
                for d in &diags {
                    println!("{d}");
                }
                println!("{} problem(s) found", diags.len());
                Ok(ExitCode::from(2))
            }
            Err(e) => Err(anyhow!(e)),
        },
        Cmd::Run { once, now } => {
            let now = parse_now(now.as_deref())?;
            let cfg = load_config(&config)?;
            let engine = Engine::open(cfg)?;
            if once {
                let stop = AtomicBool::new(false);
                let r = engine_once(engine, now.unwrap_or_else(Utc::now), &stop)?;
                info!(
                    handled = r.handled,
                    duplicates = r.duplicates,
                    unreadable = r.unreadable,
                    sent = r.sent,
                    gave_up = r.gave_up,
                    "pass complete"
                );
                if let Some(e) = r.source_error {
                    bail!("the mailbox could not be read: {e}");
                }
                return Ok(ExitCode::SUCCESS);
            }
            let offset = now.map(|n| n - Utc::now()).unwrap_or_default();
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            rt.block_on(daemon(engine, offset))?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Reconcile { now } => {
            let now = parse_now(now.as_deref())?.unwrap_or_else(Utc::now);
            let mut engine = Engine::open(load_config(&config)?)?;
            let r = engine.reconcile(now)?;
            println!(
                "{} message(s) in the folder of handled mail: {} known to the store, {} read again, {} recognised as already handled",
                r.in_folder, r.known, r.reread, r.duplicates
            );
            if r.reread > 0 {
                println!("their replies and notices are in the outbox; start loket to send them");
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Report(args) => {
            let now = parse_now(args.now.as_deref())?.unwrap_or_else(Utc::now);
            let cfg = load_config(&config)?;
            loket::archive::run_report(&cfg, &args, now).map_err(|e| anyhow!(e))?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Export(args) => {
            let now = parse_now(args.now.as_deref())?.unwrap_or_else(Utc::now);
            let cfg = load_config(&config)?;
            loket::archive::run_export(&cfg, &args, now).map_err(|e| anyhow!(e))?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Purge(args) => {
            let now = parse_now(args.now.as_deref())?.unwrap_or_else(Utc::now);
            let cfg = load_config(&config)?;
            loket::archive::run_purge(&cfg, &args, now).map_err(|e| anyhow!(e))?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Case {
            action:
                CaseCmd::Record {
                    id,
                    format,
                    output,
                    now,
                },
        } => {
            let now = parse_now(now.as_deref())?.unwrap_or_else(Utc::now);
            let cfg = load_config(&config)?;
            loket::archive::run_record(&cfg, &id, format, output.as_deref(), now)
                .map_err(|e| anyhow!(e))?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Meeting { action } => {
            let cfg = load_config(&config)?;
            let (command, now) = meeting_command(&cfg, action)?;
            let mut engine = Engine::open(cfg)?;
            match engine.command(command, now)? {
                Ok(()) => {
                    let sent = engine.deliver(now)?;
                    println!("done; {sent} message(s) sent");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("loket: {e}");
                    Ok(ExitCode::from(2))
                }
            }
        }
        Cmd::Calendar(args) => {
            let cfg = load_config(&config)?;
            print!(
                "{}",
                report::calendar(&cfg, &args, Utc::now()).map_err(|e| anyhow!(e))?
            );
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Case {
            action:
                action @ (CaseCmd::Approve { .. }
                | CaseCmd::Extend { .. }
                | CaseCmd::Bundle { .. }
                | CaseCmd::Close { .. }),
        } => {
            let (command, now) = case_command(action)?;
            let cfg = load_config(&config)?;
            let mut engine = Engine::open(cfg)?;
            let now = now.unwrap_or_else(Utc::now);
            match engine.command(command, now)? {
                Ok(()) => {
                    let sent = engine.deliver(now)?;
                    println!("done; {sent} message(s) sent");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("loket: {e}");
                    Ok(ExitCode::from(2))
                }
            }
        }
        Cmd::Case { action } => {
            let cfg = load_config(&config)?;
            let store = loket::store::Store::open(&cfg.store.path, cfg.store.cache_bytes)?;
            match action {
                CaseCmd::List { json } => {
                    let cases = store.cases()?;
                    print!("{}", report::case_list(&cfg, &cases, json));
                }
                CaseCmd::Show { id, json } => {
                    let id: CaseId = id.parse().map_err(|e: String| anyhow!(e))?;
                    let Some(case) = store.case(id)? else {
                        bail!("there is no case {id}; `loket case list` shows the cases");
                    };
                    let journal = store.journal_for(id)?;
                    print!("{}", report::case_show(&cfg, &case, &journal, json));
                }
                other => bail!("internal: `{other:?}` is handled above"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A meeting command from the CLI as a core command, at its `--now`. Slots are read like
/// the desk's `overleg` lines and must lie ahead.
fn meeting_command(
    cfg: &config::Config,
    action: MeetingCmd,
) -> Result<(loket::core::Command, Timestamp)> {
    use loket::core::Command;
    use loket::core::meeting::parse_slot;
    use loket::core::model::Slot;
    let id = |s: &str| -> Result<CaseId> { s.parse().map_err(|e: String| anyhow!(e)) };
    let tz = cfg.periods.timezone;
    let slot = |s: &str, now: Timestamp| -> Result<Slot> {
        let today = now.with_timezone(&tz).date_naive();
        let slot = parse_slot(s, today, tz, cfg.meeting.default_duration).with_context(|| {
            format!(
                "--slot `{s}` is not a time loket can read; write a date with start and end, e.g. \"2026-12-08 14:00-16:00\""
            )
        })?;
        if slot.start <= now {
            bail!("--slot `{s}` lies in the past");
        }
        Ok(slot)
    };
    let at = |now: Option<String>| -> Result<Timestamp> {
        Ok(parse_now(now.as_deref())?.unwrap_or_else(Utc::now))
    };
    Ok(match action {
        MeetingCmd::Propose {
            id: i,
            slots,
            location,
            agenda,
            now,
        } => {
            let now = at(now)?;
            let slots = slots
                .iter()
                .map(|s| slot(s, now))
                .collect::<Result<Vec<_>>>()?;
            let case = id(&i)?;
            (
                Command::ProposeMeeting {
                    case,
                    slots,
                    location,
                    agenda,
                },
                now,
            )
        }
        MeetingCmd::Choose { id: i, n, now } => (
            Command::ChooseSlot {
                case: id(&i)?,
                slot: n,
            },
            at(now)?,
        ),
        MeetingCmd::Move {
            id: i,
            slot: s,
            location,
            now,
        } => {
            let now = at(now)?;
            if s.is_none() && location.is_none() {
                bail!("say where to: --slot \"2026-12-10 10:00-12:00\" and/or --location \"...\"");
            }
            let to = s.as_deref().map(|s| slot(s, now)).transpose()?;
            (
                Command::MoveMeeting {
                    case: id(&i)?,
                    to,
                    location,
                },
                now,
            )
        }
        MeetingCmd::Cancel { id: i, now } => (Command::CancelMeeting { case: id(&i)? }, at(now)?),
    })
}

/// A case command from the CLI as a core command, with its `--now`.
fn case_command(action: CaseCmd) -> Result<(loket::core::Command, Option<Timestamp>)> {
    use loket::core::{Command, Extension};
    let id = |s: &str| -> Result<CaseId> { s.parse().map_err(|e: String| anyhow!(e)) };
    Ok(match action {
        CaseCmd::Approve { id: i, now } => (
            Command::Approve { case: id(&i)? },
            parse_now(now.as_deref())?,
        ),
        CaseCmd::Bundle { id: i, now } => (
            Command::Bundle { case: id(&i)? },
            parse_now(now.as_deref())?,
        ),
        CaseCmd::Close { id: i, now } => {
            (Command::Close { case: id(&i)? }, parse_now(now.as_deref())?)
        }
        CaseCmd::Extend { id: i, to, by, now } => {
            let to = match (to, by) {
                (Some(d), _) => Extension::To(
                    chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").with_context(|| {
                        format!("--to `{d}` is not a date; write it as 2026-12-04")
                    })?,
                ),
                (None, Some(n)) => Extension::WorkingDays(
                    n.trim()
                        .trim_end_matches(['d', 'D'])
                        .trim()
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .with_context(|| {
                            format!("--by `{n}` is not a number of working days; write e.g. --by 3")
                        })?,
                ),
                (None, None) => bail!("say how to extend: --to 2026-12-04 or --by 3"),
            };
            (
                Command::Extend { case: id(&i)?, to },
                parse_now(now.as_deref())?,
            )
        }
        other => bail!("not a case command: {other:?}"),
    })
}

fn engine_once(
    mut engine: Engine,
    now: Timestamp,
    stop: &AtomicBool,
) -> Result<loket::driver::PassReport> {
    Ok(engine.run_once(now, stop)?)
}

/// The daemon: a pass whenever the poll interval or the core's next wake-up comes, until
/// SIGINT or SIGTERM; the mail at hand is finished first.
async fn daemon(mut engine: Engine, offset: chrono::Duration) -> Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    let notify = Arc::new(tokio::sync::Notify::new());
    {
        let stop = stop.clone();
        let notify = notify.clone();
        tokio::spawn(async move {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(s) => s,
                    Err(e) => {
                        error!(error = %e, "cannot listen for SIGTERM");
                        return;
                    }
                };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => info!("SIGINT: finishing the mail at hand, then stopping"),
                _ = term.recv() => info!("SIGTERM: finishing the mail at hand, then stopping"),
            }
            stop.store(true, Ordering::SeqCst);
            notify.notify_one();
        });
    }
    let poll = engine.config().mailbox_poll_interval();
    let new_mail = engine
        .mail_notifier()
        .unwrap_or_else(|| Arc::new(tokio::sync::Notify::new()));
    info!(poll_ms = poll.as_millis() as u64, "loket running");
    loop {
        let now = Utc::now() + offset;
        let s = stop.clone();
        let (back, result) = tokio::task::spawn_blocking(move || {
            let r = engine.run_once(now, &s);
            (engine, r)
        })
        .await
        .context("the worker thread failed")?;
        engine = back;
        result?;
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let mut wait = poll;
        if let Some(t) = engine.next_wakeup() {
            let until = (t - (Utc::now() + offset)).to_std().unwrap_or_default();
            wait = wait.min(until);
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = notify.notified() => {}
            _ = new_mail.notified() => {}
        }
        if stop.load(Ordering::SeqCst) {
            break;
        }
    }
    info!("stopped cleanly");
    Ok(())
}

/// `loket inspect`: what the mail reader makes of each file. The attachment limit comes
/// from the config when it exists and loads; the defaults otherwise.
fn inspect(config: &std::path::Path, json: bool, files: &[std::path::PathBuf]) -> Result<ExitCode> {
    let mut limits = loket::mail::ReadLimits::default();
    if config.exists() {
        match config::load(config) {
            Ok(c) => limits.max_attachment_bytes = c.intake.max_attachment_bytes,
            Err(_) => eprintln!(
                "loket: {} does not load (`loket check` says why); using the default limits",
                config.display()
            ),
        }
    }
    let mut failed = false;
    for (n, f) in files.iter().enumerate() {
        let raw = match std::fs::read(f) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("loket: cannot read {}: {e}", f.display());
                failed = true;
                continue;
            }
        };
        let i = loket::mail::inspect::inspect(&raw, &limits);
        let name = f.display().to_string();
        if json {
            println!("{}", loket::mail::inspect::to_json(&name, &i));
        } else {
            if n > 0 {
                println!();
            }
            print!("{}", loket::mail::inspect::to_text(&name, &i));
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
