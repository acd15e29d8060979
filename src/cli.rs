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
    Check {
        /// Also log in to the configured IMAP and SMTP servers and say what fails.
        #[arg(long)]
        connect: bool,
    },
    /// Compare the IMAP folder of handled mail with the store and read again every message
    /// the store does not know (after a restore from backup); nothing known is handled twice.
    /// Stop the daemon first.
    Reconcile {
        /// Act as if it were this time (RFC 3339).
        #[arg(long)]
        now: Option<String>,
    },
    /// List the non-working days, or compute a deadline in working days.
    Calendar(CalendarArgs),
    /// Look at and steer cases.
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
    /// Send a case that waits for approval to the members.
    Approve {
        id: String,
        /// Act as if it were this time (RFC 3339).
        #[arg(long)]
        now: Option<String>,
    },
    /// Move a case's deadline later; the members still missing are told.
    Extend {
        id: String,
        /// New deadline day, e.g. 2026-12-04 (the deadline falls at the configured time).
        #[arg(long, conflicts_with = "by", required_unless_present = "by")]
        to: Option<String>,
        /// Number of working days to add, e.g. 3 (or "3d").
        #[arg(long)]
        by: Option<String>,
        #[arg(long)]
        now: Option<String>,
    },
    /// Bundle the views that are in and send them to the submitter now.
    Bundle {
        id: String,
        #[arg(long)]
        now: Option<String>,
    },
    /// Close a case: no more reminders or bundles.
    Close {
        id: String,
        #[arg(long)]
        now: Option<String>,
    },
}

/// `loket calendar`: the working-day calendar as the config makes it.
#[derive(clap::Args, Debug)]
pub struct CalendarArgs {
    /// Year to list (default: this year).
    pub year: Option<i32>,
    #[arg(long)]
    pub json: bool,
    /// Show the deadline that starts on this date (YYYY-MM-DD) ...
    #[arg(long, requires = "days")]
    pub deadline_from: Option<String>,
    /// ... after this many working days.
    #[arg(long, requires = "deadline_from")]
    pub days: Option<u32>,
}
