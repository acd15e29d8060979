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
    /// Figures over a period: cases per ministry, outcomes, response times, reminders,
    /// deadlines, meetings, split views (table, CSV, JSON or HTML with charts).
    Report(ReportArgs),
    /// Write case files for a document system: raw messages, the journal as JSON lines and
    /// the consultation record. Stop the daemon first.
    Export(ExportArgs),
    /// Remove finished cases whose last activity is before a date; only when the config sets
    /// [retention] purge_after. Stop the daemon first.
    Purge(PurgeArgs),
    /// Look at and steer cases.
    Case {
        #[command(subcommand)]
        action: CaseCmd,
    },
    /// Plan a meeting about a case: poll the members, choose, move or cancel.
    Meeting {
        #[command(subcommand)]
        action: MeetingCmd,
    },
    /// Show what loket reads from raw messages (.eml files): kind, failed recipients, reply
    /// text, form, calendar data, warnings. Needs no config (the attachment limit comes
    /// from --config when that file exists).
    Inspect {
        /// One JSON object per file (one per line).
        #[arg(long)]
        json: bool,
        /// The raw messages.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum MeetingCmd {
    /// Ask the members which candidate times they can attend (a new list while a poll runs).
    Propose {
        /// Case id, e.g. 2026-014.
        id: String,
        /// A candidate time, e.g. "2026-12-08 14:00-16:00" or "di 8 december 14:00"
        /// (the configured default length); repeat for more.
        #[arg(long = "slot", required = true)]
        slots: Vec<String>,
        /// Where the meeting takes place (default: [meeting] location).
        #[arg(long)]
        location: Option<String>,
        /// An agenda item; repeat for more (default: the standard agenda).
        #[arg(long = "agenda")]
        agenda: Vec<String>,
        #[arg(long)]
        now: Option<String>,
    },
    /// Choose time N of the poll and send the invitations.
    Choose {
        id: String,
        /// The number of the time in the poll, from 1.
        n: u32,
        #[arg(long)]
        now: Option<String>,
    },
    /// Move the meeting to another time and/or place; updated invitations go out.
    Move {
        id: String,
        /// The new time, e.g. "2026-12-10 10:00-12:00" (default: the current time).
        #[arg(long)]
        slot: Option<String>,
        #[arg(long)]
        location: Option<String>,
        #[arg(long)]
        now: Option<String>,
    },
    /// Cancel the meeting (or withdraw the poll); the invited are told.
    Cancel {
        id: String,
        #[arg(long)]
        now: Option<String>,
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
    /// The consultation record of a case: what was asked, of whom, when, who answered
    /// (verbatim), reminders, extensions, meeting and outcome.
    Record {
        /// Case id, e.g. 2026-014.
        id: String,
        #[arg(long, value_enum, default_value = "pdf")]
        format: RecordFormat,
        /// Write to this file (default: standard output; a PDF needs --output on a terminal).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Draw the record up as of this time (RFC 3339).
        #[arg(long)]
        now: Option<String>,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordFormat {
    Pdf,
    Html,
    Md,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Table,
    Csv,
    Json,
    Html,
}

/// `loket report`: figures over a period.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// First day of the period (cases received from this day on), e.g. 2026-01-01.
    #[arg(long)]
    pub from: String,
    /// Last day of the period (included), e.g. 2026-12-31.
    #[arg(long)]
    pub to: String,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReportFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Count as if it were this time (RFC 3339): decides which deadlines have passed.
    #[arg(long)]
    pub now: Option<String>,
}

/// `loket export`: the case file for a document system.
#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// One case, e.g. 2026-014.
    #[arg(long, conflicts_with_all = ["from", "to"], required_unless_present_any = ["from", "to"])]
    pub case: Option<String>,
    /// Every case received from this day ...
    #[arg(long, requires = "to")]
    pub from: Option<String>,
    /// ... up to and including this day.
    #[arg(long, requires = "from")]
    pub to: Option<String>,
    /// Directory to write into; each case gets its own subdirectory.
    #[arg(long, short)]
    pub output: PathBuf,
    /// Draw the records up as of this time (RFC 3339).
    #[arg(long)]
    pub now: Option<String>,
}

/// `loket purge`: remove finished cases after the retention period.
#[derive(clap::Args, Debug)]
pub struct PurgeArgs {
    /// Remove finished cases whose last activity is before this day, e.g. 2019-01-01.
    #[arg(long)]
    pub before: String,
    /// Only say what would be removed.
    #[arg(long)]
    pub dry_run: bool,
    /// Act as if it were this time (RFC 3339).
    #[arg(long)]
    pub now: Option<String>,
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
