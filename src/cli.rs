//! The command line: argument definitions (clap) and the commands that read the store.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "loket",
    version,
    about = "Runs an advisory body's written consultation rounds by ordinary email"
)]
pub struct Cli {
    /// Configuration file.
    #[arg(
        long,
        short,
        global = true,
        default_value = "config/loket.toml",
        env = "LOKET_CONFIG"
    )]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Run the daemon: watch the mailbox, act on the clock, send the outbox.
    Run {
        /// One pass over mailbox, clock and outbox, then exit.
        #[arg(long)]
        once: bool,
        /// Act as if it were this time (RFC 3339, e.g. 2026-12-01T09:00:00+01:00).
        #[arg(long)]
        now: Option<String>,
    },
    /// Validate the configuration and report every problem.
    Check,
    /// Look at cases.
    Case {
        #[command(subcommand)]
        action: CaseCmd,
    },
}

#[derive(Subcommand, Debug)]
pub enum CaseCmd {
    /// List all cases.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one case with its timeline.
    Show {
        /// Case id, e.g. 2026-014.
        id: String,
        #[arg(long)]
        json: bool,
    },
}
