//! HTML bodies: the mail clients' own quote markers, and HTML → text.
//!
//! Mail clients mark where the quoted original starts in the HTML they write: Outlook's
//! `<div id="divRplyFwdMsg">`, Gmail's `<div class="gmail_quote">`, Word's header block in a
//! `<div style="border:none;border-top:solid …">` inside `WordSection1`, Apple Mail's and
//! Thunderbird's `<blockquote type="cite">`, Thunderbird's `moz-cite-prefix`, and a few
//! more in [`MARKERS`]. [`split`] finds the first such marker in document order and renders
//! the part before it and the part from it on as text, separately, with html2text; the text
//! rules in `reply` then run over the part before it. [`to_text`] renders a whole document.
//!
//! The DOM is cut by moving children out of their parents' child lists and back; no node is
//! created, so the renderer sees an ordinary document each time.

use std::sync::LazyLock;

use html2text::render::TextDecorator;
use html2text::{Element, Handle, RcDom};
use regex::Regex;

use super::reply;

/// HTML longer than this is read up to here (html5ever is linear, but a mail is not a
/// book).
pub(crate) const HTML_LIMIT: usize = 2 * 1024 * 1024;

/// Nesting deeper than this is not searched for markers.
const MAX_DEPTH: usize = 200;

/// Wide enough that the renderer never wraps a line of mail text.
const WIDTH: usize = 4000;

/// How a marker is told apart. `strong` markers are trusted; the others only count when the
/// part they start reads as a quoted header block.
#[derive(Debug)]
pub struct Marker {
    pub name: &'static str,
    pub strong: bool,
    test: fn(&Tag<'_>) -> bool,
}

/// An element as the marker tests see it: lowercase name, attributes.
pub struct Tag<'a> {
    name: &'a str,
    attrs: &'a [(String, String)],
}

impl Tag<'_> {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_ascii_whitespace().any(|t| t == class))
    }
    fn id_ends_with(&self, id: &str) -> bool {
        self.attr("id").is_some_and(|i| i.ends_with(id))
    }
    /// The style attribute, lowercase, without spaces.
    fn style(&self) -> String {
        self.attr("style")
            .unwrap_or("")
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }
}

/// The markers, tried on every element in document order; the first element that matches
/// any marker is where the quoted part starts.
pub const MARKERS: &[Marker] = &[
    Marker {
        name: "Outlook divRplyFwdMsg",
        strong: true,
        test: |t| t.id_ends_with("divRplyFwdMsg"),
    },
    Marker {
        name: "Outlook for Mac OLK_SRC_BODY_SECTION",
        strong: true,
        test: |t| t.attr("id") == Some("OLK_SRC_BODY_SECTION"),
    },
    Marker {
        name: "Gmail gmail_quote",
        strong: true,
        test: |t| {
            t.name != "blockquote" && (t.has_class("gmail_quote") || t.has_class("gmail_attr"))
        },
    },
    Marker {
        name: "Thunderbird moz-cite-prefix",
        strong: true,
        test: |t| t.has_class("moz-cite-prefix") || t.has_class("moz-forward-container"),
    },
    Marker {
        name: "Yahoo yahoo_quoted",
        strong: true,
        test: |t| t.has_class("yahoo_quoted") || t.id_ends_with("yahoo_quoted"),
    },
    Marker {
        name: "Hotmail stopSpelling",
        strong: true,
        test: |t| t.name == "hr" && t.attr("id") == Some("stopSpelling"),
    },
    Marker {
        name: "Word border-top separator",
        strong: false,
        test: |t| {
            let s = t.style();
            t.name == "div" && s.contains("border:none") && s.contains("border-top:solid")
        },
    },
    Marker {
        name: "Outlook 2003 rule",
        strong: false,
        test: |t| t.name == "hr" && t.attr("tabindex") == Some("-1"),
    },
    Marker {
        name: "blockquote type=cite",
        strong: false,
        test: |t| {
            t.name == "blockquote"
                && t.attr("type")
                    .is_some_and(|v| v.eq_ignore_ascii_case("cite"))
        },
    },
    Marker {
        name: "Gmail/Yandex blockquote",
        strong: false,
        test: |t| t.name == "blockquote",
    },
    Marker {
        name: "horizontal rule",
        strong: false,
        test: |t| t.name == "hr",
    },
];

