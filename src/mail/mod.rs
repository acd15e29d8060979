//! Reading raw mail into [`InboundMail`] values.
//!
//! [`read`] parses the bytes (mail-parser), classifies the mail ([`classify`]), separates
//! the new text from the quoted text ([`reply`]) and reads the case form and the view form
//! from it ([`form`]). It never fails: whatever cannot be read is reported in
//! `InboundMail::problems`.

mod bounce;
pub mod classify;
pub mod form;
pub mod reply;

use std::borrow::Cow;
use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{DateTime, Utc};
use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::html::html_to_text;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{
    Encoding, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};

use crate::core::model::{
    Address, AttachmentInfo, CaseForm, InboundMail, MailKind, MailProblem, RawId, ViewForm,
};
use classify::{Facts, PartFacts};

/// Limits applied while reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadLimits {
    /// Attachments larger than this are listed with a `AttachmentTooLarge` problem.
    pub max_attachment_bytes: u64,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_attachment_bytes: 25 * 1024 * 1024,
        }
    }
}

/// An attachment's content, as stored in the raw message (transfer encoding removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Reads a raw message. Never panics, never fails: anything unreadable becomes an
/// `InboundMail` with problems.
pub fn read(raw_id: RawId, raw: &[u8], limits: &ReadLimits) -> InboundMail {
    let raw = skip_leading_blank_lines(raw);
    catch_unwind(AssertUnwindSafe(|| read_parsed(raw_id, raw, limits)))
        .ok()
        .flatten()
        .unwrap_or_else(|| unparseable(raw_id))
}

/// The Message-ID (no angle brackets, trimmed) if the raw bytes have one. Reads only the
/// header, the same way [`read`] does.
pub fn message_id(raw: &[u8]) -> Option<String> {
    let raw = skip_leading_blank_lines(raw);
    catch_unwind(|| {
        MessageParser::new()
            .parse_headers(raw)
            .and_then(|m| clean_id(m.message_id()?))
    })
    .ok()
    .flatten()
}

/// The attachment with this index, numbered as in `InboundMail::attachments`.
pub fn attachment(raw: &[u8], index: usize) -> Option<Attachment> {
    let raw = skip_leading_blank_lines(raw);
    catch_unwind(|| {
        let msg = parse(raw)?;
        let part = msg.attachments().nth(index)?;
        Some(Attachment {
            name: attachment_name(part, index),
            content_type: content_type_of(part),
            bytes: part_bytes(raw, part).into_owned(),
        })
    })
    .ok()
    .flatten()
}

/// Blank lines before the header (left by some stores and tools) would make the whole
/// message a body without a header.
fn skip_leading_blank_lines(raw: &[u8]) -> &[u8] {
    let mut rest = raw;
    loop {
        let line_end = rest.iter().position(|&b| b == b'\n');
        match line_end {
            Some(p) if rest[..p].iter().all(|b| b.is_ascii_whitespace()) => rest = &rest[p + 1..],
            _ => return rest,
        }
    }
}

fn unparseable(raw_id: RawId) -> InboundMail {
    InboundMail {
        raw_id,
        message_id: None,
        from: None,
        to: Vec::new(),
        cc: Vec::new(),
        subject: String::new(),
        date: None,
        in_reply_to: Vec::new(),
        references: Vec::new(),
        kind: MailKind::Message,
        from_loket: false,
        reply_text: String::new(),
        quoted_text: String::new(),
        case_form: CaseForm::default(),
        view_form: ViewForm::default(),
        attachments: Vec::new(),
        problems: vec![MailProblem::Unparseable],
    }
}

/// Parses a mail; `None` if it has no header at all.
fn parse(raw: &[u8]) -> Option<Message<'_>> {
    let msg = MessageParser::new().parse(raw)?;
    // mail-parser makes a "header" of any first line; a mail has at least one real field.
    let real_field =
        |name: &str| !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':');
    msg.headers()
        .iter()
        .any(|h| real_field(h.name()))
        .then_some(msg)
}

