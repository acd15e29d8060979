//! Reads and validates `loket.toml` into the [`Config`] model.
//!
//! The file is parsed into a span-carrying tree (`toml::de::DeTable`), then walked by hand so
//! that *every* problem is reported in one go, each with the line of the offending value and
//! a dotted key path such as `members[3].email` (array indices count from 0).
//!
//! If the TOML itself does not parse, only the syntax errors are reported: the other checks
//! run once the file parses.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use chrono::NaiveTime;
use chrono_tz::Tz;
use regex::Regex;
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use super::model::{
    Age, AgreementRule, BodyConfig, Bundling, CalendarConfig, ClosedDay, Config, Deputy,
    DeskConfig, Distribution, Intake, Jobs, Lang, LiberationDay, MailboxConfig, MeetingConfig,
    Member, Ministry, Period, Periods, Policy, ReminderRule, Retention, SecretSource, Secrets,
    StoreConfig, TransportConfig,
};
use crate::core::model::Address;

/// The `imap` mailbox and `smtp` transport sections.
mod net;

/// One problem in the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The config file, as given to [`load`] / [`load_str`].
    pub file: String,
    /// 1-based line of the offending value (or of the table that lacks a key).
    pub line: usize,
    /// Dotted key path, e.g. `members[3].email`, `periods.urgent`.
    pub key: String,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.key, self.message
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// All problems found, sorted by line; `Display` prints one per line.
    #[error("{}", list_diagnostics(.0))]
    Invalid(Vec<Diagnostic>),
}

fn list_diagnostics(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(Diagnostic::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads and validates the config file at `path`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    load_str(&text, path)
}

/// Validates config text that was read from `path`. `path` is used in diagnostics and to
/// resolve relative paths (against the directory that contains it).
pub fn load_str(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let mut ck = Checker::new(path, text);
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        let keys = KeyLines::collect(&ck, root.get_ref());
        for e in &errors {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            let line = ck.line_of(offset);
            let key = keys.at(line).unwrap_or_else(|| "(toml)".to_string());
            let what = e.message().trim().trim_end_matches('.');
            let hint = if what.contains("duplicate key") {
                "each key may appear only once in a table; remove or rename one of them"
            } else {
                "fix the TOML syntax (the other checks run once the file parses)"
            };
            ck.diags.push(Diagnostic {
                file: ck.file.clone(),
                line,
                key,
                message: format!("TOML syntax error: {what}; {hint}"),
            });
        }
        return Err(ck.finish_err());
    }

    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let root = Section {
        table: root.get_ref(),
        span: 0..0,
        path: String::new(),
    };
    let config = validate(&mut ck, &root, &base, path);
    match config {
        Some(c) if ck.diags.is_empty() => Ok(c),
        _ => {
            if ck.diags.is_empty() {
                // Cannot happen: every `None` above comes with a diagnostic.
                ck.error(
                    0..0,
                    "(config)",
                    "the configuration is invalid; please report this",
                );
            }
            Err(ck.finish_err())
        }
    }
}

// ---------------------------------------------------------------------------------------
// The schema: which keys each table may hold.

const TOP_KEYS: &[&str] = &[
    "body",
    "desk",
    "secrets",
    "periods",
    "distribution",
    "intake",
    "store",
    "mailbox",
    "transport",
    "templates",
    "ministries",
    "members",
    "calendar",
    "policy",
    "jobs",
    "bundling",
    "meeting",
    "retention",
];
const BODY_KEYS: &[&str] = &["name", "tag", "language"];
const DESK_KEYS: &[&str] = &["address", "name", "staff", "plus_addressing"];
const ADDRESS_KEYS: &[&str] = &["name", "email"];
const SECRETS_KEYS: &[&str] = &["token_key_file", "token_key_env"];
const PERIODS_KEYS: &[&str] = &[
    "normal",
    "urgent",
    "reminders",
    "deadline_time",
    "timezone",
    "office_hours",
];
const CALENDAR_KEYS: &[&str] = &["good_friday", "liberation_day", "closed"];
const CLOSED_KEYS: &[&str] = &["date", "name"];
const POLICY_KEYS: &[&str] = &["approval", "max_answers_per_hour", "authserv_id"];
const JOBS_KEYS: &[&str] = &["daily_digest", "weekly_summary"];
const BUNDLING_KEYS: &[&str] = &["rule", "share", "conditions_agree", "review"];
const DISTRIBUTION_KEYS: &[&str] = &["to_deputies"];
const INTAKE_KEYS: &[&str] = &["allowed_senders", "max_attachment_size"];
const STORE_KEYS: &[&str] = &["path", "cache_size"];
const MAILBOX_KEYS: &[&str] = &[
    "kind",
    "path",
    "poll_interval",
    "host",
    "port",
    "tls",
    "user",
    "password_env",
    "password_file",
    "folder",
    "processed_folder",
    "ca_file",
    "timeout",
    "idle_renew",
    "backoff_min",
    "backoff_max",
];
const TRANSPORT_KEYS: &[&str] = &[
    "kind",
    "path",
    "host",
    "port",
    "tls",
    "user",
    "password_env",
    "password_file",
    "ca_file",
    "timeout",
    "retry_for",
    "retry_first",
    "retry_max",
];
const TEMPLATES_KEYS: &[&str] = &["dir"];
const MINISTRY_KEYS: &[&str] = &["code", "name", "domains"];
const MEMBER_KEYS: &[&str] = &["id", "name", "email", "ministry", "deputy"];

/// Where each key belongs, to say "`timezone` belongs under [periods]".
const ALL_SECTIONS: &[(&str, &[&str])] = &[
    ("[body]", BODY_KEYS),
    ("[desk]", DESK_KEYS),
    ("[secrets]", SECRETS_KEYS),
    ("[periods]", PERIODS_KEYS),
    ("[distribution]", DISTRIBUTION_KEYS),
    ("[intake]", INTAKE_KEYS),
    ("[store]", STORE_KEYS),
    ("[mailbox]", MAILBOX_KEYS),
    ("[transport]", TRANSPORT_KEYS),
    ("[templates]", TEMPLATES_KEYS),
    ("[[ministries]]", MINISTRY_KEYS),
    ("[[members]]", MEMBER_KEYS),
    ("[calendar]", CALENDAR_KEYS),
    ("[policy]", POLICY_KEYS),
    ("[jobs]", JOBS_KEYS),
    ("[bundling]", BUNDLING_KEYS),
    ("[meeting]", MEETING_KEYS),
    ("[retention]", RETENTION_KEYS),
];
const RETENTION_KEYS: &[&str] = &["purge_after"];
const MEETING_KEYS: &[&str] = &[
    "auto_choose",
    "list_attendees",
    "default_duration",
    "guests",
    "location",
    "poll_working_days",
];

const MAILBOX_KINDS: &[&str] = &["maildir", "imap"];
const TRANSPORT_KINDS: &[&str] = &["eml", "smtp"];

const SECRET_MSG: &str = "secrets never go in the TOML; use token_key_file or token_key_env";

const KEYGEN_HINT: &str = "head -c 32 /dev/urandom | xxd -p -c 64 > FILE";

static TAG_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Za-z0-9-]{1,12}$").unwrap());
static CODE_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Za-z0-9]{1,12}$").unwrap());
static MEMBER_ID_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z0-9-]{1,32}$").unwrap());
static ENV_NAME_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*$").unwrap());

// ---------------------------------------------------------------------------------------
// Diagnostics collector.

struct Checker {
    file: String,
    line_starts: Vec<usize>,
    diags: Vec<Diagnostic>,
}

impl Checker {
    fn new(path: &Path, text: &str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Checker {
            file: path.display().to_string(),
            line_starts,
            diags: Vec::new(),
        }
    }

    /// 1-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset).max(1)
    }

    fn error(&mut self, span: Range<usize>, key: &str, message: impl Into<String>) {
        self.diags.push(Diagnostic {
            file: self.file.clone(),
            line: self.line_of(span.start),
            key: key.to_string(),
            message: message.into(),
        });
    }

    fn finish_err(mut self) -> ConfigError {
        self.diags.sort_by_key(|d| d.line);
        ConfigError::Invalid(self.diags)
    }
}

/// For syntax errors: which key sits on which line of the (partially) parsed tree.
struct KeyLines(Vec<(usize, String)>);

