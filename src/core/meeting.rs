//! Deliberation meetings (issue 7): a slot poll by mail, the choice, iCalendar invitations
//! (iTIP REQUEST, updates with a higher SEQUENCE, CANCEL) and the answers that come back.
//!
//! * **Poll.** The desk proposes slots (`overleg` + one slot per line, or the CLI); every
//!   addressed person of every seat gets a numbered list in a personal message whose
//!   Message-ID carries the seat's reply token with a purpose starting with `m`, so replies
//!   are matched to the seat like views are, but never taken as views. An answer such as
//!   "1 ja, 2 nee, 3 misschien", "1 en 3 kan ik" or "yes to 2" is read leniently
//!   ([`parse_poll_answer`]); the sender gets what loket read, or how to answer.
//! * **Choice.** The desk chooses (`kies 2`), or, with `auto_choose`, loket does when every
//!   seat answered or the poll closes: most yes, then most yes-or-maybe, then the earliest.
//! * **Invitations** go to members (required), deputies (optional), the submitter
//!   (required) and the configured guests (optional), one message each with the calendar
//!   object (see [`crate::ical`]). A move sends REQUEST again with SEQUENCE + 1, a
//!   cancellation METHOD:CANCEL.
//! * **Answers.** iTIP REPLY (matched by UID and attendee) is recorded and summarised for
//!   the desk; COUNTER, REFRESH, replies to unknown meetings, from non-attendees or for an
//!   older SEQUENCE go to the desk. Nothing answers a calendar message automatically.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use regex::Regex;

use super::calendar::{add_working_days, at_local, local_date, parse_date};
use super::commands::DeskCommand;
use super::letters::*;
use super::model::*;
use super::{Action, Command, Core, Out, State, to_context};
use crate::config::model::Lang;
use crate::ical::{self, IcsAttendee, IcsEvent, Method};
use crate::token::{parse_seat_ref, seat_local, short_hash};

/// Text read from a reply or a command at most (characters).
const MAX_TEXT: usize = 4000;
/// Lines read at most.
const MAX_LINES: usize = 60;
/// Slots in one poll at most.
pub const MAX_SLOTS: usize = 20;

// ---------------------------------------------------------------------------------------
// Reading slots.

/// What the lines of an `overleg` command say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MeetingRequest {
    pub slots: Vec<Slot>,
    /// Lines that are neither a slot, a location nor an agenda, as written.
    pub bad_lines: Vec<String>,
    pub location: Option<String>,
    pub agenda: Vec<String>,
}

static BULLET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[-*•·>]+|\(?\d{1,2}[.)]|(?:optie|option|slot)\s*\d{1,2}\s*[:.)]?)\s+")
        .expect("valid regex")
});
static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})\b").expect("valid regex")
});
static TIME_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?:\b(?:van|from|vanaf)\s+)?
        \b(\d{1,2})(?:[:.h](\d{2}))?\s*(?:uur\b|u\b|h\b)?\s*
        (?:-|–|—|\btot\b|\bto\b|\buntil\b|\btill\b)\s*
        (\d{1,2})(?:[:.h](\d{2}))?\s*(?:uur\b|u\b|h\b)?",
    )
    .expect("valid regex")
});
static TIME_ONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:\b(?:om|at)\s+)?\b(\d{1,2})(?:[:.](\d{2})\s*(?:uur\b|u\b|h\b)?|\s*(?:uur\b|u\b|h\b))",
    )
    .expect("valid regex")
});
static LOCATION_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:locatie|location|plaats|vergaderplaats|waar|where|ruimte|room|zaal)\s*:\s*(.+)$",
    )
    .expect("valid regex")
});
static AGENDA_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^agenda\s*:?\s*(.*)$").expect("valid regex"));

const WEEKDAYS: &[(&str, Weekday)] = &[
    ("maandag", Weekday::Mon),
    ("ma", Weekday::Mon),
    ("monday", Weekday::Mon),
    ("mon", Weekday::Mon),
    ("dinsdag", Weekday::Tue),
    ("di", Weekday::Tue),
    ("tuesday", Weekday::Tue),
    ("tue", Weekday::Tue),
    ("tues", Weekday::Tue),
    ("woensdag", Weekday::Wed),
    ("wo", Weekday::Wed),
    ("wednesday", Weekday::Wed),
    ("wed", Weekday::Wed),
    ("donderdag", Weekday::Thu),
    ("do", Weekday::Thu),
    ("thursday", Weekday::Thu),
    ("thu", Weekday::Thu),
    ("thur", Weekday::Thu),
    ("thurs", Weekday::Thu),
    ("vrijdag", Weekday::Fri),
    ("vr", Weekday::Fri),
    ("friday", Weekday::Fri),
    ("fri", Weekday::Fri),
    ("zaterdag", Weekday::Sat),
    ("za", Weekday::Sat),
    ("saturday", Weekday::Sat),
    ("sat", Weekday::Sat),
    ("zondag", Weekday::Sun),
    ("zo", Weekday::Sun),
    ("sunday", Weekday::Sun),
    ("sun", Weekday::Sun),
];

const FILLERS: &[&str] = &[
    "op", "on", "om", "at", "van", "from", "vanaf", "uur", "de", "het", "the", "tijd", "time",
    "datum", "date", "slot", "optie", "option", "s", "middags", "ochtends", "avonds", "naar", "to",
    "nieuw", "nieuwe", "new",
];

/// Reads one slot: a date (`di 8 december`, `8 december 2026`, `2026-12-08`, `8-12-2026`,
/// `Tuesday 8 December`) and a time range (`14:00-16:00`, `14.00 tot 16.00 uur`, `van 14
/// tot 16 uur`) or a start time (the slot then lasts `default`). A date without a year is
/// the next such date from `today`. A weekday that does not fit the date makes the line
/// unreadable.
pub fn parse_slot(line: &str, today: NaiveDate, tz: Tz, default: Duration) -> Option<Slot> {
    let text: String = line.chars().take(200).collect::<String>().to_lowercase();
    let mut text = BULLET.replace(&text, "").to_string();
    let numeric = NUMERIC_DATE
        .find(&text)
        .map(|m| (m.range(), m.as_str().to_string()));
    if let Some((range, _)) = &numeric {
        text.replace_range(range.clone(), " ");
    }
    let hm = |h: &str, m: Option<regex::Match<'_>>| -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(
            h.parse().ok()?,
            m.map_or(Some(0), |m| m.as_str().parse().ok())?,
            0,
        )
    };
    let (start, end, rest) = if let Some(c) = TIME_RANGE.captures(&text) {
        let start = hm(&c[1], c.get(2))?;
        let end = hm(&c[3], c.get(4))?;
        let range = c.get(0)?.range();
        let mut rest = text.clone();
        rest.replace_range(range, " ");
        (start, Some(end), rest)
    } else if let Some(c) = TIME_ONE.captures(&text) {
        let start = hm(&c[1], c.get(2))?;
        let range = c.get(0)?.range();
        let mut rest = text.clone();
        rest.replace_range(range, " ");
        (start, None, rest)
    } else {
        return None;
    };
    let mut weekday = None;
    let words: Vec<&str> = rest
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | ';' | '(' | ')' | '\''))
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty())
        .filter(|w| {
            if let Some((_, d)) = WEEKDAYS.iter().find(|(n, _)| n == w) {
                weekday = Some(*d);
                false
            } else {
                !FILLERS.contains(w)
            }
        })
        .collect();
    let date = match numeric {
        Some((_, d)) => {
            if !words.is_empty() {
                return None;
            }
            parse_date(&d)?
        }
        None => {
            let rest = words.join(" ");
            match parse_date(&rest) {
                Some(d) => d,
                None => [today.year(), today.year() + 1]
                    .into_iter()
                    .filter_map(|y| parse_date(&format!("{rest} {y}")))
                    .find(|d| *d >= today)?,
            }
        }
    };
    if weekday.is_some_and(|w| w != date.weekday()) {
        return None;
    }
    let start_t = at_local(date, start, tz);
    let end_t = match end {
        Some(e) => at_local(date, e, tz),
        None => start_t + default,
    };
    (end_t > start_t).then_some(Slot {
        start: start_t,
        end: end_t,
    })
}

/// Reads the lines of an `overleg` (or `verplaatsen`) command: one slot per line, a line
/// `Locatie: ...`, and an agenda after a line `Agenda:`. The command ends at the first blank
/// line after its content, unless a `Locatie:` or `Agenda:` block follows.
pub fn parse_meeting_request(
    text: &str,
    today: NaiveDate,
    tz: Tz,
    default: Duration,
) -> MeetingRequest {
    let text: String = text.chars().take(MAX_TEXT).collect();
    let mut req = MeetingRequest::default();
    let mut agenda_mode = false;
    let mut seen = false;
    let mut gap = false;
    for line in text.lines().take(MAX_LINES).map(str::trim) {
        if line.is_empty() {
            gap = seen;
            continue;
        }
        if SIGNATURE.is_match(line) {
            break;
        }
        let location = LOCATION_LINE
            .captures(line)
            .map(|c| c[1].trim().to_string());
        let agenda = AGENDA_LINE.captures(line).map(|c| c[1].trim().to_string());
        if gap {
            if location.is_none() && agenda.is_none() {
                break;
            }
            gap = false;
            agenda_mode = false;
        }
        seen = true;
        if let Some(l) = location {
            req.location = Some(l.chars().take(200).collect());
            agenda_mode = false;
        } else if let Some(first) = agenda {
            agenda_mode = true;
            if !first.is_empty() {
                req.agenda.push(first);
            }
        } else if agenda_mode {
            let item = BULLET.replace(line, "").trim().to_string();
            if !item.is_empty() && req.agenda.len() < 20 {
                req.agenda.push(item.chars().take(200).collect());
            }
        } else {
            match parse_slot(line, today, tz, default) {
                Some(s) if req.slots.contains(&s) => {}
                Some(s) if req.slots.len() < MAX_SLOTS => req.slots.push(s),
                Some(_) => req.bad_lines.push(line.chars().take(200).collect()),
                None => req.bad_lines.push(line.chars().take(200).collect()),
            }
        }
    }
    req
}

