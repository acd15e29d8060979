//! Separating the new text of a reply from what it quotes.
//!
//! Mail clients mark the start of quoted text in a handful of ways: `>` quote blocks,
//! attribution lines ("Op … schreef …:"), separators ("-----Oorspronkelijk bericht-----"),
//! Outlook header blocks ("Van:/Verzonden:/Aan:/Onderwerp:"), signatures ("-- ") and the
//! footers phones add ("Verzonden vanaf mijn iPhone"). [`roles`] labels each line with what
//! it is; [`split_reply`] cuts at the first line that starts the quoted part. The form
//! reader uses the same roles to ignore header blocks inside quoted text.

use std::sync::LazyLock;

use regex::Regex;

/// How much text is scanned for a cut. Anything after this is kept in the reply as is.
pub(crate) const SCAN_LIMIT: usize = 64 * 1024;

/// What a line is, as far as the quote detection is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Ordinary text.
    Text,
    Blank,
    /// Starts with `>`.
    Quote,
    /// Starts quoted or trailing material: an attribution, a separator, a signature
    /// separator, a phone footer.
    Boundary,
    /// Part of a quoted header block ("From:/Sent:/To:/Subject:").
    Header,
}

/// Splits a mail text into (new text, cut text).
///
/// The new text is everything before the first quote marker, with trailing blank lines
/// (and a trailing `____` rule) trimmed. If the cut would leave nothing, the whole text is
/// the new text and the cut text is empty: content is never lost.
pub fn split_reply(text: &str) -> (String, String) {
    let text = normalize_newlines(text);
    let scan = &text[..floor_char_boundary(&text, SCAN_LIMIT)];
    let spans = line_spans(scan);
    let lines: Vec<&str> = spans.iter().map(|&(s, e)| &scan[s..e]).collect();
    let roles = roles(&lines);
    let cut = find_cut(&lines, &roles).map(|i| spans[i].0);

    let whole = || (trim_reply(&text), String::new());
    match cut {
        None => whole(),
        Some(pos) => {
            let reply = trim_reply(&text[..pos]);
            if reply.trim().is_empty() {
                whole()
            } else {
                (reply, text[pos..].trim_end().to_string())
            }
        }
    }
}

/// The index of the line where the quoted part starts.
fn find_cut(lines: &[&str], roles: &[Role]) -> Option<usize> {
    let mut i = 0;
    while i < lines.len() {
        match roles[i] {
            Role::Boundary | Role::Header => return Some(i),
            Role::Quote => {
                // A quote block ends the reply only if nothing new follows it; a reply
                // written between quotes (inline answers) keeps its quotes.
                let mut j = i;
                while j < lines.len() && matches!(roles[j], Role::Quote | Role::Blank) {
                    j += 1;
                }
                if j >= lines.len() || matches!(roles[j], Role::Boundary | Role::Header) {
                    return Some(i);
                }
                i = j;
            }
            Role::Text | Role::Blank => i += 1,
        }
    }
    None
}

static ATTRIBUTION_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*(on|op|am|le)\s").expect("regex"));

static ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:on\s.*\bwrote|op\s.*\b(?:schreef|geschreven)\b.*|am\s.*\bschrieb\b.*|le\s.*\ba\s+[ée]crit)\s*:\s*$",
    )
    .expect("regex")
});

static SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*(?:
            [-_=*]{2,}\s*(?:original\s+message|oorspronkelijk\s+bericht|origineel\s+bericht
                |forwarded\s+message|doorgestuurd\s+bericht|ursprüngliche\s+nachricht
                |weitergeleitete\s+nachricht|message\s+d'origine|message\s+transféré
                |mensaje\s+original|mensagem\s+original|messaggio\s+originale)\s*[-_=*]{2,}
          | (?:begin\s+forwarded\s+message|begin\s+doorgestuurd\s+bericht
                |anfang\s+der\s+weitergeleiteten\s+nachricht|début\s+du\s+message\s+réexpédié)\s*:
        )\s*$",
    )
    .expect("regex")
});

static HEADER_FROM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*[*_]{0,2}\s*(?:from|van|von|de|da|från|fra)\s*:\s*[*_]{0,2}\s*\S")
        .expect("regex")
});