impl KeyLines {
    fn collect(ck: &Checker, root: &DeTable<'_>) -> Self {
        fn walk(ck: &Checker, t: &DeTable<'_>, prefix: &str, out: &mut Vec<(usize, String)>) {
            for (k, v) in t.iter() {
                let path = join(prefix, k.get_ref());
                out.push((ck.line_of(k.span().start), path.clone()));
                walk_value(ck, v, &path, out);
            }
        }
        fn walk_value(
            ck: &Checker,
            v: &Spanned<DeValue<'_>>,
            path: &str,
            out: &mut Vec<(usize, String)>,
        ) {
            match v.get_ref() {
                DeValue::Table(t) => walk(ck, t, path, out),
                DeValue::Array(a) => {
                    for (i, e) in a.iter().enumerate() {
                        let p = format!("{path}[{i}]");
                        out.push((ck.line_of(e.span().start), p.clone()));
                        walk_value(ck, e, &p, out);
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(ck, root, "", &mut out);
        KeyLines(out)
    }

    /// The deepest key on this line.
    fn at(&self, line: usize) -> Option<String> {
        self.0
            .iter()
            .filter(|(l, _)| *l == line)
            .max_by_key(|(_, p)| p.len())
            .map(|(_, p)| p.clone())
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// A value that was read and checked, with where it was written.
struct Got<T> {
    value: T,
    span: Range<usize>,
}

/// A table of the document, with its key path and the span of its header (or brace).
struct Section<'a, 'i> {
    table: &'a DeTable<'i>,
    span: Range<usize>,
    path: String,
}

impl<'a, 'i> Section<'a, 'i> {
    fn key(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// How this table is named in messages: `[periods]`, `members[2]`, the top level.
    fn label(&self) -> String {
        if self.path.is_empty() {
            "the top level".to_string()
        } else if self.path.contains('[') || self.path.contains('.') {
            format!("`{}`", self.path)
        } else {
            format!("[{}]", self.path)
        }
    }

    fn get(&self, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
        self.table.get(key)
    }

    /// Reports every key not in `known` (with a suggestion), and secrets written inline.
    fn check_keys(&self, ck: &mut Checker, known: &[&str]) {
        for (k, v) in self.table.iter() {
            let name = k.get_ref().as_ref();
            if known.contains(&name) {
                continue;
            }
            let path = self.key(name);
            if is_secret_name(name) && is_literal(v.get_ref()) {
                ck.error(v.span(), &path, SECRET_MSG);
                continue;
            }
            ck.error(
                k.span(),
                &path,
                unknown_key_message(name, &self.label(), known),
            );
            scan_secrets(ck, v, &path);
        }
    }

    fn missing(&self, ck: &mut Checker, key: &str, example: &str) {
        let msg = format!(
            "missing required key `{key}` in {}; add e.g. {example}",
            self.label()
        );
        ck.error(self.span.clone(), &self.key(key), msg);
    }

    /// A string value, if present. Wrong type and (for `nonempty`) empty strings are reported.
    fn string(
        &self,
        ck: &mut Checker,
        key: &str,
        example: &str,
    ) -> Result<Option<Got<&'a str>>, ()> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        match v.get_ref() {
            DeValue::String(s) => {
                if s.trim().is_empty() {
                    let msg = format!("`{key}` is empty; write a value, e.g. {example}");
                    ck.error(v.span(), &self.key(key), msg);
                    Err(())
                } else {
                    Ok(Some(Got {
                        value: s.as_ref(),
                        span: v.span(),
                    }))
                }
            }
            other => {
                let msg = format!(
                    "must be a string in quotes, not {}; write e.g. {example}",
                    a_type(other)
                );
                ck.error(v.span(), &self.key(key), msg);
                Err(())
            }
        }
    }

    /// A required string, checked and converted by `f` (whose error message is reported at
    /// the value).
    fn req<T>(
        &self,
        ck: &mut Checker,
        key: &str,
        example: &str,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<Got<T>> {
        match self.string(ck, key, example) {
            Ok(Some(g)) => self.convert(ck, key, g, f),
            Ok(None) => {
                self.missing(ck, key, example);
                None
            }
            Err(()) => None,
        }
    }

    /// An optional string converted by `f`: `Ok(None)` when absent, `Err` when reported.
    fn opt<T>(
        &self,
        ck: &mut Checker,
        key: &str,
        example: &str,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<Got<T>>, ()> {
        match self.string(ck, key, example)? {
            Some(g) => self.convert(ck, key, g, f).map(Some).ok_or(()),
            None => Ok(None),
        }
    }

    /// An optional string converted by `f`, or `default` when absent.
    fn opt_or<T>(
        &self,
        ck: &mut Checker,
        key: &str,
        example: &str,
        default: T,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match self.opt(ck, key, example, f) {
            Ok(Some(g)) => Some(g.value),
            Ok(None) => Some(default),
            Err(()) => None,
        }
    }

    fn convert<T>(
        &self,
        ck: &mut Checker,
        key: &str,
        g: Got<&str>,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<Got<T>> {
        match f(g.value) {
            Ok(value) => Some(Got {
                value,
                span: g.span,
            }),
            Err(msg) => {
                ck.error(g.span, &self.key(key), msg);
                None
            }
        }
    }

    fn bool_or(&self, ck: &mut Checker, key: &str, default: bool) -> Option<bool> {
        match self.get(key) {
            None => Some(default),
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => Some(*b),
                other => {
                    let msg = format!(
                        "must be true or false (without quotes), not {}; write e.g. {key} = {default}",
                        a_type(other)
                    );
                    ck.error(v.span(), &self.key(key), msg);
                    None
                }
            },
        }
    }

    /// An optional whole number in `range`: `Ok(None)` when absent, `Err` when reported.
    /// `what` says what the number counts, e.g. "a percentage", for the message.
    fn int_in(
        &self,
        ck: &mut Checker,
        key: &str,
        range: std::ops::RangeInclusive<u32>,
        what: &str,
        example: &str,
    ) -> Result<Option<Got<u32>>, ()> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let msg = match v.get_ref() {
            DeValue::Integer(i) => match i.as_str().parse::<u32>() {
                Ok(n) if range.contains(&n) => {
                    return Ok(Some(Got {
                        value: n,
                        span: v.span(),
                    }));
                }
                _ => format!(
                    "must be {what} from {} to {}, e.g. {example}",
                    range.start(),
                    range.end()
                ),
            },
            other => format!(
                "must be a whole number without quotes, not {}; write e.g. {example}",
                a_type(other)
            ),
        };
        ck.error(v.span(), &self.key(key), msg);
        Err(())
    }

    /// A sub-table. Absent: `Ok(None)`, or reported when `required`.
    fn table(
        &self,
        ck: &mut Checker,
        key: &str,
        example: &str,
        required: bool,
    ) -> Result<Option<Section<'a, 'i>>, ()> {
        let path = self.key(key);
        let Some(v) = self.get(key) else {
            if required {
                if self.path.is_empty() {
                    let msg = format!("missing required section [{key}]; add it, e.g. {example}");
                    ck.error(0..0, &path, msg);
                } else {
                    self.missing(ck, key, example);
                }
                return Err(());
            }
            return Ok(None);
        };
        match v.get_ref() {
            DeValue::Table(t) => Ok(Some(Section {
                table: t,
                span: v.span(),
                path,
            })),
            other => {
                let msg = if self.path.is_empty() {
                    format!(
                        "must be a table: write a [{key}] section with its keys under it, not {}",
                        a_type(other)
                    )
                } else {
                    format!("must be a table such as {example}, not {}", a_type(other))
                };
                ck.error(v.span(), &path, msg);
                Err(())
            }
        }
    }

    /// An array. Absent: `Ok(None)`, or reported when `required`.
    fn array(
        &self,
        ck: &mut Checker,
        key: &str,
        example: &str,
        required: bool,
    ) -> Result<Option<Got<&'a DeArray<'i>>>, ()> {
        let Some(v) = self.get(key) else {
            if required {
                if self.path.is_empty() {
                    let msg = format!("missing required {example}");
                    ck.error(0..0, key, msg);
                } else {
                    self.missing(ck, key, example);
                }
                return Err(());
            }
            return Ok(None);
        };
        match v.get_ref() {
            DeValue::Array(a) => Ok(Some(Got {
                value: a,
                span: v.span(),
            })),
            other => {
                let msg = if self.path.is_empty() {
                    format!(
                        "must be a list of tables, each written as a [[{key}]] section, not {}",
                        a_type(other)
                    )
                } else {
                    format!(
                        "must be a list in square brackets, not {}; write e.g. {example}",
                        a_type(other)
                    )
                };
                ck.error(v.span(), &self.key(key), msg);
                Err(())
            }
        }
    }
}

/// The elements of an array of tables as sections named `path[i]`; other elements reported.
fn table_items<'a, 'i>(
    ck: &mut Checker,
    array: &'a DeArray<'i>,
    path: &str,
    example: &str,
) -> Vec<Option<Section<'a, 'i>>> {
    array
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let p = format!("{path}[{i}]");
            match e.get_ref() {
                DeValue::Table(t) => Some(Section {
                    table: t,
                    span: e.span(),
                    path: p,
                }),
                other => {
                    let msg = format!("must be a table such as {example}, not {}", a_type(other));
                    ck.error(e.span(), &p, msg);
                    None
                }
            }
        })
        .collect()
}

/// The elements of an array of strings; other elements reported.
fn string_items<'a>(
    ck: &mut Checker,
    array: &'a DeArray<'_>,
    path: &str,
    example: &str,
) -> Vec<Option<Got<&'a str>>> {
    array
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let p = format!("{path}[{i}]");
            match e.get_ref() {
                DeValue::String(s) => Some(Got {
                    value: s.as_ref(),
                    span: e.span(),
                }),
                other => {
                    let msg = format!(
                        "must be a string in quotes, not {}; write e.g. {example}",
                        a_type(other)
                    );
                    ck.error(e.span(), &p, msg);
                    None
                }
            }
        })
        .collect()
}

