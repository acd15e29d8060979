//! Reading raw mail into [`InboundMail`] values.
//!
//! [`read`] parses the bytes (mail-parser), classifies the mail ([`classify`]), separates
//! the new text from the quoted text ([`reply`]) and reads the case form and the view form
//! from it ([`form`]). It never fails: whatever cannot be read is reported in
//! `InboundMail::problems`.

mod bounce;
pub mod classify;
pub mod docx;
pub mod form;
pub mod html;
pub mod inspect;
pub mod itip;
mod lang;
pub mod reply;
pub mod tnef;

use std::borrow::Cow;
use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{DateTime, Utc};
use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{
    Encoding, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};

use crate::core::model::{
    Address, AttachmentInfo, CaseForm, InboundMail, Itip, MailKind, MailProblem, RawId, ViewForm,
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
    read_detailed(raw_id, raw, limits).mail
}

/// How a mail was read, beyond what [`InboundMail`] holds: for `loket inspect`.
#[derive(Clone, Debug, Default)]
pub struct Details {
    /// Which HTML marker cut the reply, if one did.
    pub html_marker: Option<&'static str>,
    /// Where the text came from: `text/plain`, `text/html`, `tnef`, or empty.
    pub text_source: &'static str,
    /// The per-recipient records of a delivery status report.
    pub delivery_status: Vec<DeliveryStatus>,
}

/// One recipient of a delivery status notification.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryStatus {
    pub recipient: Option<String>,
    pub final_recipient: Option<String>,
    pub action: Option<String>,
    pub status: Option<String>,
    pub diagnostic_code: Option<String>,
    pub remote_mta: Option<String>,
}

/// A read mail with the details of how it was read.
#[derive(Clone, Debug)]
pub struct Detailed {
    pub mail: InboundMail,
    pub details: Details,
}

/// [`read`] without its panic guard, for fuzzing and property tests: a panic here is a
/// bug to find, where [`read`] would turn it into an unparseable mail.
#[doc(hidden)]
pub fn read_unguarded(raw_id: RawId, raw: &[u8], limits: &ReadLimits) -> InboundMail {
    let raw = skip_leading_blank_lines(raw);
    read_parsed(raw_id, raw, limits)
        .map(|d| d.mail)
        .unwrap_or_else(|| unparseable(raw_id))
}

