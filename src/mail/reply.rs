//! Separating the new text of a reply from what it quotes.
//!
//! Mail clients mark the start of quoted text in a handful of ways: `>` quote blocks,
//! attribution lines ("On … wrote:", "Op … schreef …:", "Am … schrieb …:", in a dozen
//! languages and wrapped over several lines), separators ("-----Oorspronkelijk
//! bericht-----"), Outlook header blocks ("Van:/Verzonden:/Aan:/Onderwerp:"), signatures
//! ("-- "), the footers phones add ("Verzonden vanaf mijn iPhone") and legal disclaimers.
//! [`kinds`] labels each line; [`split_reply`] decides:
//!
//! * everything from the first marker after the new text on is cut: a separator, a header
//!   block, a signature, a disclaimer, an attribution (unless the writer answers between
//!   the quotes below it), or a quote block after which nothing new is written;
//! * a reply written below the quote (bottom-posting) loses the leading attribution and
//!   quote; inline answers keep their quotes and lose only the attribution lines;
//! * what is cut is kept (`quoted_text`), and a cut that would leave nothing is not made.
//!
//! The form reader uses the same labels ([`roles`]) to ignore header blocks inside quoted
//! text.

use std::sync::LazyLock;

use regex::Regex;

/// How much text is scanned for a cut. Anything after this is kept in the reply as is.
pub(crate) const SCAN_LIMIT: usize = 64 * 1024;

/// Attribution lines are looked for over at most this many lines, joined.
const ATTRIBUTION_LINES: usize = 6;
/// …and at most this many bytes.
const ATTRIBUTION_BYTES: usize = 400;

/// What a line is, as far as the quote detection is concerned (the coarse view the form
/// reader and the HTML splitter use).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Ordinary text.
    Text,
    Blank,
    /// Starts with `>` (or `|`, or a Supercite `Name>`).
    Quote,
    /// Starts quoted or trailing material: an attribution, a separator, a signature
    /// separator, a phone footer, a disclaimer.
    Boundary,
    /// Part of a quoted header block ("From:/Sent:/To:/Subject:").
    Header,
}

/// What a line is, in detail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Blank,
    Quote,
    /// The first line of an attribution; `strong` when it names a verb ("wrote"), weak
    /// when it is only a date and an address (then it counts only before a quote).
    Attribution {
        lines: usize,
        strong: bool,
    },
    /// A later line of a wrapped attribution.
    AttributionCont,
    /// "-----Original Message-----", "Begin forwarded message:".
    Separator,
    /// A line of a quoted header block.
    Header,
    /// "-- ", a phone footer.
    Signature,
    /// The start of a legal disclaimer.
    Disclaimer,
    /// A line of only rule characters (`____`, `-----`, `=====`, `ᐧ`).
    Rule,
}

impl Kind {
    fn role(self) -> Role {
        match self {
            Kind::Text | Kind::Rule => Role::Text,
            Kind::Blank => Role::Blank,
            Kind::Quote => Role::Quote,
            Kind::Header => Role::Header,
            Kind::Attribution { .. }
            | Kind::AttributionCont
            | Kind::Separator
            | Kind::Signature
            | Kind::Disclaimer => Role::Boundary,
        }
    }
}

/// Splits a mail text into (new text, cut text).
///
/// The new text is everything before the first marker of quoted or trailing material,
/// less leading attributions and quotes of a reply written below them, with trailing blank
/// lines and rules trimmed. If the cut would leave nothing, the whole text is the new text
/// and the cut text is empty: content is never lost.
pub fn split_reply(text: &str) -> (String, String) {
    split(text, false)
}

/// [`split_reply`] for the text before a quote that is not part of it (the text before an
/// HTML `<blockquote>`): an attribution at its end is cut as if the quote followed.
pub fn split_reply_before_quote(text: &str) -> (String, String) {
    split(text, true)
}