fn a_type(v: &DeValue<'_>) -> String {
    let shown = match v {
        DeValue::Integer(i) => format!(" ({})", i.as_str()),
        DeValue::Float(f) => format!(" ({})", f.as_str()),
        DeValue::Boolean(b) => format!(" ({b})"),
        _ => String::new(),
    };
    let t = v.type_str();
    let article = if t.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {t}{shown}")
}

// ---------------------------------------------------------------------------------------
// Secrets written inline.

fn is_secret_name(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    if k.ends_with("_file") || k.ends_with("_env") {
        return false;
    }
    k == "key"
        || k == "pass"
        || k.ends_with("_key")
        || k.ends_with("_pass")
        || k.contains("token")
        || k.contains("password")
        || k.contains("passwd")
        || k.contains("secret")
}

fn is_literal(v: &DeValue<'_>) -> bool {
    matches!(
        v,
        DeValue::String(_) | DeValue::Integer(_) | DeValue::Float(_)
    )
}

/// Inside an unknown table: secrets still get their own, louder, error.
fn scan_secrets(ck: &mut Checker, v: &Spanned<DeValue<'_>>, path: &str) {
    match v.get_ref() {
        DeValue::Table(t) => {
            for (k, v) in t.iter() {
                let p = join(path, k.get_ref());
                if is_secret_name(k.get_ref()) && is_literal(v.get_ref()) {
                    ck.error(v.span(), &p, SECRET_MSG);
                } else {
                    scan_secrets(ck, v, &p);
                }
            }
        }
        DeValue::Array(a) => {
            for (i, e) in a.iter().enumerate() {
                scan_secrets(ck, e, &format!("{path}[{i}]"));
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------
// Unknown keys.

fn unknown_key_message(key: &str, label: &str, known: &[&str]) -> String {
    let mut msg = format!("unknown key `{key}` in {label}");
    if let Some(near) = nearest(key, known) {
        msg.push_str(&format!("; did you mean `{near}`?"));
        return msg;
    }
    let elsewhere: Vec<&str> = ALL_SECTIONS
        .iter()
        .filter(|(_, keys)| keys.contains(&key) && *keys != known)
        .map(|(section, _)| *section)
        .collect();
    if !elsewhere.is_empty() && elsewhere.len() <= 2 {
        msg.push_str(&format!(
            "; `{key}` belongs under {}, move it there",
            elsewhere.join(" or ")
        ));
        return msg;
    }
    msg.push_str(&format!(
        "; remove it (valid keys here: {})",
        known.join(", ")
    ));
    msg
}

/// The known key closest to `key`, if it is close enough to be a typo.
fn nearest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let lower = key.to_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&lower, &k.to_lowercase()), *k))
        .filter(|(d, k)| *d <= typo_budget(k))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn typo_budget(word: &str) -> usize {
    match word.chars().count() {
        0..=3 => 1,
        4..=7 => 2,
        _ => 3,
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let subst = prev[j] + usize::from(ca != cb);
            cur[j + 1] = subst.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

// ---------------------------------------------------------------------------------------
// Value checks. Each returns the message to report: what is wrong and what to do.

/// A mail address: `local@domain.tld`, no spaces or angle brackets.
pub(crate) fn check_email(s: &str) -> Result<(), String> {
    let fail = |why: &str| {
        Err(format!(
            "`{s}` is not a valid mail address ({why}); write it as local@domain.tld, e.g. a.devries@minjenv.nl"
        ))
    };
    if s.chars().any(|c| c.is_whitespace()) {
        return fail("it contains a space");
    }
    if s.contains(['<', '>', ',', ';', '"', '(', ')']) {
        return fail("write the bare address, without a name, brackets or separators");
    }
    let Some((local, domain)) = s.rsplit_once('@') else {
        return fail("there is no @");
    };
    if local.is_empty() {
        return fail("nothing before the @");
    }
    if local.contains('@') {
        return fail("more than one @");
    }
    if let Err(why) = domain_problem(domain) {
        return fail(&why);
    }
    Ok(())
}

fn domain_problem(domain: &str) -> Result<(), String> {
    if domain.is_empty() {
        return Err("the domain is missing".into());
    }
    if !domain.contains('.') {
        return Err(format!("the domain `{domain}` has no dot"));
    }
    let bad_label = domain.split('.').any(|label| {
        label.is_empty()
            || label.starts_with('-')
            || label.ends_with('-')
            || !label
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    });
    if bad_label {
        return Err(format!(
            "the domain `{domain}` is malformed (empty part, stray character or '-' at an edge)"
        ));
    }
    Ok(())
}

fn check_domain(s: &str) -> Result<String, String> {
    if let Some((_, d)) = s.rsplit_once('@') {
        return Err(format!(
            "`{s}` is a mail address; list only the domain here, e.g. \"{}\"",
            d.to_lowercase()
        ));
    }
    if s.chars().any(char::is_whitespace) {
        return Err(format!(
            "the domain `{s}` contains a space; write it like \"minjenv.nl\""
        ));
    }
    domain_problem(s).map_err(|why| format!("{why}; write a mail domain like \"minjenv.nl\""))?;
    Ok(s.to_lowercase())
}

fn check_tag(s: &str) -> Result<String, String> {
    if TAG_RE.is_match(s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not a valid subject tag; use 1 to 12 letters, digits or '-', e.g. \"OTT\""
        ))
    }
}

fn check_lang(s: &str) -> Result<Lang, String> {
    match s {
        "nl" => Ok(Lang::Nl),
        "en" => Ok(Lang::En),
        _ => {
            let hint = match s.to_lowercase().as_str() {
                "nl" | "nld" | "dutch" | "nederlands" => " (did you mean \"nl\"?)",
                "en" | "eng" | "english" | "engels" => " (did you mean \"en\"?)",
                _ => "",
            };
            Err(format!(
                "`{s}` is not a supported language{hint}; use \"nl\" (Dutch) or \"en\" (English)"
            ))
        }
    }
}

fn check_member_id(s: &str) -> Result<String, String> {
    if MEMBER_ID_RE.is_match(s) {
        return Ok(s.to_string());
    }
    let suggestion: String = s
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(32)
        .collect();
    let hint = if MEMBER_ID_RE.is_match(&suggestion) {
        format!(", e.g. \"{suggestion}\"")
    } else {
        String::new()
    };
    Err(format!(
        "`{s}` is not a valid member id; use 1 to 32 lowercase letters, digits or '-'{hint}"
    ))
}

fn check_code(s: &str) -> Result<String, String> {
    if CODE_RE.is_match(s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not a valid ministry code; use 1 to 12 letters or digits, e.g. \"VenJ\" or \"BZK\""
        ))
    }
}

fn check_name(s: &str) -> Result<String, String> {
    Ok(s.trim().to_string())
}

fn check_path(s: &str) -> Result<String, String> {
    Ok(s.to_string())
}

fn check_env_name(s: &str) -> Result<String, String> {
    if ENV_NAME_RE.is_match(s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not an environment variable name; use letters, digits and '_', e.g. \"LOKET_TOKEN_KEY\" (the name of the variable, not the key itself)"
        ))
    }
}

/// A positive duration such as "7d", "36h", "90min".
fn check_duration(s: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(s.trim()).map_err(|e| {
        format!("`{s}` is not a duration ({e}); write e.g. \"7d\", \"36h\" or \"90min\"")
    })?;
    if d.is_zero() {
        return Err(format!(
            "`{s}` is zero; write a duration greater than zero, e.g. \"2d\""
        ));
    }
    Ok(d)
}

fn check_time_of_day(s: &str) -> Result<NaiveTime, String> {
    let t = s.trim();
    NaiveTime::parse_from_str(t, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
        .map_err(|_| {
            format!("`{s}` is not a time of day; write hours and minutes on a 24-hour clock, e.g. \"17:00\"")
        })
}

fn check_timezone(s: &str) -> Result<Tz, String> {
    if let Ok(tz) = s.parse::<Tz>() {
        return Ok(tz);
    }
    let lower = s.to_lowercase();
    let near = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .map(|n| (edit_distance(&lower, &n.to_lowercase()), n))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n);
    let hint = match near {
        Some(n) => format!("did you mean \"{n}\"?"),
        None => "use an IANA name such as \"Europe/Amsterdam\"".to_string(),
    };
    Err(format!("`{s}` is not a known time zone; {hint}"))
}

/// A size such as "25MB": a whole number and a unit B, KB, MB or GB (1 KB = 1000 bytes).
fn check_size(s: &str) -> Result<u64, String> {
    let help =
        "write a whole number and a unit B, KB, MB or GB (1 MB = 1000000 bytes), e.g. \"25MB\"";
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let Ok(n) = num.parse::<u64>() else {
        return Err(format!("`{s}` is not a size; {help}"));
    };
    let mult: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "B" => 1,
        "KB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "" => return Err(format!("`{s}` has no unit; {help}")),
        _ => return Err(format!("`{s}` has an unknown unit; {help}")),
    };
    let bytes = n
        .checked_mul(mult)
        .ok_or_else(|| format!("`{s}` is too large; {help}"))?;
    if bytes == 0 {
        return Err(format!("`{s}` is zero; {help}"));
    }
    Ok(bytes)
}

