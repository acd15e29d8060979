//! The consultation record ("verslag van consultatie") of one case: what was asked, of whom,
//! when each message went out, the reminders, every answer with its time and verbatim text,
//! who did not answer, extensions, the meeting if there was one, and the outcome. This is the
//! document a Council of Ministers submission needs to show that the body was consulted.
//!
//! [`build`] is a pure function of config, case, journal and outbox (plus the time the record
//! is drawn up) to a small [`Document`] model; [`to_markdown`], [`to_html`] and [`to_pdf`]
//! render that model. The journal is the source of truth for what happened and when; the case
//! holds the verbatim answers; the outbox says when each message actually left.
//!
//! Nothing here reads a clock or a file: the PDF fonts are compiled in (`assets/fonts`).

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use crate::config::model::{Config, Lang};
use crate::core::calendar::{is_working_day, local_date};
use crate::core::model::*;
use crate::forms::position_text;
use crate::render::format_datetime;
use crate::store::OutboxEntry;

mod pdf;

pub use pdf::PdfError;

/// A rendered document: title, blocks, and the line printed at the foot of every PDF page.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Document {
    pub lang: Lang,
    pub title: String,
    pub subtitle: String,
    /// Printed at the foot of every page (with the page number) in the PDF.
    pub footer: String,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    Heading {
        text: String,
    },
    Subheading {
        text: String,
    },
    Paragraph {
        text: String,
    },
    /// Something the reader must not miss (e.g. "this case is still open").
    Notice {
        text: String,
    },
    /// Label / value pairs.
    Fields {
        rows: Vec<(String, String)>,
    },
    /// A table; `widths` are relative column widths (one per column).
    Table {
        columns: Vec<String>,
        widths: Vec<u16>,
        rows: Vec<Vec<String>>,
    },
    /// Text exactly as written (an answer, the question), line breaks kept.
    Verbatim {
        caption: String,
        text: String,
    },
}

/// The output formats of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Html,
    Md,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Html => "html",
            Format::Md => "md",
        }
    }
}

/// Renders a document in a format.
pub fn render(doc: &Document, format: Format) -> Result<Vec<u8>, PdfError> {
    Ok(match format {
        Format::Pdf => to_pdf(doc)?,
        Format::Html => to_html(doc).into_bytes(),
        Format::Md => to_markdown(doc).into_bytes(),
    })
}

/// The file name of a record: `verslag-OTT-2026-014.pdf` / `record-OTT-2026-014.pdf`.
pub fn file_name(cfg: &Config, id: CaseId, format: Format) -> String {
    let stem = match cfg.body.language {
        Lang::Nl => "verslag",
        Lang::En => "record",
    };
    format!("{stem}-{}-{id}.{}", cfg.body.tag, format.extension())
}

// ---------------------------------------------------------------------------------------
// Building the record.

/// Words in the body's language.
struct Words {
    lang: Lang,
}

impl Words {
    fn t<'s>(&self, nl: &'s str, en: &'s str) -> &'s str {
        match self.lang {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }
}

/// Who an address is, for tables: names from the seats, the submitter and the desk.
struct People {
    names: BTreeMap<String, String>,
    lang: Lang,
}

impl People {
    fn new(cfg: &Config, case: &Case) -> People {
        let mut names = BTreeMap::new();
        let mut add = |a: &Address| {
            names
                .entry(a.email.to_lowercase())
                .or_insert_with(|| a.display().to_string());
        };
        for s in &case.seats {
            add(&s.member);
            if let Some(d) = &s.deputy {
                add(d);
            }
        }
        add(&case.submitter);
        for s in &cfg.desk.staff {
            add(s);
        }
        People {
            names,
            lang: cfg.body.language,
        }
    }

    fn name(&self, email: &str) -> String {
        // Commands given with `loket case ...` are journalled as by "cli".
        if email == "cli" {
            return match self.lang {
                Lang::Nl => "het loket, via de opdrachtregel",
                Lang::En => "the desk, on the command line",
            }
            .to_string();
        }
        self.names
            .get(&email.to_lowercase())
            .cloned()
            .unwrap_or_else(|| email.to_string())
    }
}

/// Local date-time, compact, for tables: `02-11-2026 10:00` (nl) / `2026-11-02 10:00` (en).
fn short(cfg: &Config, t: Timestamp) -> String {
    let local = t.with_timezone(&cfg.periods.timezone);
    match cfg.body.language {
        Lang::Nl => local.format("%d-%m-%Y %H:%M").to_string(),
        Lang::En => local.format("%Y-%m-%d %H:%M").to_string(),
    }
}

fn long(cfg: &Config, t: Timestamp) -> String {
    format_datetime(&t, cfg.periods.timezone, cfg.body.language)
}

/// Working days from the day of `from` to the day of `to` (0: the same working day or a
/// non-working day after it). Local dates in the body's time zone.
pub fn working_days_between(cfg: &Config, from: Timestamp, to: Timestamp) -> i64 {
    let tz = cfg.periods.timezone;
    let (a, b) = (local_date(from, tz), local_date(to, tz));
    count_working_days(a, b, &cfg.calendar)
}

/// Working days in (a, b]; negative when b is before a.
pub fn count_working_days(
    a: NaiveDate,
    b: NaiveDate,
    cal: &crate::config::model::CalendarConfig,
) -> i64 {
    if b < a {
        return -count_working_days(b, a, cal);
    }
    let mut n = 0;
    let mut d = a;
    while d < b {
        match d.succ_opt() {
            Some(next) => d = next,
            None => break,
        }
        if is_working_day(d, cal) {
            n += 1;
        }
    }
    n
}

fn event_name(e: &JournalEntry) -> (String, Value) {
    let v = serde_json::to_value(&e.event).unwrap_or_default();
    let name = v
        .get("event")
        .and_then(|n| n.as_str())
        .unwrap_or("?")
        .to_string();
    (name, v)
}

fn status_word(w: &Words, s: CaseStatus) -> &'static str {
    match (s, w.lang) {
        (CaseStatus::AwaitingApproval, Lang::Nl) => "wacht op goedkeuring door het loket",
        (CaseStatus::AwaitingApproval, Lang::En) => "awaiting the desk's approval",
        (CaseStatus::Open, Lang::Nl) => "lopend: reacties worden verzameld",
        (CaseStatus::Open, Lang::En) => "open: views are being collected",
        (CaseStatus::Bundled, Lang::Nl) => "afgerond: gebundeld antwoord verzonden",
        (CaseStatus::Bundled, Lang::En) => "finished: bundled answer sent",
        (CaseStatus::Closed, Lang::Nl) => "gesloten",
        (CaseStatus::Closed, Lang::En) => "closed",
        (_, Lang::Nl) => "gebundeld antwoord ligt ter beoordeling bij het loket",
        (_, Lang::En) => "the draft bundle is with the desk for review",
    }
}

fn person_word(w: &Words, p: Person) -> &'static str {
    match p {
        Person::Member => w.t("lid", "member"),
        Person::Deputy => w.t("plaatsvervanger", "deputy"),
    }
}

fn view_status_word(w: &Words, s: ViewStatus) -> &'static str {
    match s {
        ViewStatus::Current => w.t("telt voor de zetel", "counts for the seat"),
        ViewStatus::Superseded => w.t(
            "vervangen door een latere reactie",
            "superseded by a later reply",
        ),
        ViewStatus::Conflicting => w.t(
            "wijkt af van de reactie die telt; het loket is ingelicht",
            "differs from the view that counts; the desk was told",
        ),
        ViewStatus::Concurring => w.t(
            "stemt in met de reactie die telt",
            "agrees with the view that counts",
        ),
    }
}