fn read_parsed(raw_id: RawId, raw: &[u8], limits: &ReadLimits) -> Option<InboundMail> {
    let msg = parse(raw)?;
    let mut problems = Vec::new();

    let message_id = msg.message_id().and_then(clean_id);
    let from = msg.from().and_then(|a| a.iter().find_map(to_address));
    let to: Vec<Address> = msg
        .all_to()
        .flat_map(|a| a.iter().filter_map(to_address))
        .collect();
    let cc: Vec<Address> = msg
        .all_cc()
        .flat_map(|a| a.iter().filter_map(to_address))
        .collect();
    let subject = msg.subject().unwrap_or("").trim().to_string();
    let date = msg
        .date()
        .filter(|d| d.is_valid())
        .and_then(|d| DateTime::<Utc>::from_timestamp(d.to_timestamp(), 0));
    let in_reply_to = ids(msg.in_reply_to());
    let references = ids(msg.references());
    let headers = header_fields(&msg, raw);
    let from_loket = headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("X-Loket-Loop"));

    let text = body_text(&msg, raw, &mut problems);

    let parts = part_facts(&msg);
    let recipients: Vec<Address> = to.iter().chain(cc.iter()).cloned().collect();
    let kind = classify::classify(&Facts {
        headers: &headers,
        from: from.as_ref(),
        recipients: &recipients,
        subject: &subject,
        text: &text,
        parts: &parts,
    });

    let (reply_text, quoted_text) = reply::split_reply(&text);

    let mut attachments = Vec::new();
    for (index, part) in msg.attachments().enumerate() {
        let info = AttachmentInfo {
            index,
            name: attachment_name(part, index),
            content_type: content_type_of(part),
            size: part_bytes(raw, part).len() as u64,
        };
        if info.size > limits.max_attachment_bytes {
            problems.push(MailProblem::AttachmentTooLarge {
                name: info.name.clone(),
                size: info.size,
                limit: limits.max_attachment_bytes,
            });
        }
        attachments.push(info);
    }

    let case_form = case_form(&msg, &reply_text, &text);
    let view_form = form::read_view(&reply_text);

    if from.is_none() {
        problems.push(MailProblem::NoFrom);
    }
    if message_id.is_none() {
        problems.push(MailProblem::NoMessageId);
    }

    Some(InboundMail {
        raw_id,
        message_id,
        from,
        to,
        cc,
        subject,
        date,
        in_reply_to,
        references,
        kind,
        from_loket,
        reply_text,
        quoted_text,
        case_form,
        view_form,
        attachments,
        problems,
    })
}

/// The case form: from the new text, missing fields from the whole text (quoted header
/// blocks skipped), and if the body has none at all, from the first text attachment that
/// has one.
fn case_form(msg: &Message<'_>, reply_text: &str, text: &str) -> CaseForm {
    let mut form = form::read_case_form(reply_text);
    for (f, v) in form::read_case_form(text).fields {
        form.fields.entry(f).or_insert(v);
    }
    if !form.is_empty() {
        return form;
    }
    for part in msg.attachments() {
        let is_text = part.is_content_type("text", "plain")
            || part
                .attachment_name()
                .is_some_and(|n| n.to_ascii_lowercase().ends_with(".txt"));
        if !is_text {
            continue;
        }
        let content: Cow<'_, str> = match &part.body {
            PartType::Text(t) => Cow::Borrowed(t.as_ref()),
            PartType::Binary(b) | PartType::InlineBinary(b) => Cow::Owned(lossy_cp1252(b)),
            _ => continue,
        };
        let f = form::read_case_form(&content);
        if !f.is_empty() {
            return f;
        }
    }
    form
}

fn clean_id(id: &str) -> Option<String> {
    let id = id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    (!id.is_empty()).then(|| id.to_string())
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => clean_id(t).into_iter().collect(),
        HeaderValue::TextList(l) => l.iter().filter_map(|t| clean_id(t)).collect(),
        _ => Vec::new(),
    }
}

fn to_address(a: &mail_parser::Addr<'_>) -> Option<Address> {
    let email = a.address()?.trim();
    if email.is_empty() {
        return None;
    }
    Some(Address::new(a.name().unwrap_or("").trim(), email))
}