fn check_kind<'k>(what: &str, kinds: &[&'k str]) -> impl FnOnce(&str) -> Result<&'k str, String> {
    let what = what.to_string();
    let kinds = kinds.to_vec();
    move |s: &str| {
        kinds.iter().copied().find(|k| *k == s).ok_or_else(|| {
            let list = kinds
                .iter()
                .map(|k| format!("\"{k}\""))
                .collect::<Vec<_>>()
                .join(", ");
            format!("`{s}` is not a known {what} kind; valid kinds: {list}")
        })
    }
}

fn resolve(base: &Path, p: &str) -> PathBuf {
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

// ---------------------------------------------------------------------------------------
// The sections.

fn validate(
    ck: &mut Checker,
    root: &Section<'_, '_>,
    base: &Path,
    source: &Path,
) -> Option<Config> {
    root.check_keys(ck, TOP_KEYS);

    let body = parse_body(ck, root);
    let desk = parse_desk(ck, root);
    let secrets = parse_secrets(ck, root, base);
    let periods = parse_periods(ck, root);
    let distribution = parse_distribution(ck, root);
    let intake = parse_intake(ck, root);
    let store = parse_store(ck, root, base);
    let mailbox = parse_mailbox(ck, root, base);
    let transport = parse_transport(ck, root, base);
    let templates_dir = parse_templates(ck, root, base);
    let (ministries, codes) = parse_ministries(ck, root);
    let members = parse_members(ck, root, &codes, desk.as_ref());
    let calendar = parse_calendar(ck, root);
    let policy = parse_policy(ck, root);
    let jobs = parse_jobs(ck, root);
    let bundling = parse_bundling(ck, root);
    let meeting = parse_meeting(ck, root);
    let retention = parse_retention(ck, root);

    Some(Config {
        source: source.to_path_buf(),
        body: body?,
        desk: desk?.value,
        ministries: ministries?,
        members: members?,
        periods: periods?,
        distribution: distribution?,
        intake: intake?,
        store: store?,
        mailbox: mailbox?,
        transport: transport?,
        secrets: secrets?,
        templates_dir: templates_dir?,
        calendar: calendar?,
        policy: policy?,
        jobs: jobs?,
        bundling: bundling?,
        meeting: meeting?,
        retention: retention?,
    })
}

/// `[retention]`: how long finished cases are kept before `loket purge` may remove them.
fn parse_retention(ck: &mut Checker, root: &Section<'_, '_>) -> Option<Retention> {
    let Some(s) = root.table(ck, "retention", "[retention]", false).ok()? else {
        return Some(Retention::default());
    };
    s.check_keys(ck, RETENTION_KEYS);
    let age = s.opt(ck, "purge_after", "purge_after = \"7y\"", parse_age);
    Some(Retention {
        purge_after: age.ok()?.map(|g| g.value),
    })
}

/// `7y`, `7 years`, `7 jaar`, `18 months`, `18 maanden`, `30d`, `30 days`, `30 dagen`.
fn parse_age(v: &str) -> Result<Age, String> {
    let help = "write a number of years, months or days, e.g. \"7y\", \"18 months\" or \"90d\"";
    let t = v.trim().to_lowercase();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u32 = n
        .parse()
        .map_err(|_| format!("`{v}` is not an age; {help}"))?;
    if n == 0 {
        return Err(format!("`{v}` is zero; {help}"));
    }
    match unit.trim() {
        "y" | "year" | "years" | "jaar" | "j" => Ok(Age::Years(n)),
        "mo" | "month" | "months" | "maand" | "maanden" => Ok(Age::Months(n)),
        "d" | "day" | "days" | "dag" | "dagen" => Ok(Age::Days(n)),
        other => Err(format!("`{other}` in `{v}` is not a unit; {help}")),
    }
}

/// `[meeting]`: the slot poll and the invitations.
fn parse_meeting(ck: &mut Checker, root: &Section<'_, '_>) -> Option<MeetingConfig> {
    let d = MeetingConfig::default();
    let Some(s) = root.table(ck, "meeting", "[meeting]", false).ok()? else {
        return Some(d);
    };
    s.check_keys(ck, MEETING_KEYS);
    let auto = s.bool_or(ck, "auto_choose", d.auto_choose);
    let list = s.bool_or(ck, "list_attendees", d.list_attendees);
    let duration = s.opt_or(
        ck,
        "default_duration",
        "default_duration = \"2h\"",
        d.default_duration,
        |v| {
            let std = check_duration(v)?;
            if std < std::time::Duration::from_secs(15 * 60)
                || std > std::time::Duration::from_secs(24 * 3600)
            {
                return Err(format!(
                    "`{v}` is not a meeting length; write 15 minutes to 24 hours, e.g. \"2h\" or \"90min\""
                ));
            }
            chrono::Duration::from_std(std).map_err(|e| e.to_string())
        },
    );
    let location = s.opt(
        ck,
        "location",
        "location = \"Turfmarkt 147, Den Haag, zaal 3\"",
        check_name,
    );
    let example = "guests = [\"Beleid VenJ <beleid@minjenv.nl>\"]";
    let guests = match s.array(ck, "guests", example, false) {
        Ok(None) => Some(Vec::new()),
        Ok(Some(arr)) => {
            let path = s.key("guests");
            let items = string_items(ck, arr.value, &path, example);
            items
                .into_iter()
                .enumerate()
                .map(|(i, g)| {
                    let g = g?;
                    let text = g.value.trim();
                    let (name, email) = match text.rsplit_once('<') {
                        Some((n, e)) => (
                            n.trim().trim_matches('"').trim(),
                            e.trim_end_matches('>').trim(),
                        ),
                        None => ("", text),
                    };
                    match check_email(email) {
                        Ok(()) => Some(Address::new(name, email)),
                        Err(msg) => {
                            ck.error(g.span, &format!("{path}[{i}]"), msg);
                            None
                        }
                    }
                })
                .collect::<Vec<_>>()
                .into_iter()
                .collect::<Option<Vec<_>>>()
        }
        Err(()) => None,
    };
    let days = s
        .int_in(
            ck,
            "poll_working_days",
            1..=30,
            "a whole number of working days",
            "poll_working_days = 3",
        )
        .ok()
        .map(|g| g.map_or(d.poll_working_days, |g| g.value));
    Some(MeetingConfig {
        auto_choose: auto?,
        list_attendees: list?,
        default_duration: duration?,
        guests: guests?,
        location: location.ok()?.map(|g| g.value),
        poll_working_days: days?,
    })
}

fn parse_body(ck: &mut Checker, root: &Section<'_, '_>) -> Option<BodyConfig> {
    let s = root
        .table(
            ck,
            "body",
            "[body] with name = \"...\" and tag = \"OTT\"",
            true,
        )
        .ok()??;
    s.check_keys(ck, BODY_KEYS);
    let name = s.req(
        ck,
        "name",
        "name = \"Interdepartementaal overleggremium ...\"",
        check_name,
    );
    let tag = s.req(ck, "tag", "tag = \"OTT\"", check_tag);
    let language = s.opt_or(ck, "language", "language = \"nl\"", Lang::Nl, check_lang);
    Some(BodyConfig {
        name: name?.value,
        tag: tag?.value,
        language: language?,
    })
}

/// `{ name = "...", email = "..." }` with an optional name.
fn parse_address(ck: &mut Checker, s: &Section<'_, '_>) -> Option<Got<Address>> {
    s.check_keys(ck, ADDRESS_KEYS);
    let name = s.opt(ck, "name", "name = \"B. Jansen\"", check_name);
    let email = s.req(ck, "email", "email = \"b.jansen@minjenv.nl\"", |e| {
        check_email(e).map(|()| e.to_string())
    });
    let name = name.ok()?.map(|g| g.value);
    let email = email?;
    Some(Got {
        value: Address {
            name,
            email: email.value,
        },
        span: email.span,
    })
}

fn parse_desk(ck: &mut Checker, root: &Section<'_, '_>) -> Option<Got<DeskConfig>> {
    let s = root
        .table(
            ck,
            "desk",
            "[desk] with address = \"loket@minjenv.nl\" and staff = [ ... ]",
            true,
        )
        .ok()??;
    s.check_keys(ck, DESK_KEYS);
    let address = s.req(ck, "address", "address = \"loket-ott@minjenv.nl\"", |e| {
        check_email(e).map(|()| e.to_string())
    });
    let name = s.opt(
        ck,
        "name",
        "name = \"Loket overleggremium OTT\"",
        check_name,
    );
    let plus = s.bool_or(ck, "plus_addressing", false);

    let staff_example = "staff = [ { name = \"A. de Vries\", email = \"a.devries@minjenv.nl\" } ]";
    let staff = match s.array(ck, "staff", staff_example, true) {
        Ok(Some(arr)) if arr.value.is_empty() => {
            let msg =
                format!("the desk needs at least one staff member; write e.g. {staff_example}");
            ck.error(arr.span, &s.key("staff"), msg);
            None
        }
        Ok(Some(arr)) => {
            let item_example = "{ name = \"A. de Vries\", email = \"a.devries@minjenv.nl\" }";
            let items = table_items(ck, arr.value, &s.key("staff"), item_example);
            let parsed: Vec<Option<Address>> = items
                .iter()
                .map(|item| Some(parse_address(ck, item.as_ref()?)?.value))
                .collect();
            let mut seen: HashMap<String, usize> = HashMap::new();
            for (i, (a, item)) in parsed.iter().zip(&items).enumerate() {
                if let (Some(a), Some(item)) = (a, item) {
                    let lower = a.email.to_lowercase();
                    if let Some(first) = seen.get(&lower) {
                        let msg = format!(
                            "`{}` is listed twice as desk staff (also desk.staff[{first}]); remove one",
                            a.email
                        );
                        let span = item
                            .get("email")
                            .map(|v| v.span())
                            .unwrap_or(item.span.clone());
                        ck.error(span, &format!("desk.staff[{i}].email"), msg);
                    } else {
                        seen.insert(lower, i);
                    }
                }
            }
            parsed.into_iter().collect::<Option<Vec<_>>>()
        }
        _ => None,
    };

    let address = address?;
    let name = name.ok()?.map(|g| g.value);
    Some(Got {
        value: DeskConfig {
            address: Address {
                name,
                email: address.value,
            },
            staff: staff?,
            plus_addressing: plus?,
        },
        span: address.span,
    })
}

fn parse_secrets(ck: &mut Checker, root: &Section<'_, '_>, base: &Path) -> Option<Secrets> {
    let s = root
        .table(
            ck,
            "secrets",
            "[secrets] with token_key_file = \"../var/token.key\"",
            true,
        )
        .ok()??;
    s.check_keys(ck, SECRETS_KEYS);
    let file = s.opt(
        ck,
        "token_key_file",
        "token_key_file = \"../var/token.key\"",
        check_path,
    );
    let env = s.opt(
        ck,
        "token_key_env",
        "token_key_env = \"LOKET_TOKEN_KEY\"",
        check_env_name,
    );
    match (file, env) {
        (Ok(Some(f)), Ok(None)) => Some(Secrets {
            token_key: SecretSource::File(resolve(base, &f.value)),
        }),
        (Ok(None), Ok(Some(e))) => Some(Secrets {
            token_key: SecretSource::Env(e.value),
        }),
        (Ok(Some(_)), Ok(Some(e))) => {
            ck.error(
                e.span,
                "secrets.token_key_env",
                "token_key_file and token_key_env are both set; keep exactly one of them",
            );
            None
        }
        (Ok(None), Ok(None)) => {
            let inline = s.table.keys().any(|k| is_secret_name(k.get_ref()));
            if !inline {
                let msg = format!(
                    "[secrets] needs token_key_file or token_key_env; add e.g. token_key_file = \"../var/token.key\" (loket creates the key there on first run; or make it with `{KEYGEN_HINT}`), or token_key_env = \"LOKET_TOKEN_KEY\""
                );
                ck.error(s.span.clone(), "secrets.token_key_file", msg);
            }
            None
        }
        _ => None,
    }
}

fn default_periods() -> Periods {
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("a valid time");
    Periods {
        normal: Period::WorkingDays(5),
        urgent: Period::WorkingDays(2),
        reminders: vec![
            ReminderRule {
                working_days_before: 2,
                at: t(9, 0),
            },
            ReminderRule {
                working_days_before: 0,
                at: t(9, 0),
            },
        ],
        deadline_time: t(17, 0),
        timezone: chrono_tz::Europe::Amsterdam,
        office_hours: (t(8, 0), t(18, 0)),
    }
}

fn parse_periods(ck: &mut Checker, root: &Section<'_, '_>) -> Option<Periods> {
    let d = default_periods();
    let Some(s) = root.table(ck, "periods", "[periods]", false).ok()? else {
        return Some(d);
    };
    s.check_keys(ck, PERIODS_KEYS);
    let normal = s.opt(ck, "normal", "normal = \"5 working days\"", check_period);
    let urgent = s.opt(ck, "urgent", "urgent = \"2 working days\"", check_period);
    let deadline_time = s.opt_or(
        ck,
        "deadline_time",
        "deadline_time = \"17:00\"",
        d.deadline_time,
        check_time_of_day,
    );
    let timezone = s.opt_or(
        ck,
        "timezone",
        "timezone = \"Europe/Amsterdam\"",
        d.timezone,
        check_timezone,
    );
    let office = s.opt_or(
        ck,
        "office_hours",
        "office_hours = \"08:00-18:00\"",
        d.office_hours,
        check_office_hours,
    );
    let example = "reminders = [\"2 working days before at 09:00\", \"deadline day at 09:00\"]";
    let reminders = match s.array(ck, "reminders", example, false) {
        Ok(None) => Some(Got {
            value: d.reminders.clone(),
            span: s.span.clone(),
        }),
        Ok(Some(arr)) => {
            let path = s.key("reminders");
            let items = string_items(ck, arr.value, &path, example);
            let mut rules = Some(Vec::new());
            for (i, item) in items.into_iter().enumerate() {
                let Some(item) = item else {
                    rules = None;
                    continue;
                };
                match check_reminder(item.value) {
                    Ok(r) => {
                        if let Some(v) = rules.as_mut() {
                            v.push(r)
                        }
                    }
                    Err(msg) => {
                        ck.error(item.span, &format!("{path}[{i}]"), msg);
                        rules = None;
                    }
                }
            }
            rules.map(|value| Got {
                value,
                span: arr.span,
            })
        }
        Err(()) => None,
    };

    let normal_v = match &normal {
        Ok(g) => g.as_ref().map_or(d.normal, |g| g.value),
        Err(()) => return None,
    };
    let urgent = urgent.ok()?;
    let urgent_v = urgent.as_ref().map_or(d.urgent, |g| g.value);
    let mut ok = true;
    if approx_days(urgent_v) >= approx_days(normal_v) {
        let span = urgent
            .as_ref()
            .or(normal.as_ref().ok().and_then(|n| n.as_ref()))
            .map_or(s.span.clone(), |g| g.span.clone());
        let msg = format!(
            "the urgent period ({}) must be shorter than the normal period ({}); shorten periods.urgent or lengthen periods.normal",
            show_period(urgent_v),
            show_period(normal_v),
        );
        ck.error(span, "periods.urgent", msg);
        ok = false;
    }
    let (office, reminders) = (office?, reminders?);
    for (i, r) in reminders.value.iter().enumerate() {
        if r.at < office.0 || r.at >= office.1 {
            let msg = format!(
                "a reminder at {} falls outside office hours ({}-{}); pick a time within them",
                r.at.format("%H:%M"),
                office.0.format("%H:%M"),
                office.1.format("%H:%M")
            );
            ck.error(
                reminders.span.clone(),
                &format!("periods.reminders[{i}]"),
                msg,
            );
            ok = false;
        }
        if let Period::WorkingDays(n) = normal_v
            && r.working_days_before >= n
        {
            let msg = format!(
                "a reminder {} working days before the deadline comes before a normal case is even sent ({n} working days); use fewer days",
                r.working_days_before
            );
            ck.error(
                reminders.span.clone(),
                &format!("periods.reminders[{i}]"),
                msg,
            );
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    Some(Periods {
        normal: normal_v,
        urgent: urgent_v,
        reminders: reminders.value,
        deadline_time: deadline_time?,
        timezone: timezone?,
        office_hours: office,
    })
}

/// A period in days, roughly, to compare working days with spans.
fn approx_days(p: Period) -> f64 {
    match p {
        Period::WorkingDays(n) => n as f64 * 7.0 / 5.0,
        Period::Span(d) => d.num_seconds() as f64 / 86_400.0,
    }
}

fn show_period(p: Period) -> String {
    match p {
        Period::WorkingDays(1) => "1 working day".to_string(),
        Period::WorkingDays(n) => format!("{n} working days"),
        Period::Span(d) => d
            .to_std()
            .map(|s| humantime::format_duration(s).to_string())
            .unwrap_or_else(|_| d.to_string()),
    }
}

static WORKING_DAYS_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{1,3})\s*(?:working\s+days?|werkdagen|werkdag|wd)$").expect("valid regex")
});
static REMINDER_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(\d{1,2})\s+working\s+days?\s+before|deadline\s+day)\s+at\s+(\d{1,2}:\d{2})$")
        .expect("valid regex")
});