fn template_word(w: &Words, t: TemplateName) -> String {
    // By file stem, so that templates added later still get a readable name.
    let stem = t.file_stem();
    let s = match stem {
        "receipt" => w.t(
            "ontvangstbevestiging aan de indiener",
            "receipt to the submitter",
        ),
        "distribution" => w.t("casus ter reactie", "case for a view"),
        "reminder" => w.t("herinnering", "reminder"),
        "extension" => w.t("verlenging van de termijn", "deadline extended"),
        "bundle" => w.t("gebundeld antwoord", "bundled answer"),
        "desk_notice" => w.t("melding aan het loket", "notice to the desk"),
        "command_reply" => w.t("antwoord op een opdracht", "reply to a command"),
        "missing_fields" => w.t("verzoek om aanvulling", "request for missing fields"),
        "meeting_poll" => w.t("peiling voor een overleg", "meeting poll"),
        "meeting_poll_reply" => w.t("antwoord op de peiling", "reply to the poll"),
        "meeting_invite" => w.t("uitnodiging voor het overleg", "meeting invitation"),
        "meeting_cancel" => w.t("afzegging van het overleg", "meeting cancellation"),
        "meeting_status" => w.t("stand van het overleg", "meeting status"),
        other => return other.replace('_', " "),
    };
    s.to_string()
}

/// A desk command as the journal has it (`Extend { case: .. }`, `verlengen 3`), in a word.
fn command_word(w: &Words, command: &str) -> String {
    let head: String = command
        .trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    match head.to_lowercase().as_str() {
        "approve" | "goedkeuren" => w.t("goedkeuren", "approve"),
        "extend" | "verlengen" => w.t("termijn verlengen", "extend the deadline"),
        "bundle" | "bundelen" => w.t("nu bundelen", "bundle now"),
        "close" | "sluiten" => w.t("sluiten", "close"),
        "send" | "verzenden" => w.t("bundel verzenden", "send the bundle"),
        "meeting" | "overleg" => w.t("overleg plannen", "plan a meeting"),
        _ => return command.to_string(),
    }
    .to_string()
}

fn reason_word(w: &Words, reason: &str) -> String {
    match reason {
        "all_views_in" => w.t("alle leden hebben gereageerd", "every member answered"),
        "deadline_passed" => w.t("de termijn is verstreken", "the deadline passed"),
        "desk_request" => w.t("op verzoek van het loket", "at the desk's request"),
        other => other,
    }
    .to_string()
}

/// The position the views share under the configured bundling rule, as the core decides
/// it for the bundle; `None` when the views differ (or there are none).
pub fn common_position(cfg: &Config, case: &Case) -> Option<Position> {
    crate::core::common_position(&cfg.bundling, case)
}

/// What to show of one JSON value in a cell: times in local time, lists joined.
fn json_text(cfg: &Config, v: &Value) -> String {
    match v {
        Value::Null => "-".to_string(),
        Value::Bool(b) => match (b, cfg.body.language) {
            (true, Lang::Nl) => "ja".into(),
            (false, Lang::Nl) => "nee".into(),
            (true, Lang::En) => "yes".into(),
            (false, Lang::En) => "no".into(),
        },
        Value::Number(n) => n.to_string(),
        Value::String(s) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) => short(cfg, t.with_timezone(&chrono::Utc)),
            Err(_) => s.clone(),
        },
        Value::Array(a) => a
            .iter()
            .map(|x| json_text(cfg, x))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(o) => o
            .iter()
            .map(|(k, x)| format!("{}: {}", humanize(cfg, k), json_text(cfg, x)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// A field name as a label. Known meeting words are translated; others get spaces.
fn humanize(cfg: &Config, key: &str) -> String {
    let nl = cfg.body.language == Lang::Nl;
    let known: &[(&str, &str, &str)] = &[
        ("slots", "voorgestelde tijden", "proposed times"),
        ("candidates", "voorgestelde tijden", "proposed times"),
        ("chosen", "gekozen tijd", "chosen time"),
        ("choice", "gekozen tijd", "chosen time"),
        ("chosen_slot", "gekozen tijd", "chosen time"),
        ("start", "begin", "start"),
        ("end", "einde", "end"),
        ("location", "plaats", "location"),
        ("status", "status", "status"),
        (
            "rsvps",
            "antwoorden op de uitnodiging",
            "replies to the invitation",
        ),
        ("attendees", "deelnemers", "attendees"),
        ("guests", "gasten", "guests"),
        ("partstat", "antwoord", "reply"),
        ("email", "e-mail", "email"),
        ("name", "naam", "name"),
        ("requested_by", "aangevraagd door", "requested by"),
        ("requested_at", "aangevraagd op", "requested at"),
        ("polls", "peilingen", "polls"),
        ("votes", "beschikbaarheid", "availability"),
        ("agenda", "agenda", "agenda"),
        ("sequence", "versie", "sequence"),
        ("uid", "kenmerk", "uid"),
    ];
    match known.iter().find(|(k, _, _)| *k == key) {
        Some((_, n, e)) => (if nl { *n } else { *e }).to_string(),
        None => key.replace('_', " "),
    }
}

fn slot_text(cfg: &Config, v: &Value) -> String {
    let t = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_str())
            .and_then(|x| chrono::DateTime::parse_from_rfc3339(x).ok())
            .map(|x| x.with_timezone(&chrono::Utc))
    };
    match (t("start"), t("end")) {
        (Some(a), Some(b)) => {
            let end = b.with_timezone(&cfg.periods.timezone).format("%H:%M");
            format!("{}–{end}", long(cfg, a))
        }
        (Some(a), None) => long(cfg, a),
        _ => json_text(cfg, v),
    }
}

fn partstat_word(w: &Words, p: &str) -> String {
    match p.to_ascii_uppercase().as_str() {
        "ACCEPTED" => w.t("aanwezig", "accepted"),
        "DECLINED" => w.t("afwezig", "declined"),
        "TENTATIVE" => w.t("onder voorbehoud", "tentative"),
        "NEEDS-ACTION" => w.t("nog geen antwoord", "no answer yet"),
        "DELEGATED" => w.t("gedelegeerd", "delegated"),
        _ => p,
    }
    .to_string()
}

fn availability_word(w: &Words, a: &str) -> &'static str {
    match a {
        "yes" => w.t("ja", "yes"),
        "maybe" => w.t("misschien", "maybe"),
        _ => w.t("nee", "no"),
    }
}

