//! `loket inspect`: what loket reads from a raw message, so an administrator can see why a
//! mail was treated as it was.
//!
//! The JSON keys `kind`, `bounce_recipients`, `reply_text`, `form`, `itip` and `warnings`
//! are a contract other tools rely on; the rest is there to help and may grow.

use serde::Serialize;
use serde_json::{Value, json};

use super::{DeliveryStatus, ReadLimits, read_detailed};
use crate::core::model::{CaseField, InboundMail, Itip, MailKind, MailProblem, Position};

/// What `loket inspect` shows for one message.
#[derive(Clone, Debug, Serialize)]
pub struct Inspection {
    /// `message`, `auto_reply` or `bounce`.
    pub kind: &'static str,
    /// What kind of machine mail: `auto_reply`, `read_receipt`, `calendar_reply`,
    /// `delivery_report`, or `null` for a message.
    pub kind_detail: Option<&'static str>,
    /// Why it is not a message (the rule that fired).
    pub reason: Option<String>,
    pub bounce_recipients: Vec<String>,
    /// The per-recipient fields of a delivery status report.
    pub delivery_status: Vec<DeliveryStatus>,
    pub from: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub date: Option<String>,
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// The mail carries loket's own loop header.
    pub from_loket: bool,
    pub language: Option<String>,
    /// `text/plain`, `text/html` or `tnef`: where the text was read from.
    pub text_source: &'static str,
    /// The HTML marker that showed where the quoted part starts, if one did.
    pub reply_marker: Option<&'static str>,
    pub reply_text: String,
    pub quoted_text: String,
    /// `null`, or `{"case_form": {…} | null, "view": {…} | null}`.
    pub form: Value,
    pub itip: Option<Itip>,
    pub attachments: Vec<Value>,
    pub warnings: Vec<String>,
}

/// The contract word for a kind: read receipts and calendar replies are machine mail too,
/// so they are `auto_reply` (with `kind_detail` saying which).
pub fn kind_word(k: &MailKind) -> &'static str {
    match k {
        MailKind::Message => "message",
        MailKind::Bounce { .. } => "bounce",
        MailKind::AutoReply { .. } | MailKind::ReadReceipt | MailKind::CalendarReply => {
            "auto_reply"
        }
    }
}

/// Reads a raw message the way the daemon does and describes it.
pub fn inspect(raw: &[u8], limits: &ReadLimits) -> Inspection {
    let d = read_detailed(0, raw, limits);
    let m = &d.mail;
    let (kind_detail, reason) = match &m.kind {
        MailKind::Message => (None, None),
        MailKind::AutoReply { reason } => (Some("auto_reply"), Some(reason.clone())),
        MailKind::ReadReceipt => (
            Some("read_receipt"),
            Some("a read receipt (message/disposition-notification)".into()),
        ),
        MailKind::CalendarReply => (
            Some("calendar_reply"),
            Some("a calendar reply (text/calendar; method=REPLY)".into()),
        ),
        MailKind::Bounce { .. } => (
            Some("delivery_report"),
            Some("a delivery failure report".into()),
        ),
    };
    let bounce_recipients = match &m.kind {
        MailKind::Bounce { recipients } => recipients.clone(),
        _ => Vec::new(),
    };
    let mut warnings: Vec<String> = m.problems.iter().map(describe_problem).collect();
    warnings.extend(m.warnings.iter().cloned());
    Inspection {
        kind: kind_word(&m.kind),
        kind_detail,
        reason,
        bounce_recipients,
        delivery_status: d.details.delivery_status.clone(),
        from: m.from.as_ref().map(ToString::to_string),
        to: m.to.iter().map(ToString::to_string).collect(),
        cc: m.cc.iter().map(ToString::to_string).collect(),
        subject: m.subject.clone(),
        date: m.date.map(|d| d.to_rfc3339()),
        message_id: m.message_id.clone(),
        in_reply_to: m.in_reply_to.clone(),
        references: m.references.clone(),
        from_loket: m.from_loket,
        language: m.language.clone(),
        text_source: d.details.text_source,
        reply_marker: d.details.html_marker,
        reply_text: m.reply_text.clone(),
        quoted_text: m.quoted_text.clone(),
        form: form_json(m),
        itip: m.itip.clone(),
        attachments: m
            .attachments
            .iter()
            .map(|a| {
                json!({"index": a.index, "name": a.name, "content_type": a.content_type, "size": a.size})
            })
            .collect(),
        warnings,
    }
}

fn form_json(m: &InboundMail) -> Value {
    let case = (!m.case_form.is_empty()).then(|| {
        let mut o = serde_json::Map::new();
        for f in CaseField::ALL {
            if let Some(v) = m.case_form.get(f) {
                o.insert(f.key().to_string(), Value::String(v.to_string()));
            }
        }
        Value::Object(o)
    });
    let view = (!m.view_form.is_empty()).then(|| json!(m.view_form));
    if case.is_none() && view.is_none() {
        return Value::Null;
    }
    json!({"case_form": case, "view": view})
}

/// A problem in words.
pub fn describe_problem(p: &MailProblem) -> String {
    match p {
        MailProblem::Unparseable => "the bytes are not a mail loket can read".into(),
        MailProblem::NoFrom => "the mail has no From address".into(),
        MailProblem::NoMessageId => "the mail has no Message-ID".into(),
        MailProblem::BadCharset { part } => {
            format!("{part} is not valid in its character set; unreadable characters were replaced")
        }
        MailProblem::AttachmentTooLarge { name, size, limit } => {
            format!("attachment {name} is {size} bytes, over the limit of {limit}")
        }
    }
}

