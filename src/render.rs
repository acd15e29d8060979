//! Outgoing messages: an [`Outgoing`] from the core, through a template, to RFC 5322 bytes.
//!
//! Templates live in `templates/{nl,en}/NAME.txt` (built in) and can be overridden per file by
//! an administrator in `config.templates_dir/{lang}/NAME.txt`. A template is a minijinja file
//! with two blocks, `subject` and `body`. Every template is compiled and tried on sample
//! letters when the [`Renderer`] is built, so a broken template stops the daemon at start-up
//! with the file and line, not at the first message that needs it.
//!
//! Context of every template: the letter's fields (see [`crate::core::letters`]) at top level,
//! plus the globals `body` {name, tag}, `desk` {email, name}, `lang` ("nl"/"en"),
//! `blank_case_form`, `blank_view_form`, and `original_attached` (the raw original is attached).
//! Filters: `datetime`, `date` (RFC 3339 in, local time of `periods.timezone` out, in the
//! body's language), `time` (the local time only, `16:00`) and `position` (a position key in
//! words).
//!
//! A message with a calendar part ([`Outgoing::ics`], meeting invitations) is built as
//! multipart/mixed [ multipart/alternative [ text/plain, text/html, text/calendar;
//! method=...; charset=UTF-8 ], invite.ics (application/ics), attachments ], the structure
//! Outlook, Gmail, Apple Mail and Thunderbird all accept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::config::model::{Config, Lang};
use crate::core::letters::*;
use crate::core::model::{
    Address, AttachmentRef, Outgoing, Person, Position, TemplateName, Timestamp,
};
use crate::forms;

/// Every template, in the order they are checked at start-up.
pub const TEMPLATES: [TemplateName; 16] = [
    TemplateName::Receipt,
    TemplateName::MissingFields,
    TemplateName::Distribution,
    TemplateName::Reminder,
    TemplateName::Bundle,
    TemplateName::Quarantine,
    TemplateName::DeskNotice,
    TemplateName::CaseForm,
    TemplateName::Extension,
    TemplateName::CommandReply,
    TemplateName::Digest,
    TemplateName::MeetingPoll,
    TemplateName::MeetingPollReply,
    TemplateName::MeetingInvite,
    TemplateName::MeetingCancel,
    TemplateName::MeetingStatus,
];

/// Why a message could not be rendered. Every variant says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template does not compile, lacks a block, or fails on a sample letter.
    #[error("template {file}{}: {message}. {hint}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Template {
        file: String,
        line: Option<usize>,
        message: String,
        hint: String,
    },
    /// A template override could not be read.
    #[error(
        "cannot read template {file}: {message}. Check the file (UTF-8 text, readable) or remove it to use the built-in template"
    )]
    Read { file: String, message: String },
    /// A template failed while rendering a real message.
    #[error("rendering {file}{}: {message}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Render {
        file: String,
        line: Option<usize>,
        message: String,
    },
    /// The message's context is not a JSON object.
    #[error("the context for template `{template}` is not an object of letter fields")]
    Context { template: String },
    /// An attachment the message refers to is not available.
    #[error(
        "attachment `{name}` (raw message {raw_id}, part {index}) is not available in the store"
    )]
    MissingAttachment {
        name: String,
        raw_id: u64,
        index: usize,
    },
    /// The message asks to attach its raw original, and none was given.
    #[error("the original raw message {raw_id} to attach is not available in the store")]
    MissingRaw { raw_id: u64 },
    /// An address that is not a valid mail address.
    #[error(
        "`{address}` is not a valid mail address ({message}); correct it in the configuration or the case"
    )]
    Address { address: String, message: String },
    /// A Message-ID that cannot be written in a header.
    #[error("`{id}` is not a valid Message-ID (printable ASCII without spaces or angle brackets)")]
    MessageId { id: String },
    /// lettre refused to build the message (for example: no recipient).
    #[error("the message could not be built: {0}")]
    Build(String),
}

/// A document made at sending time and attached to a message (not from stored mail).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedAttachment {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Turns outgoing messages into mail. Built once from the configuration; cheap to share.
pub struct Renderer {
    /// Templates as used for real messages: lenient about undefined values.
    env: Environment<'static>,
    lang: Lang,
    tag: String,
    from: Mailbox,
    desk_email: String,
    /// Where each template came from, for messages: the override's path or `built-in ...`.
    origin: BTreeMap<&'static str, String>,
}

impl Renderer {
    /// Built-in templates (embedded from templates/{nl,en}) overridden by files in
    /// `config.templates_dir/{lang}/NAME.txt` when present. Every template is compiled and
    /// tried on sample letters here, so a broken template is reported at start-up.
    pub fn new(config: &Config) -> Result<Renderer, RenderError> {
        let lang = config.body.language;
        let sources = load_sources(lang, config.templates_dir.as_deref())?;
        let desk_name = desk_name(config);

        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        // `none` (a missing optional field) prints as nothing rather than "none".
        env.set_formatter(|out, state, value| {
            if value.is_none() {
                Ok(())
            } else {
                minijinja::escape_formatter(out, state, value)
            }
        });
        let tz = config.periods.timezone;
        env.add_filter(
            "datetime",
            move |v: Value| -> Result<String, minijinja::Error> {
                Ok(filter_time(&v, true)?
                    .map(|t| format_datetime(&t, tz, lang))
                    .unwrap_or_default())
            },
        );
        env.add_filter(
            "date",
            move |v: Value| -> Result<String, minijinja::Error> {
                if let Some(d) = v
                    .as_str()
                    .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                {
                    return Ok(date_words(d, lang));
                }
                Ok(filter_time(&v, false)?
                    .map(|t| format_date(&t, tz, lang))
                    .unwrap_or_default())
            },
        );
        env.add_filter(
            "time",
            move |v: Value| -> Result<String, minijinja::Error> {
                Ok(filter_time(&v, true)?
                    .map(|t| {
                        let l = t.with_timezone(&tz);
                        format!("{:02}:{:02}", l.hour(), l.minute())
                    })
                    .unwrap_or_default())
            },
        );
        env.add_filter("position", move |v: Value| -> String {
            match v.as_str() {
                Some(s) => match serde_json::from_value::<Position>(json!(s)) {
                    Ok(p) => forms::position_text(p, lang).to_string(),
                    Err(_) => s.to_string(),
                },
                None if v.is_none() || v.is_undefined() => String::new(),
                None => v.to_string(),
            }
        });
        env.add_global(
            "body",
            Value::from_serialize(json!({"name": config.body.name, "tag": config.body.tag})),
        );
        env.add_global(
            "desk",
            Value::from_serialize(json!({"email": config.desk.address.email, "name": desk_name})),
        );
        env.add_global("lang", lang.code());
        env.add_global("blank_case_form", forms::blank_case_form(lang));
        env.add_global("blank_view_form", forms::blank_view_form(lang));

        let mut origin = BTreeMap::new();
        for (name, src) in sources {
            let stem = name.file_stem();
            env.add_template_owned(key(lang, name), src.text)
                .map_err(|e| template_error(&src.origin, &e, src.overridden))?;
            origin.insert(stem, src.origin);
        }

        let from = Mailbox::new(
            Some(desk_name.clone()),
            config.desk.address.email.trim().parse().map_err(
                |e: lettre::address::AddressError| RenderError::Address {
                    address: config.desk.address.email.clone(),
                    message: e.to_string(),
                },
            )?,
        );
        let renderer = Renderer {
            env,
            lang,
            tag: config.body.tag.clone(),
            from,
            desk_email: config.desk.address.email.clone(),
            origin,
        };
        renderer.check(config.templates_dir.is_some())?;
        Ok(renderer)
    }

