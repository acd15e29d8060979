//! What kind of mail this is: a message from a person, or something a machine sent
//! (auto-reply, bounce, read receipt, calendar reply).
//!
//! The rules are tables so they can grow without new code: [`HEADER_RULES`],
//! [`AUTOMATED_SENDERS`], [`AUTOREPLY_SUBJECTS`], [`BOUNCE_SUBJECTS`] and, in `bounce`, the
//! phrases of non-standard bounces. The order in which rule groups are tried is in
//! [`classify`]: delivery reports first (a bounce wins over an auto-reply), then read
//! receipts, calendar replies, non-standard bounces, and the auto-reply rules.

use super::{DeliveryStatus, bounce};
use crate::core::model::{Address, MailKind};

/// What the classifier looks at, taken from the parsed mail.
#[derive(Debug, Default)]
pub struct Facts<'a> {
    /// Top-level header fields: name as written, value unfolded and trimmed.
    pub headers: &'a [(String, String)],
    pub from: Option<&'a Address>,
    /// To and Cc of the mail (for a bounce: the desk; never a failed recipient).
    pub recipients: &'a [Address],
    pub subject: &'a str,
    /// The readable text of the mail (all text bodies).
    pub text: &'a str,
    /// The MIME parts, in mail-parser's order.
    pub parts: &'a [PartFacts],
}

#[derive(Debug, Default, Clone)]
pub struct PartFacts {
    /// `type/subtype`, lowercase.
    pub content_type: String,
    /// Lowercase attributes of interest: `report-type`, `method`.
    pub report_type: Option<String>,
    pub method: Option<String>,
    /// The decoded body, for the part types the classifier reads (delivery and
    /// disposition reports, calendars); empty otherwise.
    pub body: String,
    /// 0 for the parts of the mail itself, 1 for the parts of a message attached to it.
    pub depth: u8,
}