fn split(text: &str, quote_after: bool) -> (String, String) {
    let text = normalize_newlines(text);
    let scan = &text[..floor_char_boundary(&text, SCAN_LIMIT)];
    let spans = line_spans(scan);
    let lines: Vec<&str> = spans.iter().map(|&(s, e)| &scan[s..e]).collect();
    let mut kinds = kinds(&lines);
    if quote_after {
        kinds.push(Kind::Quote);
    }
    let plan = plan(&kinds);

    let whole = || (trim_reply(&text), String::new());
    let end = plan
        .cut
        .map_or(text.len(), |i| spans.get(i).map_or(text.len(), |s| s.0));
    // The reply: lines before the cut that were not removed, then (when no cut) the text
    // past the scan limit.
    let mut reply = String::new();
    let mut cut = String::new();
    let mut last_removed: Option<usize> = None;
    for (i, &(s, e)) in spans.iter().enumerate() {
        if s >= end {
            break;
        }
        if plan.removed.get(i).copied().unwrap_or(false) {
            if last_removed.is_some_and(|l| l + 1 != i) && !cut.is_empty() {
                cut.push('\n');
            }
            cut.push_str(&text[s..e]);
            cut.push('\n');
            last_removed = Some(i);
        } else {
            reply.push_str(&text[s..e]);
            reply.push('\n');
        }
    }
    if plan.cut.is_none() && scan.len() < text.len() {
        reply.push_str(&text[scan.len()..]);
    }
    let reply = trim_reply(&reply);
    if reply.trim().is_empty() {
        return whole();
    }
    if plan.cut.is_some() {
        if !cut.is_empty() {
            cut.push('\n');
        }
        cut.push_str(&text[end..]);
    }
    (reply, trim_blank_lines(&cut))
}

/// Where to cut, and which lines before the cut are removed from the reply.
struct Plan {
    cut: Option<usize>,
    removed: Vec<bool>,
}

fn plan(kinds: &[Kind]) -> Plan {
    let n = kinds.len();
    let mut removed = vec![false; n];
    let mut seen_text = false;
    let mut i = 0;
    while i < n {
        match kinds[i] {
            Kind::Text => {
                seen_text = true;
                i += 1;
            }
            Kind::Blank | Kind::AttributionCont => i += 1,
            Kind::Rule => {
                if seen_text && rule_ends_reply(kinds, i) {
                    return Plan {
                        cut: Some(i),
                        removed,
                    };
                }
                i += 1;
            }
            Kind::Separator | Kind::Header if !seen_text => {
                // A forward without a word of its own: the forwarded text is the text.
                removed[i] = true;
                i += 1;
            }
            Kind::Separator | Kind::Header | Kind::Signature | Kind::Disclaimer => {
                if seen_text {
                    // An Outlook rule just above a header block belongs to the block.
                    let start = prev_non_blank(kinds, i)
                        .filter(|&k| kinds[k] == Kind::Rule && i - k <= 2)
                        .unwrap_or(i);
                    return Plan {
                        cut: Some(start),
                        removed,
                    };
                }
                i += 1;
            }
            Kind::Attribution { lines: len, strong } => {
                let after = i + len;
                let quote_next =
                    next_non_blank(kinds, after).is_some_and(|k| kinds[k] == Kind::Quote);
                if !strong && !quote_next {
                    // A date and an address with nothing quoted below: just text.
                    seen_text = true;
                    i += 1;
                    continue;
                }
                let below = if quote_next {
                    after_quote(kinds, after)
                } else {
                    after
                };
                if seen_text && !(quote_next && writes_on(kinds, below)) {
                    return Plan {
                        cut: Some(i),
                        removed,
                    };
                }
                // The attribution goes; before any text, a reply written below the quote
                // (bottom-posting) loses the quote too.
                for r in removed.iter_mut().skip(i).take(len) {
                    *r = true;
                }
                if !seen_text
                    && quote_next
                    && text_follows(kinds, below)
                    && !quote_follows(kinds, below)
                {
                    for r in removed.iter_mut().take(below).skip(after) {
                        *r = true;
                    }
                    i = below;
                } else {
                    i = after;
                }
            }
            Kind::Quote => {
                let mut j = i;
                while j < n && matches!(kinds[j], Kind::Quote | Kind::Blank) {
                    j += 1;
                }
                // A quote block ends the reply only if nothing new follows; a reply
                // written between quotes (inline answers) keeps its quotes.
                if seen_text && !text_follows(kinds, j) {
                    return Plan {
                        cut: Some(i),
                        removed,
                    };
                }
                i = j;
            }
        }
    }
    Plan { cut: None, removed }
}