/// [`read`], with the details of how the mail was read.
pub fn read_detailed(raw_id: RawId, raw: &[u8], limits: &ReadLimits) -> Detailed {
    let raw = skip_leading_blank_lines(raw);
    catch_unwind(AssertUnwindSafe(|| read_parsed(raw_id, raw, limits)))
        .ok()
        .flatten()
        .unwrap_or_else(|| Detailed {
            mail: unparseable(raw_id),
            details: Details::default(),
        })
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
        logical_attachments(&msg, raw).files.into_iter().nth(index)
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
        itip: None,
        language: None,
        warnings: Vec::new(),
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

fn read_parsed(raw_id: RawId, raw: &[u8], limits: &ReadLimits) -> Option<Detailed> {
    let msg = parse(raw)?;
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut details = Details::default();

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

    for (field, value) in [
        ("Subject", subject.as_str()),
        (
            "From",
            from.as_ref().and_then(|a| a.name.as_deref()).unwrap_or(""),
        ),
    ] {
        if value.contains('\u{FFFD}') {
            warnings.push(format!(
                "the {field} header holds bytes that are not text in any charset it names; \
                 they were replaced"
            ));
        }
    }
    let files = logical_attachments(&msg, raw);
    warnings.extend(files.warnings.iter().cloned());

    let mut text = body_text(&msg, raw, &mut problems, &mut warnings, &mut details);
    if text.trim().is_empty()
        && let Some(t) = &files.tnef_body
    {
        text = t.clone();
        details.text_source = "tnef";
        warnings.push("the text was read from the winmail.dat (TNEF) body".into());
    }

    let parts = part_facts(&msg, raw);
    let recipients: Vec<Address> = to.iter().chain(cc.iter()).cloned().collect();
    let facts = Facts {
        headers: &headers,
        from: from.as_ref(),
        recipients: &recipients,
        subject: &subject,
        text: &text,
        parts: &parts,
    };
    let kind = classify::classify(&facts);
    details.delivery_status = classify::delivery_status(&facts);

    let (reply_text, quoted_text) = reply_parts(&msg, raw, &text, &mut details);
    if text.len() > reply::SCAN_LIMIT {
        warnings.push(format!(
            "the text is {} bytes; quotes were looked for in the first {} KiB only",
            text.len(),
            reply::SCAN_LIMIT / 1024
        ));
    }

    let mut attachments = Vec::new();
    for (index, file) in files.files.iter().enumerate() {
        let info = AttachmentInfo {
            index,
            name: file.name.clone(),
            content_type: file.content_type.clone(),
            size: file.bytes.len() as u64,
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

    let case_form = case_form(&files.files, &reply_text, &text, &mut warnings);
    let view_form = form::read_view(&reply_text);
    let itip = itip_of(&parts);
    let language = lang::detect(if reply_text.trim().is_empty() {
        &text
    } else {
        &reply_text
    });

    if from.is_none() {
        problems.push(MailProblem::NoFrom);
    }
    if message_id.is_none() {
        problems.push(MailProblem::NoMessageId);
    }

    Some(Detailed {
        mail: InboundMail {
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
            itip,
            language,
            warnings,
        },
        details,
    })
}

/// The new text and the cut text. HTML first: if the HTML body has a client's quote marker,
/// the text before it is the reply (the text rules still run over it); otherwise the text
/// rules run over the plain text.
fn reply_parts(
    msg: &Message<'_>,
    raw: &[u8],
    text: &str,
    details: &mut Details,
) -> (String, String) {
    if let Some(html) = html_body(msg, raw)
        && let Some((reply, quoted, marker)) = split_html_marked(&html)
    {
        details.html_marker = Some(marker);
        return (reply, quoted);
    }
    reply::split_reply(text)
}

/// Splits an HTML reply into (new text, cut text): at a client's quote marker if it has
/// one, then by the text rules.
pub fn split_html_reply(html: &str) -> (String, String) {
    match split_html_marked(html) {
        Some((reply, quoted, _)) => (reply, quoted),
        None => reply::split_reply(&html::to_text(html)),
    }
}

fn split_html_marked(html: &str) -> Option<(String, String, &'static str)> {
    let split = html::split(html);
    let marker = split.marker?;
    let (reply, mut quoted) = if marker.contains("blockquote") {
        reply::split_reply_before_quote(&split.before)
    } else {
        reply::split_reply(&split.before)
    };
    if reply.trim().is_empty() {
        return None;
    }
    if !split.after.trim().is_empty() {
        if !quoted.is_empty() {
            quoted.push_str("\n\n");
        }
        quoted.push_str(split.after.trim_end());
    }
    Some((reply, quoted, marker))
}

/// The first real HTML body (not text converted by mail-parser), decoded.
fn html_body(msg: &Message<'_>, raw: &[u8]) -> Option<String> {
    msg.html_body.iter().find_map(|&id| {
        let part = msg.parts.get(id as usize)?;
        match &part.body {
            PartType::Html(h) => Some(recoded(raw, part, h).0),
            _ => None,
        }
    })
}

/// The logical attachments: the MIME attachments, with a winmail.dat replaced by the files
/// in it.
struct Files {
    files: Vec<Attachment>,
    /// The text body of a winmail.dat, if it had one.
    tnef_body: Option<String>,
    warnings: Vec<String>,
}

fn logical_attachments(msg: &Message<'_>, raw: &[u8]) -> Files {
    let mut out = Files {
        files: Vec::new(),
        tnef_body: None,
        warnings: Vec::new(),
    };
    for (index, part) in msg.attachments().enumerate() {
        let content_type = content_type_of(part);
        if matches!(part.body, PartType::Multipart(_)) || content_type.starts_with("multipart/") {
            // A multipart (or one that lost its boundary) is structure, not a file.
            continue;
        }
        let name = attachment_name(part, index);
        let bytes = part_bytes(raw, part);
        let tnef_like = content_type.starts_with("application/ms-tnef")
            || content_type.starts_with("application/vnd.ms-tnef")
            || name.eq_ignore_ascii_case("winmail.dat");
        if tnef_like && let Some(t) = tnef::parse(&bytes) {
            let files: Vec<&tnef::TnefFile> =
                t.attachments.iter().filter(|f| !f.embedded).collect();
            if out.tnef_body.is_none() {
                out.tnef_body = t
                    .body_text
                    .clone()
                    .filter(|b| !b.trim().is_empty())
                    .or_else(|| {
                        t.body_html
                            .as_ref()
                            .map(|h| html::to_text(&String::from_utf8_lossy(h)))
                            .filter(|b| !b.trim().is_empty())
                    });
            }
            if t.damaged {
                out.warnings.push(format!(
                    "{name} (TNEF) is damaged; what could be read was kept"
                ));
            }
            if !files.is_empty() {
                out.warnings.push(format!(
                    "{name} (TNEF) unpacked: {}",
                    files
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                for f in files {
                    out.files.push(Attachment {
                        name: f.name.clone(),
                        content_type: f
                            .content_type
                            .clone()
                            .unwrap_or_else(|| tnef::guess_type(&f.name).to_string()),
                        bytes: f.data.clone(),
                    });
                }
                continue;
            }
        }
        out.files.push(Attachment {
            name,
            content_type,
            bytes: bytes.into_owned(),
        });
    }
    out
}

/// The case form: from the new text, missing fields from the whole text (quoted header
/// blocks skipped), and if the body has none at all, from the first text or .docx
/// attachment that has one.
fn case_form(
    files: &[Attachment],
    reply_text: &str,
    text: &str,
    warnings: &mut Vec<String>,
) -> CaseForm {
    let mut form = form::read_case_form(reply_text);
    for (f, v) in form::read_case_form(text).fields {
        form.fields.entry(f).or_insert(v);
    }
    if !form.is_empty() {
        return form;
    }
    for file in files {
        let lower = file.name.to_ascii_lowercase();
        let content = if file.content_type.starts_with("text/plain") || lower.ends_with(".txt") {
            decode_text_file(&file.bytes, &file.content_type)
        } else if docx::is_docx(&file.name, &file.content_type) {
            match docx::text(&file.bytes) {
                Some(t) => t,
                None => {
                    warnings.push(format!("{} could not be read as a .docx", file.name));
                    continue;
                }
            }
        } else {
            continue;
        };
        let f = form::read_case_form(&content);
        if !f.is_empty() {
            warnings.push(format!(
                "the case form was read from the attachment {}",
                file.name
            ));
            return f;
        }
    }
    form
}

/// A text attachment's bytes as text: a BOM or valid UTF-8 first, then the declared
/// charset, then Windows-1252.
fn decode_text_file(bytes: &[u8], content_type: &str) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return lossy_cp1252(rest);
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let le = bytes[0] == 0xFF;
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if std::str::from_utf8(bytes).is_ok() {
        return lossy_cp1252(bytes);
    }
    let charset = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("charset="))
        .map(|c| c.trim_matches('"').to_ascii_lowercase());
    if let Some(cs) = charset
        && let Some(dec) = charset_decoder(cs.as_bytes())
    {
        return dec(bytes);
    }
    lossy_cp1252(bytes)
}

/// The iTIP data of the first calendar part.
fn itip_of(parts: &[PartFacts]) -> Option<Itip> {
    parts
        .iter()
        .filter(|p| classify::is_calendar_type(&p.content_type))
        .find_map(|p| {
            let mut i = itip::parse(&p.body)?;
            if i.method.is_none() {
                i.method = p.method.as_ref().map(|m| m.to_ascii_uppercase());
            }
            Some(i)
        })
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
fn body_text(
    msg: &Message<'_>,
    raw: &[u8],
    problems: &mut Vec<MailProblem>,
    warnings: &mut Vec<String>,
    details: &mut Details,
) -> String {
    let mut out = String::new();
    for (n, &id) in msg.text_body.iter().enumerate() {
        let Some(part) = msg.parts.get(id as usize) else {
            continue;
        };
        let piece = match &part.body {
            PartType::Text(t) => {
                details.text_source = "text/plain";
                checked_text(raw, part, t, n, problems, warnings)
            }
            PartType::Html(h) => {
                if details.text_source.is_empty() {
                    details.text_source = "text/html";
                }
                html::to_text(&checked_text(raw, part, h, n, problems, warnings))
            }
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
        out = checked_text(raw, part, t, 0, problems, warnings);
        details.text_source = "text/plain";
    }
    reply::normalize_newlines(&out)
}

/// The decoded text of a part, and whether it was read as UTF-8 against its label.
fn recoded(raw: &[u8], part: &MessagePart<'_>, decoded: &str) -> (String, bool) {
    let charset = part_charset(part);
    let claims_utf8 = matches!(
        charset.as_str(),
        "" | "utf-8" | "utf8" | "us-ascii" | "ascii"
    );
    if !claims_utf8
        && !decoded.is_ascii()
        && let Some(b) = transfer_decoded(raw, part)
        && !b.is_ascii()
        && std::str::from_utf8(&b).is_ok()
        && !charset.starts_with("iso-2022")
        && !charset.starts_with("utf-16")
    {
        // Valid multi-byte UTF-8 is almost never text in another charset: the label is
        // wrong.
        return (String::from_utf8_lossy(&b).into_owned(), true);
    }
    (decoded.to_string(), false)
}

fn part_charset(part: &MessagePart<'_>) -> String {
    part.content_type()
        .and_then(|ct| ct.attribute("charset"))
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The decoded text of a part. If it holds replacement characters, the part was not valid
/// in its charset: that is a problem, and for parts that claim UTF-8 (or nothing) the
/// invalid bytes are read as Windows-1252 instead, which is what they nearly always are.
/// A part whose bytes are valid UTF-8 while it claims another charset is read as UTF-8.
fn checked_text(
    raw: &[u8],
    part: &MessagePart<'_>,
    decoded: &str,
    n: usize,
    problems: &mut Vec<MailProblem>,
    warnings: &mut Vec<String>,
) -> String {
    if part
        .content_transfer_encoding()
        .is_some_and(|c| c.trim().eq_ignore_ascii_case("base64"))
        && let Some(text) = lenient_base64_text(raw, part)
    {
        warnings.push(format!(
            "text body {} is not valid base64; what could be decoded was kept",
            n + 1
        ));
        return text;
    }
    let (text, relabelled) = recoded(raw, part, decoded);
    if relabelled {
        warnings.push(format!(
            "text body {} declares charset {} but is UTF-8; read as UTF-8",
            n + 1,
            part_charset(part)
        ));
        return text;
    }
    if !decoded.contains('\u{FFFD}') {
        return decoded.to_string();
    }
    let charset = part_charset(part);
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

/// A base64 text part that does not decode: the base64 characters it has, decoded, in
/// its charset (UTF-8 and Windows-1252 when it names none).
fn lenient_base64_text(raw: &[u8], part: &MessagePart<'_>) -> Option<String> {
    let body = raw.get(part.offset_body as usize..part.offset_end as usize)?;
    let stripped: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if base64_decode(&stripped).is_some() {
        // Valid: mail-parser decoded it.
        return None;
    }
    let mut clean: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'))
        .collect();
    clean.truncate(clean.len() / 4 * 4);
    let bytes = base64_decode(&clean)?;
    let charset = part_charset(part);
    Some(match charset_decoder(charset.as_bytes()) {
        Some(dec) if !charset.is_empty() && !charset.starts_with("utf") => dec(&bytes),
        _ => lossy_cp1252(&bytes),
    })
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

/// What the classifier needs to know about the parts: those of the mail, then those of
/// each message attached to it (one level down).
fn part_facts(msg: &Message<'_>, raw: &[u8]) -> Vec<PartFacts> {
    let mut out = Vec::new();
    facts_of(msg, raw, 0, &mut out);
    for p in &msg.parts {
        if let PartType::Message(nested) = &p.body
            && out.len() < 1000
        {
            facts_of(nested, &nested.raw_message, 1, &mut out);
        }
    }
    out
}

fn facts_of(msg: &Message<'_>, raw: &[u8], depth: u8, out: &mut Vec<PartFacts>) {
    for p in &msg.parts {
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
        let calendar = classify::is_calendar_type(&content_type)
            || p.attachment_name()
                .is_some_and(|n| n.to_ascii_lowercase().ends_with(".ics"));
        let wanted = content_type.starts_with("message/")
            && content_type != "message/rfc822"
            && content_type != "message/global"
            || calendar;
        let body = if wanted {
            let mut body = match &p.body {
                PartType::Text(t) | PartType::Html(t) => recoded(raw, p, t).0,
                PartType::Binary(b) | PartType::InlineBinary(b) => lossy_cp1252(b),
                // mail-parser reads message/delivery-status as a message of headers.
                PartType::Message(_) => transfer_decoded(raw, p)
                    .map(|b| lossy_cp1252(&b))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            body.truncate(reply::floor_char_boundary(&body, 1024 * 1024));
            body
        } else {
            String::new()
        };
        out.push(PartFacts {
            report_type: attr("report-type"),
            method: attr("method"),
            content_type: if calendar && !classify::is_calendar_type(&content_type) {
                "text/calendar".to_string()
            } else {
                content_type
            },
            body,
            depth,
        });
    }
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