/// Top-level header fields with their raw values, unfolded.
fn header_fields(msg: &Message<'_>, raw: &[u8]) -> Vec<(String, String)> {
    msg.headers()
        .iter()
        .map(|h| {
            let value = raw
                .get(h.offset_start as usize..h.offset_end as usize)
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
            (h.name().to_string(), value)
        })
        .collect()
}

/// The readable text: every text body, in order, HTML converted when it is the only form.
fn body_text(msg: &Message<'_>, raw: &[u8], problems: &mut Vec<MailProblem>) -> String {
    let mut out = String::new();
    for (n, &id) in msg.text_body.iter().enumerate() {
        let Some(part) = msg.parts.get(id as usize) else {
            continue;
        };
        let piece = match &part.body {
            PartType::Text(t) => checked_text(raw, part, t, n, problems),
            PartType::Html(h) => html_to_text(&checked_text(raw, part, h, n, problems)),
            _ => continue,
        };
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&piece);
    }
    // A broken multipart (no boundary found) is read by mail-parser as one text part that
    // is not a body; its text is still the best there is.
    if msg.text_body.is_empty()
        && let Some(part) = msg.parts.first()
        && let PartType::Text(t) = &part.body
    {
        out = checked_text(raw, part, t, 0, problems);
    }
    reply::normalize_newlines(&out)
}

/// The decoded text of a part. If it holds replacement characters, the part was not valid
/// in its charset: that is a problem, and for parts that claim UTF-8 (or nothing) the
/// invalid bytes are read as Windows-1252 instead, which is what they nearly always are.
fn checked_text(
    raw: &[u8],
    part: &MessagePart<'_>,
    decoded: &str,
    n: usize,
    problems: &mut Vec<MailProblem>,
) -> String {
    if !decoded.contains('\u{FFFD}') {
        return decoded.to_string();
    }
    let charset = part
        .content_type()
        .and_then(|ct| ct.attribute("charset"))
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let claims_utf8 = matches!(
        charset.as_str(),
        "" | "utf-8" | "utf8" | "us-ascii" | "ascii"
    );
    let bytes = transfer_decoded(raw, part);
    if claims_utf8 && let Some(b) = &bytes {
        if std::str::from_utf8(b).is_ok() {
            // The replacement characters were in the text itself.
            return decoded.to_string();
        }
        problems.push(bad_charset(part, n));
        return lossy_cp1252(b);
    }
    problems.push(bad_charset(part, n));
    decoded.to_string()
}

fn bad_charset(part: &MessagePart<'_>, n: usize) -> MailProblem {
    MailProblem::BadCharset {
        part: format!("text body {} ({})", n + 1, content_type_of(part)),
    }
}

/// Valid UTF-8 is kept; invalid bytes are read as Windows-1252.
fn lossy_cp1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{FFFD}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{FFFD}', 'Ž',
        '\u{FFFD}', '\u{FFFD}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ',
        '\u{FFFD}', 'ž', 'Ÿ',
    ];
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for &b in chunk.invalid() {
            out.push(match b {
                0x80..=0x9F => HIGH[(b - 0x80) as usize],
                _ => char::from(b),
            });
        }
    }
    out
}

/// A part's body bytes as in the raw message, transfer encoding removed.
fn transfer_decoded(raw: &[u8], part: &MessagePart<'_>) -> Option<Vec<u8>> {
    let body = raw.get(part.offset_body as usize..part.offset_end as usize)?;
    match part.encoding {
        Encoding::Base64 => base64_decode(body),
        Encoding::QuotedPrintable => quoted_printable_decode(body),
        Encoding::None => Some(body.to_vec()),
    }
}

/// An attachment's bytes: text in its original charset, nested messages as sent.
fn part_bytes<'a>(raw: &'a [u8], part: &'a MessagePart<'_>) -> Cow<'a, [u8]> {
    match &part.body {
        PartType::Text(_) | PartType::Html(_) => {
            transfer_decoded(raw, part).map_or_else(|| Cow::Borrowed(part.contents()), Cow::Owned)
        }
        PartType::Message(_) if part.encoding == Encoding::None => Cow::Borrowed(
            raw.get(part.offset_body as usize..part.offset_end as usize)
                .unwrap_or_else(|| part.contents()),
        ),
        PartType::Multipart(_) => Cow::Borrowed(&[]),
        _ => Cow::Borrowed(part.contents()),
    }
}