/// The end of the quote block that starts at or after `from`.
fn after_quote(kinds: &[Kind], from: usize) -> usize {
    let mut j = from;
    while j < kinds.len() && matches!(kinds[j], Kind::Quote | Kind::Blank | Kind::AttributionCont) {
        j += 1;
    }
    j
}

/// Below a quote, does the writer go on: another quote further down (answers between
/// quotes), or at least three lines of text (an answer below the quote)? A line or two
/// below a quote is usually the quoted mail's own signature.
fn writes_on(kinds: &[Kind], from: usize) -> bool {
    let mut texts = 0;
    for kind in &kinds[from..] {
        match kind {
            Kind::Text => texts += 1,
            Kind::Quote | Kind::Attribution { .. } if texts > 0 => return true,
            Kind::Separator | Kind::Header | Kind::Signature | Kind::Disclaimer => break,
            _ => {}
        }
    }
    texts >= 3
}

/// Is there a quote from `from` on, before anything that ends a reply?
fn quote_follows(kinds: &[Kind], from: usize) -> bool {
    for kind in &kinds[from..] {
        match kind {
            Kind::Quote | Kind::Attribution { .. } => return true,
            Kind::Separator | Kind::Header | Kind::Signature | Kind::Disclaimer => return false,
            _ => {}
        }
    }
    false
}

/// Is there new text from `from` on, before anything that ends a reply?
fn text_follows(kinds: &[Kind], from: usize) -> bool {
    for (k, kind) in kinds.iter().enumerate().skip(from) {
        match kind {
            Kind::Text => return true,
            Kind::Separator | Kind::Header | Kind::Signature | Kind::Disclaimer => return false,
            Kind::Rule if rule_ends_reply(kinds, k) => return false,
            _ => {}
        }
    }
    false
}

/// A rule ends the reply when only rules, blank lines or a short signature-like block
/// without quotes follow it.
fn rule_ends_reply(kinds: &[Kind], i: usize) -> bool {
    let rest = &kinds[i + 1..];
    let texts = rest.iter().filter(|k| **k == Kind::Text).count();
    let quotes = rest.contains(&Kind::Quote);
    !quotes && texts <= 6
}

fn prev_non_blank(kinds: &[Kind], i: usize) -> Option<usize> {
    (0..i).rev().find(|&k| kinds[k] != Kind::Blank)
}

fn next_non_blank(kinds: &[Kind], i: usize) -> Option<usize> {
    (i..kinds.len()).find(|&k| !matches!(kinds[k], Kind::Blank | Kind::AttributionCont))
}

/// Labels each line, coarsely. Lines are given without their line ends.
pub(crate) fn roles(lines: &[&str]) -> Vec<Role> {
    let kinds = kinds(lines);
    let mut roles: Vec<Role> = kinds.iter().map(|k| k.role()).collect();
    // A rule just above a header block is part of it.
    for i in 0..kinds.len() {
        if kinds[i] == Kind::Header
            && let Some(k) = prev_non_blank(&kinds, i)
            && kinds[k] == Kind::Rule
        {
            roles[k] = Role::Boundary;
        }
    }
    roles
}

static QUOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:>|\|(?:\s|$)|[A-Za-z][A-Za-z0-9_-]{0,11}>)").expect("regex")
});