/// How a header value is tested.
#[derive(Debug, Clone, Copy)]
pub enum ValueTest {
    /// The header is present, whatever its value.
    Present,
    /// The first token of the value (before `;`) is not this (case-insensitive).
    Not(&'static str),
    /// The first token is one of these.
    OneOf(&'static [&'static str]),
    /// The value with spaces removed is exactly this.
    Is(&'static str),
}

/// A header rule: fires when `header` passes `test` and the header `with` (if any) is
/// present too.
#[derive(Debug)]
pub struct HeaderRule {
    pub header: &'static str,
    pub test: ValueTest,
    pub with: Option<&'static str>,
}

/// Headers that mark a mail as automatically sent (RFC 3834 and common practice).
pub const HEADER_RULES: &[HeaderRule] = &[
    HeaderRule {
        header: "Auto-Submitted",
        test: ValueTest::Not("no"),
        with: None,
    },
    HeaderRule {
        header: "X-Autoreply",
        test: ValueTest::Present,
        with: None,
    },
    HeaderRule {
        header: "X-Autorespond",
        test: ValueTest::Present,
        with: None,
    },
    HeaderRule {
        header: "Precedence",
        test: ValueTest::OneOf(&["bulk", "junk", "list", "auto_reply"]),
        with: None,
    },
    HeaderRule {
        header: "List-Id",
        test: ValueTest::Present,
        with: None,
    },
    HeaderRule {
        header: "X-Auto-Response-Suppress",
        test: ValueTest::Present,
        with: Some("X-MS-Exchange-Inbox-Rules-Loop"),
    },
    HeaderRule {
        header: "Return-Path",
        test: ValueTest::Is("<>"),
        with: None,
    },
];

/// Local parts of senders that are machines.
pub const AUTOMATED_SENDERS: &[&str] = &[
    "mailer-daemon",
    "postmaster",
    "noreply",
    "no-reply",
    "do-not-reply",
    "donotreply",
];

/// Local parts of senders that send delivery failures.
pub const BOUNCE_SENDERS: &[&str] = &["mailer-daemon", "postmaster", "mdaemon"];

/// Subject beginnings of auto-replies (compared lowercase).
pub const AUTOREPLY_SUBJECTS: &[&str] = &[
    "Automatisch antwoord",
    "Automatisch bericht",
    "Automatische reactie",
    "Afwezig",
    "Niet aanwezig",
    "Out of Office",
    "Out of the office",
    "Autoreply",
    "Auto-reply",
    "Auto reply",
    "Auto-response",
    "Auto response",
    "Automatic reply",
    "Automatic response",
    "[AUTO GENERATED]",
    "[Auto-Reply]",
    "[Autoreply]",
    "Vacation reply",
    "Away from the office",
    "Abwesenheitsnotiz",
    "Automatische Antwort",
    "Abwesend",
    "Réponse automatique",
    "Réponse_automatique",
    "Absence",
    "Absent du bureau",
];

/// Subject beginnings of delivery failures (compared lowercase). A mail with such a subject
/// is read as a bounce when its text also has a failure phrase.
pub const BOUNCE_SUBJECTS: &[&str] = &[
    "Undeliverable",
    "Undelivered Mail",
    "Delivery Status Notification",
    "Delivery Notification",
    "Delivery failure",
    "Mail delivery failed",
    "Returned mail",
    "Failure notice",
    "Non-Delivery",
    "Onbestelbaar",
    "Niet bezorgd",
    "Unzustellbar",
    "Non remis",
];

/// Classifies a mail.
pub fn classify(f: &Facts<'_>) -> MailKind {
    if let Some(kind) = delivery_report(f) {
        return kind;
    }
    if f.parts
        .iter()
        .any(|p| p.depth == 0 && is_disposition_report(p))
    {
        return MailKind::ReadReceipt;
    }
    if let Some(p) = f
        .parts
        .iter()
        .find(|p| p.depth == 0 && p.content_type == "multipart/report")
    {
        let rt = p.report_type.as_deref().unwrap_or("unknown");
        return auto(format!("report ({rt})"));
    }
    if f.parts.iter().any(|p| p.depth == 0 && is_calendar_reply(p)) {
        return MailKind::CalendarReply;
    }
    if let Some(kind) = text_bounce(f) {
        return kind;
    }
    if let Some(reason) = header_rule(f.headers) {
        return auto(reason);
    }
    if let Some(local) = sender_local(f.from)
        && AUTOMATED_SENDERS.contains(&local.as_str())
    {
        return auto(format!("sender {local}"));
    }
    if let Some(p) = subject_prefix(f.subject, AUTOREPLY_SUBJECTS) {
        return auto(format!("subject starts with \"{p}\""));
    }
    MailKind::Message
}

fn auto(reason: String) -> MailKind {
    MailKind::AutoReply { reason }
}

fn is_dsn(p: &PartFacts) -> bool {
    p.content_type == "message/delivery-status"
        || p.content_type == "message/global-delivery-status"
}

/// The delivery status parts that belong to this mail: its own, or, when the mail says it
/// is a delivery report (a `report-type=delivery-status` parameter or a mail daemon as
/// sender) but has none of its own, those of the report it wraps.
fn status_parts<'a>(f: &'a Facts<'_>) -> (bool, Vec<&'a PartFacts>) {
    let report = f.parts.iter().any(|p| {
        p.depth == 0
            && p.content_type == "multipart/report"
            && p.report_type.as_deref() == Some("delivery-status")
    });
    let own: Vec<&PartFacts> = f
        .parts
        .iter()
        .filter(|p| p.depth == 0 && is_dsn(p))
        .collect();
    if report || !own.is_empty() {
        return (report, own);
    }
    let declared = f
        .parts
        .iter()
        .any(|p| p.depth == 0 && p.report_type.as_deref() == Some("delivery-status"));
    let daemon = sender_local(f.from).is_some_and(|l| BOUNCE_SENDERS.contains(&l.as_str()));
    if declared || daemon {
        let wrapped: Vec<&PartFacts> = f
            .parts
            .iter()
            .filter(|p| p.depth == 1 && is_dsn(p))
            .collect();
        return (declared && !wrapped.is_empty(), wrapped);
    }
    (false, Vec::new())
}