/// `type/subtype`, lowercase, with the charset for text.
fn content_type_of(part: &MessagePart<'_>) -> String {
    let (ty, sub, charset) = match part.content_type() {
        Some(ct) => (
            ct.ctype().to_ascii_lowercase(),
            ct.subtype().map(str::to_ascii_lowercase),
            ct.attribute("charset")
                .map(|c| c.trim().to_ascii_lowercase()),
        ),
        None => {
            let (t, s) = match &part.body {
                PartType::Html(_) => ("text", "html"),
                PartType::Text(_) => ("text", "plain"),
                PartType::Message(_) => ("message", "rfc822"),
                _ => ("application", "octet-stream"),
            };
            (t.to_string(), Some(s.to_string()), None)
        }
    };
    let sub = sub.unwrap_or_else(|| {
        if ty == "text" {
            "plain".into()
        } else {
            "octet-stream".into()
        }
    });
    match charset {
        Some(c) if ty == "text" && !c.is_empty() => format!("{ty}/{sub}; charset={c}"),
        _ => format!("{ty}/{sub}"),
    }
}

/// The file name of an attachment without any directory part, or `attachment-N` (N
/// counting from 1) with an extension that fits its type.
fn attachment_name(part: &MessagePart<'_>, index: usize) -> String {
    let named = part.attachment_name().map(|n| {
        let base = n.rsplit(['/', '\\']).next().unwrap_or(n);
        base.chars()
            .filter(|c| !c.is_control())
            .collect::<String>()
            .trim()
            .to_string()
    });
    if let Some(n) = named.filter(|n| !n.is_empty() && n != "." && n != "..") {
        return n;
    }
    let ct = content_type_of(part);
    let ext = match ct.split(';').next().unwrap_or("") {
        "message/rfc822" | "message/global" => ".eml",
        "text/plain" => ".txt",
        "text/html" => ".html",
        "text/calendar" => ".ics",
        "application/pdf" => ".pdf",
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        _ => "",
    };
    format!("attachment-{}{ext}", index + 1)
}

/// What the classifier needs to know about the parts.
fn part_facts(msg: &Message<'_>) -> Vec<PartFacts> {
    msg.parts
        .iter()
        .map(|p| {
            let ct = p.content_type();
            let content_type = ct.map_or_else(String::new, |ct| {
                format!(
                    "{}/{}",
                    ct.ctype().to_ascii_lowercase(),
                    ct.subtype().unwrap_or("").to_ascii_lowercase()
                )
            });
            let attr = |name: &str| {
                ct.and_then(|c| c.attribute(name))
                    .map(|v| v.trim().to_ascii_lowercase())
            };
            let wanted = content_type.starts_with("message/")
                && content_type != "message/rfc822"
                && content_type != "message/global"
                || matches!(
                    content_type.as_str(),
                    "text/calendar" | "application/ics" | "text/x-vcalendar"
                );
            let body = if wanted {
                match &p.body {
                    PartType::Text(t) | PartType::Html(t) => t.to_string(),
                    PartType::Binary(b) | PartType::InlineBinary(b) => lossy_cp1252(b),
                    _ => String::new(),
                }
            } else {
                String::new()
            };
            PartFacts {
                report_type: attr("report-type"),
                method: attr("method"),
                content_type,
                body,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp1252_fallback_keeps_valid_utf8() {
        assert_eq!(
            lossy_cp1252(b"Financi\xebn \xe2\x82\xac5 \x80"),
            "Financiën €5 €"
        );
    }

    #[test]
    fn ids_are_cleaned() {
        assert_eq!(clean_id(" <a@b> ").as_deref(), Some("a@b"));
        assert_eq!(clean_id("<>"), None);
    }

    #[test]
    fn message_id_scan() {
        let raw = b"From: a@b.nl\r\nMessage-ID:\r\n <x.1@b.nl>\r\n\r\nbody";
        assert_eq!(message_id(raw).as_deref(), Some("x.1@b.nl"));
        assert_eq!(message_id(b"From: a@b.nl\r\n\r\nbody"), None);
        assert_eq!(message_id(b""), None);
    }
}