// ---------------------------------------------------------------------------------------
// Reading poll answers.

/// What loket read from a poll answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PollReading {
    /// Per slot number (from 1) the answer given.
    pub answers: BTreeMap<u32, Availability>,
    /// Numbers given with an answer that are no slot.
    pub unknown_numbers: Vec<u32>,
}

static STRIP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        \d{4}-\d{1,2}-\d{1,2}
        | \d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}
        | \d{1,2}[:.]\d{2}
        | \b\d{1,2}\s+(?:jan|feb|mrt|maa|mar|apr|mei|may|jun|jul|aug|sep|okt|oct|nov|dec)[a-z]*
        | \b\d{3,}\b",
    )
    .expect("valid regex")
});

static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?P<none>\bgeen\s+(?:enkele?|van\s+(?:de|alle|allen|beide|deze))\b|\bnone\b|\bneither\b|\bgeen\s+enkel\b)
        |(?P<no>\b(?:kan\s+(?:ik\s+)?(?:helaas\s+|dan\s+|daar\s+)?niet|kunnen\s+niet|can\s*not|cannot|can'?t|can’t
            |unable|not\s+available|niet\s+beschikbaar|onbeschikbaar|unavailable|verhinderd|afwezig
            |doesn'?t\s+work|doesn’t\s+work|does\s+not\s+work|past\s+niet|lukt\s+niet|helaas\s+niet
            |nee|neen|no|niet|not)\b|[✗✘❌])
        |(?P<maybe>\b(?:misschien|wellicht|mogelijk|eventueel|onder\s+voorbehoud|voorlopig|liever\s+niet
            |maybe|perhaps|possibly|tentative(?:ly)?|if\s+needed|if\s+need\s+be|if\s+necessary)\b|\?)
        |(?P<yes>\b(?:ja|jazeker|jawel|yes|yep|yeah|kan\s+ik|kan|kunnen|wel|oké|ok(?:e|ay)?|prima|goed|graag
            |beschikbaar|available|fine|works?|past|lukt|akkoord|sure|aanwezig|voorkeur|liefst
            |prefer(?:red|ence)?)\b|[✓✔✅])
        |(?P<all>\b(?:allemaal|allebei|alle(?:\s+(?:drie|vier|vijf|twee|opties|tijden|data|momenten|tijdstippen))?
            |beide|both|all|any|elke?|iedere?)\b)
        |(?P<num>\b\d{1,2}\b)
        |(?P<sep>[,;])",
    )
    .expect("valid regex")
});

static STRONG_NO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:nee|neen|no|kan\s+(?:ik\s+)?(?:helaas\s+)?niet|kunnen\s+niet|can'?t|can’t|cannot|can\s+not|unable|verhinderd|niet\s+beschikbaar|unavailable)\b",
    )
    .expect("valid regex")
});

static CONNECTORS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:en|and|of|or|optie|opties|option|options|slot|slots|nr|nummer|number)\b|[&+/.:()#\-\s]")
        .expect("valid regex")
});

static SIGNATURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:--\s*$|met\s+vriendelijke\s+groet|vriendelijke\s+groet|hartelijke\s+groet|groet(?:en)?\b|mvg\b|kind\s+regards|best\s+regards|regards\b|best,|cheers\b|sent\s+from|verzonden\s+(?:vanaf|met)|verstuurd\s+(?:vanaf|met))",
    )
    .expect("valid regex")
});

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Num(u32),
    All,
    NoneOf,
    Word(Availability),
    Sep,
}

/// Reads a poll answer leniently: per line, numbers with a yes/no/maybe word before or after
/// them ("1 ja, 2 nee, 3 misschien", "1 en 3 kan ik", "yes to 2", "kan 1 en 3, niet 2"),
/// "alle"/"all", "geen van de"/"none", a line of bare numbers (those are yes), and a lone
/// "nee" (none). Dates and times copied from the list are skipped; reading stops at a
/// signature. Slots the answer does not mention are `No` for the caller.
pub fn parse_poll_answer(text: &str, slots: usize) -> PollReading {
    let text: String = text
        .chars()
        .take(MAX_TEXT)
        .collect::<String>()
        .to_lowercase();
    let slots = slots.min(MAX_SLOTS) as u32;
    let mut r = PollReading::default();
    let mut any_number = false;
    let mut words = Vec::new();
    let assign = |r: &mut PollReading, ns: &mut Vec<u32>, a: Availability| {
        for n in ns.drain(..) {
            if (1..=slots).contains(&n) {
                r.answers.insert(n, a);
            } else if !r.unknown_numbers.contains(&n) {
                r.unknown_numbers.push(n);
            }
        }
    };
    for line in text.lines().take(MAX_LINES) {
        let line = line.trim().trim_start_matches('>').trim();
        if SIGNATURE.is_match(line) {
            break;
        }
        let line = STRIP.replace_all(line, " ");
        let toks: Vec<Tok> = TOKEN
            .captures_iter(&line)
            .filter_map(|c| {
                Some(if c.name("none").is_some() {
                    Tok::NoneOf
                } else if c.name("no").is_some() {
                    Tok::Word(Availability::No)
                } else if c.name("maybe").is_some() {
                    Tok::Word(Availability::Maybe)
                } else if c.name("yes").is_some() {
                    Tok::Word(Availability::Yes)
                } else if c.name("all").is_some() {
                    Tok::All
                } else if let Some(n) = c.name("num") {
                    Tok::Num(n.as_str().parse().ok()?)
                } else {
                    Tok::Sep
                })
            })
            .collect();
        let residue = TOKEN.replace_all(&line, " ");
        let bare = CONNECTORS.replace_all(&residue, "").trim().is_empty();
        let mut pending: Vec<u32> = Vec::new();
        let mut prefix: Option<Availability> = None;
        let mut last_prefix: Option<Availability> = None;
        for t in toks {
            match t {
                Tok::Num(n) => {
                    any_number = true;
                    pending.push(n);
                }
                Tok::All => {
                    any_number = true;
                    pending.extend(1..=slots);
                }
                Tok::NoneOf => {
                    any_number = true;
                    let mut all: Vec<u32> = (1..=slots).collect();
                    assign(&mut r, &mut all, Availability::No);
                    pending.clear();
                    prefix = None;
                }
                Tok::Word(a) => {
                    words.push(a);
                    if pending.is_empty() {
                        prefix = Some(a);
                    } else {
                        assign(&mut r, &mut pending, a);
                        prefix = None;
                    }
                }
                Tok::Sep => {
                    if let Some(p) = prefix
                        && !pending.is_empty()
                    {
                        assign(&mut r, &mut pending, p);
                    }
                    last_prefix = prefix.or(last_prefix);
                    prefix = None;
                }
            }
        }
        if !pending.is_empty() {
            if let Some(p) = prefix.or(last_prefix) {
                assign(&mut r, &mut pending, p);
            } else if bare {
                assign(&mut r, &mut pending, Availability::Yes);
            }
        }
    }
    if !any_number && r.answers.is_empty() {
        let mut all: Vec<u32> = (1..=slots).collect();
        // A short, plain refusal ("Nee, helaas.", "Ik kan helaas niet") is no to every slot;
        // a bare "niet" in a sentence ("weet ik nog niet") is not.
        let said: Vec<&str> = text
            .lines()
            .take_while(|l| !SIGNATURE.is_match(l.trim()))
            .collect();
        let said = said.join(" ");
        let plain_no = said.trim().chars().count() <= 80 && STRONG_NO.is_match(&said);
        if plain_no && !words.is_empty() && words.iter().all(|w| *w == Availability::No) {
            assign(&mut r, &mut all, Availability::No);
        } else if slots == 1
            && let Some(w) = words.first()
            && words.iter().all(|x| x == w)
        {
            assign(&mut r, &mut all, *w);
        }
    }
    r
}

/// The purpose of a loket Message-ID or personal reply address (`…<token>.<purpose>`).
fn purpose_of(id: &str) -> Option<&str> {
    let local = id.split('@').next()?;
    let local = local
        .strip_prefix("loket.")
        .or_else(|| local.split_once('+').map(|(_, t)| t))?;
    local.split('.').nth(4)
}

/// The slot the automatic rule picks: most yes, then most yes-or-maybe, then the earliest;
/// only slots starting after `after` when given. Numbered from 1.
pub fn best_slot(m: &Meeting, after: Option<Timestamp>) -> Option<u32> {
    let counts = slot_counts(m);
    m.slots
        .iter()
        .enumerate()
        .filter(|(_, s)| after.is_none_or(|t| s.start > t))
        .max_by_key(|(i, s)| {
            let (yes, maybe, _) = counts[*i];
            (yes, yes + maybe, std::cmp::Reverse(s.start))
        })
        .map(|(i, _)| i as u32 + 1)
}

/// Per slot: (yes, maybe, no) over the seats that answered.
pub fn slot_counts(m: &Meeting) -> Vec<(usize, usize, usize)> {
    let mut counts = vec![(0, 0, 0); m.slots.len()];
    for a in m.answers.values() {
        for (i, v) in a.answers.iter().enumerate().take(counts.len()) {
            match v {
                Availability::Yes => counts[i].0 += 1,
                Availability::Maybe => counts[i].1 += 1,
                Availability::No => counts[i].2 += 1,
            }
        }
    }
    counts
}