/// The meeting of a case, if it has one. Read from the case as JSON, so that the record
/// shows what the meeting holds (state, slots, poll answers, the time, the attendees'
/// answers) without depending on every detail of its type; unknown fields are left out.
fn meeting_blocks(
    cfg: &Config,
    w: &Words,
    case: &Case,
    people: &People,
    journal: &[&JournalEntry],
) -> Vec<Block> {
    let mut blocks = Vec::new();
    let v = serde_json::to_value(case).unwrap_or_default();
    let meeting = v.get("meeting").filter(|m| m.is_object());
    let events: Vec<&JournalEntry> = journal
        .iter()
        .copied()
        .filter(|e| {
            let n = event_name(e).0;
            n.contains("meeting") || n.contains("poll") || n.contains("rsvp")
        })
        .collect();
    if meeting.is_none() && events.is_empty() {
        return blocks;
    }
    blocks.push(Block::Heading {
        text: w.t("7. Overleg", "7. Meeting").into(),
    });
    let Some(m) = meeting else {
        blocks.push(Block::Paragraph {
            text: w
                .t(
                    "Er is een overleg voorbereid; zie het verloop volgens het journaal hieronder.",
                    "A meeting was prepared; see the course of events from the journal below.",
                )
                .into(),
        });
        return blocks;
    };
    let get = |k: &str| m.get(k).filter(|x| !x.is_null());
    let mut fields = Vec::new();
    if let Some(state) = get("state").and_then(|x| x.as_str()) {
        let word = match state {
            "polling" => w.t(
                "de leden is gevraagd welke tijden zij kunnen",
                "the members were asked which times they can make",
            ),
            "invited" => w.t(
                "tijd vastgesteld, uitnodigingen verzonden",
                "time set, invitations sent",
            ),
            "cancelled" => w.t("afgelast", "cancelled"),
            other => other,
        };
        fields.push((w.t("Stand", "State").to_string(), word.to_string()));
    }
    if let Some(at) = get("proposed_at") {
        let by = get("proposed_by")
            .and_then(|x| x.as_str())
            .map(|b| format!(" ({} {})", w.t("door", "by"), people.name(b)))
            .unwrap_or_default();
        fields.push((
            w.t("Voorgesteld", "Proposed").to_string(),
            format!("{}{by}", json_text(cfg, at)),
        ));
    }
    if let Some(when) = get("when") {
        fields.push((w.t("Tijdstip", "Time").to_string(), slot_text(cfg, when)));
    }
    if let Some(n) = get("chosen").and_then(|x| x.as_u64()) {
        fields.push((
            w.t("Gekozen", "Chosen").to_string(),
            format!("{} {n}", w.t("optie", "option")),
        ));
    }
    if let Some(l) = get("location").and_then(|x| x.as_str()) {
        fields.push((w.t("Plaats", "Location").to_string(), l.to_string()));
    }
    if let Some(items) = get("agenda")
        .and_then(|x| x.as_array())
        .filter(|a| !a.is_empty())
    {
        fields.push((
            w.t("Agenda", "Agenda").to_string(),
            items
                .iter()
                .enumerate()
                .map(|(i, x)| format!("{}. {}", i + 1, json_text(cfg, x)))
                .collect::<Vec<_>>()
                .join("\n"),
        ));
    }
    if !fields.is_empty() {
        blocks.push(Block::Fields { rows: fields });
    }
    let slots: Vec<&Value> = get("slots")
        .and_then(|x| x.as_array())
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let answers: Vec<(&String, &Value)> = get("answers")
        .and_then(|x| x.as_object())
        .map(|o| o.iter().collect())
        .unwrap_or_default();
    if !slots.is_empty() {
        let count = |i: usize, what: &str| {
            answers
                .iter()
                .filter(|(_, a)| {
                    a.get("answers")
                        .and_then(|x| x.get(i))
                        .and_then(|x| x.as_str())
                        == Some(what)
                })
                .count()
                .to_string()
        };
        blocks.push(Block::Subheading {
            text: w.t("Voorgestelde tijden", "Proposed times").into(),
        });
        blocks.push(Block::Table {
            columns: vec![
                w.t("Optie", "Option").into(),
                w.t("Tijd", "Time").into(),
                w.t("Ja", "Yes").into(),
                w.t("Misschien", "Maybe").into(),
                w.t("Nee", "No").into(),
            ],
            widths: vec![1, 6, 1, 2, 1],
            rows: slots
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    vec![
                        (i + 1).to_string(),
                        slot_text(cfg, s),
                        count(i, "yes"),
                        count(i, "maybe"),
                        count(i, "no"),
                    ]
                })
                .collect(),
        });
    }
    if !answers.is_empty() {
        blocks.push(Block::Subheading {
            text: w
                .t("Beschikbaarheid per lid", "Availability per member")
                .into(),
        });
        blocks.push(Block::Table {
            columns: vec![
                w.t("Lid", "Member").into(),
                w.t("Geantwoord", "Answered").into(),
                w.t("Per optie", "Per option").into(),
            ],
            widths: vec![4, 3, 5],
            rows: answers
                .iter()
                .map(|(seat, a)| {
                    let name = case
                        .seat(seat)
                        .map(|s| format!("{} ({})", s.member.display(), s.ministry))
                        .unwrap_or_else(|| seat.to_string());
                    let by = a
                        .get("from")
                        .and_then(|x| x.as_str())
                        .map(|f| people.name(f))
                        .unwrap_or_default();
                    let at = a.get("at").map(|x| json_text(cfg, x)).unwrap_or_default();
                    let per = a
                        .get("answers")
                        .and_then(|x| x.as_array())
                        .map(|xs| {
                            xs.iter()
                                .enumerate()
                                .map(|(i, x)| {
                                    format!(
                                        "{}: {}",
                                        i + 1,
                                        availability_word(w, x.as_str().unwrap_or(""))
                                    )
                                })
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default();
                    vec![name, format!("{at}\n{by}"), per]
                })
                .collect(),
        });
    }
    if let Some(att) = get("attendees")
        .and_then(|x| x.as_array())
        .filter(|a| !a.is_empty())
    {
        blocks.push(Block::Subheading {
            text: w
                .t("Uitgenodigden en hun antwoord", "Invited and their answers")
                .into(),
        });
        blocks.push(Block::Table {
            columns: vec![
                w.t("Naam", "Name").into(),
                w.t("Als", "As").into(),
                w.t("Antwoord", "Answer").into(),
                w.t("Op", "When").into(),
            ],
            widths: vec![5, 3, 3, 3],
            rows: att
                .iter()
                .map(|a| {
                    let addr = a.get("address");
                    let email = addr
                        .and_then(|x| x.get("email"))
                        .and_then(|x| x.as_str())
                        .unwrap_or("");
                    let name = addr
                        .and_then(|x| x.get("name"))
                        .and_then(|x| x.as_str())
                        .map(str::to_string)
                        .unwrap_or_else(|| people.name(email));
                    let kind = match a.get("kind").and_then(|x| x.as_str()).unwrap_or("") {
                        "member" => w.t("lid", "member"),
                        "deputy" => w.t("plaatsvervanger", "deputy"),
                        "submitter" => w.t("indiener", "submitter"),
                        "guest" => w.t("gast", "guest"),
                        other => other,
                    }
                    .to_string();
                    vec![
                        name,
                        kind,
                        partstat_word(w, a.get("partstat").and_then(|x| x.as_str()).unwrap_or("")),
                        a.get("replied_at")
                            .map(|x| json_text(cfg, x))
                            .unwrap_or_default(),
                    ]
                })
                .collect(),
        });
    }
    blocks
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The fields of an event other than its name, compactly.
fn details(cfg: &Config, v: &Value) -> String {
    match v {
        Value::Object(o) => o
            .iter()
            .filter(|(k, _)| k.as_str() != "event")
            .map(|(k, x)| format!("{}: {}", humanize(cfg, k), json_text(cfg, x)))
            .collect::<Vec<_>>()
            .join("; "),
        Value::Null => String::new(),
        other => json_text(cfg, other),
    }
}

/// One line of the course of events: what happened, in words.
fn describe(
    cfg: &Config,
    w: &Words,
    case: &Case,
    people: &People,
    e: &JournalEntry,
) -> (String, String) {
    let (name, v) = event_name(e);
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    let member = |id: &str| {
        case.seat(id)
            .map(|seat| format!("{} ({})", seat.member.display(), seat.ministry))
            .unwrap_or_else(|| id.to_string())
    };
    let members = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|m| m.as_str())
                    .map(member)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let time = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_str())
            .and_then(|x| chrono::DateTime::parse_from_rfc3339(x).ok())
            .map(|t| short(cfg, t.with_timezone(&chrono::Utc)))
            .unwrap_or_default()
    };
    // Nothing for the member, ", via de plaatsvervanger" for the deputy.
    let via = |k: &str| match v.get(k).and_then(|x| x.as_str()) {
        Some("deputy") => format!(", {}", w.t("via de plaatsvervanger", "through the deputy")),
        _ => String::new(),
    };
    let position = |k: &str| {
        v.get(k)
            .cloned()
            .and_then(|p| serde_json::from_value::<Position>(p).ok())
            .map(|p| position_text(p, cfg.body.language).to_string())
            .unwrap_or_default()
    };
    let (what, detail) = match name.as_str() {
        "case_created" => (
            w.t("Casus aangemeld", "Case submitted").to_string(),
            format!(
                "{} {} ({}){}; {} {}",
                w.t("door", "by"),
                people.name(&s("submitter")),
                s("ministry"),
                if v.get("urgent").and_then(|u| u.as_bool()) == Some(true) {
                    w.t(", spoed", ", urgent")
                } else {
                    ""
                },
                w.t("termijn", "deadline"),
                time("deadline")
            ),
        ),
        "awaiting_approval" => (
            w.t("Wacht op goedkeuring", "Awaiting approval").into(),
            String::new(),
        ),
        "approved" => (
            w.t("Goedgekeurd door het loket", "Approved by the desk")
                .into(),
            people.name(&s("by")),
        ),
        "distributed" => {
            let n = v.get("to").and_then(|x| x.as_array()).map_or(0, Vec::len);
            (
                w.t("Verzonden aan de leden", "Sent to the members").into(),
                format!("{n} {}", w.t("persoonlijke berichten", "personal messages")),
            )
        }
        "view_recorded" => {
            let status = v
                .get("status")
                .cloned()
                .and_then(|x| serde_json::from_value::<ViewStatus>(x).ok())
                .filter(|st| *st != ViewStatus::Current)
                .map(|st| format!("; {}", view_status_word(w, st)))
                .unwrap_or_default();
            (
                w.t("Reactie ontvangen", "View received").into(),
                format!(
                    "{}{}: {}{status}",
                    member(&s("member")),
                    via("by"),
                    position("position")
                ),
            )
        }
        "view_superseded" => (
            w.t("Reactie vervangen", "View superseded").into(),
            format!("{}{}", member(&s("member")), via("by")),
        ),
        "reply_not_counted" => (
            w.t(
                "Bericht niet als reactie geteld",
                "Message not counted as a view",
            )
            .into(),
            format!("{}: {}", people.name(&s("from")), s("reason")),
        ),
        "reminder_sent" => (
            w.t("Herinnering verzonden", "Reminder sent").into(),
            format!("{} {}", w.t("aan", "to"), members("members")),
        ),
        "deadline_extended" => (
            w.t("Termijn verlengd", "Deadline extended").into(),
            format!(
                "{} {} {} {} ({} {})",
                w.t("van", "from"),
                time("from"),
                w.t("naar", "to"),
                time("to"),
                w.t("door", "by"),
                people.name(&s("by"))
            ),
        ),
        "bundle_drafted" => (
            w.t(
                "Concept van het gebundelde antwoord naar het loket",
                "Draft bundle sent to the desk",
            )
            .into(),
            String::new(),
        ),
        "bundled" => {
            let missing = members("missing");
            (
                w.t("Gebundeld antwoord verzonden", "Bundled answer sent")
                    .into(),
                format!(
                    "{}{}",
                    reason_word(w, &s("reason")),
                    if missing.is_empty() {
                        String::new()
                    } else {
                        format!("; {} {missing}", w.t("geen reactie van", "no view from"))
                    }
                ),
            )
        }
        "closed" => (w.t("Casus gesloten", "Case closed").into(), String::new()),
        "draft_edited" => (
            w.t(
                "Concept aangepast door het loket",
                "Draft edited by the desk",
            )
            .into(),
            people.name(&s("by")),
        ),
        "meeting_proposed" => (
            w.t(
                "Tijden voor een overleg voorgesteld",
                "Meeting times proposed",
            )
            .into(),
            format!(
                "{} {}{}",
                v.get("slots")
                    .and_then(|x| x.as_array())
                    .map_or(0, Vec::len),
                w.t("opties", "options"),
                if s("by").is_empty() {
                    String::new()
                } else {
                    format!(" ({} {})", w.t("door", "by"), people.name(&s("by")))
                }
            ),
        ),
        "poll_answered" => (
            w.t("Beschikbaarheid doorgegeven", "Availability given")
                .into(),
            format!("{}{}", member(&s("member")), via("by")),
        ),
        "meeting_scheduled" => (
            w.t(
                "Overleg vastgesteld, uitnodigingen verzonden",
                "Meeting set, invitations sent",
            )
            .into(),
            format!(
                "{}{}",
                slot_text(cfg, &v),
                if s("location").is_empty() {
                    String::new()
                } else {
                    format!(", {}", s("location"))
                }
            ),
        ),
        "meeting_cancelled" => (
            w.t("Overleg afgelast", "Meeting cancelled").into(),
            format!("{} {}", w.t("door", "by"), people.name(&s("by"))),
        ),
        "rsvp_recorded" => (
            w.t("Antwoord op de uitnodiging", "Answer to the invitation")
                .into(),
            format!(
                "{}: {}",
                people.name(&s("attendee")),
                partstat_word(w, &s("partstat"))
            ),
        ),
        "command_executed" => (
            w.t("Opdracht van het loket", "Desk command").into(),
            format!(
                "{} ({} {})",
                command_word(w, &s("command")),
                w.t("door", "by"),
                people.name(&s("by"))
            ),
        ),
        "command_rejected" => (
            w.t("Opdracht geweigerd", "Command refused").into(),
            format!("{}: {}", people.name(&s("by")), s("problem")),
        ),
        "delivery_failed" => (
            w.t("Bericht niet bezorgd", "Message not delivered").into(),
            format!(
                "{}: {}",
                v.get("recipients")
                    .and_then(|r| r.as_array())
                    .map(|a| a
                        .iter()
                        .filter_map(|x| x.as_str())
                        .map(|x| people.name(x))
                        .collect::<Vec<_>>()
                        .join(", "))
                    .unwrap_or_default(),
                s("reason")
            ),
        ),
        "bounce_reported" => (
            w.t("Onbestelbaar-melding ontvangen", "Bounce received")
                .into(),
            details(cfg, &v),
        ),
        _ => (capitalise(&name.replace('_', " ")), details(cfg, &v)),
    };
    (what, detail)
}