fn check_period(s: &str) -> Result<Period, String> {
    let t = s.trim().to_lowercase();
    if let Some(c) = WORKING_DAYS_RE.captures(&t) {
        let n: u32 = c[1].parse().unwrap_or(0);
        if n == 0 {
            return Err(format!(
                "`{s}` is no time at all; write at least \"1 working day\""
            ));
        }
        return Ok(Period::WorkingDays(n));
    }
    let d = check_duration(s)
        .map_err(|e| format!("{e}; or count working days, e.g. \"5 working days\""))?;
    chrono::Duration::from_std(d)
        .map(Period::Span)
        .map_err(|_| format!("`{s}` is far too long; write a period such as \"5 working days\""))
}

fn check_reminder(s: &str) -> Result<ReminderRule, String> {
    let t = s.trim().to_lowercase();
    let bad = || {
        format!(
            "`{s}` is not a reminder; write \"2 working days before at 09:00\" or \"deadline day at 09:00\""
        )
    };
    let c = REMINDER_RE.captures(&t).ok_or_else(bad)?;
    let days = c
        .get(1)
        .map_or(Ok(0), |m| m.as_str().parse())
        .map_err(|_| bad())?;
    let at = check_time_of_day(&c[2])?;
    Ok(ReminderRule {
        working_days_before: days,
        at,
    })
}