/// The JSON object for one file (`file` first).
pub fn to_json(file: &str, i: &Inspection) -> Value {
    let mut v = json!({ "file": file });
    if let (Value::Object(o), Ok(Value::Object(rest))) = (&mut v, serde_json::to_value(i)) {
        o.extend(rest);
    }
    v
}

/// A readable summary.
pub fn to_text(file: &str, i: &Inspection) -> String {
    let mut s = String::new();
    let mut line = |k: &str, v: &str| {
        s.push_str(&format!("{k:<12} {v}\n"));
    };
    line("file", file);
    let kind = match (&i.kind_detail, &i.reason) {
        (Some(d), Some(r)) if *d != i.kind => format!("{} ({d}: {r})", i.kind),
        (_, Some(r)) => format!("{} ({r})", i.kind),
        _ => i.kind.to_string(),
    };
    line("kind", &kind);
    if !i.bounce_recipients.is_empty() {
        line("failed", &i.bounce_recipients.join(", "));
    }
    for d in &i.delivery_status {
        line(
            "status",
            &format!(
                "{} {} {}",
                d.recipient.as_deref().unwrap_or("?"),
                d.action.as_deref().unwrap_or("-"),
                d.status.as_deref().unwrap_or("-")
            ),
        );
    }
    line("from", i.from.as_deref().unwrap_or("(none)"));
    if !i.to.is_empty() {
        line("to", &i.to.join(", "));
    }
    if !i.cc.is_empty() {
        line("cc", &i.cc.join(", "));
    }
    line("subject", &i.subject);
    if let Some(d) = &i.date {
        line("date", d);
    }
    line("message-id", i.message_id.as_deref().unwrap_or("(none)"));
    if !i.in_reply_to.is_empty() {
        line("in-reply-to", &i.in_reply_to.join(" "));
    }
    if i.from_loket {
        line("loop", "sent by a loket (X-Loket-Loop)");
    }
    line("language", i.language.as_deref().unwrap_or("(unknown)"));
    let source = match i.reply_marker {
        Some(m) => format!("{}, quote found by HTML marker {m}", i.text_source),
        None => i.text_source.to_string(),
    };
    line("text from", &source);
    s.push_str("reply text:\n");
    for l in i.reply_text.lines() {
        s.push_str(&format!("  | {l}\n"));
    }
    let cut = i.quoted_text.lines().count();
    s.push_str(&format!("cut text:    {cut} line(s)\n"));
    match &i.form {
        Value::Null => s.push_str("form:        none\n"),
        f => {
            if let Some(Value::Object(c)) = f.get("case_form") {
                s.push_str("case form:\n");
                for (k, v) in c {
                    s.push_str(&format!("  {k}: {}\n", indented(v.as_str().unwrap_or(""))));
                }
            }
            if let Some(v @ Value::Object(_)) = f.get("view") {
                s.push_str("view:\n");
                if let Some(p) = v.get("position").and_then(Value::as_str) {
                    s.push_str(&format!("  position: {p}\n"));
                }
                for k in ["arguments", "compensation", "remarks"] {
                    if let Some(x) = v.get(k).and_then(Value::as_str) {
                        s.push_str(&format!("  {k}: {}\n", indented(x)));
                    }
                }
            }
        }
    }
    if let Some(it) = &i.itip {
        s.push_str(&format!(
            "itip:        {} uid {}\n",
            it.method.as_deref().unwrap_or("(no method)"),
            it.uid.as_deref().unwrap_or("(none)")
        ));
        for a in &it.attendees {
            s.push_str(&format!("  attendee {} {}\n", a.email, a.partstat));
        }
    }
    for a in &i.attachments {
        s.push_str(&format!(
            "attachment   {} {} ({} bytes)\n",
            a["name"].as_str().unwrap_or(""),
            a["content_type"].as_str().unwrap_or(""),
            a["size"]
        ));
    }
    for w in &i.warnings {
        s.push_str(&format!("warning      {w}\n"));
    }
    s
}

/// Continuation lines of a value, indented under it.
fn indented(v: &str) -> String {
    v.replace('\n', "\n      ")
}

/// Position in words, for readers of the JSON who want it.
pub fn position_word(p: Position) -> &'static str {
    match p {
        Position::Advisable => "advisable",
        Position::NotAdvisable => "not_advisable",
        Position::UnderConditions => "under_conditions",
        Position::Unstated => "unstated",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_keys() {
        let raw = b"From: a@b.nl\r\nSubject: Automatisch antwoord: x\r\nMessage-ID: <1@b>\r\n\r\nIk ben afwezig.\r\n";
        let i = inspect(raw, &ReadLimits::default());
        let v = to_json("x.eml", &i);
        for k in [
            "kind",
            "bounce_recipients",
            "reply_text",
            "form",
            "itip",
            "warnings",
        ] {
            assert!(v.get(k).is_some(), "{k} missing: {v}");
        }
        assert_eq!(v["kind"], "auto_reply");
        assert!(v["itip"].is_null() && v["form"].is_null());
        assert!(to_text("x.eml", &i).contains("auto_reply"));
        let g = inspect(b"\x00\x01garbage", &ReadLimits::default());
        assert_eq!(g.kind, "message");
        assert!(!g.warnings.is_empty());
    }
}
