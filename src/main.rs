//! The `loket` binary: parses the command line, loads the config, and hands over to the
//! library. Errors become a message on stderr and a non-zero exit code.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use clap::Parser;
use tracing::{error, info};

use loket::cli::{CaseCmd, Cli, Cmd};
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
        Cmd::Check => match config::load(&config) {
            Ok(c) => {
                println!(
                    "{}: OK ({} ministries, {} members, {} desk staff)",
                    config.display(),
                    c.ministries.len(),
                    c.members.len(),
                    c.desk.staff.len()
                );
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
                    "pass complete"
                );
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
            }
            Ok(ExitCode::SUCCESS)
        }
    }
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