fn check_office_hours(s: &str) -> Result<(NaiveTime, NaiveTime), String> {
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| format!("`{s}` is not a range of times; write e.g. \"08:00-18:00\""))?;
    let (a, b) = (check_time_of_day(a)?, check_time_of_day(b)?);
    if a >= b {
        return Err(format!(
            "office hours `{s}` end before they start; write e.g. \"08:00-18:00\""
        ));
    }
    Ok((a, b))
}

fn parse_calendar(ck: &mut Checker, root: &Section<'_, '_>) -> Option<CalendarConfig> {
    let d = CalendarConfig::default();
    let Some(s) = root.table(ck, "calendar", "[calendar]", false).ok()? else {
        return Some(d);
    };
    s.check_keys(ck, CALENDAR_KEYS);
    let good_friday = s.bool_or(ck, "good_friday", d.good_friday);
    let liberation = s.opt_or(
        ck,
        "liberation_day",
        "liberation_day = \"every_year\"",
        d.liberation_day,
        |v| match v.trim() {
            "every_year" => Ok(LiberationDay::EveryYear),
            "every_fifth_year" => Ok(LiberationDay::EveryFifthYear),
            "never" => Ok(LiberationDay::Never),
            _ => Err(format!(
                "`{v}` is not a choice; write \"every_year\" (as the Algemene termijnenwet), \"every_fifth_year\" or \"never\""
            )),
        },
    );
    let example = "closed = [ { date = \"2026-01-02\", name = \"Vrijdag na Nieuwjaarsdag\" } ]";
    let closed = match s.array(ck, "closed", example, false) {
        Ok(None) => Some(Vec::new()),
        Ok(Some(arr)) => {
            let path = s.key("closed");
            let items = table_items(ck, arr.value, &path, example);
            let mut out = Some(Vec::new());
            for item in items {
                let day = item.and_then(|item| {
                    item.check_keys(ck, CLOSED_KEYS);
                    let date = item.req(ck, "date", "date = \"2026-01-02\"", |v| {
                        chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| {
                            format!(
                                "`{v}` is not a date; write it as YYYY-MM-DD, e.g. \"2026-01-02\""
                            )
                        })
                    });
                    let name = item.opt(ck, "name", "name = \"Brugdag\"", check_name);
                    Some(ClosedDay {
                        date: date?.value,
                        name: name.ok()?.map_or("Gesloten".to_string(), |g| g.value),
                    })
                });
                match (day, out.as_mut()) {
                    (Some(day), Some(v)) => v.push(day),
                    _ => out = None,
                }
            }
            out
        }
        Err(()) => None,
    };
    Some(CalendarConfig {
        good_friday: good_friday?,
        liberation_day: liberation?,
        closed: closed?,
    })
}

fn parse_policy(ck: &mut Checker, root: &Section<'_, '_>) -> Option<Policy> {
    let d = Policy::default();
    let Some(s) = root.table(ck, "policy", "[policy]", false).ok()? else {
        return Some(d);
    };
    s.check_keys(ck, POLICY_KEYS);
    let approval = s.bool_or(ck, "approval", d.approval_required);
    let max = s
        .int_in(
            ck,
            "max_answers_per_hour",
            1..=1000,
            "a whole number",
            "max_answers_per_hour = 5",
        )
        .ok()
        .map(|g| g.map_or(d.max_answers_per_hour, |g| g.value));
    let authserv = s.opt(ck, "authserv_id", "authserv_id = \"mx.minjenv.nl\"", |v| {
        let v = v.trim();
        if v.contains(char::is_whitespace) || v.contains(';') {
            Err(format!("`{v}` is not a server name; write the authserv-id your mail server puts in Authentication-Results, e.g. \"mx.minjenv.nl\""))
        } else {
            Ok(v.to_ascii_lowercase())
        }
    });
    Some(Policy {
        approval_required: approval?,
        max_answers_per_hour: max?,
        authserv_id: authserv.ok()?.map(|g| g.value),
    })
}

fn check_cron(v: &str) -> Result<String, String> {
    use std::str::FromStr;
    cron::Schedule::from_str(v.trim())
        .map(|_| v.trim().to_string())
        .map_err(|e| {
            format!(
                "`{v}` is not a cron expression ({e}); write seconds, minutes, hours, day of month, month and day of week, e.g. \"0 0 8 * * Mon-Fri\""
            )
        })
}

fn parse_bundling(ck: &mut Checker, root: &Section<'_, '_>) -> Option<Bundling> {
    let d = Bundling::default();
    let Some(s) = root.table(ck, "bundling", "[bundling]", false).ok()? else {
        return Some(d);
    };
    s.check_keys(ck, BUNDLING_KEYS);
    let rule = s.opt_or(ck, "rule", "rule = \"unanimous\"", "unanimous", |v| {
        match v.trim() {
            "unanimous" => Ok("unanimous"),
            "share" => Ok("share"),
            _ => Err(format!(
                "`{v}` is not a rule; write \"unanimous\" (everyone who answered agrees) or \"share\" (with share = 75: that percentage agrees and nobody objects)"
            )),
        }
    });
    let share = s
        .int_in(ck, "share", 50..=100, "a percentage", "share = 75")
        .ok()
        .map(|g| g.map(|g| (g.value, g.span)));
    let conditions = s.bool_or(ck, "conditions_agree", d.conditions_agree);
    let review = s.bool_or(ck, "review", d.review);
    let rule = match (rule?, share?) {
        ("share", Some((n, _))) => AgreementRule::Share(n),
        ("share", None) => {
            let msg = "rule = \"share\" needs share = <percentage>, e.g. share = 75";
            ck.error(s.span.clone(), &s.key("share"), msg);
            return None;
        }
        (_, Some((_, span))) => {
            let msg = "share only applies with rule = \"share\"; remove it or set the rule";
            ck.error(span, &s.key("share"), msg);
            return None;
        }
        _ => AgreementRule::Unanimous,
    };
    Some(Bundling {
        rule,
        conditions_agree: conditions?,
        review: review?,
    })
}

fn parse_jobs(ck: &mut Checker, root: &Section<'_, '_>) -> Option<Jobs> {
    let Some(s) = root.table(ck, "jobs", "[jobs]", false).ok()? else {
        return Some(Jobs::default());
    };
    s.check_keys(ck, JOBS_KEYS);
    let daily = s.opt(
        ck,
        "daily_digest",
        "daily_digest = \"0 0 8 * * Mon-Fri\"",
        check_cron,
    );
    let weekly = s.opt(
        ck,
        "weekly_summary",
        "weekly_summary = \"0 0 9 * * Mon\"",
        check_cron,
    );
    Some(Jobs {
        daily_digest: daily.ok()?.map(|g| g.value),
        weekly_summary: weekly.ok()?.map(|g| g.value),
    })
}

fn parse_distribution(ck: &mut Checker, root: &Section<'_, '_>) -> Option<Distribution> {
    let Some(s) = root
        .table(ck, "distribution", "[distribution]", false)
        .ok()?
    else {
        return Some(Distribution { to_deputies: true });
    };
    s.check_keys(ck, DISTRIBUTION_KEYS);
    Some(Distribution {
        to_deputies: s.bool_or(ck, "to_deputies", true)?,
    })
}

fn parse_intake(ck: &mut Checker, root: &Section<'_, '_>) -> Option<Intake> {
    let default_max = 25_000_000;
    let Some(s) = root.table(ck, "intake", "[intake]", false).ok()? else {
        return Some(Intake {
            allowed_senders: Vec::new(),
            max_attachment_bytes: default_max,
        });
    };
    s.check_keys(ck, INTAKE_KEYS);
    let example = "allowed_senders = [\"secretariaat@minaz.nl\"]";
    let senders = match s.array(ck, "allowed_senders", example, false) {
        Ok(None) => Some(Vec::new()),
        Ok(Some(arr)) => {
            let path = s.key("allowed_senders");
            let items = string_items(ck, arr.value, &path, example);
            items
                .into_iter()
                .enumerate()
                .map(|(i, g)| {
                    let g = g?;
                    match check_email(g.value) {
                        Ok(()) => Some(g.value.to_lowercase()),
                        Err(msg) => {
                            ck.error(g.span, &format!("{path}[{i}]"), msg);
                            None
                        }
                    }
                })
                .collect::<Vec<_>>()
                .into_iter()
                .collect::<Option<Vec<_>>>()
        }
        Err(()) => None,
    };
    let max = s.opt_or(
        ck,
        "max_attachment_size",
        "max_attachment_size = \"25MB\"",
        default_max,
        check_size,
    );
    Some(Intake {
        allowed_senders: senders?,
        max_attachment_bytes: max?,
    })
}