/// The result of splitting an HTML body.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Split {
    /// Text before the marker (the whole text when there is none).
    pub before: String,
    /// Text from the marker on.
    pub after: String,
    /// Which marker cut, if any.
    pub marker: Option<&'static str>,
}

/// Renders an HTML document as text.
pub fn to_text(html: &str) -> String {
    let html = capped(html);
    match parse(html) {
        Some(dom) => render(&dom),
        None => String::new(),
    }
}

/// Splits an HTML reply at the first client marker that holds up.
///
/// Weak markers (a plain `<blockquote>`, `<hr>`, a border-top `div`) count only when the
/// part they start opens with a quoted header block or an attribution, or consists of quotes
/// only; a reply written between quotes keeps them.
pub fn split(html: &str) -> Split {
    let html = capped(html);
    let Some(dom) = parse(html) else {
        return Split::default();
    };
    let mut candidates = Vec::new();
    let mut path = Vec::new();
    find_markers(&dom.document, &mut path, &mut candidates, 0);
    for (path, marker) in candidates.into_iter().take(4) {
        let (before, after) = render_split(&dom, &path);
        if before.trim().is_empty() {
            continue;
        }
        if marker.strong || weak_marker_holds(marker, &before, &after) {
            return Split {
                before,
                after,
                marker: Some(marker.name),
            };
        }
    }
    Split {
        before: render(&dom),
        after: String::new(),
        marker: None,
    }
}

fn capped(html: &str) -> &str {
    &html[..reply::floor_char_boundary(html, HTML_LIMIT)]
}

fn parse(html: &str) -> Option<RcDom> {
    let html = word_paragraphs(html);
    html2text::config::with_decorator(MailDecorator)
        .parse_html(html.as_bytes())
        .ok()
}

static WORD_P: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)^<p\s[^>]*\bclass\s*=\s*["']?Mso"#).expect("regex"));
static P_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)<p(?:\s[^>]*)?>|</p\s*>").expect("regex"));

/// Word (Outlook) writes every line as its own `<p class=MsoNormal>` and styles those
/// paragraphs without margins: they are lines, not paragraphs. They are read as `div`s
/// (paragraphs cannot nest, so each `</p>` closes the last `<p>`), with a private-use mark
/// (taken out again by [`tidy`]) that keeps an empty one as the blank line it shows as.
fn word_paragraphs(html: &str) -> std::borrow::Cow<'_, str> {
    if !html.contains("Mso") {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() + 1024);
    let mut last = 0;
    let mut open_is_word = false;
    for m in P_TAG.find_iter(html) {
        let tag = m.as_str();
        out.push_str(&html[last..m.start()]);
        if tag.starts_with("</") {
            out.push_str(if open_is_word { "</div>" } else { tag });
            open_is_word = false;
        } else if WORD_P.is_match(tag) {
            out.push_str("<div");
            out.push_str(&tag[2..]);
            out.push_str("&#57344;");
            open_is_word = true;
        } else {
            out.push_str(tag);
            open_is_word = false;
        }
        last = m.end();
    }
    out.push_str(&html[last..]);
    std::borrow::Cow::Owned(out)
}

fn config() -> html2text::config::Config<MailDecorator> {
    html2text::config::with_decorator(MailDecorator)
        .link_footnotes(false)
        .no_table_borders()
        .no_link_wrapping()
        .allow_width_overflow()
}

fn render(dom: &RcDom) -> String {
    let c = config();
    let text = c
        .dom_to_render_tree(dom)
        .and_then(|t| c.render_to_string(t, WIDTH))
        .unwrap_or_default();
    tidy(&text)
}

/// Trailing spaces off, non-breaking spaces and zero-width characters to spaces or nothing,
/// runs of blank lines to one.
pub(crate) fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.split('\n') {
        let line: String = line
            .chars()
            .filter(|c| !matches!(c, '\u{200b}' | '\u{200c}' | '\u{feff}' | '\u{e000}' | '\r'))
            .map(|c| if c == '\u{a0}' { ' ' } else { c })
            .collect();
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim_matches('\n').to_string()
}