/// Whether a meeting needs the clock: its poll's closing time.
pub(super) fn wakeup(case: &Case) -> Option<Timestamp> {
    case.meeting
        .as_ref()
        .filter(|m| m.state == MeetingState::Polling)
        .and_then(|m| m.poll_closes_at)
}

/// Checks a meeting command before it runs (for the CLI), in words.
pub(super) fn check(case: &Case, cmd: &Command) -> Result<(), String> {
    let id = case.id;
    let live = case
        .meeting
        .as_ref()
        .filter(|m| m.state != MeetingState::Cancelled);
    let none = || {
        Err(format!(
            "case {id} has no meeting; start a poll with `loket meeting propose {id} --slot \"2026-12-08 14:00-16:00\"`"
        ))
    };
    match cmd {
        Command::ProposeMeeting { slots, .. } => {
            if slots.is_empty() {
                return Err(
                    "give at least one slot, e.g. --slot \"2026-12-08 14:00-16:00\"".into(),
                );
            }
            if slots.len() > MAX_SLOTS {
                return Err(format!("a poll has at most {MAX_SLOTS} slots"));
            }
            if live.is_some_and(|m| m.state == MeetingState::Invited) {
                return Err(format!(
                    "case {id} has a meeting planned already; move it with `loket meeting move {id} --slot ...` or cancel it with `loket meeting cancel {id}`"
                ));
            }
            Ok(())
        }
        Command::ChooseSlot { slot, .. } => {
            let Some(m) = live else { return none() };
            if *slot == 0 || *slot as usize > m.slots.len() {
                return Err(format!(
                    "there is no slot {slot}; the poll of case {id} has slots 1 to {}",
                    m.slots.len()
                ));
            }
            Ok(())
        }
        Command::MoveMeeting { to, .. } => {
            let Some(m) = live else { return none() };
            if to.is_none() && m.when.is_none() {
                return Err(format!(
                    "the meeting of case {id} has no time yet; give one with --slot"
                ));
            }
            Ok(())
        }
        Command::CancelMeeting { .. } => live.map(|_| ()).map_or_else(none, Ok),
        _ => Ok(()),
    }
}

fn response_partstat(subject: &str) -> Option<&'static str> {
    const PREFIXES: &[(&str, &str)] = &[
        ("voorlopig geaccepteerd:", "TENTATIVE"),
        ("tentatively accepted:", "TENTATIVE"),
        ("tentative:", "TENTATIVE"),
        ("voorlopig:", "TENTATIVE"),
        ("mit vorbehalt angenommen:", "TENTATIVE"),
        ("geaccepteerd:", "ACCEPTED"),
        ("accepted:", "ACCEPTED"),
        ("akzeptiert:", "ACCEPTED"),
        ("accepté:", "ACCEPTED"),
        ("geweigerd:", "DECLINED"),
        ("afgewezen:", "DECLINED"),
        ("declined:", "DECLINED"),
        ("abgelehnt:", "DECLINED"),
        ("refusé:", "DECLINED"),
    ];
    let s = subject.trim().to_lowercase();
    PREFIXES
        .iter()
        .find(|(p, _)| s.starts_with(p))
        .map(|(_, v)| *v)
}

fn clean_partstat(s: &str) -> String {
    let s: String = s
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(20)
        .collect();
    if s.is_empty() {
        "NEEDS-ACTION".into()
    } else {
        s.to_ascii_uppercase()
    }
}

/// A desk status letter in the making.
struct Status<'a> {
    event: MeetingEvent,
    command: Option<&'a str>,
    problem: Option<MeetingProblem>,
    details: Vec<String>,
    mail: Option<&'a InboundMail>,
    /// Reply to this staff member (a command); else to all staff.
    to: Option<&'a Address>,
    proposed: Option<Slot>,
    /// Attach the mail's raw original.
    attach: bool,
}

impl<'a> Status<'a> {
    fn new(event: MeetingEvent) -> Self {
        Status {
            event,
            command: None,
            problem: None,
            details: Vec::new(),
            mail: None,
            to: None,
            proposed: None,
            attach: false,
        }
    }
    fn about(mut self, mail: &'a InboundMail) -> Self {
        self.mail = Some(mail);
        self.attach = true;
        self
    }
    fn details(mut self, d: Vec<String>) -> Self {
        self.details = d;
        self
    }
}