fn parse_store(ck: &mut Checker, root: &Section<'_, '_>, base: &Path) -> Option<StoreConfig> {
    let s = root
        .table(ck, "store", "[store] with path = \"../var/store\"", true)
        .ok()??;
    s.check_keys(ck, STORE_KEYS);
    let path = s.req(ck, "path", "path = \"../var/store\"", check_path);
    let cache = s.opt_or(
        ck,
        "cache_size",
        "cache_size = \"16MB\"",
        16_000_000,
        check_size,
    );
    Some(StoreConfig {
        path: resolve(base, &path?.value),
        cache_bytes: cache?,
    })
}

fn parse_mailbox(ck: &mut Checker, root: &Section<'_, '_>, base: &Path) -> Option<MailboxConfig> {
    let s = root
        .table(
            ck,
            "mailbox",
            "[mailbox] with kind = \"maildir\" and path = \"../var/maildir\"",
            true,
        )
        .ok()??;
    s.check_keys(ck, MAILBOX_KEYS);
    let kind = s.req(
        ck,
        "kind",
        "kind = \"maildir\"",
        check_kind("mailbox", MAILBOX_KINDS),
    );
    if kind.as_ref().is_some_and(|k| k.value == "imap") {
        return net::parse_imap(ck, &s, base);
    }
    if kind.is_some() {
        net::not_for_kind(
            ck,
            &s,
            "maildir",
            MAILBOX_KEYS,
            &["kind", "path", "poll_interval"],
        );
    }
    let path = s.req(ck, "path", "path = \"../var/maildir\"", check_path);
    let poll = s.opt_or(
        ck,
        "poll_interval",
        "poll_interval = \"1s\"",
        std::time::Duration::from_secs(1),
        check_duration,
    );
    match kind?.value {
        "maildir" => Some(MailboxConfig::Maildir {
            path: resolve(base, &path?.value),
            poll_interval: poll?,
        }),
        _ => None,
    }
}

fn parse_transport(
    ck: &mut Checker,
    root: &Section<'_, '_>,
    base: &Path,
) -> Option<TransportConfig> {
    let s = root
        .table(
            ck,
            "transport",
            "[transport] with kind = \"eml\" and path = \"../var/outbox\"",
            true,
        )
        .ok()??;
    s.check_keys(ck, TRANSPORT_KEYS);
    let kind = s.req(
        ck,
        "kind",
        "kind = \"eml\"",
        check_kind("transport", TRANSPORT_KINDS),
    );
    if kind.as_ref().is_some_and(|k| k.value == "smtp") {
        return net::parse_smtp(ck, &s, base);
    }
    if kind.is_some() {
        net::not_for_kind(ck, &s, "eml", TRANSPORT_KEYS, &["kind", "path"]);
    }
    let path = s.req(ck, "path", "path = \"../var/outbox\"", check_path);
    match kind?.value {
        "eml" => Some(TransportConfig::EmlDir {
            path: resolve(base, &path?.value),
        }),
        _ => None,
    }
}

fn parse_templates(
    ck: &mut Checker,
    root: &Section<'_, '_>,
    base: &Path,
) -> Option<Option<PathBuf>> {
    let Some(s) = root.table(ck, "templates", "[templates]", false).ok()? else {
        return Some(None);
    };
    s.check_keys(ck, TEMPLATES_KEYS);
    let dir = s
        .opt(ck, "dir", "dir = \"../templates\"", check_path)
        .ok()?;
    Some(dir.map(|g| resolve(base, &g.value)))
}

/// Ministry codes as written (also invalid ones, so members do not get follow-on errors).
type Codes = Vec<String>;

fn parse_ministries(ck: &mut Checker, root: &Section<'_, '_>) -> (Option<Vec<Ministry>>, Codes) {
    let example = "[[ministries]] section: code = \"VenJ\", name = \"Ministerie van Justitie en Veiligheid\", domains = [\"minjenv.nl\"]";
    let arr = match root.array(ck, "ministries", example, true) {
        Ok(Some(arr)) => arr,
        _ => return (None, Vec::new()),
    };
    if arr.value.is_empty() {
        ck.error(
            arr.span,
            "ministries",
            format!("no ministries; add at least one {example}"),
        );
        return (None, Vec::new());
    }
    let items = table_items(
        ck,
        arr.value,
        "ministries",
        "{ code = \"VenJ\", name = \"...\", domains = [\"minjenv.nl\"] }",
    );

    // All codes as written, for the members' check.
    let codes: Codes = items
        .iter()
        .flatten()
        .filter_map(|s| s.get("code")?.get_ref().as_str().map(str::to_string))
        .collect();

    let mut seen_codes: HashMap<String, (String, usize)> = HashMap::new();
    let mut seen_domains: HashMap<String, (String, usize)> = HashMap::new();
    let mut out = Vec::new();
    let mut all_ok = true;
    for item in &items {
        let Some(s) = item else {
            all_ok = false;
            continue;
        };
        s.check_keys(ck, MINISTRY_KEYS);
        let code = s.req(ck, "code", "code = \"VenJ\"", check_code);
        let name = s.req(
            ck,
            "name",
            "name = \"Ministerie van Justitie en Veiligheid\"",
            check_name,
        );

        if let Some(code) = &code {
            let lower = code.value.to_lowercase();
            if let Some((first, line)) = seen_codes.get(&lower) {
                let msg = format!(
                    "ministry code `{}` is already used by {first} (line {line}); each ministry needs its own code",
                    code.value
                );
                ck.error(code.span.clone(), &s.key("code"), msg);
                all_ok = false;
            } else {
                seen_codes.insert(lower, (s.path.clone(), ck.line_of(code.span.start)));
            }
        }

        let owner = code
            .as_ref()
            .map_or_else(|| s.path.clone(), |c| c.value.clone());
        let domains_example = "domains = [\"minjenv.nl\"]";
        let domains = match s.array(ck, "domains", domains_example, true) {
            Ok(Some(arr)) if arr.value.is_empty() => {
                let msg = format!(
                    "a ministry needs at least one mail domain; write e.g. {domains_example}"
                );
                ck.error(arr.span, &s.key("domains"), msg);
                None
            }
            Ok(Some(arr)) => {
                let path = s.key("domains");
                let items = string_items(ck, arr.value, &path, "\"minjenv.nl\"");
                let mut list = Vec::new();
                let mut ok = true;
                for (i, g) in items.into_iter().enumerate() {
                    let Some(g) = g else {
                        ok = false;
                        continue;
                    };
                    let key = format!("{path}[{i}]");
                    match check_domain(g.value) {
                        Ok(d) => {
                            if let Some((other, line)) = seen_domains.get(&d) {
                                let msg = if *other == owner {
                                    format!(
                                        "domain `{d}` is listed twice for this ministry; remove one"
                                    )
                                } else {
                                    format!(
                                        "domain `{d}` is already listed for ministry {other} (line {line}); a domain can belong to one ministry only, remove it from one of them"
                                    )
                                };
                                ck.error(g.span, &key, msg);
                                ok = false;
                            } else {
                                seen_domains
                                    .insert(d.clone(), (owner.clone(), ck.line_of(g.span.start)));
                                list.push(d);
                            }
                        }
                        Err(msg) => {
                            ck.error(g.span, &key, msg);
                            ok = false;
                        }
                    }
                }
                ok.then_some(list)
            }
            _ => None,
        };

        match (code, name, domains) {
            (Some(code), Some(name), Some(domains)) if all_ok => out.push(Ministry {
                code: code.value,
                name: name.value,
                domains,
            }),
            _ => all_ok = false,
        }
    }
    (all_ok.then_some(out), codes)
}