/// Collects the elements that match a marker, in document order, with their paths (child
/// indexes from the document down).
fn find_markers(
    node: &Handle,
    path: &mut Vec<usize>,
    out: &mut Vec<(Vec<usize>, &'static Marker)>,
    depth: usize,
) {
    if depth > MAX_DEPTH || out.len() >= 16 {
        return;
    }
    let children = node.children.borrow();
    for (i, child) in children.iter().enumerate() {
        path.push(i);
        let mut matched = false;
        if let Element { name, attrs, .. } = &child.data {
            let tag_name = (*name.local).to_ascii_lowercase();
            let attrs: Vec<(String, String)> = attrs
                .borrow()
                .iter()
                .map(|a| ((*a.name.local).to_ascii_lowercase(), a.value.to_string()))
                .collect();
            let tag = Tag {
                name: &tag_name,
                attrs: &attrs,
            };
            if matches!(tag_name.as_str(), "head" | "style" | "script" | "title") {
                path.pop();
                continue;
            }
            if let Some(m) = MARKERS.iter().find(|m| (m.test)(&tag)) {
                out.push((path.clone(), m));
                matched = true;
            }
        }
        // Nothing inside a marker is a better cut than the marker itself.
        if !matched {
            find_markers(child, path, out, depth + 1);
        }
        path.pop();
    }
}

/// Renders the document twice: once without the marker and what follows it, once with only
/// those.
fn render_split(dom: &RcDom, path: &[usize]) -> (String, String) {
    let nodes = chain(&dom.document, path);
    // Before: drop what follows along the path.
    let saved = detach(&nodes, path, |len, i, last| {
        if last { i..len } else { (i + 1).min(len)..len }
    });
    let before = render(dom);
    restore(&nodes, path, saved, |i, last| if last { i } else { i + 1 });
    // After: drop what precedes along the path.
    let saved = detach(&nodes, path, |_, i, _| 0..i);
    let after = render(dom);
    restore(&nodes, path, saved, |_, _| 0);
    (before, after)
}

/// The nodes along a path: the document and each ancestor of the marker (not the marker).
fn chain(doc: &Handle, path: &[usize]) -> Vec<Handle> {
    let mut nodes = vec![doc.clone()];
    for &i in &path[..path.len().saturating_sub(1)] {
        let next = nodes
            .last()
            .and_then(|n| n.children.borrow().get(i).cloned());
        match next {
            Some(n) => nodes.push(n),
            None => break,
        }
    }
    nodes
}

type Detached = Vec<Vec<Handle>>;

fn detach(
    nodes: &[Handle],
    path: &[usize],
    range: impl Fn(usize, usize, bool) -> std::ops::Range<usize>,
) -> Detached {
    nodes
        .iter()
        .zip(path)
        .enumerate()
        .map(|(level, (node, &i))| {
            let mut children = node.children.borrow_mut();
            let len = children.len();
            let r = range(len, i.min(len), level + 1 == path.len());
            let r = r.start.min(len)..r.end.min(len);
            children.drain(r).collect()
        })
        .collect()
}

fn restore(nodes: &[Handle], path: &[usize], saved: Detached, at: impl Fn(usize, bool) -> usize) {
    for (level, ((node, &i), nodes_back)) in nodes.iter().zip(path).zip(saved).enumerate() {
        let mut children = node.children.borrow_mut();
        let pos = at(i, level + 1 == path.len()).min(children.len());
        let tail = children.split_off(pos);
        children.extend(nodes_back);
        children.extend(tail);
    }
}

/// A weak marker holds when what it starts is a quoted original: it opens with a header
/// block or an attribution, or (for quotes) nothing but quotes and attributions follow.
fn weak_marker_holds(marker: &Marker, before: &str, after: &str) -> bool {
    let lines: Vec<&str> = after.lines().collect();
    let roles = reply::roles(&lines);
    let first = roles
        .iter()
        .position(|r| *r != reply::Role::Blank)
        .map(|i| roles[i]);
    if matches!(first, Some(reply::Role::Header | reply::Role::Boundary)) {
        return true;
    }
    if marker.name.contains("blockquote") {
        // Quotes only from here on: nothing written after them.
        let only_quotes = roles.iter().all(|r| {
            matches!(
                r,
                reply::Role::Quote | reply::Role::Blank | reply::Role::Boundary
            )
        });
        // …and the text before ends in an attribution, or this is Apple's cite.
        let before_lines: Vec<&str> = before.lines().collect();
        let before_roles = reply::roles(&before_lines);
        let attributed = before_roles
            .iter()
            .rev()
            .find(|r| **r != reply::Role::Blank)
            .is_some_and(|r| *r == reply::Role::Boundary);
        return only_quotes && (attributed || marker.name.contains("cite"));
    }
    false
}

/// The decorator: plain text with Markdown-like emphasis, links as their text, no
/// footnotes, images by their title only.
#[derive(Clone, Debug, Default)]
pub struct MailDecorator;

impl TextDecorator for MailDecorator {
    type Annotation = ();

    fn decorate_link_start(&mut self, _url: &str) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_link_end(&mut self) -> String {
        String::new()
    }
    fn decorate_em_start(&self) -> (String, ()) {
        ("*".into(), ())
    }
    fn decorate_em_end(&self) -> String {
        "*".into()
    }
    fn decorate_strong_start(&self) -> (String, ()) {
        ("**".into(), ())
    }
    fn decorate_strong_end(&self) -> String {
        "**".into()
    }
    fn decorate_strikeout_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }
    fn decorate_code_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_code_end(&self) -> String {
        String::new()
    }
    fn decorate_preformat_first(&self) {}
    fn decorate_preformat_cont(&self) {}
    fn decorate_image(&mut self, _src: &str, title: &str) -> (String, ()) {
        let t = title.trim();
        if t.is_empty() {
            (String::new(), ())
        } else {
            (format!("[{t}]"), ())
        }
    }
    fn header_prefix(&self, level: usize) -> String {
        "#".repeat(level.min(6)) + " "
    }
    fn quote_prefix(&self) -> String {
        "> ".into()
    }
    fn unordered_item_prefix(&self) -> String {
        "- ".into()
    }
    fn ordered_item_prefix(&self, i: i64) -> String {
        format!("{i}. ")
    }
    fn make_subblock_decorator(&self) -> Self {
        MailDecorator
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_quote() {
        let s = split(
            "<div dir=ltr>Ja, akkoord.</div><br><div class=\"gmail_quote\"><div class=gmail_attr>Op di 10 mrt 2026 schreef Jan:</div><blockquote class=gmail_quote>vraag</blockquote></div>",
        );
        assert_eq!(s.before, "Ja, akkoord.");
        assert!(s.after.contains("vraag"));
        assert_eq!(s.marker, Some("Gmail gmail_quote"));
    }

    #[test]
    fn inline_blockquote_reply_is_not_cut() {
        let s = split(
            "<div>Hoi</div><blockquote>vraag 1</blockquote><div>antwoord 1</div><blockquote>vraag 2</blockquote><div>antwoord 2</div>",
        );
        assert_eq!(s.marker, None);
        assert!(s.before.contains("antwoord 2"));
    }

    #[test]
    fn word_separator() {
        let s = split(
            "<div class=WordSection1><p class=MsoNormal>Prima<o:p></o:p></p><div><div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'><p class=MsoNormal><b>Van:</b> Loket<br><b>Verzonden:</b> dinsdag<br><b>Aan:</b> Jan<br><b>Onderwerp:</b> Casus</p></div></div><p>oud</p></div>",
        );
        assert_eq!(s.before, "Prima");
        assert!(s.after.starts_with("**Van:**"), "{:?}", s.after);
        assert!(s.after.contains("oud"));
    }

    #[test]
    fn garbage_is_harmless() {
        let _ = split("<<<>>><div <p </div></blockquote>");
        let _ = to_text("");
        assert_eq!(to_text("<p>a&nbsp;</p><p></p><p></p><p>b</p>"), "a\n\nb");
    }
}