impl Core<'_> {
    fn lang(&self) -> Lang {
        self.config.body.language
    }

    fn desk_sender(&self) -> Address {
        let d = &self.config.desk.address;
        let name = match &d.name {
            Some(n) if !n.trim().is_empty() => n.trim().to_string(),
            _ => match self.lang() {
                Lang::Nl => format!("Loket {}", self.config.body.name),
                Lang::En => format!("{} desk", self.config.body.name),
            },
        };
        Address::new(name, d.email.clone())
    }

    fn meeting_uid(&self, case: CaseId, number: u32) -> String {
        format!("loket-{case}-overleg-{number}@{}", self.desk_domain())
    }

    fn meeting_recipient(&self, seat: &Seat, person: Person) -> Option<Recipient> {
        let a = seat.person_address(person)?;
        Some(Recipient {
            name: a.display().to_string(),
            email: a.email.clone(),
            person,
            member_name: seat.member.display().to_string(),
            ministry: seat.ministry.clone(),
        })
    }

    /// A personal message to one person of a seat with the seat's reply token.
    #[allow(clippy::too_many_arguments)]
    fn meeting_seat_mail(
        &self,
        case: &Case,
        seat: &Seat,
        person: Person,
        purpose: &str,
        template: TemplateName,
        context: serde_json::Value,
        now: Timestamp,
    ) -> Option<Outgoing> {
        let to = seat.person_address(person)?.clone();
        let local = seat_local(self.key, case.id, &seat.member_id, person, purpose);
        let reply_to = self.config.desk.plus_addressing.then(|| {
            let desk = &self.config.desk.address;
            let (user, domain) = desk.email.split_once('@').unwrap_or((&desk.email, ""));
            Address {
                name: desk.name.clone(),
                email: format!("{user}+{}@{domain}", local.trim_start_matches("loket.")),
            }
        });
        Some(Outgoing {
            message_id: self.msg_id(&local),
            template,
            to: vec![to],
            cc: vec![],
            reply_to,
            in_reply_to: None,
            references: vec![],
            case: Some(case.id),
            date: now,
            context,
            attachments: vec![],
            attach_raw: None,
            ics: None,
        })
    }

    fn default_agenda(&self, case: &Case) -> Vec<String> {
        let info = self.case_info(case);
        let views = case.seats.iter().any(|s| s.current_view().is_some());
        let mut a = Vec::new();
        match self.lang() {
            Lang::Nl => {
                a.push("Opening en vaststellen van de agenda".to_string());
                a.push(format!(
                    "Casus {}: {} (ingediend door {})",
                    info.id, info.subject, info.ministry_name
                ));
                if views {
                    a.push("Bespreking van de standpunten van de leden".into());
                }
                a.push("Advies van het gremium en vervolgafspraken".into());
                a.push("Rondvraag en sluiting".into());
            }
            Lang::En => {
                a.push("Opening and adoption of the agenda".to_string());
                a.push(format!(
                    "Case {}: {} (submitted by {})",
                    info.id, info.subject, info.ministry_name
                ));
                if views {
                    a.push("Discussion of the members' views".into());
                }
                a.push("The body's advice and next steps".into());
                a.push("Any other business and close".into());
            }
        }
        a
    }

    fn agenda(&self, case: &Case, m: &Meeting) -> Vec<String> {
        if m.agenda.is_empty() {
            self.default_agenda(case)
        } else {
            m.agenda.clone()
        }
    }

    pub(super) fn meeting_info(&self, case: &Case, m: &Meeting) -> MeetingInfo {
        let counts = slot_counts(m);
        let best = best_slot(m, None);
        MeetingInfo {
            uid: m.uid.clone(),
            state: m.state,
            slots: m
                .slots
                .iter()
                .enumerate()
                .map(|(i, s)| SlotInfo {
                    number: i as u32 + 1,
                    start: s.start,
                    end: s.end,
                    yes: counts[i].0,
                    maybe: counts[i].1,
                    no: counts[i].2,
                    best: best == Some(i as u32 + 1) && !m.answers.is_empty(),
                })
                .collect(),
            location: m.location.clone(),
            start: m.when.map(|w| w.start),
            end: m.when.map(|w| w.end),
            chosen: m.chosen,
            sequence: m.sequence,
            poll_closes_at: m.poll_closes_at,
            agenda: self.agenda(case, m),
            answered: case
                .seats
                .iter()
                .filter(|s| m.answers.contains_key(&s.member_id))
                .count(),
            seats: case.seats.len(),
        }
    }

    fn availability(&self, case: &Case, m: &Meeting) -> Vec<AvailabilityRow> {
        case.seats
            .iter()
            .map(|s| {
                let a = m.answers.get(&s.member_id);
                AvailabilityRow {
                    member_name: s.member.display().to_string(),
                    ministry: s.ministry.clone(),
                    answered: a.is_some(),
                    by_deputy: a.is_some_and(|a| a.by == Person::Deputy),
                    answers: a.map(|a| a.answers.clone()).unwrap_or_default(),
                }
            })
            .collect()
    }

    fn rsvps(&self, m: &Meeting) -> Vec<RsvpRow> {
        m.attendees
            .iter()
            .map(|a| RsvpRow {
                name: a.address.display().to_string(),
                email: a.address.email.clone(),
                kind: a.kind,
                required: a.required,
                partstat: a.partstat.clone(),
            })
            .collect()
    }

    /// A status letter to the desk (or the staff member who sent a command).
    fn meeting_status(&self, case: Option<&Case>, s: Status<'_>, now: Timestamp, out: &mut Out) {
        let m = case.and_then(|c| c.meeting.as_ref());
        let letter = MeetingStatusLetter {
            event: s.event,
            command: s.command.map(|c| c.chars().take(200).collect()),
            problem: s.problem,
            details: s.details,
            case: case.map(|c| self.case_info(c)),
            meeting: case.zip(m).map(|(c, m)| self.meeting_info(c, m)),
            availability: case
                .zip(m)
                .map(|(c, m)| self.availability(c, m))
                .unwrap_or_default(),
            rsvps: m.map(|m| self.rsvps(m)).unwrap_or_default(),
            from: s
                .mail
                .and_then(|m| m.from.as_ref())
                .map(|a| a.to_string())
                .unwrap_or_default(),
            subject: s.mail.map(|m| m.subject.clone()).unwrap_or_default(),
            raw_id: s.mail.map_or(0, |m| m.raw_id),
            proposed: s.proposed,
        };
        let event = to_context(&s.event)
            .as_str()
            .unwrap_or_default()
            .to_string();
        let scope = case.map_or_else(|| "nocase".to_string(), |c| c.id.to_string());
        let number = m.map_or(0, |m| m.number);
        let tail = s
            .mail
            .map_or_else(|| format!("t{}", now.timestamp()), |m| m.raw_id.to_string());
        let (to, in_reply_to) = match s.to {
            Some(a) => (vec![a.clone()], s.mail.and_then(|m| m.message_id.clone())),
            None => (self.staff(), None),
        };
        out.send(Outgoing {
            message_id: self.msg_id(&format!("loket.{scope}.overleg{number}.{event}.{tail}")),
            template: TemplateName::MeetingStatus,
            to,
            cc: vec![],
            reply_to: None,
            references: in_reply_to.iter().cloned().collect(),
            in_reply_to,
            case: case.map(|c| c.id),
            date: now,
            context: to_context(&letter),
            attachments: vec![],
            attach_raw: s.attach.then(|| s.mail.map(|m| m.raw_id)).flatten(),
            ics: None,
        });
    }

    // ---- commands ---------------------------------------------------------------------

    /// Carries out a meeting command on a case. The caller journals and saves the case.
    pub(super) fn meeting_command(
        &self,
        case: &mut Case,
        cmd: &Command,
        by: &str,
        now: Timestamp,
        out: &mut Out,
    ) -> Result<MeetingEvent, MeetingProblem> {
        let live = case
            .meeting
            .as_ref()
            .filter(|m| m.state != MeetingState::Cancelled)
            .map(|m| m.state);
        match cmd {
            Command::ProposeMeeting {
                slots,
                location,
                agenda,
                ..
            } => {
                if slots.is_empty() {
                    return Err(MeetingProblem::NoSlots);
                }
                if slots.iter().any(|s| s.start <= now) {
                    return Err(MeetingProblem::SlotInPast);
                }
                if live == Some(MeetingState::Invited) {
                    return Err(MeetingProblem::AlreadyPlanned);
                }
                self.propose(case, slots, location.clone(), agenda.clone(), by, now, out);
                Ok(MeetingEvent::Proposed)
            }
            Command::ChooseSlot { slot, .. } => {
                let Some(state) = live else {
                    return Err(MeetingProblem::NoMeeting);
                };
                let m = case.meeting.as_ref().ok_or(MeetingProblem::NoMeeting)?;
                let chosen = m
                    .slots
                    .get((*slot as usize).wrapping_sub(1))
                    .copied()
                    .ok_or(MeetingProblem::NoSuchSlot)?;
                if chosen.start <= now {
                    return Err(MeetingProblem::SlotInPast);
                }
                self.schedule(case, chosen, Some(*slot), None, by, now, out);
                Ok(if state == MeetingState::Invited {
                    MeetingEvent::Rescheduled
                } else {
                    MeetingEvent::Chosen
                })
            }
            Command::MoveMeeting { to, location, .. } => {
                let Some(state) = live else {
                    return Err(MeetingProblem::NoMeeting);
                };
                let m = case.meeting.as_ref().ok_or(MeetingProblem::NoMeeting)?;
                let to = to.or(m.when).ok_or(MeetingProblem::NoSlots)?;
                if to.start <= now {
                    return Err(MeetingProblem::SlotInPast);
                }
                let chosen = m.slots.iter().position(|s| *s == to).map(|i| i as u32 + 1);
                self.schedule(case, to, chosen, location.clone(), by, now, out);
                Ok(if state == MeetingState::Invited {
                    MeetingEvent::Rescheduled
                } else {
                    MeetingEvent::Chosen
                })
            }
            Command::CancelMeeting { .. } => {
                if live.is_none() {
                    return Err(MeetingProblem::NoMeeting);
                }
                self.cancel_meeting(case, by, now, out);
                Ok(MeetingEvent::Cancelled)
            }
            _ => Err(MeetingProblem::NoMeeting),
        }
    }

    /// When a poll sent now closes: after the configured working days at the deadline
    /// time, or at the first slot if that is earlier.
    fn poll_close(&self, now: Timestamp, slots: &[Slot]) -> Timestamp {
        let p = &self.config.periods;
        let day = add_working_days(
            local_date(now, p.timezone),
            self.config.meeting.poll_working_days,
            &self.config.calendar,
        );
        let t = at_local(day, p.deadline_time, p.timezone);
        match slots.iter().map(|s| s.start).min() {
            Some(first) if first < t => first,
            _ => t,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn propose(
        &self,
        case: &mut Case,
        slots: &[Slot],
        location: Option<String>,
        agenda: Vec<String>,
        by: &str,
        now: Timestamp,
        out: &mut Out,
    ) {
        let revised = case
            .meeting
            .as_ref()
            .is_some_and(|m| m.state == MeetingState::Polling);
        let mut m = match case.meeting.take() {
            Some(mut m) if m.state == MeetingState::Polling => {
                m.poll_round += 1;
                m.answers.clear();
                m.complete_told = false;
                if location.is_some() {
                    m.location = location;
                }
                if !agenda.is_empty() {
                    m.agenda = agenda;
                }
                m
            }
            previous => {
                let number = previous.map_or(1, |p| p.number + 1);
                Meeting {
                    number,
                    uid: self.meeting_uid(case.id, number),
                    state: MeetingState::Polling,
                    slots: Vec::new(),
                    poll_round: 1,
                    location: location.or_else(|| self.config.meeting.location.clone()),
                    agenda,
                    proposed_at: now,
                    proposed_by: by.to_string(),
                    poll_closes_at: None,
                    answers: BTreeMap::new(),
                    complete_told: false,
                    chosen: None,
                    when: None,
                    sequence: 0,
                    attendees: Vec::new(),
                }
            }
        };
        m.slots = slots.to_vec();
        m.proposed_at = now;
        m.proposed_by = by.to_string();
        let closes = self.poll_close(now, slots);
        m.poll_closes_at = Some(closes);
        out.journal(
            now,
            Some(case.id),
            JournalEvent::MeetingProposed {
                uid: m.uid.clone(),
                round: m.poll_round,
                slots: m.slots.clone(),
                location: m.location.clone(),
                by: by.to_string(),
            },
        );
        let purpose = format!("mp{}r{}", m.number, m.poll_round);
        case.meeting = Some(m);
        let case: &Case = case;
        let Some(m) = case.meeting.as_ref() else {
            return;
        };
        let info = self.case_info(case);
        let meeting = self.meeting_info(case, m);
        for seat in &case.seats {
            for &person in &seat.addressed {
                let Some(recipient) = self.meeting_recipient(seat, person) else {
                    continue;
                };
                let letter = MeetingPollLetter {
                    case: info.clone(),
                    recipient,
                    meeting: meeting.clone(),
                    revised,
                };
                if let Some(o) = self.meeting_seat_mail(
                    case,
                    seat,
                    person,
                    &purpose,
                    TemplateName::MeetingPoll,
                    to_context(&letter),
                    now,
                ) {
                    out.send(o);
                }
            }
        }
        out.push(Action::WakeAt(closes));
    }

    /// Everyone to invite, as the case and the configuration have them now.
    fn attendees_for(&self, case: &Case) -> Vec<MeetingAttendee> {
        let mut out: Vec<MeetingAttendee> = Vec::new();
        let mut add = |address: &Address, kind, member_id: Option<&str>, required| {
            if address.email.trim().is_empty() || out.iter().any(|a| a.address.is(&address.email)) {
                return;
            }
            out.push(MeetingAttendee {
                address: address.clone(),
                kind,
                member_id: member_id.map(str::to_string),
                required,
                partstat: "NEEDS-ACTION".into(),
                replied_at: None,
            });
        };
        for seat in &case.seats {
            for &person in &seat.addressed {
                if let Some(a) = seat.person_address(person) {
                    let (kind, required) = match person {
                        Person::Member => (AttendeeKind::Member, true),
                        Person::Deputy => (AttendeeKind::Deputy, false),
                    };
                    add(a, kind, Some(&seat.member_id), required);
                }
            }
        }
        add(&case.submitter, AttendeeKind::Submitter, None, true);
        for g in &self.config.meeting.guests {
            add(g, AttendeeKind::Guest, None, false);
        }
        out
    }

    /// Sets the meeting's time (from the poll, or a move) and sends the invitations.
    #[allow(clippy::too_many_arguments)]
    fn schedule(
        &self,
        case: &mut Case,
        when: Slot,
        chosen: Option<u32>,
        location: Option<String>,
        by: &str,
        now: Timestamp,
        out: &mut Out,
    ) {
        let fresh = self.attendees_for(case);
        let Some(m) = case.meeting.as_mut() else {
            return;
        };
        let update = m.state == MeetingState::Invited;
        let previous = m.when;
        let previous_location = m.location.clone();
        if update {
            m.sequence += 1;
            for a in &mut m.attendees {
                a.partstat = "NEEDS-ACTION".into();
                a.replied_at = None;
            }
        }
        for a in fresh {
            if !m.attendees.iter().any(|x| x.address.is(&a.address.email)) {
                m.attendees.push(a);
            }
        }
        m.when = Some(when);
        m.chosen = chosen;
        if location.is_some() {
            m.location = location;
        }
        m.state = MeetingState::Invited;
        m.poll_closes_at = None;
        out.journal(
            now,
            Some(case.id),
            JournalEvent::MeetingScheduled {
                uid: m.uid.clone(),
                start: when.start,
                end: when.end,
                location: m.location.clone(),
                sequence: m.sequence,
                slot: chosen,
                by: by.to_string(),
            },
        );
        let previous_location = (update && previous_location != m.location)
            .then_some(previous_location)
            .flatten();
        let previous = previous.filter(|p| update && *p != when);
        self.send_calendar(case, Method::Request, previous, previous_location, now, out);
    }

    fn cancel_meeting(&self, case: &mut Case, by: &str, now: Timestamp, out: &mut Out) {
        let Some(m) = case.meeting.as_mut() else {
            return;
        };
        let invited = m.state == MeetingState::Invited;
        if invited {
            m.sequence += 1;
        }
        m.state = MeetingState::Cancelled;
        m.poll_closes_at = None;
        out.journal(
            now,
            Some(case.id),
            JournalEvent::MeetingCancelled {
                uid: m.uid.clone(),
                sequence: m.sequence,
                by: by.to_string(),
            },
        );
        if invited {
            self.send_calendar(case, Method::Cancel, None, None, now, out);
            return;
        }
        // Only the poll went out: tell the people who got it.
        let case: &Case = case;
        let Some(m) = case.meeting.as_ref() else {
            return;
        };
        let info = self.case_info(case);
        let meeting = self.meeting_info(case, m);
        let purpose = format!("mw{}r{}", m.number, m.poll_round);
        for seat in &case.seats {
            for &person in &seat.addressed {
                let Some(r) = self.meeting_recipient(seat, person) else {
                    continue;
                };
                let letter = MeetingCancelLetter {
                    case: info.clone(),
                    recipient_name: r.name,
                    meeting: meeting.clone(),
                    poll_only: true,
                };
                if let Some(o) = self.meeting_seat_mail(
                    case,
                    seat,
                    person,
                    &purpose,
                    TemplateName::MeetingCancel,
                    to_context(&letter),
                    now,
                ) {
                    out.send(o);
                }
            }
        }
    }

    fn ics_description(&self, case: &Case, m: &Meeting, with_documents: bool) -> String {
        let info = self.case_info(case);
        let mut s = String::new();
        let (intro, agenda, question, docs, contact) = match self.lang() {
            Lang::Nl => (
                format!(
                    "Overleg van het {} over casus {}: {}.",
                    self.config.body.name, info.id, info.subject
                ),
                "Agenda:",
                "Vraag aan het gremium:",
                "De casus en de bijlagen zijn bij deze uitnodiging gevoegd.",
                "Vragen over dit overleg:",
            ),
            Lang::En => (
                format!(
                    "Meeting of the {} on case {}: {}.",
                    self.config.body.name, info.id, info.subject
                ),
                "Agenda:",
                "Question to the body:",
                "The case and its attachments come with this invitation.",
                "Questions about this meeting:",
            ),
        };
        s.push_str(&intro);
        s.push_str("\n\n");
        s.push_str(agenda);
        s.push('\n');
        for (i, item) in self.agenda(case, m).iter().enumerate() {
            s.push_str(&format!("{}. {item}\n", i + 1));
        }
        if !info.question.is_empty() {
            s.push('\n');
            s.push_str(question);
            s.push('\n');
            s.push_str(&info.question.chars().take(2000).collect::<String>());
            s.push('\n');
        }
        if with_documents && !case.attachments.is_empty() {
            s.push('\n');
            s.push_str(docs);
            s.push('\n');
        }
        s.push('\n');
        s.push_str(contact);
        s.push(' ');
        s.push_str(&self.config.desk.address.email);
        s
    }

    fn ics_summary(&self, case: &Case) -> String {
        let word = match self.lang() {
            Lang::Nl => "Overleg",
            Lang::En => "Meeting",
        };
        format!(
            "{word} {} {}: {}",
            self.config.body.tag,
            case.id,
            case.subject()
        )
    }

    /// The calendar object for one recipient (all attendees when the config lists them).
    fn ics_for(
        &self,
        case: &Case,
        m: &Meeting,
        method: Method,
        only: &MeetingAttendee,
        now: Timestamp,
    ) -> Option<IcsPart> {
        let when = m.when?;
        let attendees = m
            .attendees
            .iter()
            .filter(|a| self.config.meeting.list_attendees || a.address.is(&only.address.email))
            .map(|a| IcsAttendee {
                address: a.address.clone(),
                required: a.required,
            })
            .collect();
        let ev = IcsEvent {
            method,
            uid: m.uid.clone(),
            sequence: m.sequence,
            dtstamp: now,
            start: when.start,
            end: when.end,
            tz: self.config.periods.timezone,
            summary: self.ics_summary(case),
            description: self.ics_description(case, m, method == Method::Request),
            location: m.location.clone(),
            organizer: self.desk_sender(),
            attendees,
        };
        Some(IcsPart {
            method: method.as_str().to_string(),
            content: ical::build(&ev),
        })
    }

    /// One invitation (REQUEST) or cancellation (CANCEL) per attendee.
    fn send_calendar(
        &self,
        case: &Case,
        method: Method,
        previous: Option<Slot>,
        previous_location: Option<String>,
        now: Timestamp,
        out: &mut Out,
    ) {
        let Some(m) = case.meeting.as_ref() else {
            return;
        };
        let info = self.case_info(case);
        let meeting = self.meeting_info(case, m);
        let listed = if self.config.meeting.list_attendees {
            self.rsvps(m)
        } else {
            Vec::new()
        };
        let (letter_kind, short) = match method {
            Method::Request => (TemplateName::MeetingInvite, 'i'),
            Method::Cancel => (TemplateName::MeetingCancel, 'c'),
        };
        for a in &m.attendees {
            let context = match method {
                Method::Request => to_context(&MeetingInviteLetter {
                    case: info.clone(),
                    recipient_name: a.address.display().to_string(),
                    recipient_kind: a.kind,
                    meeting: meeting.clone(),
                    update: m.sequence > 0,
                    previous,
                    previous_location: previous_location.clone(),
                    attendees: listed.clone(),
                }),
                Method::Cancel => to_context(&MeetingCancelLetter {
                    case: info.clone(),
                    recipient_name: a.address.display().to_string(),
                    meeting: meeting.clone(),
                    poll_only: false,
                }),
            };
            let seat_person = a.member_id.as_deref().and_then(|id| {
                let seat = case.seat(id)?;
                Some((seat, seat.person_of(&a.address.email)?))
            });
            let purpose = format!("m{short}{}s{}", m.number, m.sequence);
            let mut o = match seat_person {
                Some((seat, person)) => {
                    match self.meeting_seat_mail(
                        case,
                        seat,
                        person,
                        &purpose,
                        letter_kind,
                        context,
                        now,
                    ) {
                        Some(o) => o,
                        None => continue,
                    }
                }
                None => Outgoing {
                    message_id: self.msg_id(&format!(
                        "loket.{}.overleg{}.{}.{short}{}",
                        case.id,
                        m.number,
                        short_hash(a.address.email.to_lowercase().as_bytes()),
                        m.sequence
                    )),
                    template: letter_kind,
                    to: vec![a.address.clone()],
                    cc: vec![],
                    reply_to: None,
                    in_reply_to: None,
                    references: vec![],
                    case: Some(case.id),
                    date: now,
                    context,
                    attachments: vec![],
                    attach_raw: None,
                    ics: None,
                },
            };
            o.ics = self.ics_for(case, m, method, a, now);
            if method == Method::Request {
                o.attachments = case
                    .attachments
                    .iter()
                    .map(|x| AttachmentRef {
                        raw_id: x.raw_id,
                        index: x.index,
                        name: x.name.clone(),
                        content_type: x.content_type.clone(),
                    })
                    .collect();
            }
            out.send(o);
        }
    }

    /// Chooses by the rule (most yes, most yes-or-maybe, earliest) among the slots still to
    /// come, and tells the desk; without answers or slots it only tells the desk.
    fn auto_choose(&self, case: &mut Case, now: Timestamp, out: &mut Out) {
        let Some(m) = case.meeting.as_ref() else {
            return;
        };
        let pick = if m.answers.is_empty() {
            None
        } else {
            best_slot(m, Some(now))
        };
        let Some(n) = pick else {
            self.meeting_status(Some(case), Status::new(MeetingEvent::NoSlot), now, out);
            return;
        };
        let slot = m.slots[n as usize - 1];
        self.schedule(case, slot, Some(n), None, "loket", now, out);
        self.meeting_status(Some(case), Status::new(MeetingEvent::Chosen), now, out);
    }

    /// The clock: a poll that closes.
    pub(super) fn meeting_tick(&self, case: &mut Case, now: Timestamp, out: &mut Out) {
        let Some(m) = case.meeting.as_mut() else {
            return;
        };
        if m.state != MeetingState::Polling || m.poll_closes_at.is_none_or(|t| t > now) {
            return;
        }
        m.poll_closes_at = None;
        if self.config.meeting.auto_choose {
            self.auto_choose(case, now, out);
        } else {
            self.meeting_status(Some(case), Status::new(MeetingEvent::PollClosed), now, out);
        }
    }

    // ---- desk commands by mail ----------------------------------------------------------

    /// Runs a meeting command and journals it; the case is saved.
    fn run_meeting_command(
        &self,
        state: &mut State,
        cmd: &Command,
        by: &str,
        now: Timestamp,
        out: &mut Out,
    ) -> Result<MeetingEvent, MeetingProblem> {
        let Some(case) = state.cases.get_mut(&cmd.case()) else {
            return Err(MeetingProblem::NoSuchCase);
        };
        let event = self.meeting_command(case, cmd, by, now, out)?;
        out.journal(
            now,
            Some(case.id),
            JournalEvent::CommandExecuted {
                command: format!("{cmd:?}"),
                by: by.to_string(),
            },
        );
        out.push(Action::SaveCase(Box::new(case.clone())));
        Ok(event)
    }

    /// `overleg` (with slots: a poll; without: the availability so far), `kies N`,
    /// `verplaatsen` + a slot and/or `Locatie:`, `annuleren`. Answered with a status letter.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_meeting_command(
        &self,
        state: &mut State,
        mail: &InboundMail,
        from: &Address,
        cmd: &DeskCommand,
        id: CaseId,
        line: &str,
        now: Timestamp,
        out: &mut Out,
    ) {
        let tz = self.config.periods.timezone;
        let today = local_date(now, tz);
        // The command's own line after its word, and the lines after it.
        let after_word = line
            .trim()
            .split_once(char::is_whitespace)
            .map_or("", |(_, r)| r);
        let below = mail
            .reply_text
            .find(line)
            .map_or("", |at| &mail.reply_text[at + line.len()..]);
        let text = format!("{after_word}\n{below}");
        let req = || parse_meeting_request(&text, today, tz, self.config.meeting.default_duration);
        let reply = |event, problem, details: Vec<String>, state: &State, out: &mut Out| {
            let mut s = Status::new(event).details(details);
            s.command = Some(line);
            s.problem = problem;
            s.mail = Some(mail);
            s.to = Some(from);
            if problem.is_some() {
                out.journal(
                    now,
                    Some(id),
                    JournalEvent::CommandRejected {
                        raw_id: mail.raw_id,
                        by: from.email.clone(),
                        problem: format!("{problem:?}"),
                    },
                );
            }
            self.meeting_status(state.cases.get(&id), s, now, out);
        };
        let Some(case) = state.cases.get(&id) else {
            reply(
                MeetingEvent::Rejected,
                Some(MeetingProblem::NoSuchCase),
                vec![],
                state,
                out,
            );
            return;
        };
        let live = case
            .meeting
            .as_ref()
            .filter(|m| m.state != MeetingState::Cancelled);
        let command = match cmd {
            DeskCommand::Meeting => {
                let r = req();
                if r.slots.is_empty() && r.bad_lines.is_empty() && live.is_some() {
                    reply(MeetingEvent::Status, None, vec![], state, out);
                    return;
                }
                if !r.bad_lines.is_empty() {
                    let p = Some(MeetingProblem::BadSlots);
                    reply(MeetingEvent::Rejected, p, r.bad_lines, state, out);
                    return;
                }
                if r.slots.is_empty() {
                    let p = Some(MeetingProblem::NoSlots);
                    reply(MeetingEvent::Rejected, p, vec![], state, out);
                    return;
                }
                Command::ProposeMeeting {
                    case: id,
                    slots: r.slots,
                    location: r.location,
                    agenda: r.agenda,
                }
            }
            DeskCommand::Choose(Some(n)) => Command::ChooseSlot { case: id, slot: *n },
            DeskCommand::Choose(None) => {
                let p = Some(MeetingProblem::NoSuchSlot);
                reply(MeetingEvent::Rejected, p, vec![], state, out);
                return;
            }
            DeskCommand::MoveMeeting => {
                let r = req();
                let current = live.and_then(|m| m.when);
                let to = match (r.slots.as_slice(), current) {
                    ([one], _) if r.bad_lines.is_empty() => Some(*one),
                    ([], Some(_)) if r.location.is_some() && r.bad_lines.is_empty() => None,
                    _ => {
                        let p = if r.bad_lines.is_empty() {
                            MeetingProblem::NoSlots
                        } else {
                            MeetingProblem::BadSlots
                        };
                        reply(MeetingEvent::Rejected, Some(p), r.bad_lines, state, out);
                        return;
                    }
                };
                Command::MoveMeeting {
                    case: id,
                    to,
                    location: r.location,
                }
            }
            DeskCommand::CancelMeeting => Command::CancelMeeting { case: id },
            _ => return,
        };
        match self.run_meeting_command(state, &command, &from.email, now, out) {
            Ok(event) => reply(event, None, vec![], state, out),
            Err(p) => reply(MeetingEvent::Rejected, Some(p), vec![], state, out),
        }
    }

    // ---- poll answers and written replies -----------------------------------------------

    /// A reply to a poll, a poll answer's confirmation or an invitation (a verified token
    /// with a meeting purpose), or a poll answer matched by the subject tag. Returns true
    /// when handled here.
    pub(super) fn on_meeting_reply(
        &self,
        state: &mut State,
        mail: &InboundMail,
        from: &Address,
        now: Timestamp,
        out: &mut Out,
    ) -> bool {
        let addresses = mail.to.iter().chain(&mail.cc).map(|a| a.email.as_str());
        let token = mail
            .thread_ids()
            .chain(addresses)
            .filter_map(|id| Some((parse_seat_ref(id)?, purpose_of(id)?.to_string())))
            .find(|(r, p)| {
                p.starts_with('m') && self.key.verify(r.case, &r.member, r.person, &r.token)
            });
        let (id, purpose) = match token {
            Some((r, p)) => (r.case, Some(p)),
            None => {
                // Threading lost: the subject names the case and the meeting (the poll's
                // subject), a poll runs, the sender holds a seat and the reply reads as a poll
                // answer, not as a view.
                let Some(id) = self.subject_case(&mail.subject) else {
                    return false;
                };
                let subject = mail.subject.to_lowercase();
                if !subject.contains("overleg") && !subject.contains("meeting") {
                    return false;
                }
                let Some(case) = state.cases.get(&id) else {
                    return false;
                };
                let Some(m) = case
                    .meeting
                    .as_ref()
                    .filter(|m| m.state == MeetingState::Polling)
                else {
                    return false;
                };
                let seat = case
                    .seats
                    .iter()
                    .any(|s| s.person_of(&from.email).is_some());
                if !seat
                    || !mail.view_form.is_empty()
                    || parse_poll_answer(&mail.reply_text, m.slots.len())
                        .answers
                        .is_empty()
                {
                    return false;
                }
                (id, None)
            }
        };
        let Some(case) = state.cases.get_mut(&id) else {
            return false;
        };
        let seat = case
            .seats
            .iter()
            .find_map(|s| s.person_of(&from.email).map(|p| (s.member_id.clone(), p)));
        let Some((member, person)) = seat else {
            let reason = format!(
                "{} is not a member or deputy of the body; a meeting reply only counts from them",
                from.email
            );
            out.journal(
                now,
                Some(id),
                JournalEvent::ReplyNotCounted {
                    raw_id: mail.raw_id,
                    from: from.email.clone(),
                    reason: reason.clone(),
                },
            );
            out.push(Action::Quarantine {
                raw_id: mail.raw_id,
                reason: reason.clone(),
            });
            let s = Status::new(MeetingEvent::MeetingMessage)
                .about(mail)
                .details(vec![reason]);
            self.meeting_status(Some(case), s, now, out);
            return true;
        };
        let is_poll = purpose
            .as_deref()
            .is_none_or(|p| p.starts_with("mp") || p.starts_with("ma"));
        let Some(m) = case.meeting.as_ref() else {
            return false;
        };
        if !is_poll {
            // A written reply to an invitation or a cancellation: for the desk.
            out.journal(
                now,
                Some(id),
                JournalEvent::ReplyNotCounted {
                    raw_id: mail.raw_id,
                    from: from.email.clone(),
                    reason: "a written reply about the meeting, for the desk".into(),
                },
            );
            out.push(Action::Quarantine {
                raw_id: mail.raw_id,
                reason: format!("reply about the meeting of case {id}"),
            });
            let text: String = mail.reply_text.chars().take(1000).collect();
            let s = Status::new(MeetingEvent::MeetingMessage)
                .about(mail)
                .details(vec![text]);
            self.meeting_status(Some(case), s, now, out);
            return true;
        }
        let earlier_list = purpose.as_deref().is_some_and(|p| {
            p.starts_with("mp") && p != format!("mp{}r{}", m.number, m.poll_round)
        });
        let reading = parse_poll_answer(&mail.reply_text, m.slots.len());
        let polling = m.state == MeetingState::Polling;
        let answers: Vec<Availability> = (1..=m.slots.len() as u32)
            .map(|n| reading.answers.get(&n).copied().unwrap_or(Availability::No))
            .collect();
        let outcome = if !polling {
            PollReplyOutcome::Closed
        } else if earlier_list || reading.answers.is_empty() {
            PollReplyOutcome::Unreadable
        } else {
            PollReplyOutcome::Recorded
        };
        let mut all_in = false;
        match outcome {
            PollReplyOutcome::Recorded => {
                if let Some(m) = case.meeting.as_mut() {
                    m.answers.insert(
                        member.clone(),
                        PollAnswer {
                            by: person,
                            from: from.email.clone(),
                            at: now,
                            raw_id: mail.raw_id,
                            answers: answers.clone(),
                        },
                    );
                    all_in = case_all_answered(&case.seats, m);
                }
                out.journal(
                    now,
                    Some(id),
                    JournalEvent::PollAnswered {
                        raw_id: mail.raw_id,
                        member: member.clone(),
                        by: person,
                        answers: answers.clone(),
                        late: false,
                    },
                );
            }
            PollReplyOutcome::Unreadable => out.journal(
                now,
                Some(id),
                JournalEvent::PollAnswerUnreadable {
                    raw_id: mail.raw_id,
                    from: from.email.clone(),
                },
            ),
            PollReplyOutcome::Closed => {
                if reading.answers.is_empty() {
                    out.journal(
                        now,
                        Some(id),
                        JournalEvent::ReplyNotCounted {
                            raw_id: mail.raw_id,
                            from: from.email.clone(),
                            reason: "a reply to a poll that is over".into(),
                        },
                    );
                } else {
                    out.journal(
                        now,
                        Some(id),
                        JournalEvent::PollAnswered {
                            raw_id: mail.raw_id,
                            member: member.clone(),
                            by: person,
                            answers: answers.clone(),
                            late: true,
                        },
                    );
                }
                let text: String = mail.reply_text.chars().take(1000).collect();
                let s = Status::new(MeetingEvent::LateAnswer)
                    .about(mail)
                    .details(vec![text]);
                self.meeting_status(Some(case), s, now, out);
            }
        }
        // Every seat in: the rule chooses, or the desk is told once.
        if all_in {
            if self.config.meeting.auto_choose {
                self.auto_choose(case, now, out);
            } else if let Some(m) = case.meeting.as_mut()
                && !m.complete_told
            {
                m.complete_told = true;
                self.meeting_status(
                    Some(case),
                    Status::new(MeetingEvent::PollComplete),
                    now,
                    out,
                );
            }
        }
        out.push(Action::SaveCase(Box::new(case.clone())));
        // The answer to the sender: what loket read, how to answer, or that it is over.
        let case: &Case = case;
        let Some(m) = case.meeting.as_ref() else {
            return true;
        };
        let Some(seat) = case.seat(&member) else {
            return true;
        };
        let Some(recipient) = self.meeting_recipient(seat, person) else {
            return true;
        };
        let letter = MeetingPollReplyLetter {
            case: self.case_info(case),
            recipient,
            outcome,
            answers: if outcome == PollReplyOutcome::Recorded {
                m.slots
                    .iter()
                    .zip(&answers)
                    .enumerate()
                    .map(|(i, (s, a))| SlotAnswerInfo {
                        number: i as u32 + 1,
                        start: s.start,
                        end: s.end,
                        answer: *a,
                    })
                    .collect()
            } else {
                vec![]
            },
            unknown_numbers: reading.unknown_numbers.clone(),
            earlier_list,
            meeting: self.meeting_info(case, m),
        };
        let Some(mut o) = self.meeting_seat_mail(
            case,
            seat,
            person,
            &format!("ma{}", mail.raw_id),
            TemplateName::MeetingPollReply,
            to_context(&letter),
            now,
        ) else {
            return true;
        };
        o.to = vec![from.clone()];
        o.in_reply_to = mail.message_id.clone();
        o.references = mail.message_id.iter().cloned().collect();
        self.answer(state, o, now, out);
        true
    }

    // ---- calendar replies ------------------------------------------------------------------

    /// An iTIP REPLY, COUNTER, REFRESH or DECLINECOUNTER (or a mail classified as a calendar
    /// reply), or an Outlook response mail without a calendar part ("Geaccepteerd: ...").
    /// Returns true when handled here.
    pub(super) fn on_calendar_mail(
        &self,
        state: &mut State,
        mail: &InboundMail,
        from: &Address,
        now: Timestamp,
        out: &mut Out,
    ) -> bool {
        let method = mail
            .itip
            .as_ref()
            .and_then(|i| i.method.clone())
            .unwrap_or_default();
        let calendar = mail.kind == MailKind::CalendarReply
            || matches!(
                method.as_str(),
                "REPLY" | "COUNTER" | "REFRESH" | "DECLINECOUNTER"
            );
        if !calendar {
            return self.on_response_subject(state, mail, from, now, out);
        }
        let method = if method.is_empty() {
            "REPLY".to_string()
        } else {
            method
        };
        let for_desk = |state: &State, case: Option<CaseId>, event, reason: &str, out: &mut Out| {
            out.journal(
                now,
                case,
                JournalEvent::CalendarMessageForDesk {
                    raw_id: mail.raw_id,
                    from: from.email.clone(),
                    method: method.clone(),
                    reason: reason.to_string(),
                },
            );
            out.push(Action::Quarantine {
                raw_id: mail.raw_id,
                reason: reason.to_string(),
            });
            let s = Status::new(event)
                .about(mail)
                .details(vec![reason.to_string()]);
            self.meeting_status(case.and_then(|c| state.cases.get(&c)), s, now, out);
        };
        let Some(itip) = mail.itip.as_ref() else {
            let reason = "a calendar reply whose calendar part could not be read";
            for_desk(state, None, MeetingEvent::CalendarMessage, reason, out);
            return true;
        };
        let uid = itip.uid.clone().unwrap_or_default();
        let found = state
            .cases
            .values()
            .find(|c| c.meeting.as_ref().is_some_and(|m| m.uid == uid))
            .map(|c| c.id);
        let Some(id) = found else {
            let reason = format!(
                "{method} for a meeting loket does not know (UID {})",
                if uid.is_empty() { "missing" } else { &uid }
            );
            let tagged = self.subject_case(&mail.subject);
            for_desk(state, tagged, MeetingEvent::UnknownMeeting, &reason, out);
            return true;
        };
        match method.as_str() {
            "REPLY" => self.record_rsvp(state, id, mail, from, itip, now, out),
            "COUNTER" => {
                out.journal(
                    now,
                    Some(id),
                    JournalEvent::CalendarMessageForDesk {
                        raw_id: mail.raw_id,
                        from: from.email.clone(),
                        method: method.clone(),
                        reason: "a counter-proposal (another time)".into(),
                    },
                );
                let mut s = Status::new(MeetingEvent::Counter).about(mail);
                s.proposed = itip
                    .start
                    .zip(itip.end)
                    .map(|(start, end)| Slot { start, end });
                self.meeting_status(state.cases.get(&id), s, now, out);
            }
            other => {
                let reason = format!("an iTIP {other} message; loket does not answer it itself");
                for_desk(state, Some(id), MeetingEvent::CalendarMessage, &reason, out);
            }
        }
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn record_rsvp(
        &self,
        state: &mut State,
        id: CaseId,
        mail: &InboundMail,
        from: &Address,
        itip: &Itip,
        now: Timestamp,
        out: &mut Out,
    ) {
        let Some(case) = state.cases.get_mut(&id) else {
            return;
        };
        let Some(m) = case.meeting.as_mut() else {
            return;
        };
        let note = |out: &mut Out, reason: String| {
            out.journal(
                now,
                Some(id),
                JournalEvent::CalendarMessageForDesk {
                    raw_id: mail.raw_id,
                    from: from.email.clone(),
                    method: "REPLY".into(),
                    reason,
                },
            );
        };
        if let Some(seq) = itip.sequence
            && seq < m.sequence
        {
            let reason = format!(
                "an answer to an earlier version of the invitation (sequence {seq}, now {}); not recorded",
                m.sequence
            );
            note(out, reason.clone());
            let s = Status::new(MeetingEvent::StaleReply)
                .about(mail)
                .details(vec![reason]);
            self.meeting_status(Some(case), s, now, out);
            return;
        }
        let mut recorded: Vec<(String, String)> = Vec::new();
        for a in &itip.attendees {
            if let Some(att) = m.attendees.iter_mut().find(|x| x.address.is(&a.email)) {
                att.partstat = clean_partstat(&a.partstat);
                att.replied_at = Some(now);
                recorded.push((att.address.email.clone(), att.partstat.clone()));
            }
        }
        // A client that writes another address for the attendee (an alias) than the one
        // invited: the sender is the attendee.
        if recorded.is_empty()
            && let [only] = itip.attendees.as_slice()
            && let Some(att) = m.attendees.iter_mut().find(|x| x.address.is(&from.email))
        {
            att.partstat = clean_partstat(&only.partstat);
            att.replied_at = Some(now);
            recorded.push((att.address.email.clone(), att.partstat.clone()));
        }
        if recorded.is_empty() {
            let who: Vec<&str> = itip.attendees.iter().map(|a| a.email.as_str()).collect();
            let reason = format!(
                "an answer from {} for {}, who is not invited to this meeting; not recorded",
                from.email,
                if who.is_empty() {
                    "nobody named".to_string()
                } else {
                    who.join(", ")
                }
            );
            note(out, reason.clone());
            out.push(Action::Quarantine {
                raw_id: mail.raw_id,
                reason: reason.clone(),
            });
            let s = Status::new(MeetingEvent::NotAttendee)
                .about(mail)
                .details(vec![reason]);
            self.meeting_status(Some(case), s, now, out);
            return;
        }
        let mut details = Vec::new();
        for (attendee, partstat) in &recorded {
            out.journal(
                now,
                Some(id),
                JournalEvent::RsvpRecorded {
                    raw_id: mail.raw_id,
                    attendee: attendee.clone(),
                    partstat: partstat.clone(),
                },
            );
            details.push(format!("{attendee}: {partstat}"));
            if !from.is(attendee) {
                details.push(format!("sent by {}", from.email));
            }
        }
        out.push(Action::SaveCase(Box::new(case.clone())));
        let mut s = Status::new(MeetingEvent::Rsvp).details(details);
        s.mail = Some(mail);
        self.meeting_status(Some(case), s, now, out);
    }

    /// "Geaccepteerd: ..." / "Accepted: ..." without a calendar part, from an attendee of a
    /// planned meeting (the one the subject names, or the only one).
    fn on_response_subject(
        &self,
        state: &mut State,
        mail: &InboundMail,
        from: &Address,
        now: Timestamp,
        out: &mut Out,
    ) -> bool {
        if mail.itip.is_some() || mail.kind != MailKind::Message {
            return false;
        }
        let Some(partstat) = response_partstat(&mail.subject) else {
            return false;
        };
        let candidates: Vec<CaseId> = state
            .cases
            .values()
            .filter(|c| {
                c.meeting.as_ref().is_some_and(|m| {
                    m.state == MeetingState::Invited
                        && m.attendees.iter().any(|a| a.address.is(&from.email))
                })
            })
            .map(|c| c.id)
            .collect();
        let id = match self.subject_case(&mail.subject) {
            Some(t) if candidates.contains(&t) => t,
            _ if candidates.len() == 1 => candidates[0],
            _ => return false,
        };
        let Some(case) = state.cases.get_mut(&id) else {
            return false;
        };
        let Some(att) = case
            .meeting
            .as_mut()
            .and_then(|m| m.attendees.iter_mut().find(|a| a.address.is(&from.email)))
        else {
            return false;
        };
        att.partstat = partstat.to_string();
        att.replied_at = Some(now);
        out.journal(
            now,
            Some(id),
            JournalEvent::RsvpRecorded {
                raw_id: mail.raw_id,
                attendee: from.email.clone(),
                partstat: partstat.to_string(),
            },
        );
        out.push(Action::SaveCase(Box::new(case.clone())));
        let details = vec![
            format!("{}: {partstat}", from.email),
            "read from the subject line (the mail has no calendar part)".into(),
        ];
        let mut s = Status::new(MeetingEvent::Rsvp).details(details);
        s.mail = Some(mail);
        self.meeting_status(Some(case), s, now, out);
        true
    }
}

fn case_all_answered(seats: &[Seat], m: &Meeting) -> bool {
    !seats.is_empty() && seats.iter().all(|s| m.answers.contains_key(&s.member_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use chrono_tz::Europe::Amsterdam;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
    }

    fn slot(line: &str) -> Option<(String, String)> {
        parse_slot(line, today(), Amsterdam, Duration::hours(2)).map(|s| {
            (
                s.start
                    .with_timezone(&Amsterdam)
                    .format("%F %R")
                    .to_string(),
                s.end.with_timezone(&Amsterdam).format("%F %R").to_string(),
            )
        })
    }

    #[test]
    fn slots_in_dutch_and_english() {
        let want = Some((
            "2026-12-08 14:00".to_string(),
            "2026-12-08 16:00".to_string(),
        ));
        for line in [
            "di 8 december 14:00-16:00",
            "dinsdag 8 december 2026, 14.00 - 16.00 uur",
            "2026-12-08 14:00-16:00",
            "8-12-2026 14:00 tot 16:00",
            "Tuesday 8 December 14:00–16:00",
            "1. di 8 dec van 14 tot 16 uur",
            "- 8 december om 14:00",
        ] {
            assert_eq!(slot(line), want, "{line}");
        }
        // Wrong weekday, no time, nonsense.
        assert_eq!(slot("wo 8 december 14:00-16:00"), None);
        assert_eq!(slot("8 december"), None);
        assert_eq!(slot("volgende week ergens"), None);
        assert_eq!(slot("8 december 16:00-14:00"), None);
        // Without a year: the next such date.
        assert_eq!(
            slot("3 februari 10:00-11:00").unwrap().0,
            "2027-02-03 10:00"
        );
    }

    #[test]
    fn meeting_request_lines() {
        let r = parse_meeting_request(
            "\ndi 8 december 14:00-16:00\n9 december 10:00-12:00\nLocatie: Turfmarkt 147, zaal 3\n\nAgenda:\n1. Opening\n2. De casus\n\nGroet, Desk",
            today(),
            Amsterdam,
            Duration::hours(2),
        );
        assert_eq!(r.slots.len(), 2);
        assert_eq!(r.location.as_deref(), Some("Turfmarkt 147, zaal 3"));
        assert_eq!(r.agenda, ["Opening", "De casus"]);
        assert!(r.bad_lines.is_empty());
        let r = parse_meeting_request(
            "8 december 14:00\nergens volgende week",
            today(),
            Amsterdam,
            Duration::hours(1),
        );
        assert_eq!(r.slots.len(), 1);
        assert_eq!(r.slots[0].end - r.slots[0].start, Duration::hours(1));
        assert_eq!(r.bad_lines, ["ergens volgende week"]);
    }

    fn read(text: &str, n: usize) -> Vec<(u32, Availability)> {
        parse_poll_answer(text, n).answers.into_iter().collect()
    }

    #[test]
    fn poll_answers_are_read_leniently() {
        use Availability::*;
        let cases: &[(&str, &[(u32, Availability)])] = &[
            ("1 ja, 2 nee, 3 misschien", &[(1, Yes), (2, No), (3, Maybe)]),
            ("1 en 3 kan ik", &[(1, Yes), (3, Yes)]),
            ("yes to 2", &[(2, Yes)]),
            ("1: ja\n2: nee\n3: ?", &[(1, Yes), (2, No), (3, Maybe)]),
            ("kan 1 en 3, niet 2", &[(1, Yes), (2, No), (3, Yes)]),
            ("ja voor 1 en 3, 2 niet", &[(1, Yes), (2, No), (3, Yes)]),
            ("Ik kan 2 helaas niet, 1 wel", &[(1, Yes), (2, No)]),
            ("1, 3", &[(1, Yes), (3, Yes)]),
            ("alle drie kan ik", &[(1, Yes), (2, Yes), (3, Yes)]),
            ("Geen van de tijden past", &[(1, No), (2, No), (3, No)]),
            ("Nee, helaas.", &[(1, No), (2, No), (3, No)]),
            (
                "Ik kan helaas niet.\n\nGroet, Jan",
                &[(1, No), (2, No), (3, No)],
            ),
            (
                "1. di 8 december 2026, 14:00-16:00: ja\n2. wo 9 december 2026, 10:00-12:00: nee",
                &[(1, Yes), (2, No)],
            ),
            ("Ik ben alleen beschikbaar op 2", &[(2, Yes)]),
            (
                "1 ja\n\nMet vriendelijke groet,\nJan\nTel 06 12 34 56 78",
                &[(1, Yes)],
            ),
            ("Option 1 works, 2 doesn't work", &[(1, Yes), (2, No)]),
            (
                "Optie 2 heeft mijn voorkeur, 1 kan ook",
                &[(1, Yes), (2, Yes)],
            ),
        ];
        for (text, want) in cases {
            assert_eq!(read(text, 3), want.to_vec(), "{text}");
        }
        // Nothing readable.
        for text in [
            "Ik laat het nog weten",
            "weet ik nog niet",
            "Ja",
            "",
            "Maandag kan ik wel, dinsdag niet",
        ] {
            assert!(read(text, 3).is_empty(), "{text}");
        }
        // One slot: a plain yes is enough.
        assert_eq!(read("Ja, prima", 1), [(1, Yes)]);
        let r = parse_poll_answer("5 ja, 1 nee", 3);
        assert_eq!(r.unknown_numbers, [5]);
        assert_eq!(r.answers.into_iter().collect::<Vec<_>>(), [(1, No)]);
    }

    #[test]
    fn purposes() {
        assert_eq!(
            purpose_of("loket.2026-001.bzk.m.0123456789abcdef0123.mp1r2@x.nl"),
            Some("mp1r2")
        );
        assert_eq!(
            purpose_of("loket+2026-001.bzk.m.0123456789abcdef0123.ma7@x.nl"),
            Some("ma7")
        );
        assert_eq!(purpose_of("abc@x.nl"), None);
    }

    #[test]
    fn best_slot_rule() {
        let t = |h| Utc.with_ymd_and_hms(2026, 12, 8, h, 0, 0).unwrap();
        let s = |h| Slot {
            start: t(h),
            end: t(h + 1),
        };
        use Availability::*;
        let answer = |v: Vec<Availability>| PollAnswer {
            by: Person::Member,
            from: "x@y".into(),
            at: t(1),
            raw_id: 1,
            answers: v,
        };
        let mut m = Meeting {
            number: 1,
            uid: "u".into(),
            state: MeetingState::Polling,
            slots: vec![s(12), s(10), s(14)],
            poll_round: 1,
            location: None,
            agenda: vec![],
            proposed_at: t(1),
            proposed_by: "d".into(),
            poll_closes_at: None,
            answers: BTreeMap::new(),
            complete_told: false,
            chosen: None,
            when: None,
            sequence: 0,
            attendees: vec![],
        };
        // No answers: the earliest.
        assert_eq!(best_slot(&m, None), Some(2));
        m.answers.insert("a".into(), answer(vec![Yes, Maybe, Yes]));
        m.answers.insert("b".into(), answer(vec![No, Yes, Maybe]));
        // 1: 1 yes; 2: 1 yes 1 maybe; 3: 1 yes 1 maybe → 2 and 3 tie; 2 is earlier.
        assert_eq!(best_slot(&m, None), Some(2));
        m.answers.insert("c".into(), answer(vec![Yes, No, Yes]));
        assert_eq!(best_slot(&m, None), Some(3));
        // Slot 3 has passed: the best of the rest.
        assert_eq!(best_slot(&m, Some(t(13))), Some(3));
        assert_eq!(best_slot(&m, Some(t(15))), None);
    }
}
