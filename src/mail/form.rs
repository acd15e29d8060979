//! Reading the case form and the view form out of mail text.
//!
//! The labels come from [`crate::forms`] (Dutch and English, with variants). A label is
//! recognised in any case, with `*bold*`, `**bold**` or `_underline_` markers, with or
//! without a colon, after numbering ("1.", "2)") or a bullet, quoted (`> `) or not. The value
//! is what follows the colon on the same line plus the following lines, up to the next
//! label, a quoted header block, a quote marker or a closing greeting. The blank form's
//! parenthesised hints are not values.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::reply::{self, Role};
use crate::core::model::{CaseField, CaseForm, Position, ViewForm};
use crate::forms::{CASE_LABELS, POSITION_WORDS, VIEW_LABELS, ViewField};

/// Forms longer than this are read up to here.
const FORM_LIMIT: usize = 256 * 1024;

struct Labels<F> {
    /// Normalised label → field.
    entries: Vec<(String, F)>,
    /// Normalised "(hint)" lines.
    hints: Vec<String>,
}

impl<F: Copy> Labels<F> {
    fn find(&self, label: &str) -> Option<F> {
        self.entries
            .iter()
            .find(|(l, _)| l == label)
            .map(|&(_, f)| f)
    }

    fn is_hint(&self, line: &str) -> bool {
        let n = normalize(line);
        !n.is_empty() && self.hints.contains(&n)
    }
}

fn build<F: Copy>(
    items: impl Iterator<Item = (F, Vec<&'static str>, [&'static str; 2])>,
) -> Labels<F> {
    let mut entries = Vec::new();
    let mut hints = Vec::new();
    for (field, labels, hs) in items {
        for l in labels {
            let n = normalize(l);
            if !entries.iter().any(|(e, _)| *e == n) {
                entries.push((n, field));
            }
        }
        for h in hs {
            if !h.is_empty() {
                hints.push(normalize(&format!("({h})")));
            }
        }
    }
    Labels { entries, hints }
}

static CASE: LazyLock<Labels<CaseField>> = LazyLock::new(|| {
    build(CASE_LABELS.iter().map(|l| {
        (
            l.field,
            l.nl.iter().chain(l.en.iter()).copied().collect(),
            [l.hint_nl, l.hint_en],
        )
    }))
});

static VIEW: LazyLock<Labels<ViewField>> = LazyLock::new(|| {
    build(VIEW_LABELS.iter().map(|l| {
        (
            l.field,
            l.nl.iter().chain(l.en.iter()).copied().collect(),
            [l.hint_nl, l.hint_en],
        )
    }))
});

/// Numbering, bullets and heading marks before a label.
static NUMBERING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\d{1,2}[.)]|[a-hA-H][.)]\s|[-•·–]\s|#+\s?)\s*").expect("regex")
});

/// A closing greeting ends the form.
static CLOSING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*(?:
            (?:met\s+)?(?:vriendelijke|hartelijke|collegiale|beste)\s+groet(?:en)?
          | groet(?:en)? | mvg | m\.v\.g\.? | hoogachtend
          | (?:with\s+)?(?:kind|best|warm)\s+regards | regards | best\s+wishes
          | (?:yours\s+)?sincerely
        )\s*[,.!]?\s*$",
    )
    .expect("regex")
});

/// Reads the case form. Only fields with a value are returned; the first filled-in
/// occurrence of a field counts.
pub fn read_case_form(text: &str) -> CaseForm {
    let mut fields = BTreeMap::new();
    for (f, v) in scan(text, &CASE, &VIEW) {
        if !v.is_empty() {
            fields.entry(f).or_insert(v);
        }
    }
    CaseForm { fields }
}

/// Reads the view form. A text without view labels gives `ViewForm::default()`.
pub fn read_view(text: &str) -> ViewForm {
    let mut found: BTreeMap<u8, String> = BTreeMap::new();
    let mut position = None;
    for (f, v) in scan(text, &VIEW, &CASE) {
        if v.is_empty() {
            continue;
        }
        let key = match f {
            ViewField::Position => {
                if position.is_none() {
                    position = Some(position_of(&v));
                }
                continue;
            }
            ViewField::Arguments => 0,
            ViewField::Compensation => 1,
            ViewField::Remarks => 2,
        };
        found.entry(key).or_insert(v);
    }
    ViewForm {
        position: position.unwrap_or_default(),
        arguments: found.remove(&0),
        compensation: found.remove(&1),
        remarks: found.remove(&2),
    }
}