/// "On … wrote:" and its relatives, starting with a preposition: the verb ends the line,
/// or a name and a colon follow it.
static ATTRIBUTION_ON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^[\s<>*-]*
          (?:on|at|op|am|le|el|em|il|dnia|dňa|den|w\s+dniu|in\s+message|в)\s
          (?:
            .*\b(?:wrote|writes|says|said|schreef|het\s+volgende\s+geschreven|geschreven
                |schrieb|geschrieben|schrieben\s+sie|a\s+écrit|nous\s+a\s+dit|escribió
                |escreveu|ha\s+scritto|napisał(?:\(a\))?|napisała|skrev|написал|написала)
            [\s.:>*-]*
          | .*\b(?:schreef|schrieb|skrev|wrote|escribió|a\s+écrit|escreveu)\s.+:[\s>]*
          )$",
    )
    .expect("regex")
});

/// Attributions that start with the date or the name: they end with a verb and a colon.
static ATTRIBUTION_OTHER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^[\s<>*-]*(?:
            .*(?:19|20)\d\d.*\b(?:wrote|schreef|geschreven|schrieb|a\s+écrit|escribió
                |escreveu|ha\s+scritto|napisał(?:\(a\))?|написал|написала|пише|skrev)\s*:[\s>]*
          | .+\b(?:wrote|schrieb|schreef|a\s+écrit)\s+(?:on|am|op|le)\b.+:\s*
          | .*\bkl\.\s*\d{1,2}[.:]\d\d\s+skrev\b.*:[\s>]*
          | .+\svia\s.+\s(?:wrote|schrieb|schreef):?\s*
          | .+\b[\w.+-]+@[\w.-]+\.\w{2,}\b.*\b(?:wrote|schreef|schrieb|a\s+écrit|escribió
                |escreveu|ha\s+scritto|napisał):?\s*
          | (?:19|20)\d\d-\d\d-\d\d\s\d{1,2}:\d\d\sGMT[+-]\d\d:\d\d\s[\w\s]+
          | posted\s+by\s.+\son\s\d{2}/\d{2}/\d{4}
          | 在.+写道[\s:：]*
        )$",
    )
    .expect("regex")
});

/// A date and an address: an attribution only when a quote follows.
static ATTRIBUTION_WEAK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:19|20)\d\d.+<\s*[^@<>\s]+@[^@<>]+\.[^@<>]+>\s*:?[\s>]*$").expect("regex")
});

static SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^[\s>*]*(?:
            [-_=*]{2,}\s*(?:original\s+message|oorspronkelijk\s+bericht|origineel\s+bericht
                |forwarded\s+message|doorgestuurd\s+bericht|ursprüngliche\s+nachricht
                |weitergeleitete\s+nachricht|message\s+d'origine|message\s+transféré
                |mensaje\s+original|mensagem\s+original|messaggio\s+originale|reply\s+message
                |原始邮件|oprindelig\s+meddelelse|opprinnelig\s+melding|ursprungligt\s+meddelande)
                \s*[-_=*]{2,}
          | (?:begin\s+forwarded\s+message|begin\s+doorgestuurd\s+bericht
                |anfang\s+der\s+weitergeleiteten\s+nachricht|début\s+du\s+message\s+réexpédié)\s*:
        )\s*$",
    )
    .expect("regex")
});

/// The kinds of header lines in a quoted header block.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HeaderField {
    From,
    Sent,
    To,
    Subject,
}

static HEADER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*[*_]{0,2}\s*(?:
            (?P<from>from|van|von|de|da|från|fra|expéditeur|发件人)
          | (?P<sent>sent|verzonden|verstuurd|date|datum|gesendet|envoyé|enviado|enviada\s+em
                |data|inviato|skickat|sendt|fecha|发送时间)
          | (?P<to>to|aan|an|à|a|para|til|till|cc|reply-to|beantwoorden\s+-\s+aan|destinataire
                |收件人)
          | (?P<subject>subject|onderwerp|betreff|objet|oggetto|asunto|assunto|emne|ämne|主题)
        )\s*[*_]{0,2}\s*[:：]\s*[*_]{0,2}\s*\S",
    )
    .expect("regex")
});