fn parse_members(
    ck: &mut Checker,
    root: &Section<'_, '_>,
    codes: &Codes,
    desk: Option<&Got<DeskConfig>>,
) -> Option<Vec<Member>> {
    let example =
        "[[members]] section: id = \"venj\", name = \"...\", email = \"...\", ministry = \"VenJ\"";
    let arr = root.array(ck, "members", example, true).ok()??;
    if arr.value.is_empty() {
        ck.error(
            arr.span,
            "members",
            format!("no members; add at least one {example}"),
        );
        return None;
    }
    let items = table_items(
        ck,
        arr.value,
        "members",
        "{ id = \"venj\", name = \"...\", email = \"...\", ministry = \"VenJ\" }",
    );

    let mut seen_ids: HashMap<String, (String, usize)> = HashMap::new();
    // lowercase email → (key path, line)
    let mut seen_emails: HashMap<String, (String, usize)> = HashMap::new();
    let desk_email = desk.map(|d| {
        (
            d.value.address.email.to_lowercase(),
            ck.line_of(d.span.start),
        )
    });
    let mut out = Vec::new();
    let mut all_ok = true;

    let mut check_email_unique = |ck: &mut Checker, email: &Got<String>, key: String| -> bool {
        let lower = email.value.to_lowercase();
        if let Some((desk, line)) = &desk_email
            && *desk == lower
        {
            let msg = format!(
                "`{}` is the desk's own address (desk.address, line {line}); members and deputies need their own addresses",
                email.value
            );
            ck.error(email.span.clone(), &key, msg);
            return false;
        }
        if let Some((other, line)) = seen_emails.get(&lower) {
            let msg = format!(
                "`{}` is already used by {other} (line {line}); every member and deputy needs their own address",
                email.value
            );
            ck.error(email.span.clone(), &key, msg);
            return false;
        }
        seen_emails.insert(lower, (key, ck.line_of(email.span.start)));
        true
    };

    for item in &items {
        let Some(s) = item else {
            all_ok = false;
            continue;
        };
        s.check_keys(ck, MEMBER_KEYS);
        let id = s.req(ck, "id", "id = \"venj\"", check_member_id);
        let name = s.req(ck, "name", "name = \"mr. A. de Vries\"", check_name);
        let email = s.req(ck, "email", "email = \"a.devries@minjenv.nl\"", |e| {
            check_email(e).map(|()| e.to_string())
        });
        let ministry = s.req(ck, "ministry", "ministry = \"VenJ\"", |m| {
            if let Some(c) = codes.iter().find(|c| c.eq_ignore_ascii_case(m)) {
                return Ok(c.clone());
            }
            let near = {
                let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
                nearest(m, &refs).map(str::to_string)
            };
            let hint = near.map(|n| format!(" (did you mean {n}?)")).unwrap_or_default();
            let list = if codes.is_empty() {
                "none are defined yet".to_string()
            } else {
                format!("use one of {}", codes.join(", "))
            };
            Err(format!(
                "`{m}` is not a ministry code under [[ministries]]{hint}; {list} or add the ministry"
            ))
        });

        let mut ok = true;
        if let Some(id) = &id {
            if let Some((first, line)) = seen_ids.get(&id.value) {
                let msg = format!(
                    "member id `{}` is already used by {first} (line {line}); each member needs a unique id",
                    id.value
                );
                ck.error(id.span.clone(), &s.key("id"), msg);
                ok = false;
            } else {
                seen_ids.insert(
                    id.value.clone(),
                    (s.path.clone(), ck.line_of(id.span.start)),
                );
            }
        }
        if let Some(email) = &email {
            ok &= check_email_unique(ck, email, s.key("email"));
        }

        let deputy_example = "deputy = { name = \"B. Jansen\", email = \"b.jansen@minjenv.nl\" }";
        let deputy = match s.table(ck, "deputy", deputy_example, false) {
            Ok(Some(d)) => {
                d.check_keys(ck, ADDRESS_KEYS);
                let dname = d.req(ck, "name", "name = \"B. Jansen\"", check_name);
                let demail = d.req(ck, "email", "email = \"b.jansen@minjenv.nl\"", |e| {
                    check_email(e).map(|()| e.to_string())
                });
                if let Some(demail) = &demail {
                    ok &= check_email_unique(ck, demail, d.key("email"));
                }
                match (dname, demail) {
                    (Some(n), Some(e)) => Some(Some(Deputy {
                        name: n.value,
                        email: e.value,
                    })),
                    _ => None,
                }
            }
            Ok(None) => Some(None),
            Err(()) => None,
        };

        match (id, name, email, ministry, deputy) {
            (Some(id), Some(name), Some(email), Some(ministry), Some(deputy)) if ok => {
                out.push(Member {
                    id: id.value,
                    name: name.value,
                    email: email.value,
                    ministry: ministry.value,
                    deputy,
                })
            }
            _ => all_ok = false,
        }
    }
    all_ok.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(check_size("25MB"), Ok(25_000_000));
        assert_eq!(check_size("25 mb"), Ok(25_000_000));
        assert_eq!(check_size("1GB"), Ok(1_000_000_000));
        assert_eq!(check_size("512KB"), Ok(512_000));
        assert_eq!(check_size("100B"), Ok(100));
        assert!(check_size("25").unwrap_err().contains("no unit"));
        assert!(check_size("25TB").unwrap_err().contains("unknown unit"));
        assert!(check_size("1.5MB").is_err());
        assert!(check_size("0MB").unwrap_err().contains("zero"));
        assert!(check_size("MB").is_err());
        assert!(
            check_size("99999999999999999GB")
                .unwrap_err()
                .contains("too large")
        );
    }

    #[test]
    fn emails() {
        assert!(check_email("a.devries@minjenv.nl").is_ok());
        assert!(check_email("A.deVries@MinJenV.NL").is_ok());
        assert!(check_email("loket-ott+x@minjenv.nl").is_ok());
        for bad in [
            "a.devries",
            "a.devries@minjenv",
            "a devries@minjenv.nl",
            "@minjenv.nl",
            "a@b@minjenv.nl",
            "A <a@minjenv.nl>",
            "a@minjenv..nl",
            "a@.minjenv.nl",
            "a@minjenv.nl.",
            "a@",
        ] {
            assert!(check_email(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn durations_and_times() {
        assert_eq!(
            check_period("7d").unwrap(),
            Period::Span(chrono::Duration::days(7))
        );
        assert_eq!(
            check_period("36h").unwrap(),
            Period::Span(chrono::Duration::hours(36))
        );
        assert_eq!(
            check_period("5 working days").unwrap(),
            Period::WorkingDays(5)
        );
        assert_eq!(check_period("3 werkdagen").unwrap(), Period::WorkingDays(3));
        assert_eq!(
            check_period("1 working day").unwrap(),
            Period::WorkingDays(1)
        );
        assert!(check_period("0 werkdagen").is_err());
        assert!(check_period("0s").unwrap_err().contains("zero"));
        assert!(check_period("a week").is_err());
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        assert_eq!(
            check_reminder("2 working days before at 09:00"),
            Ok(ReminderRule {
                working_days_before: 2,
                at: nine
            })
        );
        assert_eq!(
            check_reminder("deadline day at 9:00"),
            Ok(ReminderRule {
                working_days_before: 0,
                at: nine
            })
        );
        assert!(check_reminder("tomorrow").is_err());
        assert!(check_office_hours("18:00-08:00").is_err());
        assert_eq!(
            check_time_of_day("17:00").unwrap(),
            NaiveTime::from_hms_opt(17, 0, 0).unwrap()
        );
        assert_eq!(
            check_time_of_day("09:30").unwrap(),
            NaiveTime::from_hms_opt(9, 30, 0).unwrap()
        );
        assert!(check_time_of_day("25:00").is_err());
        assert!(check_time_of_day("5pm").is_err());
    }

    #[test]
    fn timezones() {
        assert_eq!(
            check_timezone("Europe/Amsterdam").unwrap(),
            chrono_tz::Europe::Amsterdam
        );
        let e = check_timezone("Europe/Amsterdan").unwrap_err();
        assert!(e.contains("did you mean \"Europe/Amsterdam\""), "{e}");
        let e = check_timezone("CEST-ish nonsense zone").unwrap_err();
        assert!(e.contains("IANA"), "{e}");
    }

    #[test]
    fn ids_codes_tags_langs() {
        assert!(check_member_id("venj").is_ok());
        assert!(check_member_id("bzk-2").is_ok());
        assert!(check_member_id("").is_err());
        assert!(check_member_id(&"a".repeat(33)).is_err());
        assert!(check_member_id("VenJ").unwrap_err().contains("\"venj\""));
        assert!(check_code("LVVN").is_ok());
        assert!(check_code("I&W").is_err());
        assert!(check_tag("OTT").is_ok());
        assert!(check_tag("O T T").is_err());
        assert!(check_lang("en").is_ok());
        assert!(
            check_lang("NL")
                .unwrap_err()
                .contains("did you mean \"nl\"")
        );
    }

    #[test]
    fn secret_names() {
        for k in [
            "token_key",
            "password",
            "secret",
            "smtp_password",
            "api_key",
            "token",
        ] {
            assert!(is_secret_name(k), "{k}");
        }
        for k in [
            "token_key_file",
            "token_key_env",
            "name",
            "path",
            "kind",
            "password_file",
        ] {
            assert!(!is_secret_name(k), "{k}");
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(nearest("tmezone", PERIODS_KEYS), Some("timezone"));
        assert_eq!(nearest("emial", ADDRESS_KEYS), Some("email"));
        assert_eq!(nearest("zzz", PERIODS_KEYS), None);
        let m = unknown_key_message("timezone", "[body]", BODY_KEYS);
        assert!(m.contains("belongs under [periods]"), "{m}");
        let m = unknown_key_message("colour", "[body]", BODY_KEYS);
        assert!(m.contains("valid keys here: name, tag, language"), "{m}");
    }

    #[test]
    fn line_numbers() {
        let ck = Checker::new(Path::new("x"), "a\nbc\n\nd");
        assert_eq!(ck.line_of(0), 1);
        assert_eq!(ck.line_of(1), 1);
        assert_eq!(ck.line_of(2), 2);
        assert_eq!(ck.line_of(5), 3);
        assert_eq!(ck.line_of(6), 4);
    }
}