/// Maps a position value to a [`Position`] using [`POSITION_WORDS`]: the first listed
/// phrase that occurs as whole words wins (first in the value's first line, then anywhere).
pub fn position_of(value: &str) -> Position {
    let first = value.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    for part in [first, value] {
        let words = format!(" {} ", words_of(part));
        for (phrase, pos) in POSITION_WORDS {
            if words.contains(&format!(" {phrase} ")) {
                return *pos;
            }
        }
    }
    Position::Unstated
}

/// Lowercase, punctuation to spaces, single spaces.
fn words_of(s: &str) -> String {
    let lower: String = s
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn normalize(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Removes `>` quote marks from the start of a line.
fn strip_quote(line: &str) -> &str {
    let mut l = line;
    loop {
        let t = l.trim_start();
        match t.strip_prefix('>') {
            Some(rest) => l = rest,
            None => return if l.len() == line.len() { line } else { t },
        }
    }
}

/// If the line is a label line, the field and the value on the same line.
fn label_line<F: Copy>(line: &str, labels: &Labels<F>) -> Option<(F, String)> {
    let s = line.trim();
    if s.is_empty() || s.len() > 200 {
        return None;
    }
    let (head, rest) = match s.find(':') {
        Some(p) => (&s[..p], Some(&s[p + 1..])),
        None => match s.find('\t') {
            Some(p) => (&s[..p], Some(&s[p + 1..])),
            None => (s, None),
        },
    };
    let field = labels.find(&label_of(head))?;
    let value = match rest {
        None => String::new(),
        Some(r) => {
            // `**Label:** value`: the closing marks follow the colon.
            let h = head.trim();
            let lead = h.chars().take_while(|c| matches!(c, '*' | '_')).count();
            let trail = h
                .chars()
                .rev()
                .take_while(|c| matches!(c, '*' | '_'))
                .count();
            let mut r = r;
            for _ in 0..lead.saturating_sub(trail) {
                r = r.strip_prefix(['*', '_']).unwrap_or(r);
            }
            r.trim().to_string()
        }
    };
    Some((field, value))
}

/// The label in a label line's head: markers, numbering and a parenthesised hint removed.
fn label_of(head: &str) -> String {
    const MARKS: [char; 3] = ['*', '_', ' '];
    let mut h = head.trim().trim_start_matches(MARKS);
    let num_end = NUMBERING.find(h).map_or(0, |m| m.end());
    h = h[num_end..]
        .trim_start_matches(MARKS)
        .trim_end_matches(MARKS);
    if h.ends_with(')')
        && let Some(p) = h.rfind('(')
    {
        h = h[..p].trim_end_matches(MARKS);
    }
    normalize(h)
}

/// The (field, value) pairs of a text, in order. A label of the other form (the view form
/// when reading the case form, and the other way round) ends a value too, and its hints
/// are not values either.
fn scan<F: Copy, G: Copy>(text: &str, labels: &Labels<F>, other: &Labels<G>) -> Vec<(F, String)> {
    let text = reply::normalize_newlines(&text[..reply::floor_char_boundary(text, FORM_LIMIT)]);
    let lines: Vec<&str> = text.split('\n').map(strip_quote).collect();
    let roles = reply::roles(&lines);

    let mut out = Vec::new();
    let mut current: Option<(F, Vec<String>)> = None;
    let finish = |cur: &mut Option<(F, Vec<String>)>, out: &mut Vec<(F, String)>| {
        if let Some((f, vals)) = cur.take() {
            out.push((f, vals.join("\n").trim().to_string()));
        }
    };

    for (line, role) in lines.iter().zip(&roles) {
        if matches!(role, Role::Header | Role::Boundary) {
            finish(&mut current, &mut out);
        } else if let Some((f, v)) = label_line(line, labels) {
            finish(&mut current, &mut out);
            let mut vals = Vec::new();
            if !v.is_empty() && !labels.is_hint(&v) && !other.is_hint(&v) {
                vals.push(v);
            }
            current = Some((f, vals));
        } else if CLOSING.is_match(line) || label_line(line, other).is_some() {
            finish(&mut current, &mut out);
        } else if let Some((_, vals)) = current.as_mut()
            && !labels.is_hint(line)
            && !other.is_hint(line)
        {
            vals.push(line.trim_end().to_string());
        }
    }
    finish(&mut current, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_variants() {
        let f = read_case_form(
            "**Indienend ministerie:** BZK\n1. Onderwerp: Schade\n_Vraag_\nIs het geraden?\n\
             SPOED: (ja of nee)\nCasuspositie\nregel 1\n\nregel 2\n",
        );
        assert_eq!(f.get(CaseField::Ministry), Some("BZK"));
        assert_eq!(f.get(CaseField::Subject), Some("Schade"));
        assert_eq!(f.get(CaseField::Question), Some("Is het geraden?"));
        assert_eq!(f.get(CaseField::Urgency), None);
        assert_eq!(f.get(CaseField::Description), Some("regel 1\n\nregel 2"));
    }

    #[test]
    fn hint_lines_are_not_values() {
        let f = read_case_form(&crate::forms::blank_case_form(
            crate::config::model::Lang::Nl,
        ));
        assert!(f.is_empty(), "{f:?}");
        let f = read_case_form(&crate::forms::blank_case_form(
            crate::config::model::Lang::En,
        ));
        assert!(f.is_empty(), "{f:?}");
        let v = read_view(&crate::forms::blank_view_form(
            crate::config::model::Lang::Nl,
        ));
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn positions() {
        assert_eq!(
            position_of("Ja, onder voorwaarden"),
            Position::UnderConditions
        );
        assert_eq!(
            position_of("tegemoetkomen niet geraden"),
            Position::NotAdvisable
        );
        assert_eq!(position_of("Ja."), Position::Advisable);
        assert_eq!(position_of("Nee!"), Position::NotAdvisable);
        assert_eq!(position_of("misschien"), Position::Unstated);
        assert_eq!(position_of("Japan"), Position::Unstated);
        assert_eq!(position_of("Advisable"), Position::Advisable);
    }

    #[test]
    fn view_with_inline_quotes_and_tabs() {
        let v = read_view(
            "> Standpunt:\n> (ja / nee / onder voorwaarden)\nNee\n> Argumenten:\nTe duur.\nOpmerkingen\tgeen\n",
        );
        assert_eq!(v.position, Position::NotAdvisable);
        assert_eq!(v.arguments.as_deref(), Some("Te duur."));
        assert_eq!(v.remarks.as_deref(), Some("geen"));
        assert_eq!(v.compensation, None);
    }

    #[test]
    fn a_label_of_the_other_form_ends_a_value() {
        let f = read_case_form("Vraag: mag dit?\n\nStandpunt:\n  (ja / nee / onder voorwaarden)\n");
        assert_eq!(f.get(CaseField::Question), Some("mag dit?"));
        let v = read_view("Opmerkingen: geen\nOnderwerp: iets anders\n");
        assert_eq!(v.remarks.as_deref(), Some("geen"));
    }

    #[test]
    fn closing_greeting_ends_the_value() {
        let v = read_view("Standpunt: ja\nOpmerkingen: geen\n\nMet vriendelijke groet,\nPiet");
        assert_eq!(v.remarks.as_deref(), Some("geen"));
    }

    #[test]
    fn free_text_is_no_form() {
        assert_eq!(
            read_view("Wat mij betreft is dit prima, ja.\nGroet, Jan"),
            ViewForm::default()
        );
        assert!(read_case_form("Hierbij de casus over de schade.").is_empty());
    }

    #[test]
    fn quoted_header_blocks_are_skipped() {
        let f = read_case_form(
            "Ministerie: BZK\n\n> Van: Loket <l@x.nl>\n> Verzonden: maandag\n> Onderwerp: RE: iets\n\n> Vraag: mag dit?\n",
        );
        assert_eq!(f.get(CaseField::Subject), None);
        assert_eq!(f.get(CaseField::Question), Some("mag dit?"));
    }
}