static RULE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:[-_=~#*+,—]{3,}|ᐧ)\s*$").expect("regex"));

static MOBILE_FOOTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*[(<]*\s*(?:
            sent\s+(?:from|via|with|by)\s
          | get\s+outlook\s+for\s
          | from\s+my\s+(?:iphone|ipad|android|mobile|samsung|galaxy|blackberry)
          | \w+\s+from\s+mobile
          | verzonden\s+(?:vanaf|vanuit|met)\s
          | verstuurd\s+(?:vanaf|vanuit|met)\s
          | outlook\s+voor\s+(?:ios|android)\s+downloaden
          | von\s+meinem\s.*\sgesendet
          | diese\s+nachricht\s+wurde\s+von\s.+\sgesendet
          | envoyé\s+(?:de|depuis|à\s+partir\s+de)\s
          | inviato\s+da\s
          | enviado\s+(?:do\s+meu|desde\s+mi)\s
          | sendt\s+fra\s+min\s | skickat\s+från\s+min\s | från\s+min\s
          | 從我的\s*iphone\s*傳送
        )",
    )
    .expect("regex")
});

static DISCLAIMER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*[*_]*\s*(?:
            dit\s+(?:e-?mail)?\s*bericht\s+kan\s+informatie\s+bevatten
          | dit\s+bericht\s+is\s+uitsluitend\s+bestemd
          | deze\s+e-?mail\s+is\s+uitsluitend\s+bestemd
          | de\s+informatie\s+(?:verzonden\s+met|in)\s+dit\s+e-?mail
          | this\s+(?:e-?mail|message)\s+(?:and\s+any\s+attachments?\s+)?(?:may|is|are)\s+(?:contain|confidential|intended)
          | this\s+message\s+may\s+contain\s+information
          | the\s+information\s+(?:contained\s+)?in\s+this\s+(?:e-?mail|message|communication)
          | confidentiality\s+notice
          | disclaimer\s*:?\s*$
          | le\s+informazioni\s+contenute\s+in\s+questo
          | diese\s+e-?mail\s+(?:enthält|kann)\s+vertrauliche
          | ce\s+message\s+(?:et\s+ses\s+pièces\s+jointes\s+)?(?:est|peut)\s+(?:confidentiel|contenir)
        )",
    )
    .expect("regex")
});

fn is_signature_separator(line: &str) -> bool {
    matches!(line.trim_end_matches('\u{a0}'), "-- " | "--" | "---")
        || line.trim() == "--" && line.len() <= 4
}

/// A phone footer: short, not a sentence that merely starts like one.
fn is_mobile_footer(line: &str) -> bool {
    let stripped: String = match (line.find('<'), line.rfind('>')) {
        (Some(a), Some(b)) if b > a && line[a..b].contains("://") => {
            format!("{}{}", &line[..a], &line[b + 1..])
        }
        _ => line.to_string(),
    };
    stripped.trim().chars().count() <= 80
        && !stripped.contains(", ")
        && MOBILE_FOOTER.is_match(&stripped)
}

