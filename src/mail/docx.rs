//! The text of a `.docx` file (Office Open XML), enough to read a case form from it:
//! paragraphs become lines, a table row becomes one line with its cells separated by a tab
//! ("label<TAB>value"), tabs and line breaks are kept. Deleted text (tracked changes) and
//! field instructions are left out.

use std::io::{Cursor, Read};

/// `word/document.xml` larger than this (uncompressed) is not read.
const XML_LIMIT: u64 = 16 * 1024 * 1024;
/// Archives with more entries than this are not read.
const MAX_ENTRIES: usize = 10_000;

/// The text of a .docx, or `None` if the bytes are not one.
pub fn text(bytes: &[u8]) -> Option<String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    if zip.len() > MAX_ENTRIES {
        return None;
    }
    let entry = zip.by_name("word/document.xml").ok()?;
    if entry.size() > XML_LIMIT {
        return None;
    }
    let mut xml = Vec::new();
    entry.take(XML_LIMIT).read_to_end(&mut xml).ok()?;
    Some(document_text(&String::from_utf8_lossy(&xml)))
}

/// Whether a file looks like a .docx by name or type.
pub fn is_docx(name: &str, content_type: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".docx")
        || content_type
            .starts_with("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
}

/// The text of a WordprocessingML document.
pub fn document_text(xml: &str) -> String {
    let mut out = String::new();
    // Top-level table state: the cells of the row being read, and the cell being read.
    let mut table_depth = 0usize;
    let mut row: Vec<String> = Vec::new();
    let mut cell: Option<String> = None;
    let mut in_text = false;
    let mut skip_text = 0usize;

    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        if in_text && skip_text == 0 && !text.is_empty() {
            push(&mut out, &mut cell, &unescape(text));
        }
        let Some(gt) = rest[lt..].find('>') else {
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        let closing = tag.starts_with('/');
        let self_closing = tag.ends_with('/');
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        let local = name.rsplit(':').next().unwrap_or(name);
        match (local, closing) {
            ("t", false) if !self_closing => in_text = true,
            ("t", true) => in_text = false,
            ("delText" | "instrText", false) if !self_closing => {
                skip_text += 1;
                in_text = true;
            }
            ("delText" | "instrText", true) => {
                skip_text = skip_text.saturating_sub(1);
                in_text = false;
            }
            ("tab", false) => push(&mut out, &mut cell, "\t"),
            ("br" | "cr", false) => push(&mut out, &mut cell, "\n"),
            ("p", true) => push(&mut out, &mut cell, "\n"),
            ("tbl", false) if !self_closing => table_depth += 1,
            ("tbl", true) => table_depth = table_depth.saturating_sub(1),
            ("tr", false) if table_depth == 1 && !self_closing => row.clear(),
            ("tc", false) if table_depth == 1 && !self_closing => cell = Some(String::new()),
            ("tc", true) if table_depth == 1 => {
                if let Some(c) = cell.take() {
                    row.push(c.trim().to_string());
                }
            }
            ("tr", true) if table_depth == 1 => {
                let cells: Vec<&str> = row.iter().map(String::as_str).collect();
                // Merged cells repeat nothing; empty trailing cells add nothing.
                let line = cells.join("\t");
                out.push_str(line.trim_end_matches('\t'));
                out.push('\n');
                row.clear();
            }
            _ => {}
        }
    }
    out.trim_end().to_string()
}

fn push(out: &mut String, cell: &mut Option<String>, s: &str) {
    match cell {
        Some(c) => c.push_str(s),
        None => out.push_str(s),
    }
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..semi];
        let c = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => ent
                .strip_prefix("#x")
                .or_else(|| ent.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_tables() {
        let xml = r#"<?xml version="1.0"?><w:document><w:body>
            <w:p><w:r><w:t>Casusformulier</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>Onderwerp</w:t></w:r></w:p></w:tc>
            <w:tc><w:p><w:r><w:t xml:space="preserve">Schade &amp; kosten</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            <w:p><w:r><w:t>Vraag:</w:t></w:r><w:r><w:tab/><w:t>mag</w:t><w:delText>niet</w:delText><w:t> dit?</w:t></w:r></w:p>
            </w:body></w:document>"#;
        assert_eq!(
            document_text(xml),
            "Casusformulier\nOnderwerp\tSchade & kosten\nVraag:\tmag dit?"
        );
    }

    #[test]
    fn not_a_zip() {
        assert_eq!(text(b"PK\x03\x04garbage"), None);
        assert_eq!(text(b""), None);
    }
}