/// Builds the consultation record of `case` as it stands at `now`.
///
/// `journal` is the case's journal (other cases' entries are ignored); `outbox` may hold
/// every outbox entry (those of other cases are ignored) or none, in which case the times
/// the messages were sent come from the journal alone.
pub fn build(
    cfg: &Config,
    case: &Case,
    journal: &[JournalEntry],
    outbox: &[OutboxEntry],
    now: Timestamp,
) -> Document {
    let w = Words {
        lang: cfg.body.language,
    };
    let lang = cfg.body.language;
    let people = People::new(cfg, case);
    let journal: Vec<&JournalEntry> = journal.iter().filter(|e| e.case == Some(case.id)).collect();
    let ministry_name = |code: &str| {
        cfg.ministry(code)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let tag = format!("{} {}", cfg.body.tag, case.id);
    let title = w
        .t("Verslag van consultatie", "Consultation record")
        .to_string();
    let mut blocks = Vec::new();
    let open = !matches!(case.status, CaseStatus::Bundled | CaseStatus::Closed);

    // The moment the case went out to the members: the first distribution in the journal.
    let distributed_at = journal
        .iter()
        .find(|e| event_name(e).0 == "distributed")
        .map(|e| e.at);
    let extensions: Vec<(Timestamp, Timestamp, Timestamp, String)> = journal
        .iter()
        .filter_map(|e| match &e.event {
            JournalEvent::DeadlineExtended { from, to, by } => Some((e.at, *from, *to, by.clone())),
            _ => None,
        })
        .collect();
    let original_deadline = journal
        .iter()
        .find_map(|e| match &e.event {
            JournalEvent::CaseCreated { deadline, .. } => Some(*deadline),
            _ => None,
        })
        .or_else(|| extensions.first().map(|x| x.1))
        .unwrap_or(case.deadline);

    // Heading fields.
    let mut head = vec![
        (w.t("Gremium", "Body").to_string(), cfg.body.name.clone()),
        (w.t("Casus", "Case").to_string(), tag.clone()),
        (
            w.t("Onderwerp", "Subject").to_string(),
            case.subject().to_string(),
        ),
        (
            w.t("Stand van zaken", "Status").to_string(),
            status_word(&w, case.status).to_string(),
        ),
        (w.t("Opgesteld", "Drawn up").to_string(), long(cfg, now)),
    ];
    if head[2].1.is_empty() {
        head[2].1 = "-".into();
    }
    blocks.push(Block::Fields { rows: head });
    if open {
        let text = match case.status {
            CaseStatus::AwaitingApproval => w
                .t(
                    "Deze casus loopt nog: zij wacht op goedkeuring door het loket en is nog niet aan de leden voorgelegd. Dit verslag geeft de stand op {now}; het is geen eindverslag.",
                    "This case is still open: it awaits the desk's approval and has not yet gone to the members. This record shows the state on {now}; it is not a final record.",
                )
                .replace("{now}", &long(cfg, now)),
            _ => w
                .t(
                    "Deze casus loopt nog. Dit verslag geeft de stand op {now}; de reactietermijn loopt tot {deadline}. Het is geen eindverslag: reacties die nog binnenkomen staan er niet in.",
                    "This case is still open. This record shows the state on {now}; the response period runs until {deadline}. It is not a final record: views that still come in are not in it.",
                )
                .replace("{now}", &long(cfg, now))
                .replace("{deadline}", &long(cfg, case.deadline)),
        };
        blocks.push(Block::Notice { text });
    }

    // 1. The question.
    blocks.push(Block::Heading {
        text: w.t("1. De vraag", "1. The question").into(),
    });
    let field = |f: CaseField| case.form.get(f).map(str::to_string);
    let mut q = vec![
        (
            w.t("Indienend ministerie", "Submitting ministry")
                .to_string(),
            format!("{} ({})", ministry_name(&case.ministry), case.ministry),
        ),
        (
            w.t("Indiener", "Submitter").to_string(),
            case.submitter.to_string(),
        ),
    ];
    if let Some(c) = field(CaseField::Contact) {
        q.push((w.t("Contactpersoon", "Contact").to_string(), c));
    }
    q.push((
        w.t("Ontvangen", "Received").to_string(),
        long(cfg, case.received_at),
    ));
    q.push((
        w.t("Spoed", "Urgent").to_string(),
        if case.urgent {
            w.t("ja", "yes")
        } else {
            w.t("nee", "no")
        }
        .to_string(),
    ));
    if let Some(d) = field(CaseField::DesiredDate) {
        q.push((w.t("Gewenste datum", "Desired date").to_string(), d));
    }
    q.push((
        w.t("Reactietermijn", "Response deadline").to_string(),
        if extensions.is_empty() {
            long(cfg, case.deadline)
        } else {
            format!(
                "{} ({} {})",
                long(cfg, case.deadline),
                w.t("verlengd; oorspronkelijk", "extended; originally"),
                long(cfg, original_deadline)
            )
        },
    ));
    if !case.attachments.is_empty() {
        q.push((
            w.t("Bijlagen", "Attachments").to_string(),
            case.attachments
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    blocks.push(Block::Fields { rows: q });
    if let Some(question) = field(CaseField::Question) {
        blocks.push(Block::Verbatim {
            caption: w.t("Vraag aan het gremium", "Question to the body").into(),
            text: question,
        });
    }
    if let Some(d) = field(CaseField::Description) {
        blocks.push(Block::Verbatim {
            caption: w.t("Casuspositie", "The case").into(),
            text: d,
        });
    }

    // 2. Who was asked.
    blocks.push(Block::Heading {
        text: w.t("2. Wie is geraadpleegd", "2. Who was asked").into(),
    });
    if case.seats.is_empty() {
        blocks.push(Block::Paragraph {
            text: w
                .t("Er zijn geen leden geraadpleegd.", "No members were asked.")
                .into(),
        });
    } else {
        let rows = case
            .seats
            .iter()
            .map(|s| {
                let asked: Vec<&str> = s.addressed.iter().map(|p| person_word(&w, *p)).collect();
                vec![
                    s.ministry.clone(),
                    format!("{}\n{}", s.member.display(), s.member.email),
                    s.deputy
                        .as_ref()
                        .map(|d| format!("{}\n{}", d.display(), d.email))
                        .unwrap_or_else(|| "-".into()),
                    if asked.is_empty() {
                        w.t("(nog) niet", "not (yet)").to_string()
                    } else {
                        asked.join(w.t(" en ", " and "))
                    },
                ]
            })
            .collect();
        blocks.push(Block::Table {
            columns: vec![
                w.t("Ministerie", "Ministry").into(),
                w.t("Lid", "Member").into(),
                w.t("Plaatsvervanger", "Deputy").into(),
                w.t("Aangeschreven", "Sent to").into(),
            ],
            widths: vec![2, 5, 5, 3],
            rows,
        });
    }

    // 3. Messages sent.
    blocks.push(Block::Heading {
        text: w.t("3. Verzonden berichten", "3. Messages sent").into(),
    });
    let mut mine: Vec<&OutboxEntry> = outbox.iter().filter(|o| o.case == Some(case.id)).collect();
    mine.sort_by_key(|o| (o.created_at, o.batch, o.index));
    if !mine.is_empty() {
        // One row per event and kind of message (e.g. the distribution to every member).
        let mut groups: Vec<Vec<&OutboxEntry>> = Vec::new();
        for o in mine {
            match groups.last_mut() {
                Some(g) if g[0].batch == o.batch && g[0].template == o.template => g.push(o),
                _ => groups.push(vec![o]),
            }
        }
        let rows = groups
            .iter()
            .map(|g| {
                let sent: Vec<Timestamp> = g.iter().filter_map(|o| o.sent_at).collect();
                let failed: Vec<&&OutboxEntry> = g.iter().filter(|o| o.gave_up).collect();
                let unsent = g.len() - sent.len() - failed.len();
                let mut when = match (sent.iter().min(), sent.iter().max()) {
                    (Some(a), Some(b)) if short(cfg, *a) == short(cfg, *b) => short(cfg, *a),
                    (Some(a), Some(b)) => format!("{} – {}", short(cfg, *a), short(cfg, *b)),
                    _ => String::new(),
                };
                if unsent > 0 {
                    if !when.is_empty() {
                        when.push('\n');
                    }
                    let _ = write!(
                        when,
                        "{unsent} {}",
                        w.t("nog niet verzonden", "not yet sent")
                    );
                }
                if !failed.is_empty() {
                    if !when.is_empty() {
                        when.push('\n');
                    }
                    let _ = write!(
                        when,
                        "{} {}",
                        failed.len(),
                        w.t("niet bezorgd", "not delivered")
                    );
                }
                let mut to: Vec<String> = Vec::new();
                for o in g {
                    for a in &o.to {
                        let n = people.name(a);
                        if !to.contains(&n) {
                            to.push(n);
                        }
                    }
                }
                vec![
                    short(cfg, g[0].created_at),
                    when,
                    template_word(&w, g[0].template),
                    format!("{} ({})", to.join(", "), g.len()),
                ]
            })
            .collect();
        blocks.push(Block::Table {
            columns: vec![
                w.t("Aangemaakt", "Created").into(),
                w.t("Verzonden", "Sent").into(),
                w.t("Bericht", "Message").into(),
                w.t("Aan (aantal berichten)", "To (number of messages)")
                    .into(),
            ],
            widths: vec![3, 3, 4, 6],
            rows,
        });
    } else {
        let rows: Vec<Vec<String>> = journal
            .iter()
            .filter_map(|e| match &e.event {
                JournalEvent::Distributed { to } => Some(vec![
                    short(cfg, e.at),
                    template_word(&w, TemplateName::Distribution),
                    to.iter()
                        .map(|a| people.name(a))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]),
                _ => None,
            })
            .collect();
        if rows.is_empty() {
            blocks.push(Block::Paragraph {
                text: w
                    .t(
                        "De casus is (nog) niet aan de leden verzonden.",
                        "The case has not (yet) been sent to the members.",
                    )
                    .into(),
            });
        } else {
            blocks.push(Block::Paragraph {
                text: w
                    .t(
                        "Volgens het journaal (de verzendtijden van de afzonderlijke berichten zijn niet beschikbaar):",
                        "According to the journal (the sending times of the individual messages are not available):",
                    )
                    .into(),
            });
            blocks.push(Block::Table {
                columns: vec![
                    w.t("Tijd", "Time").into(),
                    w.t("Bericht", "Message").into(),
                    w.t("Aan", "To").into(),
                ],
                widths: vec![2, 2, 7],
                rows,
            });
        }
    }

    // 4. Deadline, extensions, reminders.
    blocks.push(Block::Heading {
        text: w
            .t("4. Termijn en herinneringen", "4. Deadline and reminders")
            .into(),
    });
    blocks.push(Block::Fields {
        rows: vec![
            (
                w.t("Oorspronkelijke termijn", "Original deadline").into(),
                long(cfg, original_deadline),
            ),
            (
                w.t("Geldende termijn", "Deadline now").into(),
                long(cfg, case.deadline),
            ),
        ],
    });
    if extensions.is_empty() {
        blocks.push(Block::Paragraph {
            text: w
                .t(
                    "De termijn is niet verlengd.",
                    "The deadline was not extended.",
                )
                .into(),
        });
    } else {
        blocks.push(Block::Subheading {
            text: w.t("Verlengingen", "Extensions").into(),
        });
        blocks.push(Block::Table {
            columns: vec![
                w.t("Op", "When").into(),
                w.t("Van", "From").into(),
                w.t("Naar", "To").into(),
                w.t("Door", "By").into(),
            ],
            widths: vec![3, 3, 3, 4],
            rows: extensions
                .iter()
                .map(|(at, from, to, by)| {
                    vec![
                        short(cfg, *at),
                        short(cfg, *from),
                        short(cfg, *to),
                        people.name(by),
                    ]
                })
                .collect(),
        });
    }
    let reminders: Vec<Vec<String>> = journal
        .iter()
        .filter_map(|e| match &e.event {
            JournalEvent::ReminderSent { members } => Some(vec![
                short(cfg, e.at),
                members
                    .iter()
                    .map(|m| {
                        case.seat(m)
                            .map(|s| format!("{} ({})", s.member.display(), s.ministry))
                            .unwrap_or_else(|| m.clone())
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ]),
            _ => None,
        })
        .collect();
    if reminders.is_empty() {
        blocks.push(Block::Paragraph {
            text: w
                .t(
                    "Er zijn geen herinneringen verzonden.",
                    "No reminders were sent.",
                )
                .into(),
        });
    } else {
        blocks.push(Block::Subheading {
            text: w.t("Herinneringen", "Reminders").into(),
        });
        blocks.push(Block::Table {
            columns: vec![
                w.t("Verzonden", "Sent").into(),
                w.t(
                    "Aan de zetels zonder reactie van",
                    "To the seats without a view of",
                )
                .into(),
            ],
            widths: vec![1, 4],
            rows: reminders,
        });
    }

    // 5. The answers, verbatim.
    blocks.push(Block::Heading {
        text: w.t("5. Reacties", "5. Views").into(),
    });
    let answered = case
        .seats
        .iter()
        .filter(|s| s.current_view().is_some())
        .count();
    blocks.push(Block::Paragraph {
        text: match lang {
            Lang::Nl => format!(
                "{answered} van de {} leden hebben gereageerd. Elke reactie staat hieronder met het tijdstip van ontvangst en de tekst zoals zij is geschreven (zonder geciteerde eerdere berichten).",
                case.seats.len()
            ),
            Lang::En => format!(
                "{answered} of the {} members answered. Each view is shown below with the time it was received and its text as written (without quoted earlier messages).",
                case.seats.len()
            ),
        },
    });
    for seat in case.seats.iter().filter(|s| !s.views.is_empty()) {
        blocks.push(Block::Subheading {
            text: format!(
                "{} — {}",
                ministry_name(&seat.ministry),
                seat.member.display()
            ),
        });
        let mut views: Vec<&View> = seat.views.iter().collect();
        views.sort_by_key(|v| v.received_at);
        for v in views {
            let mut rows = vec![
                (
                    w.t("Van", "From").to_string(),
                    format!("{} ({})", v.from, person_word(&w, v.by)),
                ),
                (
                    w.t("Ontvangen", "Received").to_string(),
                    long(cfg, v.received_at),
                ),
            ];
            if let Some(d) = distributed_at {
                let n = working_days_between(cfg, d, v.received_at);
                rows.push((
                    w.t("Reactietijd", "Response time").to_string(),
                    match (lang, n) {
                        (Lang::Nl, 1) => "1 werkdag na verzending".to_string(),
                        (Lang::Nl, n) => format!("{n} werkdagen na verzending"),
                        (Lang::En, 1) => "1 working day after sending".to_string(),
                        (Lang::En, n) => format!("{n} working days after sending"),
                    },
                ));
            }
            let mut timing = Vec::new();
            if v.received_at > case.deadline {
                timing.push(w.t("na de termijn", "after the deadline"));
            }
            if v.late {
                timing.push(w.t(
                    "na verzending van het gebundelde antwoord",
                    "after the bundled answer was sent",
                ));
            }
            if !timing.is_empty() {
                rows.push((w.t("Let op", "Note").to_string(), timing.join("; ")));
            }
            rows.push((
                w.t("Standpunt", "Position").to_string(),
                position_text(v.form.position, lang).to_string(),
            ));
            rows.push((
                w.t("Status", "Status").to_string(),
                view_status_word(&w, v.status).to_string(),
            ));
            blocks.push(Block::Fields { rows });
            let text = if v.text.trim().is_empty() {
                let mut t = String::new();
                for (label, x) in [
                    (w.t("Argumenten", "Arguments"), &v.form.arguments),
                    (
                        w.t("Vorm van tegemoetkoming", "Form of compensation"),
                        &v.form.compensation,
                    ),
                    (w.t("Opmerkingen", "Remarks"), &v.form.remarks),
                ] {
                    if let Some(x) = x {
                        let _ = writeln!(t, "{label}: {x}");
                    }
                }
                t
            } else {
                v.text.clone()
            };
            blocks.push(Block::Verbatim {
                caption: w.t("Tekst van de reactie", "Text of the view").into(),
                text: if text.trim().is_empty() {
                    w.t("(leeg bericht)", "(empty message)").into()
                } else {
                    text.trim_end().to_string()
                },
            });
        }
    }

    // 6. Who did not answer.
    blocks.push(Block::Heading {
        text: w.t("6. Geen reactie", "6. No view").into(),
    });
    let missing: Vec<&Seat> = case.missing_seats().collect();
    if missing.is_empty() {
        blocks.push(Block::Paragraph {
            text: if case.seats.is_empty() {
                w.t("Er zijn geen leden geraadpleegd.", "No members were asked.")
            } else {
                w.t("Alle leden hebben gereageerd.", "Every member answered.")
            }
            .into(),
        });
    } else {
        blocks.push(Block::Paragraph {
            text: if open {
                w.t("Nog geen reactie van:", "No view yet from:")
            } else {
                w.t("Geen reactie ontvangen van:", "No view was received from:")
            }
            .into(),
        });
        blocks.push(Block::Table {
            columns: vec![
                w.t("Ministerie", "Ministry").into(),
                w.t("Lid", "Member").into(),
                w.t("Plaatsvervanger", "Deputy").into(),
                w.t("Herinneringen", "Reminders").into(),
            ],
            widths: vec![2, 5, 5, 3],
            rows: missing
                .iter()
                .map(|s| {
                    vec![
                        s.ministry.clone(),
                        s.member.display().to_string(),
                        s.deputy
                            .as_ref()
                            .map(|d| d.display().to_string())
                            .unwrap_or_else(|| "-".into()),
                        s.reminders.len().to_string(),
                    ]
                })
                .collect(),
        });
    }

    // 7. The meeting, if any.
    let meeting = meeting_blocks(cfg, &w, case, &people, &journal);
    let has_meeting = !meeting.is_empty();
    blocks.extend(meeting);

    // 8. Outcome.
    let n = if has_meeting { 8 } else { 7 };
    blocks.push(Block::Heading {
        text: format!("{n}. {}", w.t("Uitkomst", "Outcome")),
    });
    let mut counts: Vec<(Position, usize)> = Vec::new();
    for s in &case.seats {
        if let Some(v) = s.current_view() {
            match counts.iter_mut().find(|(p, _)| *p == v.form.position) {
                Some((_, c)) => *c += 1,
                None => counts.push((v.form.position, 1)),
            }
        }
    }
    let tally = counts
        .iter()
        .map(|(p, c)| format!("{c} × {}", position_text(*p, lang)))
        .collect::<Vec<_>>()
        .join("; ");
    let common = common_position(cfg, case);
    let mut outcome = Vec::new();
    if !tally.is_empty() {
        outcome.push((w.t("Standpunten", "Positions").to_string(), tally));
        outcome.push((
            w.t("Beeld", "Overall").to_string(),
            match common {
                Some(p) => format!(
                    "{}: {}",
                    w.t("gelijkluidend standpunt", "common position"),
                    position_text(p, lang)
                ),
                None => w
                    .t(
                        "de standpunten lopen uiteen; zij worden afzonderlijk weergegeven",
                        "the positions differ; they are given separately",
                    )
                    .to_string(),
            },
        ));
    }
    let bundled = journal.iter().rev().find_map(|e| match &e.event {
        JournalEvent::Bundled { reason, missing } => Some((e.at, reason.clone(), missing.clone())),
        _ => None,
    });
    let closed = journal
        .iter()
        .rev()
        .find(|e| matches!(e.event, JournalEvent::Closed))
        .map(|e| e.at);
    if let Some((at, reason, _)) = &bundled {
        outcome.push((
            w.t("Gebundeld antwoord", "Bundled answer").to_string(),
            format!(
                "{} {} {} {} ({})",
                w.t("verzonden aan", "sent to"),
                case.submitter.display(),
                w.t("op", "on"),
                long(cfg, *at),
                reason_word(&w, reason)
            ),
        ));
    } else if let Some(at) = case.bundled_at {
        outcome.push((
            w.t("Gebundeld antwoord", "Bundled answer").to_string(),
            long(cfg, at),
        ));
    }
    if let Some(at) = closed {
        outcome.push((w.t("Gesloten", "Closed").to_string(), long(cfg, at)));
    }
    if open {
        blocks.push(Block::Notice {
            text: w
                .t(
                    "Nog geen uitkomst: de casus loopt nog. Het beeld hieronder is voorlopig.",
                    "No outcome yet: the case is still open. The picture below is provisional.",
                )
                .into(),
        });
    } else if case.status == CaseStatus::Closed && bundled.is_none() && case.bundled_at.is_none() {
        blocks.push(Block::Paragraph {
            text: w
                .t(
                    "De casus is gesloten zonder gebundeld antwoord.",
                    "The case was closed without a bundled answer.",
                )
                .into(),
        });
    }
    if outcome.is_empty() {
        blocks.push(Block::Paragraph {
            text: w
                .t(
                    "Er zijn geen standpunten ontvangen.",
                    "No positions were received.",
                )
                .into(),
        });
    } else {
        blocks.push(Block::Fields { rows: outcome });
    }

    // The course of events, from the journal.
    blocks.push(Block::Heading {
        text: format!(
            "{}. {}",
            n + 1,
            w.t(
                "Verloop volgens het journaal",
                "Course of events from the journal"
            )
        ),
    });
    blocks.push(Block::Table {
        columns: vec![
            w.t("Tijd", "Time").into(),
            w.t("Gebeurtenis", "Event").into(),
            w.t("Toelichting", "Details").into(),
        ],
        widths: vec![3, 4, 9],
        rows: journal
            .iter()
            .map(|e| {
                let (what, detail) = describe(cfg, &w, case, &people, e);
                vec![short(cfg, e.at), what, detail]
            })
            .collect(),
    });
    blocks.push(Block::Paragraph {
        text: match lang {
            Lang::Nl => format!(
                "Dit verslag is door loket samengesteld uit het journaal van het loket van het {}. Tijden zijn lokale tijd ({}).",
                cfg.body.name,
                cfg.periods.timezone
            ),
            Lang::En => format!(
                "This record was compiled by loket from the journal of the desk of the {}. Times are local time ({}).",
                cfg.body.name,
                cfg.periods.timezone
            ),
        },
    });

    Document {
        lang,
        subtitle: format!("{tag} — {}", case.subject()),
        footer: format!(
            "{tag} · {title}{}",
            if open {
                w.t(" (lopend)", " (open)")
            } else {
                ""
            }
        ),
        title,
        blocks,
    }
}

// ---------------------------------------------------------------------------------------
// Markdown and HTML.

fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn md_cell(s: &str) -> String {
    md_escape(s).replace('\n', "<br>")
}

/// The document as Markdown (CommonMark with GFM tables).
pub fn to_markdown(doc: &Document) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", md_escape(&doc.title));
    let _ = writeln!(s, "**{}**\n", md_escape(&doc.subtitle));
    for b in &doc.blocks {
        match b {
            Block::Heading { text } => {
                let _ = writeln!(s, "## {}\n", md_escape(text));
            }
            Block::Subheading { text } => {
                let _ = writeln!(s, "### {}\n", md_escape(text));
            }
            Block::Paragraph { text } => {
                let _ = writeln!(s, "{}\n", md_escape(text));
            }
            Block::Notice { text } => {
                let _ = writeln!(s, "> **{}**\n", md_escape(text));
            }
            Block::Fields { rows } => {
                for (k, v) in rows {
                    let v = md_escape(v).replace('\n', "  \n  ");
                    let _ = writeln!(s, "- **{}:** {v}", md_escape(k));
                }
                s.push('\n');
            }
            Block::Table { columns, rows, .. } => {
                let head: Vec<String> = columns.iter().map(|c| md_cell(c)).collect();
                let _ = writeln!(s, "| {} |", head.join(" | "));
                let _ = writeln!(s, "|{}", "---|".repeat(columns.len()));
                for r in rows {
                    let cells: Vec<String> = r.iter().map(|c| md_cell(c)).collect();
                    let _ = writeln!(s, "| {} |", cells.join(" | "));
                }
                s.push('\n');
            }
            Block::Verbatim { caption, text } => {
                let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
                let fence = "`".repeat(longest.max(2) + 1);
                let _ = writeln!(s, "*{}:*\n", md_escape(caption));
                let _ = writeln!(s, "{fence}text\n{text}\n{fence}\n");
            }
        }
    }
    let _ = writeln!(s, "---\n\n{}", md_escape(&doc.footer));
    s
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn html_lines(s: &str) -> String {
    html_escape(s).replace('\n', "<br>")
}

const CSS: &str = "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;font-size:10.5pt;line-height:1.45;color:#111;max-width:52em;margin:2em auto;padding:0 1em}\
h1{font-size:18pt;margin-bottom:0}\
.subtitle{color:#444;font-size:12pt;margin-top:.2em;border-bottom:1px solid #888;padding-bottom:.6em}\
h2{font-size:13pt;margin-top:1.6em;border-bottom:1px solid #ccc}\
h3{font-size:11pt;margin-bottom:.3em}\
table{border-collapse:collapse;width:100%;margin:.4em 0 1em}\
th,td{border:1px solid #bbb;padding:.25em .45em;text-align:left;vertical-align:top;font-size:9.5pt}\
th{background:#eee}\
table.fields th{width:12em;background:none;border:none;font-weight:bold;padding-left:0}\
table.fields td{border:none}\
.notice{border:1.5px solid #b45309;background:#fff7ed;padding:.6em .8em;margin:1em 0;font-weight:bold}\
.caption{font-style:italic;color:#444;margin:.5em 0 .2em}\
pre{white-space:pre-wrap;font-family:inherit;border-left:3px solid #999;padding:.2em .8em;margin:0 0 1em;background:#fafafa}\
footer{margin-top:2em;border-top:1px solid #ccc;color:#555;font-size:9pt;padding-top:.4em}\
@media print{body{margin:0;max-width:none}}";

/// The document as one self-contained HTML page (inline CSS, prints well).
pub fn to_html(doc: &Document) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{} {}</title>\n<style>{CSS}</style>\n</head>\n<body>",
        doc.lang.code(),
        html_escape(&doc.title),
        html_escape(&doc.subtitle)
    );
    let _ = writeln!(s, "<h1>{}</h1>", html_escape(&doc.title));
    let _ = writeln!(
        s,
        "<p class=\"subtitle\">{}</p>",
        html_escape(&doc.subtitle)
    );
    for b in &doc.blocks {
        match b {
            Block::Heading { text } => {
                let _ = writeln!(s, "<h2>{}</h2>", html_escape(text));
            }
            Block::Subheading { text } => {
                let _ = writeln!(s, "<h3>{}</h3>", html_escape(text));
            }
            Block::Paragraph { text } => {
                let _ = writeln!(s, "<p>{}</p>", html_lines(text));
            }
            Block::Notice { text } => {
                let _ = writeln!(s, "<p class=\"notice\">{}</p>", html_lines(text));
            }
            Block::Fields { rows } => {
                let _ = writeln!(s, "<table class=\"fields\">");
                for (k, v) in rows {
                    let _ = writeln!(
                        s,
                        "<tr><th>{}</th><td>{}</td></tr>",
                        html_escape(k),
                        html_lines(v)
                    );
                }
                let _ = writeln!(s, "</table>");
            }
            Block::Table {
                columns,
                widths,
                rows,
            } => {
                let total: u32 = widths.iter().map(|w| u32::from(*w)).sum::<u32>().max(1);
                let _ = writeln!(s, "<table>\n<colgroup>");
                for w in widths {
                    let _ = writeln!(s, "<col style=\"width:{}%\">", u32::from(*w) * 100 / total);
                }
                let _ = write!(s, "</colgroup>\n<tr>");
                for c in columns {
                    let _ = write!(s, "<th>{}</th>", html_escape(c));
                }
                let _ = writeln!(s, "</tr>");
                for r in rows {
                    let _ = write!(s, "<tr>");
                    for c in r {
                        let _ = write!(s, "<td>{}</td>", html_lines(c));
                    }
                    let _ = writeln!(s, "</tr>");
                }
                let _ = writeln!(s, "</table>");
            }
            Block::Verbatim { caption, text } => {
                let _ = writeln!(
                    s,
                    "<p class=\"caption\">{}</p>\n<pre>{}</pre>",
                    html_escape(caption),
                    html_escape(text)
                );
            }
        }
    }
    let _ = writeln!(
        s,
        "<footer>{}</footer>\n</body>\n</html>",
        html_escape(&doc.footer)
    );
    s
}

/// The document as PDF (A4, DejaVu Sans embedded as a subset, text extractable).
pub fn to_pdf(doc: &Document) -> Result<Vec<u8>, PdfError> {
    pdf::render(doc)
}

// ---------------------------------------------------------------------------------------
// From the store.

/// Why a record could not be made for a case named on the command line.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("there is no case {0}; `loket case list` shows the cases")]
    NoCase(CaseId),
    #[error(
        "case {0} was purged on {1} (retention period); its record is no longer in the store, only in an export made before"
    )]
    Purged(CaseId, String),
    #[error(transparent)]
    Pdf(#[from] PdfError),
}

/// The record of a case as the store has it now.
pub fn from_store(
    cfg: &Config,
    store: &crate::store::Store,
    id: CaseId,
    now: Timestamp,
) -> Result<Document, RecordError> {
    let Some(case) = store.case(id)? else {
        if let Some(mark) = store.purged(id)? {
            return Err(RecordError::Purged(id, short(cfg, mark.at)));
        }
        return Err(RecordError::NoCase(id));
    };
    let journal = store.journal_for(id)?;
    let outbox: Vec<OutboxEntry> = store
        .outgoing_for(id)?
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    Ok(build(cfg, &case, &journal, &outbox, now))
}

/// Documents made at sending and attached to a message: the consultation record (PDF) with
/// every bundle (also the draft for the desk's review), and the report of the past week
/// (HTML) with the weekly summary. The record is drawn up as of the message's date, so a
/// message sent again after a crash carries the same record.
pub fn attachments_for(
    cfg: &Config,
    store: &crate::store::Store,
    out: &Outgoing,
) -> Result<Vec<crate::render::GeneratedAttachment>, crate::store::StoreError> {
    let mut extra = Vec::new();
    if out.template == TemplateName::Bundle
        && let Some(id) = out.case
        && let Some(case) = store.case(id)?
    {
        let journal = store.journal_for(id)?;
        // The bundle itself is told in the outcome; it has not gone out while it is made.
        let outbox: Vec<OutboxEntry> = store
            .outgoing_for(id)?
            .into_iter()
            .map(|(e, _)| e)
            .filter(|e| e.message_id != out.message_id)
            .collect();
        let doc = build(cfg, &case, &journal, &outbox, out.date);
        match to_pdf(&doc) {
            Ok(bytes) => extra.push(crate::render::GeneratedAttachment {
                name: file_name(cfg, id, Format::Pdf),
                content_type: "application/pdf".into(),
                bytes,
            }),
            // Never hold the answer back for its record; the desk can make it on demand.
            Err(e) => {
                tracing::warn!(case = %id, error = %e, "the consultation record could not be made; the bundle goes without it")
            }
        }
    }
    if out.template == TemplateName::Digest
        && out.context.get("kind").and_then(|k| k.as_str()) == Some("weekly")
    {
        let today = local_date(out.date, cfg.periods.timezone);
        let from = today - chrono::Duration::days(7);
        let to = today - chrono::Duration::days(1);
        let report = crate::reports::from_store(cfg, store, from, to, out.date)?;
        let stem = match cfg.body.language {
            Lang::Nl => "overzicht",
            Lang::En => "report",
        };
        extra.push(crate::render::GeneratedAttachment {
            name: format!("{stem}-{}-{from}-{to}.html", cfg.body.tag),
            content_type: "text/html; charset=utf-8".into(),
            bytes: crate::reports::to_html(cfg, &report).into_bytes(),
        });
    }
    Ok(extra)
}