/// Labels each line.
pub(crate) fn kinds(lines: &[&str]) -> Vec<Kind> {
    let mut kinds: Vec<Kind> = lines
        .iter()
        .map(|l| {
            if l.trim().is_empty() {
                Kind::Blank
            } else if QUOTE.is_match(l) {
                Kind::Quote
            } else {
                Kind::Text
            }
        })
        .collect();
    // A line of a quote that the client wrapped without repeating the marker: between two
    // quote lines, after one that was long enough to be wrapped.
    for i in 1..lines.len().saturating_sub(1) {
        if kinds[i] == Kind::Text
            && kinds[i - 1] == Kind::Quote
            && kinds[i + 1] == Kind::Quote
            && lines[i - 1].trim_end().chars().count() >= 60
        {
            kinds[i] = Kind::Quote;
        }
    }
    // Attributions are looked for only near a line that has one of their words: the
    // expensive patterns run on few lines.
    let hints: Vec<bool> = lines
        .iter()
        .map(|l| !l.trim().is_empty() && ATTRIBUTION_HINT.is_match(l))
        .collect();
    let mut i = 0;
    while i < lines.len() {
        if kinds[i] != Kind::Text {
            i += 1;
            continue;
        }
        let line = lines[i];
        let hinted = hints[i..(i + ATTRIBUTION_LINES).min(lines.len())]
            .iter()
            .any(|h| *h);
        if SEPARATOR.is_match(line) {
            kinds[i] = Kind::Separator;
        } else if is_signature_separator(line) || is_mobile_footer(line) {
            kinds[i] = Kind::Signature;
        } else if RULE.is_match(line) {
            kinds[i] = Kind::Rule;
        } else if DISCLAIMER.is_match(line) {
            kinds[i] = Kind::Disclaimer;
        } else if let Some(n) = header_block_len(lines, i) {
            for k in kinds.iter_mut().skip(i).take(n) {
                *k = Kind::Header;
            }
            i += n;
            continue;
        } else if let Some((n, strong)) = hinted.then(|| attribution_len(lines, i)).flatten() {
            kinds[i] = Kind::Attribution { lines: n, strong };
            for k in kinds.iter_mut().skip(i + 1).take(n - 1) {
                *k = Kind::AttributionCont;
            }
            i += n;
            continue;
        }
        i += 1;
    }
    kinds
}

fn header_field(line: &str) -> Option<HeaderField> {
    let c = HEADER_LINE.captures(line)?;
    Some(if c.name("from").is_some() {
        HeaderField::From
    } else if c.name("sent").is_some() {
        HeaderField::Sent
    } else if c.name("to").is_some() {
        HeaderField::To
    } else {
        HeaderField::Subject
    })
}

/// A quoted header block starts at line `i`: header lines (wrapped values allowed) up to
/// a blank line, with a From or a Sent line and at least one more field — or three fields.
/// Returns how many lines it takes.
fn header_block_len(lines: &[&str], i: usize) -> Option<usize> {
    let first = header_field(lines[i])?;
    let mut fields = vec![first];
    let mut j = i + 1;
    let mut wrapped = 0;
    while j < lines.len() && j < i + 16 && !lines[j].trim().is_empty() {
        match header_field(lines[j]) {
            Some(f) => {
                fields.push(f);
                wrapped = 0;
            }
            None => {
                wrapped += 1;
                if wrapped > 2 {
                    break;
                }
            }
        }
        j += 1;
    }
    let has = |f: HeaderField| fields.contains(&f);
    let distinct = [
        HeaderField::From,
        HeaderField::Sent,
        HeaderField::To,
        HeaderField::Subject,
    ]
    .iter()
    .filter(|f| has(**f))
    .count();
    let ok = (has(HeaderField::From) && (has(HeaderField::Sent) || distinct >= 3))
        || (has(HeaderField::Sent) && distinct >= 3);
    // The block runs to the first blank line.
    let mut end = j;
    while end < lines.len() && end < i + 16 && !lines[end].trim().is_empty() {
        end += 1;
    }
    ok.then_some(end - i)
}