    /// The language the templates are in.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Where the template for `name` came from (an override's path, or `built-in ...`).
    pub fn origin(&self, name: TemplateName) -> &str {
        self.origin
            .get(name.file_stem())
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Just subject and body text. The subject carries the `[TAG ID]` prefix when the
    /// message belongs to a case.
    pub fn render_text(&self, out: &Outgoing) -> Result<(String, String), RenderError> {
        let ctx = context(out)?;
        let (subject, body) = self.render_parts(&self.env, out.template, &ctx)?;
        let subject = match out.case {
            Some(id) => {
                let tag = format!("[{} {}]", self.tag, id);
                if subject.to_lowercase().contains(&tag.to_lowercase()) {
                    subject
                } else if subject.is_empty() {
                    tag
                } else {
                    format!("{tag} {subject}")
                }
            }
            None => subject,
        };
        Ok((subject, body))
    }

    /// Renders an outgoing message to RFC 5322 bytes (CRLF line endings).
    /// `fetch` returns the bytes of an attachment reference (from the store); `raw` is the raw
    /// original for `attach_raw` (attached as message/rfc822).
    pub fn render(
        &self,
        out: &Outgoing,
        fetch: &dyn Fn(&AttachmentRef) -> Option<Vec<u8>>,
        raw: Option<&[u8]>,
    ) -> Result<Vec<u8>, RenderError> {
        self.render_with(out, fetch, raw, &[])
    }

    /// [`Renderer::render`] with documents made at sending attached after the others (the
    /// consultation record with a bundle, the report with the weekly summary).
    pub fn render_with(
        &self,
        out: &Outgoing,
        fetch: &dyn Fn(&AttachmentRef) -> Option<Vec<u8>>,
        raw: Option<&[u8]>,
        extra: &[GeneratedAttachment],
    ) -> Result<Vec<u8>, RenderError> {
        let (subject, body) = self.render_text(out)?;
        let message_id = clean_id(&out.message_id).ok_or_else(|| RenderError::MessageId {
            id: out.message_id.clone(),
        })?;

        let mut b = Message::builder()
            .from(self.from.clone())
            .subject(subject)
            .date(SystemTime::from(out.date))
            .message_id(Some(format!("<{message_id}>")));
        for a in &out.to {
            b = b.to(mailbox(a)?);
        }
        for a in &out.cc {
            b = b.cc(mailbox(a)?);
        }
        if let Some(r) = &out.reply_to {
            b = b.reply_to(mailbox(r)?);
        }
        let parent = out.in_reply_to.as_deref().and_then(clean_id);
        if let Some(p) = parent {
            b = b.in_reply_to(format!("<{p}>"));
        }
        let mut refs: Vec<&str> = out.references.iter().filter_map(|r| clean_id(r)).collect();
        // The parent belongs at the end of References (RFC 5322 3.6.4) if the core left it out.
        if let Some(p) = parent
            && !refs.contains(&p)
        {
            refs.push(p);
        }
        if !refs.is_empty() {
            let joined: Vec<String> = refs.iter().map(|r| format!("<{r}>")).collect();
            b = b.references(joined.join(" "));
        }
        b = b
            .raw_header(raw_header("Auto-Submitted", "auto-generated"))
            .raw_header(raw_header("X-Auto-Response-Suppress", "All"))
            .raw_header(raw_header("X-Loket-Loop", &self.desk_email))
            .raw_header(raw_header("Content-Language", self.lang.code()));

        let body_text = body.clone();
        let text = SinglePart::plain(body);
        let mut parts = Vec::new();
        for a in &out.attachments {
            let bytes = fetch(a).ok_or_else(|| RenderError::MissingAttachment {
                name: a.name.clone(),
                raw_id: a.raw_id,
                index: a.index,
            })?;
            let name = file_name(&a.name, parts.len() + 1, self.lang);
            let ct = ContentType::parse(a.content_type.trim()).unwrap_or_else(|_| octet_stream());
            parts.push(Attachment::new(name).body(bytes, ct));
        }
        if let Some(raw_id) = out.attach_raw {
            let raw = raw.ok_or(RenderError::MissingRaw { raw_id })?;
            let name = match self.lang {
                Lang::Nl => format!("bericht-{raw_id}.eml"),
                Lang::En => format!("message-{raw_id}.eml"),
            };
            parts.push(rfc822_part(raw, name));
        }
        for g in extra {
            let ct = ContentType::parse(&g.content_type).unwrap_or_else(|_| octet_stream());
            parts.push(
                Attachment::new(file_name(&g.name, parts.len() + 1, self.lang))
                    .body(g.bytes.clone(), ct),
            );
        }

        let msg = if let Some(ics) = &out.ics {
            // An invitation: the calendar object inside the alternative, and as a file.
            let method: String = ics
                .method
                .chars()
                .filter(|c| c.is_ascii_alphabetic())
                .collect::<String>()
                .to_ascii_uppercase();
            let method = if method.is_empty() {
                "REQUEST".to_string()
            } else {
                method
            };
            let cal_type =
                CalendarContentType(format!("text/calendar; method={method}; charset=UTF-8"));
            let html = SinglePart::html(html_of(&body_text));
            let cal = SinglePart::builder()
                .header(cal_type)
                .body(ics.content.clone());
            let file_type = ContentType::parse("application/ics; name=\"invite.ics\"")
                .map_err(|e| RenderError::Build(e.to_string()))?;
            let file = Attachment::new("invite.ics".to_string())
                .body(ics.content.clone().into_bytes(), file_type);
            let leaves: Vec<SinglePart> = [html.clone(), cal.clone(), file.clone()]
                .into_iter()
                .chain(parts.iter().cloned())
                .collect();
            let alt_boundary = boundary(&format!("{message_id}/alt"), &text, &leaves);
            let mixed_boundary = boundary(message_id, &text, &leaves);
            let alt = MultiPart::alternative()
                .boundary(alt_boundary)
                .singlepart(text)
                .singlepart(html)
                .singlepart(cal);
            let mut mp = MultiPart::mixed()
                .boundary(mixed_boundary)
                .multipart(alt)
                .singlepart(file);
            for p in parts {
                mp = mp.singlepart(p);
            }
            b.multipart(mp)
        } else if parts.is_empty() {
            b.singlepart(text)
        } else {
            let boundary = boundary(message_id, &text, &parts);
            let mut mp = MultiPart::mixed().boundary(boundary).singlepart(text);
            for p in parts {
                mp = mp.singlepart(p);
            }
            b.multipart(mp)
        }
        .map_err(|e| RenderError::Build(e.to_string()))?;
        Ok(msg.formatted())
    }

    fn render_parts(
        &self,
        env: &Environment<'static>,
        name: TemplateName,
        ctx: &serde_json::Value,
    ) -> Result<(String, String), RenderError> {
        let origin = self.origin(name).to_string();
        let err = |e: minijinja::Error| RenderError::Render {
            file: origin.clone(),
            line: e.line(),
            message: describe(&e),
        };
        let tmpl = env.get_template(&key(self.lang, name)).map_err(err)?;
        // `render_captured` is minijinja's successor of `eval_to_state`: evaluate once, then
        // render each block from the captured state.
        let mut captured = tmpl.render_captured(ctx).map_err(err)?;
        let subject = captured
            .with_state_mut(|state| state.render_block("subject"))
            .map_err(err)?;
        let body = captured
            .with_state_mut(|state| state.render_block("body"))
            .map_err(err)?;
        Ok((tidy_subject(&subject), tidy_body(&body)))
    }

    /// Renders every template on sample letters with undefined values made errors, so that
    /// a misspelt variable, a missing block or a bad filter shows at start-up.
    fn check(&self, has_overrides: bool) -> Result<(), RenderError> {
        let mut strict = self.env.clone();
        strict.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        for name in TEMPLATES {
            for ctx in samples(name) {
                self.render_parts(&strict, name, &ctx)
                    .map_err(|e| match e {
                        RenderError::Render {
                            file,
                            line,
                            message,
                        } => {
                            let overridden = has_overrides && !file.starts_with("built-in");
                            RenderError::Template {
                                hint: hint(overridden, name),
                                file,
                                line,
                                message,
                            }
                        }
                        other => other,
                    })?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Templates: sources, names, errors.

struct Source {
    text: String,
    origin: String,
    overridden: bool,
}

fn key(lang: Lang, name: TemplateName) -> String {
    format!("{}/{}.txt", lang.code(), name.file_stem())
}

fn builtin(lang: Lang, name: TemplateName) -> &'static str {
    macro_rules! pick {
        ($($variant:ident => $file:literal),* $(,)?) => {
            match (lang, name) {
                $(
                    (Lang::Nl, TemplateName::$variant) =>
                        include_str!(concat!("../templates/nl/", $file, ".txt")),
                    (Lang::En, TemplateName::$variant) =>
                        include_str!(concat!("../templates/en/", $file, ".txt")),
                )*
            }
        };
    }
    pick!(
        Receipt => "receipt",
        MissingFields => "missing_fields",
        Distribution => "distribution",
        Reminder => "reminder",
        Bundle => "bundle",
        Quarantine => "quarantine",
        DeskNotice => "desk_notice",
        CaseForm => "case_form",
        Extension => "extension",
        CommandReply => "command_reply",
        Digest => "digest",
        MeetingPoll => "meeting_poll",
        MeetingPollReply => "meeting_poll_reply",
        MeetingInvite => "meeting_invite",
        MeetingCancel => "meeting_cancel",
        MeetingStatus => "meeting_status",
    )
}

fn load_sources(
    lang: Lang,
    dir: Option<&Path>,
) -> Result<Vec<(TemplateName, Source)>, RenderError> {
    let dir: Option<PathBuf> = dir.map(|d| d.join(lang.code()));
    if let Some(d) = &dir {
        warn_unknown_files(d);
    }
    let mut out = Vec::new();
    for name in TEMPLATES {
        let path = dir
            .as_ref()
            .map(|d| d.join(format!("{}.txt", name.file_stem())));
        let src = match path {
            Some(p) if p.is_file() => Source {
                text: std::fs::read_to_string(&p).map_err(|e| RenderError::Read {
                    file: p.display().to_string(),
                    message: e.to_string(),
                })?,
                origin: p.display().to_string(),
                overridden: true,
            },
            _ => Source {
                text: builtin(lang, name).to_string(),
                origin: format!("built-in {}", key(lang, name)),
                overridden: false,
            },
        };
        out.push((name, src));
    }
    Ok(out)
}

/// A `.txt` file in the override directory that is no template is most likely a misspelt
/// name; say so rather than silently using the built-in template.
fn warn_unknown_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let Some(stem) = path
            .extension()
            .filter(|x| *x == "txt")
            .and(path.file_stem())
            .and_then(|s| s.to_str())
        else {
            continue;
        };
        if !TEMPLATES.iter().any(|t| t.file_stem() == stem) {
            let known: Vec<&str> = TEMPLATES.iter().map(|t| t.file_stem()).collect();
            tracing::warn!(
                file = %path.display(),
                "template file is not used: its name is none of {}.txt",
                known.join(".txt, ")
            );
        }
    }
}

fn hint(overridden: bool, name: TemplateName) -> String {
    if overridden {
        format!(
            "Fix the template (minijinja syntax, with blocks `subject` and `body`; see the \
             built-in templates/{{nl,en}}/{}.txt for the variables), or remove the file to use \
             the built-in template",
            name.file_stem()
        )
    } else {
        "This is a built-in template: please report it as a bug".to_string()
    }
}

fn template_error(origin: &str, e: &minijinja::Error, overridden: bool) -> RenderError {
    let stem = Path::new(origin)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("");
    let name = TEMPLATES
        .into_iter()
        .find(|t| t.file_stem() == stem)
        .unwrap_or(TemplateName::Receipt);
    RenderError::Template {
        file: origin.to_string(),
        line: e.line(),
        message: describe(e),
        hint: hint(overridden, name),
    }
}

fn describe(e: &minijinja::Error) -> String {
    let mut s = match (e.kind(), e.detail()) {
        (ErrorKind::UndefinedError, None) => {
            "undefined value (a misspelt variable, or an optional field printed without \
             `{% if %}` or `or`)"
                .to_string()
        }
        (ErrorKind::UnknownBlock, Some(d)) => {
            format!("{d} (a template needs the blocks `subject` and `body`)")
        }
        (k, Some(d)) => format!("{k}: {d}"),
        (k, None) => k.to_string(),
    };
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(&format!(" ({inner})"));
        src = inner.source();
    }
    s
}

fn desk_name(config: &Config) -> String {
    match &config.desk.address.name {
        Some(n) if !n.trim().is_empty() => n.trim().to_string(),
        _ => match config.body.language {
            Lang::Nl => format!("Loket {}", config.body.name),
            Lang::En => format!("{} desk", config.body.name),
        },
    }
}

fn context(out: &Outgoing) -> Result<serde_json::Value, RenderError> {
    let mut map = match &out.context {
        serde_json::Value::Object(m) => m.clone(),
        serde_json::Value::Null => serde_json::Map::new(),
        _ => {
            return Err(RenderError::Context {
                template: out.template.file_stem().to_string(),
            });
        }
    };
    map.entry("original_attached")
        .or_insert(serde_json::Value::Bool(out.attach_raw.is_some()));
    Ok(serde_json::Value::Object(map))
}

/// Subject: trimmed, every run of white space (newlines too) one space.
fn tidy_subject(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Body: no leading or trailing blank lines, no runs of blank lines, one final newline.
fn tidy_body(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank_run = 0;
    for line in s.replace("\r\n", "\n").split('\n') {
        if line.trim().is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() && blank_run > 0 {
            out.push('\n');
        }
        blank_run = 0;
        out.push_str(line);
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------------------
// Dates.

const NL_DAYS: [&str; 7] = [
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];
const EN_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const NL_MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn date_words(d: NaiveDate, lang: Lang) -> String {
    let wd = d.weekday().num_days_from_monday() as usize;
    let m = d.month0() as usize;
    let (day, month) = match lang {
        Lang::Nl => (NL_DAYS[wd], NL_MONTHS[m]),
        Lang::En => (EN_DAYS[wd], EN_MONTHS[m]),
    };
    format!("{day} {} {month} {}", d.day(), d.year())
}

/// "vrijdag 27 november 2026" / "Friday 27 November 2026", in local time of `tz`.
pub fn format_date(t: &Timestamp, tz: Tz, lang: Lang) -> String {
    date_words(t.with_timezone(&tz).date_naive(), lang)
}

/// "vrijdag 27 november 2026, 17:00" / "Friday 27 November 2026, 17:00", in local time of `tz`.
pub fn format_datetime(t: &Timestamp, tz: Tz, lang: Lang) -> String {
    let local = t.with_timezone(&tz);
    format!(
        "{}, {:02}:{:02}",
        date_words(local.date_naive(), lang),
        local.hour(),
        local.minute()
    )
}

fn filter_time(v: &Value, with_time: bool) -> Result<Option<Timestamp>, minijinja::Error> {
    if v.is_none() || v.is_undefined() {
        return Ok(None);
    }
    let what = if with_time { "datetime" } else { "date" };
    let s = v.as_str().ok_or_else(|| {
        minijinja::Error::new(
            ErrorKind::InvalidOperation,
            format!("the `{what}` filter needs an RFC 3339 time, not {v}"),
        )
    })?;
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|e| {
            minijinja::Error::new(
                ErrorKind::InvalidOperation,
                format!("the `{what}` filter needs an RFC 3339 time, not `{s}` ({e})"),
            )
        })
}

// ---------------------------------------------------------------------------------------
// Mail pieces.

fn raw_header(name: &'static str, value: &str) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value.to_string())
}

/// A display name fit for a header: no control characters, single spaces.
fn clean_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn mailbox(a: &Address) -> Result<Mailbox, RenderError> {
    let email = a
        .email
        .trim()
        .parse()
        .map_err(|e: lettre::address::AddressError| RenderError::Address {
            address: a.email.clone(),
            message: e.to_string(),
        })?;
    let name = a.name.as_deref().map(clean_text).filter(|n| !n.is_empty());
    Ok(Mailbox::new(name, email))
}

/// A message id without its angle brackets, if it can be written in a header.
fn clean_id(s: &str) -> Option<&str> {
    let s = s.trim();
    let s = s
        .strip_prefix('<')
        .and_then(|x| x.strip_suffix('>'))
        .unwrap_or(s);
    let ok = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>');
    ok.then_some(s)
}

fn octet_stream() -> ContentType {
    ContentType::parse("application/octet-stream").expect("a valid content type")
}

fn file_name(name: &str, n: usize, lang: Lang) -> String {
    let name = clean_text(name);
    if name.is_empty() {
        match lang {
            Lang::Nl => format!("bijlage-{n}"),
            Lang::En => format!("attachment-{n}"),
        }
    } else {
        name
    }
}

/// The raw original as message/rfc822. That type allows only 7bit/8bit/binary (RFC 2046
/// 5.2.1); a raw message that cannot go as 8bit (NUL bytes, lines over 998 octets) is
/// attached as application/octet-stream in base64 instead, still named `.eml`.
fn rfc822_part(raw: &[u8], name: String) -> SinglePart {
    let mut crlf = Vec::with_capacity(raw.len() + raw.len() / 40);
    let mut prev = 0u8;
    for (i, &b) in raw.iter().enumerate() {
        match b {
            b'\n' if prev != b'\r' => crlf.extend_from_slice(b"\r\n"),
            b'\r' if raw.get(i + 1) != Some(&b'\n') => crlf.extend_from_slice(b"\r\n"),
            _ => crlf.push(b),
        }
        prev = b;
    }
    if !crlf.ends_with(b"\r\n") {
        crlf.extend_from_slice(b"\r\n");
    }
    let fits = !crlf.contains(&0) && crlf.split(|&b| b == b'\n').all(|l| l.len() <= 999);
    if fits {
        let enc = if crlf.is_ascii() {
            ContentTransferEncoding::SevenBit
        } else {
            ContentTransferEncoding::EightBit
        };
        let ct = ContentType::parse("message/rfc822").expect("a valid content type");
        Attachment::new(name).body(Body::dangerous_pre_encoded(crlf, enc), ct)
    } else {
        Attachment::new(name).body(raw.to_vec(), octet_stream())
    }
}

/// `Content-Type: text/calendar; method=...; charset=UTF-8` written exactly so: lettre's
/// `ContentType` would lowercase the charset, and some clients compare it as written.
#[derive(Clone)]
struct CalendarContentType(String);

impl lettre::message::header::Header for CalendarContentType {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Type")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(CalendarContentType(s.to_string()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// The plain text as a simple HTML part (for the alternative of an invitation: Outlook shows
/// the HTML part of a calendar message).
fn html_of(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n<pre style=\"font-family: sans-serif; white-space: pre-wrap\">{escaped}</pre>\n</body></html>\n"
    )
}

/// A multipart boundary derived from the Message-ID, so that rendering the same message twice
/// gives the same bytes, and checked against the parts' contents.
fn boundary(message_id: &str, text: &SinglePart, parts: &[SinglePart]) -> String {
    let digest = Sha256::digest(message_id.as_bytes());
    let base = format!("=_loket_{}", hex::encode(&digest[..12]));
    let occurs = |b: &str| {
        std::iter::once(text)
            .chain(parts)
            .any(|p| contains(p.raw_body(), b.as_bytes()))
    };
    let mut candidate = base.clone();
    let mut n = 0;
    while occurs(&candidate) {
        n += 1;
        candidate = format!("{base}_{n}");
    }
    candidate
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------------------------------
// Sample letters: every template is tried on these at start-up. They cover each branch the
// built-in templates have (every reason, notice kind, member and deputy, empty lists).

fn samples(name: TemplateName) -> Vec<serde_json::Value> {
    let t = |s: &str| -> Timestamp {
        DateTime::parse_from_rfc3339(s)
            .expect("sample time")
            .with_timezone(&Utc)
    };
    let case = |urgent: bool, full: bool| CaseInfo {
        id: "2026-014".into(),
        subject: "Schade na bodemdaling".into(),
        ministry: "BZK".into(),
        ministry_name: "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties".into(),
        submitter: if full {
            Address::new("A. de Vries", "a.devries@minbzk.nl")
        } else {
            Address::bare("indiener@minbzk.nl")
        },
        contact: if full {
            "A. de Vries, 070 123 4567".into()
        } else {
            String::new()
        },
        description: "Feiten.\nVerloop.".into(),
        question: "Is onverplicht tegemoetkomen geraden?".into(),
        urgent,
        received_at: t("2026-11-20T09:30:00Z"),
        deadline: t("2026-11-27T16:00:00Z"),
        desired_date: full.then(|| "27-11-2026".into()),
        attachments: if full {
            vec!["brief.pdf".into()]
        } else {
            vec![]
        },
    };
    let recipient = |person: Person| Recipient {
        name: "J. Jänsen".into(),
        email: "j.jansen@minfin.nl".into(),
        person,
        member_name: "P. Pietersen".into(),
        ministry: "FIN".into(),
    };
    let view = |by: Person, position: Position, filled: bool| ViewInfo {
        member_name: "P. Pietersen".into(),
        ministry: "FIN".into(),
        ministry_name: "Ministerie van Financiën".into(),
        by,
        by_name: "J. Jänsen".into(),
        received_at: t("2026-11-24T10:00:00Z"),
        position,
        arguments: filled.then(|| "Omdat.".into()),
        compensation: filled.then(|| "Een bedrag.".into()),
        remarks: filled.then(|| "Geen.".into()),
        text: "Vrije tekst.".into(),
    };
    let missing = || MissingSeat {
        member_name: "K. Klaassen".into(),
        ministry: "IenW".into(),
        ministry_name: "Ministerie van Infrastructuur en Waterstaat".into(),
    };
    let v = |x: serde_json::Result<serde_json::Value>| x.expect("sample letters serialise");
    let mut out = Vec::new();
    match name {
        TemplateName::Receipt => {
            for (urgent, full, seats) in [(false, true, 12), (true, false, 1)] {
                out.push(v(serde_json::to_value(ReceiptLetter {
                    case: case(urgent, full),
                    seats,
                })));
            }
        }
        TemplateName::MissingFields => {
            for (subject, full) in [("Casus schade", true), ("", false), ("RE: casus", true)] {
                out.push(v(serde_json::to_value(MissingFieldsLetter {
                    original_subject: subject.into(),
                    problems: vec![
                        FieldProblem {
                            field: "question".into(),
                            label: "Vraag aan het gremium".into(),
                            problem: String::new(),
                        },
                        FieldProblem {
                            field: "urgency".into(),
                            label: "Spoed".into(),
                            problem: "niet ja of nee".into(),
                        },
                    ],
                    found: if full {
                        vec![FieldValue {
                            label: "Onderwerp".into(),
                            value: "Schade\nna bodemdaling".into(),
                        }]
                    } else {
                        vec![]
                    },
                })));
            }
        }
        TemplateName::Distribution | TemplateName::Reminder => {
            for (person, urgent, full) in
                [(Person::Member, false, true), (Person::Deputy, true, false)]
            {
                let (case, recipient) = (case(urgent, full), recipient(person));
                out.push(v(if name == TemplateName::Reminder {
                    serde_json::to_value(ReminderLetter { case, recipient })
                } else {
                    serde_json::to_value(DistributionLetter { case, recipient })
                }));
            }
        }
        TemplateName::Bundle => {
            let all = [
                view(Person::Member, Position::Advisable, true),
                view(Person::Deputy, Position::UnderConditions, false),
                view(Person::Member, Position::Unstated, false),
                view(Person::Member, Position::NotAdvisable, true),
            ];
            for (reason, views, miss, full) in [
                (BundleReason::AllViewsIn, all.to_vec(), vec![], true),
                (
                    BundleReason::DeadlinePassed,
                    all[..1].to_vec(),
                    vec![missing()],
                    false,
                ),
                (BundleReason::DeskRequest, vec![], vec![missing()], true),
            ] {
                for (common, review, edited) in [
                    (None, false, None),
                    (Some(Position::UnderConditions), true, None),
                    (
                        Some(Position::Advisable),
                        false,
                        Some("Eigen tekst.\nRegel twee."),
                    ),
                ] {
                    out.push(v(serde_json::to_value(BundleLetter {
                        case: case(false, full),
                        reason,
                        views: views.clone(),
                        missing: miss.clone(),
                        common_position: common,
                        review,
                        edited_text: edited.map(str::to_string),
                    })));
                }
            }
        }
        TemplateName::Quarantine => {
            for (reason, detail) in [
                (QuarantineReason::UnknownSender, "onbekend domein"),
                (QuarantineReason::Unreadable, ""),
                (QuarantineReason::Unmatched, ""),
            ] {
                out.push(v(serde_json::to_value(QuarantineLetter {
                    raw_id: 42,
                    from: "x@example.org".into(),
                    subject: if detail.is_empty() {
                        String::new()
                    } else {
                        "Vraag".into()
                    },
                    received_at: t("2026-11-20T09:30:00Z"),
                    reason,
                    detail: detail.into(),
                })));
            }
        }
        TemplateName::DeskNotice => {
            let kinds = [
                NoticeKind::ReplyNotCounted,
                NoticeKind::ViewConflict,
                NoticeKind::LateView,
                NoticeKind::Bounce,
                NoticeKind::Attention,
                NoticeKind::CaseMessage,
                NoticeKind::DeliveryFailed,
                NoticeKind::ApprovalNeeded,
                NoticeKind::AnswerHeldBack,
            ];
            for (i, notice) in kinds.into_iter().enumerate() {
                let with_case = i % 2 == 0;
                out.push(v(serde_json::to_value(DeskNoticeLetter {
                    notice,
                    case: with_case.then(|| case(false, true)),
                    from: "x@example.org".into(),
                    subject: if with_case {
                        "Re: casus".into()
                    } else {
                        String::new()
                    },
                    raw_id: 7,
                    details: if with_case {
                        vec!["regel".into()]
                    } else {
                        vec![]
                    },
                })));
            }
        }
        TemplateName::CaseForm => out.push(json!({})),
        TemplateName::Extension => {
            for person in [Person::Member, Person::Deputy] {
                out.push(v(serde_json::to_value(ExtensionLetter {
                    case: case(person == Person::Deputy, true),
                    recipient: recipient(person),
                    previous_deadline: t("2026-11-25T16:00:00Z"),
                })));
            }
        }
        TemplateName::CommandReply => {
            let seats = vec![
                SeatStatus {
                    member_name: "P. Pietersen".into(),
                    ministry: "FIN".into(),
                    answered: true,
                    position: Some(Position::Advisable),
                    by_deputy: true,
                },
                SeatStatus {
                    member_name: "K. Klaassen".into(),
                    ministry: "IenW".into(),
                    answered: false,
                    position: None,
                    by_deputy: false,
                },
            ];
            let outcomes = [
                (CommandOutcome::Approved, None),
                (CommandOutcome::Extended, None),
                (CommandOutcome::Bundled, None),
                (CommandOutcome::Closed, None),
                (CommandOutcome::Status, None),
                (
                    CommandOutcome::Rejected,
                    Some(CommandProblem::UnknownCommand),
                ),
                (CommandOutcome::Rejected, Some(CommandProblem::NoCase)),
                (CommandOutcome::Rejected, Some(CommandProblem::NoSuchCase)),
                (CommandOutcome::Rejected, Some(CommandProblem::BadDate)),
                (CommandOutcome::Rejected, Some(CommandProblem::NotLater)),
                (CommandOutcome::Rejected, Some(CommandProblem::WrongState)),
                (CommandOutcome::Rejected, Some(CommandProblem::NotAvailable)),
            ];
            for (i, (outcome, problem)) in outcomes.into_iter().enumerate() {
                let with_case = problem != Some(CommandProblem::NoCase);
                out.push(v(serde_json::to_value(CommandReplyLetter {
                    command: "verlengen tot 4 december".into(),
                    outcome,
                    problem,
                    case: with_case.then(|| case(false, i % 2 == 0)),
                    status: with_case.then(|| "open".into()),
                    seats: if with_case { seats.clone() } else { vec![] },
                    previous_deadline: (outcome == CommandOutcome::Extended)
                        .then(|| t("2026-11-25T16:00:00Z")),
                })));
            }
        }
        TemplateName::Digest => {
            for (kind, empty) in [("daily", false), ("weekly", false), ("daily", true)] {
                let cases = if empty {
                    vec![]
                } else {
                    vec![DigestCase {
                        case: case(true, true),
                        status: "open".into(),
                        views_in: 3,
                        seats: 11,
                        missing: vec!["K. Klaassen".into()],
                        due_today: true,
                        overdue: false,
                    }]
                };
                out.push(v(serde_json::to_value(DigestLetter {
                    kind: kind.into(),
                    at: t("2026-11-23T07:00:00Z"),
                    cases,
                    pending_forms: 1,
                    finished_last_week: if kind == "weekly" {
                        vec![case(false, false)]
                    } else {
                        vec![]
                    },
                })));
            }
        }
        TemplateName::MeetingPoll
        | TemplateName::MeetingPollReply
        | TemplateName::MeetingInvite
        | TemplateName::MeetingCancel
        | TemplateName::MeetingStatus => {
            out = meeting_samples(name, &|u, f| case(u, f), &recipient, &t);
        }
    }
    // Half of them as if the original were attached, to try both sides of that switch.
    for (i, ctx) in out.iter_mut().enumerate() {
        if let serde_json::Value::Object(m) = ctx {
            m.insert("original_attached".into(), json!(i % 2 == 0));
        }
    }
    out
}

/// Sample letters for the meeting templates: every outcome, event, problem and state.
fn meeting_samples(
    name: TemplateName,
    case: &dyn Fn(bool, bool) -> CaseInfo,
    recipient: &dyn Fn(Person) -> Recipient,
    t: &dyn Fn(&str) -> Timestamp,
) -> Vec<serde_json::Value> {
    use crate::core::model::{AttendeeKind, Availability, MeetingState, Slot};
    let slot = |n: u32, start: &str, end: &str| SlotInfo {
        number: n,
        start: t(start),
        end: t(end),
        yes: n as usize,
        maybe: 1,
        no: 0,
        best: n == 2,
    };
    let meeting = |state: MeetingState, full: bool| MeetingInfo {
        uid: "loket-2026-014-overleg-1@minjenv.nl".into(),
        state,
        slots: vec![
            slot(1, "2026-12-08T13:00:00Z", "2026-12-08T15:00:00Z"),
            slot(2, "2026-12-09T09:00:00Z", "2026-12-09T11:00:00Z"),
        ],
        location: full.then(|| "Turfmarkt 147, Den Haag".into()),
        start: (state != MeetingState::Polling || full).then(|| t("2026-12-09T09:00:00Z")),
        end: (state != MeetingState::Polling || full).then(|| t("2026-12-09T11:00:00Z")),
        chosen: full.then_some(2),
        sequence: u32::from(!full),
        poll_closes_at: full.then(|| t("2026-12-03T16:00:00Z")),
        agenda: vec!["Opening".into(), "Casus 2026-014".into()],
        answered: 1,
        seats: 2,
    };
    let rows = || {
        vec![
            AvailabilityRow {
                member_name: "P. Pietersen".into(),
                ministry: "FIN".into(),
                answered: true,
                by_deputy: true,
                answers: vec![Availability::Yes, Availability::Maybe],
            },
            AvailabilityRow {
                member_name: "K. Klaassen".into(),
                ministry: "IenW".into(),
                answered: false,
                by_deputy: false,
                answers: vec![Availability::No, Availability::Yes],
            },
        ]
    };
    let rsvps = || {
        [
            "ACCEPTED",
            "DECLINED",
            "TENTATIVE",
            "NEEDS-ACTION",
            "DELEGATED",
            "X-OTHER",
        ]
        .iter()
        .zip([
            AttendeeKind::Member,
            AttendeeKind::Deputy,
            AttendeeKind::Submitter,
            AttendeeKind::Guest,
            AttendeeKind::Member,
            AttendeeKind::Guest,
        ])
        .enumerate()
        .map(|(i, (p, kind))| RsvpRow {
            name: if i == 0 {
                "x@example.org".into()
            } else {
                "J. Jänsen".into()
            },
            email: "x@example.org".into(),
            kind,
            required: i % 2 == 0,
            partstat: p.to_string(),
        })
        .collect::<Vec<_>>()
    };
    let v = |x: serde_json::Result<serde_json::Value>| x.expect("sample letters serialise");
    let mut out = Vec::new();
    match name {
        TemplateName::MeetingPoll => {
            for (person, revised, full) in
                [(Person::Member, false, true), (Person::Deputy, true, false)]
            {
                out.push(v(serde_json::to_value(MeetingPollLetter {
                    case: case(false, full),
                    recipient: recipient(person),
                    meeting: meeting(MeetingState::Polling, full),
                    revised,
                })));
            }
        }
        TemplateName::MeetingPollReply => {
            for (outcome, state, earlier, full) in [
                (
                    PollReplyOutcome::Recorded,
                    MeetingState::Polling,
                    false,
                    true,
                ),
                (
                    PollReplyOutcome::Recorded,
                    MeetingState::Polling,
                    false,
                    false,
                ),
                (
                    PollReplyOutcome::Unreadable,
                    MeetingState::Polling,
                    false,
                    true,
                ),
                (
                    PollReplyOutcome::Unreadable,
                    MeetingState::Polling,
                    true,
                    false,
                ),
                (PollReplyOutcome::Closed, MeetingState::Invited, false, true),
                (
                    PollReplyOutcome::Closed,
                    MeetingState::Invited,
                    false,
                    false,
                ),
                (
                    PollReplyOutcome::Closed,
                    MeetingState::Cancelled,
                    false,
                    true,
                ),
            ] {
                out.push(v(serde_json::to_value(MeetingPollReplyLetter {
                    case: case(false, full),
                    recipient: recipient(Person::Member),
                    outcome,
                    answers: [Availability::Yes, Availability::No, Availability::Maybe]
                        .into_iter()
                        .enumerate()
                        .map(|(i, a)| SlotAnswerInfo {
                            number: i as u32 + 1,
                            start: t("2026-12-08T13:00:00Z"),
                            end: t("2026-12-08T15:00:00Z"),
                            answer: a,
                        })
                        .collect(),
                    unknown_numbers: if full { vec![5] } else { vec![] },
                    earlier_list: earlier,
                    meeting: meeting(state, full),
                })));
            }
        }
        TemplateName::MeetingInvite => {
            let kinds = [
                AttendeeKind::Member,
                AttendeeKind::Deputy,
                AttendeeKind::Submitter,
                AttendeeKind::Guest,
            ];
            for (i, kind) in kinds.into_iter().enumerate() {
                let update = i % 2 == 1;
                out.push(v(serde_json::to_value(MeetingInviteLetter {
                    case: case(false, i < 2),
                    recipient_name: "J. Jänsen".into(),
                    recipient_kind: kind,
                    meeting: meeting(MeetingState::Invited, i % 3 == 0),
                    update,
                    previous: (update && i == 1).then(|| Slot {
                        start: t("2026-12-08T13:00:00Z"),
                        end: t("2026-12-08T15:00:00Z"),
                    }),
                    previous_location: (i == 3).then(|| "Zaal 2".into()),
                    attendees: if i < 2 { rsvps() } else { vec![] },
                })));
            }
        }
        TemplateName::MeetingCancel => {
            for (poll_only, full) in [(true, true), (false, true), (false, false)] {
                let state = MeetingState::Cancelled;
                out.push(v(serde_json::to_value(MeetingCancelLetter {
                    case: case(false, full),
                    recipient_name: "J. Jänsen".into(),
                    meeting: meeting(state, full),
                    poll_only,
                })));
            }
        }
        TemplateName::MeetingStatus => {
            let events = [
                MeetingEvent::Proposed,
                MeetingEvent::Status,
                MeetingEvent::Chosen,
                MeetingEvent::Rescheduled,
                MeetingEvent::Cancelled,
                MeetingEvent::PollComplete,
                MeetingEvent::PollClosed,
                MeetingEvent::NoSlot,
                MeetingEvent::Rsvp,
                MeetingEvent::Counter,
                MeetingEvent::CalendarMessage,
                MeetingEvent::UnknownMeeting,
                MeetingEvent::NotAttendee,
                MeetingEvent::StaleReply,
                MeetingEvent::LateAnswer,
                MeetingEvent::MeetingMessage,
            ];
            let problems = [
                MeetingProblem::NoSlots,
                MeetingProblem::BadSlots,
                MeetingProblem::SlotInPast,
                MeetingProblem::NoMeeting,
                MeetingProblem::NoSuchSlot,
                MeetingProblem::AlreadyPlanned,
                MeetingProblem::NoCase,
                MeetingProblem::NoSuchCase,
            ];
            let all = events.into_iter().map(|e| (e, None)).chain(
                problems
                    .into_iter()
                    .map(|p| (MeetingEvent::Rejected, Some(p))),
            );
            let states = [
                MeetingState::Polling,
                MeetingState::Invited,
                MeetingState::Cancelled,
            ];
            for (i, (event, problem)) in all.enumerate() {
                let with_case = i % 4 != 3 && problem != Some(MeetingProblem::NoCase);
                let state = states[i % 3];
                out.push(v(serde_json::to_value(MeetingStatusLetter {
                    event,
                    command: (i % 2 == 0).then(|| "overleg".into()),
                    problem,
                    details: if i % 2 == 1 {
                        vec!["regel".into()]
                    } else {
                        vec![]
                    },
                    case: with_case.then(|| case(false, i % 2 == 0)),
                    meeting: with_case.then(|| meeting(state, i % 5 != 0)),
                    availability: if with_case { rows() } else { vec![] },
                    rsvps: if with_case && i % 2 == 0 {
                        rsvps()
                    } else {
                        vec![]
                    },
                    from: if i % 3 == 0 {
                        String::new()
                    } else {
                        "x@example.org".into()
                    },
                    subject: if i % 2 == 0 {
                        "Accepted: x".into()
                    } else {
                        String::new()
                    },
                    raw_id: 7,
                    proposed: (i % 2 == 1).then(|| Slot {
                        start: t("2026-12-10T09:00:00Z"),
                        end: t("2026-12-10T10:00:00Z"),
                    }),
                })));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_subject_is_one_line() {
        assert_eq!(tidy_subject("  a\n  b\tc \n"), "a b c");
    }

    #[test]
    fn render_body_is_tidied() {
        assert_eq!(tidy_body("\n\n a\n\n\n  \nb\n\n"), " a\n\nb\n");
        assert_eq!(tidy_body("x"), "x\n");
    }

    #[test]
    fn render_dates_in_both_languages_across_dst() {
        let tz: Tz = "Europe/Amsterdam".parse().unwrap();
        let summer = DateTime::parse_from_rfc3339("2026-07-03T15:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let winter = DateTime::parse_from_rfc3339("2026-11-27T16:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            format_datetime(&summer, tz, Lang::Nl),
            "vrijdag 3 juli 2026, 17:00"
        );
        assert_eq!(
            format_datetime(&winter, tz, Lang::En),
            "Friday 27 November 2026, 17:00"
        );
        assert_eq!(
            format_date(&winter, tz, Lang::Nl),
            "vrijdag 27 november 2026"
        );
        // 23:30 UTC is already the next day in Amsterdam.
        let late = DateTime::parse_from_rfc3339("2026-11-27T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            format_date(&late, tz, Lang::Nl),
            "zaterdag 28 november 2026"
        );
    }

    #[test]
    fn render_message_ids_are_checked() {
        assert_eq!(clean_id("<a@b>"), Some("a@b"));
        assert_eq!(clean_id(" a@b "), Some("a@b"));
        assert_eq!(clean_id("a b@c"), None);
        assert_eq!(clean_id("<>"), None);
        assert_eq!(clean_id("é@x"), None);
    }

    #[test]
    fn render_rfc822_part_keeps_8bit_and_falls_back() {
        let p = rfc822_part(b"Subject: x\n\nh\xc3\xa9\n", "m.eml".into());
        let f = String::from_utf8_lossy(&p.formatted()).to_string();
        assert!(f.contains("message/rfc822"), "{f}");
        assert!(f.contains("8bit"), "{f}");
        assert!(f.contains("Subject: x\r\n\r\nhé\r\n"), "{f}");
        let long = [b"Subject: x\n\n".as_slice(), &[b'a'; 2000]].concat();
        let p = rfc822_part(&long, "m.eml".into());
        let f = String::from_utf8_lossy(&p.formatted()).to_string();
        assert!(f.contains("application/octet-stream"), "{f}");
    }

    #[test]
    fn render_renderer_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Renderer>();
    }

    #[test]
    fn render_samples_cover_every_template() {
        for name in TEMPLATES {
            assert!(!samples(name).is_empty(), "{name:?}");
        }
    }
}