static HEADER_SENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*[*_]{0,2}\s*(?:sent|verzonden|verstuurd|date|datum|gesendet|envoyé|enviado|data|skickat|sendt)\s*:",
    )
    .expect("regex")
});

static RULE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*_{10,}\s*$").expect("regex"));

static MOBILE_FOOTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*(?:
            sent\s+from\s+(?:my|outlook|mail|yahoo|samsung)\b
          | get\s+outlook\s+for\s+(?:ios|android)\b
          | verzonden\s+(?:vanaf|vanuit|met)\s
          | verstuurd\s+(?:vanaf|vanuit|met)\s
          | outlook\s+voor\s+(?:ios|android)\s+downloaden
          | von\s+meinem\s.*\sgesendet
          | envoyé\s+(?:de|depuis)\s+mon\s
          | sendt\s+fra\s+min\s | skickat\s+från\s+min\s | enviado\s+desde\s+mi\s
        )",
    )
    .expect("regex")
});

fn is_signature_separator(line: &str) -> bool {
    line == "-- " || line == "--" || line == "-- \u{a0}"
}

/// Labels each line. Lines are given without their line ends.
pub(crate) fn roles(lines: &[&str]) -> Vec<Role> {
    let mut roles: Vec<Role> = lines
        .iter()
        .map(|l| {
            if l.trim().is_empty() {
                Role::Blank
            } else if l.trim_start().starts_with('>') {
                Role::Quote
            } else {
                Role::Text
            }
        })
        .collect();

    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if roles[i] != Role::Text {
            i += 1;
            continue;
        }
        if SEPARATOR.is_match(line)
            || is_signature_separator(line)
            || (line.trim().len() <= 60 && !line.contains(", ") && MOBILE_FOOTER.is_match(line))
        {
            roles[i] = Role::Boundary;
            i += 1;
            continue;
        }
        if let Some(n) = attribution_len(lines, i) {
            for r in roles.iter_mut().skip(i).take(n) {
                *r = Role::Boundary;
            }
            i += n;
            continue;
        }
        if HEADER_FROM.is_match(line) && header_follows(lines, i) {
            // The block runs to the first blank line.
            let mut j = i;
            while j < lines.len() && j < i + 16 && !lines[j].trim().is_empty() {
                roles[j] = Role::Header;
                j += 1;
            }
            // An Outlook rule just above belongs to the block.
            if let Some(k) = prev_non_blank(lines, i)
                && RULE.is_match(lines[k])
                && i - k <= 2
            {
                roles[k] = Role::Boundary;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    roles
}

fn prev_non_blank(lines: &[&str], i: usize) -> Option<usize> {
    (0..i).rev().find(|&k| !lines[k].trim().is_empty())
}

/// A From/Van line is a header block when a Sent/Date line follows within four lines.
fn header_follows(lines: &[&str], i: usize) -> bool {
    lines
        .iter()
        .skip(i + 1)
        .take(4)
        .take_while(|l| !l.trim().is_empty())
        .any(|l| HEADER_SENT.is_match(l))
}

/// Whether an attribution ("On … wrote:") starts at line `i`, possibly wrapped over up to
/// three lines; returns how many lines it takes.
fn attribution_len(lines: &[&str], i: usize) -> Option<usize> {
    if !ATTRIBUTION_START.is_match(lines[i]) {
        return None;
    }
    let mut joined = String::new();
    for n in 1..=3 {
        let l = lines.get(i + n - 1)?;
        if n > 1 && l.trim().is_empty() {
            return None;
        }
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(l.trim());
        if joined.len() > 400 {
            return None;
        }
        if ATTRIBUTION.is_match(&joined) && joined.chars().any(|c| c.is_ascii_digit()) {
            return Some(n);
        }
    }
    None
}

/// Trims trailing blank lines and rules (`____`, `----`) and leading blank lines.
fn trim_reply(s: &str) -> String {
    let lines: Vec<&str> = s.split('\n').collect();
    let is_filler = |l: &str| {
        let t = l.trim();
        t.is_empty() || (t.len() >= 3 && t.chars().all(|c| matches!(c, '_' | '-' | '=')))
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
        let t = "-----Original Message-----\nFrom: a\n\nthe text";
        let (r, q) = split_reply(t);
        assert_eq!(r, t);
        assert_eq!(q, "");
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