/// Whether an attribution ("On … wrote:") starts at line `i`, possibly wrapped over
/// several lines; returns how many lines it takes and whether it names a verb.
fn attribution_len(lines: &[&str], i: usize) -> Option<(usize, bool)> {
    let first = lines[i].trim();
    if header_field(first).is_some() {
        return None;
    }
    let on_family = ATTRIBUTION_START.is_match(first);
    // A wrapped attribution's first line stops mid-phrase, not at the end of a sentence,
    // and (unless it starts with "On …") already has a date or an address in it.
    let ends_sentence = {
        let mut rev = first.chars().rev();
        matches!(rev.next(), Some('.' | '!' | '?' | ':'))
            && rev.next().is_some_and(|c| c.is_alphabetic())
    };
    let may_wrap = !ends_sentence
        && (on_family || first.contains(['@', '<']) || first.chars().any(|c| c.is_ascii_digit()));
    let mut joined = String::new();
    let mut blanks = 0;
    let mut weak = None;
    for n in 1..=ATTRIBUTION_LINES {
        let Some(l) = lines.get(i + n - 1).map(|l| l.trim()) else {
            return weak;
        };
        if n > 1 && l.is_empty() {
            // Only "On …" attributions are broken by blank lines (by some clients).
            if !on_family || blanks > 0 {
                return weak;
            }
            blanks += 1;
            continue;
        }
        blanks = 0;
        if n > 1 && (!may_wrap || !on_family && n > 3) {
            return weak;
        }
        // A line that starts an attribution of its own is not a continuation.
        if n > 1 && ATTRIBUTION_START.is_match(l) {
            return weak;
        }
        // A quoted line continues an attribution only as its short tail ("> wrote:").
        if n > 1 && l.starts_with('>') && l.chars().count() > 20 {
            return weak;
        }
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(l);
        if joined.len() > ATTRIBUTION_BYTES {
            return weak;
        }
        let digits = joined.chars().any(|c| c.is_ascii_digit());
        if (on_family && digits && ATTRIBUTION_ON.is_match(&joined))
            || ATTRIBUTION_OTHER.is_match(&joined)
        {
            return Some((n, true));
        }
        if weak.is_none() && ATTRIBUTION_WEAK.is_match(&joined) {
            weak = Some((n, false));
        }
    }
    weak
}

/// Words without which no line is an attribution (a cheap first look).
static ATTRIBUTION_HINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)wrote|writes|said|says|schreef|geschreven|schrieb|crit|escribi|escreveu|scritto|napisa|skrev|написал|пише|写道|posted|gmt|@",
    )
    .expect("regex")
});

static ATTRIBUTION_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^[\s<>*-]*(?:on|at|op|am|le|el|em|il|dnia|dňa|den|w\s+dniu|in\s+message|в)\s")
        .expect("regex")
});

/// Trims trailing blank lines and rules (`____`, `----`) and leading blank lines.
fn trim_reply(s: &str) -> String {
    let lines: Vec<&str> = s.split('\n').collect();
    let is_filler = |l: &str| {
        let t = l.trim();
        t.is_empty() || RULE.is_match(l) || is_signature_separator(l)
    };
    let end = lines
        .iter()
        .rposition(|l| !is_filler(l))
        .map_or(0, |p| p + 1);
    let start = lines
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(end)
        .min(end);
    let mut out = lines[start..end].join("\n");
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// Leading and trailing blank lines off.
fn trim_blank_lines(s: &str) -> String {
    let lines: Vec<&str> = s.split('\n').collect();
    let start = lines.iter().position(|l| !l.trim().is_empty());
    let end = lines.iter().rposition(|l| !l.trim().is_empty());
    match (start, end) {
        (Some(a), Some(b)) => lines[a..=b].join("\n").trim_end().to_string(),
        _ => String::new(),
    }
}

pub(crate) fn normalize_newlines(s: &str) -> String {
    if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s.to_string()
    }
}

/// Byte spans of the lines of `s` (without the `\n`).
fn line_spans(s: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b'\n' {
            spans.push((start, i));
            start = i + 1;
        }
    }
    if start < s.len() {
        spans.push((start, s.len()));
    }
    spans
}