/// The per-recipient records of the delivery status report, if the mail is one.
pub fn delivery_status(f: &Facts<'_>) -> Vec<DeliveryStatus> {
    let (_, parts) = status_parts(f);
    parts
        .iter()
        .flat_map(|p| bounce::dsn_records(&p.body))
        .map(|r| DeliveryStatus {
            recipient: r.recipient(),
            final_recipient: r.final_recipient.clone(),
            action: r.action.clone(),
            status: r.status.clone(),
            diagnostic_code: r.diagnostic_code.clone(),
            remote_mta: r.remote_mta.clone(),
        })
        .collect()
}

/// RFC 3464 delivery status notifications.
fn delivery_report(f: &Facts<'_>) -> Option<MailKind> {
    let (report, status_parts) = status_parts(f);
    if !report && status_parts.is_empty() {
        return None;
    }
    let mut records: Vec<bounce::DsnRecord> = status_parts
        .iter()
        .flat_map(|p| bounce::dsn_records(&p.body))
        .collect();
    if records.is_empty() {
        // Some reporters put the status fields in the text.
        records = bounce::dsn_records(f.text);
    }
    let from_header = bounce::header_recipients(f.headers);
    if !records.is_empty() && !records.iter().any(|r| r.failed()) && from_header.is_empty() {
        let mut actions: Vec<&str> = records.iter().map(|r| r.action_word()).collect();
        actions.dedup();
        return Some(auto(format!(
            "delivery status notification without failures ({})",
            actions.join(", ")
        )));
    }
    let mut failed: Vec<String> = Vec::new();
    for a in records
        .iter()
        .filter(|r| r.failed())
        .filter_map(|r| r.recipient())
    {
        if !failed.contains(&a) {
            failed.push(a);
        }
    }
    if failed.is_empty() {
        failed = from_header;
    }
    if failed.is_empty() {
        // A failure without readable recipients (e.g. X.400 addresses): try the text.
        failed = bounce::text_recipients(f.text, &exclusions(f), f.from.map(|a| a.domain()))
            .unwrap_or_default();
    }
    Some(MailKind::Bounce { recipients: failed })
}

fn is_disposition_report(p: &PartFacts) -> bool {
    p.content_type == "message/disposition-notification"
        || p.content_type == "message/global-disposition-notification"
        || (p.content_type == "multipart/report"
            && p.report_type.as_deref() == Some("disposition-notification"))
}

/// Content types of iCalendar parts.
pub fn is_calendar_type(content_type: &str) -> bool {
    matches!(
        content_type,
        "text/calendar" | "application/ics" | "text/x-vcalendar" | "application/ical"
    )
}

fn is_calendar_reply(p: &PartFacts) -> bool {
    is_calendar_type(&p.content_type)
        && (p.method.as_deref() == Some("reply")
            || p.body.lines().any(|l| {
                l.trim_end()
                    .strip_prefix("METHOD:")
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("REPLY"))
            }))
}

/// A bounce that is not a delivery status report: from a mail daemon or with a bounce
/// subject, with a failure phrase in the text.
fn text_bounce(f: &Facts<'_>) -> Option<MailKind> {
    let daemon = sender_local(f.from).is_some_and(|l| BOUNCE_SENDERS.contains(&l.as_str()))
        || f.from
            .and_then(|a| a.name.as_deref())
            .is_some_and(|n| n.to_lowercase().contains("mail delivery"));
    let from_header = bounce::header_recipients(f.headers);
    if !from_header.is_empty() {
        return Some(MailKind::Bounce {
            recipients: from_header,
        });
    }
    if !daemon && subject_prefix(f.subject, BOUNCE_SUBJECTS).is_none() {
        return None;
    }
    let recipients = bounce::text_recipients(f.text, &exclusions(f), f.from.map(|a| a.domain()))?;
    // A failure notice that names no recipient cannot be reported: it is machine mail all
    // the same, and the auto-reply rules (or the daemon sender) say so.
    if recipients.is_empty() {
        return None;
    }
    Some(MailKind::Bounce { recipients })
}