pub(crate) fn floor_char_boundary(s: &str, max: usize) -> usize {
    if max >= s.len() {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(t: &str) -> String {
        split_reply(t).0
    }

    #[test]
    fn gmail_dutch_wrapped() {
        let t = "Ja, akkoord.\n\nOp wo 11 mrt 2026 om 10:00 schreef Jan Jansen <\njan@example.nl>:\n\n> Beste leden,\n> tekst\n";
        let (r, q) = split_reply(t);
        assert_eq!(r, "Ja, akkoord.");
        assert!(q.starts_with("Op wo 11 mrt"));
    }

    #[test]
    fn english_and_german_and_french() {
        assert_eq!(
            reply("Fine.\nOn Tue, Mar 10, 2026 at 2:03 PM Jan <j@x.nl> wrote:\n> a"),
            "Fine."
        );
        assert_eq!(
            reply("Gut.\n\nAm 10.03.2026 um 14:03 schrieb Jan <j@x.de>:\n> a"),
            "Gut."
        );
        assert_eq!(
            reply("Bien.\n\nLe 10 mars 2026 à 14:03, Jan <j@x.fr> a écrit :\n> a"),
            "Bien."
        );
    }

    #[test]
    fn apple_dutch_attribution() {
        let t = "Prima\n\nOp 12 mrt. 2026 om 09:30 heeft Jan Jansen <jan@x.nl> het volgende geschreven:\n\n> x";
        assert_eq!(reply(t), "Prima");
    }

    #[test]
    fn outlook_dutch_block() {
        let t = "Standpunt: ja\n\n________________________________\nVan: Loket <loket@x.nl>\nVerzonden: dinsdag 10 maart 2026 14:03\nAan: Jan\nOnderwerp: Casus 2026-014\n\nTekst";
        let (r, q) = split_reply(t);
        assert_eq!(r, "Standpunt: ja");
        assert!(q.starts_with("_____"), "{q:?}");
    }

    #[test]
    fn a_lone_from_line_is_not_a_header_block() {
        let t = "Van: mijn kant geen bezwaar.\nGroet";
        assert_eq!(reply(t), t);
    }

    #[test]
    fn separators_and_signatures() {
        assert_eq!(reply("a\n-----Original Message-----\nb"), "a");
        assert_eq!(reply("a\n-----Oorspronkelijk bericht-----\nb"), "a");
        assert_eq!(reply("a\n---------- Forwarded message ---------\nb"), "a");
        assert_eq!(reply("a\n-------- Doorgestuurd bericht --------\nb"), "a");
        assert_eq!(reply("a\nBegin forwarded message:\nb"), "a");
        assert_eq!(reply("a\n-- \nJan"), "a");
        assert_eq!(reply("a\n\nVerzonden vanaf mijn iPhone\n"), "a");
        assert_eq!(reply("a\n\nSent from my iPad"), "a");
        assert_eq!(reply("a\nGet Outlook for Android"), "a");
        assert_eq!(reply("a\nSent from Outlook for iOS"), "a");
        assert_eq!(reply("a\nVerstuurd vanaf mijn iPhone"), "a");
    }

    #[test]
    fn quote_at_the_end_is_cut_inline_quotes_are_kept() {
        let (r, q) = split_reply("Ja.\n\n> vraag\n> meer\n");
        assert_eq!(r, "Ja.");
        assert_eq!(q, "> vraag\n> meer");
        let t = "> Standpunt:\nJa\n> Argumenten:\nOmdat het kan.";
        assert_eq!(reply(t), t);
    }

    #[test]
    fn never_loses_content() {
        // A forward without words of its own: the forwarded text is the text.
        let t = "-----Original Message-----\nFrom: a\nSent: today\nTo: b\n\nthe text";
        let (r, q) = split_reply(t);
        assert_eq!(r, "the text");
        assert_eq!(q, "-----Original Message-----\nFrom: a\nSent: today\nTo: b");
        // Nothing but a quote: kept whole.
        let t = "> only a quote\n> here";
        assert_eq!(split_reply(t), (t.to_string(), String::new()));
        assert_eq!(split_reply("").0, "");
    }

    #[test]
    fn crlf_and_trailing_blanks() {
        assert_eq!(reply("a\r\nb\r\n\r\n\r\n"), "a\nb");
    }

    #[test]
    fn prose_starting_with_op_is_not_an_attribution() {
        let t = "Op basis van het dossier schreef ik eerder:\nja";
        assert_eq!(reply(t), t);
    }
}