/// Addresses that are never the failed recipient of a bounce: its sender and recipients.
fn exclusions(f: &Facts<'_>) -> Vec<String> {
    f.from
        .into_iter()
        .chain(f.recipients.iter())
        .map(|a| a.email.to_lowercase())
        .collect()
}

fn header_rule(headers: &[(String, String)]) -> Option<String> {
    let has = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    for rule in HEADER_RULES {
        for (name, value) in headers {
            if !name.eq_ignore_ascii_case(rule.header) {
                continue;
            }
            let token = value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            let hit = match rule.test {
                ValueTest::Present => true,
                ValueTest::Not(v) => token != v,
                ValueTest::OneOf(vs) => vs.contains(&token.as_str()),
                ValueTest::Is(v) => value.replace([' ', '\t'], "") == v,
            };
            if hit && rule.with.is_none_or(has) {
                let mut reason = format!("header {}: {}", rule.header, value.trim());
                if let Some(w) = rule.with {
                    reason.push_str(&format!(" with {w}"));
                }
                return Some(reason);
            }
        }
    }
    None
}

fn sender_local(from: Option<&Address>) -> Option<String> {
    let email = &from?.email;
    let local = email.rsplit_once('@').map_or(email.as_str(), |(l, _)| l);
    Some(local.to_lowercase())
}

fn subject_prefix(subject: &str, table: &[&'static str]) -> Option<&'static str> {
    let s = subject.trim_start().to_lowercase();
    table
        .iter()
        .find(|p| s.starts_with(&p.to_lowercase()))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hdrs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn kind(headers: &[(&str, &str)], from: &str, subject: &str) -> MailKind {
        let h = hdrs(headers);
        let from = Address::bare(from);
        classify(&Facts {
            headers: &h,
            from: Some(&from),
            subject,
            ..Default::default()
        })
    }

    fn is_auto(k: &MailKind) -> bool {
        matches!(k, MailKind::AutoReply { .. })
    }

    #[test]
    fn header_rules() {
        assert!(is_auto(&kind(
            &[("Auto-Submitted", "auto-replied")],
            "a@b.nl",
            "x"
        )));
        assert_eq!(
            kind(&[("Auto-Submitted", "no")], "a@b.nl", "x"),
            MailKind::Message
        );
        assert!(is_auto(&kind(&[("x-autoreply", "yes")], "a@b.nl", "x")));
        assert!(is_auto(&kind(&[("Precedence", "bulk")], "a@b.nl", "x")));
        assert_eq!(
            kind(&[("Precedence", "normal")], "a@b.nl", "x"),
            MailKind::Message
        );
        assert!(is_auto(&kind(&[("List-Id", "<l.x.nl>")], "a@b.nl", "x")));
        assert_eq!(
            kind(&[("X-Auto-Response-Suppress", "All")], "a@b.nl", "x"),
            MailKind::Message
        );
        assert!(is_auto(&kind(
            &[
                ("X-Auto-Response-Suppress", "All"),
                ("X-MS-Exchange-Inbox-Rules-Loop", "a@b.nl")
            ],
            "a@b.nl",
            "x"
        )));
        assert_eq!(
            kind(&[("Return-Path", "<>")], "a@b.nl", "x"),
            MailKind::AutoReply {
                reason: "header Return-Path: <>".into()
            }
        );
    }

    #[test]
    fn senders_and_subjects() {
        assert!(is_auto(&kind(&[], "No-Reply@x.nl", "x")));
        assert!(is_auto(&kind(&[], "a@b.nl", "Afwezig: tot 12 maart")));
        assert!(is_auto(&kind(&[], "a@b.nl", "Automatisch antwoord: Casus")));
        assert!(is_auto(&kind(&[], "a@b.nl", "RÉPONSE AUTOMATIQUE : x")));
        assert_eq!(kind(&[], "a@b.nl", "RE: Afwezig"), MailKind::Message);
    }

    #[test]
    fn calendar_reply() {
        let parts = vec![PartFacts {
            content_type: "text/calendar".into(),
            body: "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\n".into(),
            ..Default::default()
        }];
        let k = classify(&Facts {
            parts: &parts,
            ..Default::default()
        });
        assert_eq!(k, MailKind::CalendarReply);
    }
}
