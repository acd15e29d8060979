//! Reading failed recipients out of bounces: RFC 3464 delivery status fields, and the
//! text of non-standard bounces.

use std::sync::LazyLock;

use regex::Regex;

use super::reply;

/// One per-recipient block of a delivery status report.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct DsnRecord {
    pub final_recipient: Option<String>,
    pub original_recipient: Option<String>,
    pub action: Option<String>,
    pub status: Option<String>,
    pub diagnostic_code: Option<String>,
    pub remote_mta: Option<String>,
}

impl DsnRecord {
    fn is_empty(&self) -> bool {
        self.final_recipient.is_none() && self.original_recipient.is_none()
    }

    /// The delivery to this recipient failed for good.
    pub fn failed(&self) -> bool {
        match &self.action {
            Some(a) => a.starts_with("fail"),
            None => self.status.as_deref().is_some_and(|s| s.starts_with('5')),
        }
    }

    pub fn action_word(&self) -> &str {
        self.action.as_deref().unwrap_or("no action")
    }

    /// The recipient address, lowercase, without `rfc822;` and angle brackets.
    pub fn recipient(&self) -> Option<String> {
        let v = self
            .final_recipient
            .as_deref()
            .or(self.original_recipient.as_deref())?;
        let addr = v.split_once(';').map_or(v, |(_, a)| a);
        let addr = addr
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim();
        (!addr.is_empty() && addr.contains('@')).then(|| addr.to_lowercase())
    }
}

/// The per-recipient records of a `message/delivery-status` body.
pub(crate) fn dsn_records(body: &str) -> Vec<DsnRecord> {
    let body = reply::normalize_newlines(body);
    // Unfold continuation lines.
    let mut fields: Vec<Option<(String, String)>> = Vec::new();
    for line in body.split('\n') {
        if line.trim().is_empty() {
            fields.push(None);
        } else if line.starts_with([' ', '\t']) {
            if let Some(Some((_, v))) = fields.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((n, v)) = line.split_once(':') {
            fields.push(Some((n.trim().to_ascii_lowercase(), v.trim().to_string())));
        }
    }

    let mut records = Vec::new();
    let mut cur = DsnRecord::default();
    for f in fields {
        let Some((name, value)) = f else {
            if !cur.is_empty() {
                records.push(std::mem::take(&mut cur));
            } else {
                cur = DsnRecord::default();
            }
            continue;
        };
        // Some reporters put several recipients in one block.
        let starts_new = match name.as_str() {
            "original-recipient" => cur.original_recipient.is_some() || cur.action.is_some(),
            "final-recipient" => cur.final_recipient.is_some() || cur.action.is_some(),
            _ => false,
        };
        if starts_new && !cur.is_empty() {
            records.push(std::mem::take(&mut cur));
        }
        match name.as_str() {
            "final-recipient" => cur.final_recipient = Some(value),
            "original-recipient" => cur.original_recipient = Some(value),
            "action" => cur.action = Some(value.to_ascii_lowercase()),
            "status" => cur.status = Some(value),
            "diagnostic-code" => cur.diagnostic_code = Some(value),
            "remote-mta" => cur.remote_mta = Some(value),
            _ => {}
        }
    }
    if !cur.is_empty() {
        records.push(cur);
    }
    records
}

/// Headers in which mail servers name the failed recipients of a bounce.
pub(crate) const FAILED_RECIPIENT_HEADERS: &[&str] = &["X-Failed-Recipients"];

/// Failed recipients named in the headers (lowercase).
pub(crate) fn header_recipients(headers: &[(String, String)]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for (n, v) in headers {
        if !FAILED_RECIPIENT_HEADERS
            .iter()
            .any(|h| n.eq_ignore_ascii_case(h))
        {
            continue;
        }
        for a in ADDRESS.find_iter(v) {
            let a = a.as_str().to_lowercase();
            if !found.contains(&a) {
                found.push(a);
            }
        }
    }
    found
}

/// Phrases after which a non-standard bounce names the failed addresses.
static FAILURE_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
          could\s+not\s+be\s+delivered | couldn't\s+be\s+delivered
        | was\s+not\s+delivered | wasn't\s+delivered
        | (?:was\s*n[o']t|not)\s+able\s+to\s+deliver | unable\s+to\s+deliver
        | following\s+(?:recipients?|addresse?s?)
        | delivery\s+(?:has\s+)?failed | delivery\s+to\s+the\s+following
        | permanent\s+(?:fatal\s+)?errors? | address(?:\(es\))?\s+failed | failed\s+addresses
        | undeliverable\s+to | failed\s+recipients?
        | user\s+unknown | unknown\s+user | no\s+such\s+user | does\s+not\s+exist
        | kon\s+niet\s+worden\s+(?:bezorgd|afgeleverd) | niet\s+(?:bezorgd|bereikt|afgeleverd)
        | konnte\s+nicht\s+zugestellt | zustellung\s+fehlgeschlagen
        | n'a\s+pas\s+pu\s+être\s+remis
        ",
    )
    .expect("regex")
});

/// Where the bounced original begins: no failed addresses after this.
static ORIGINAL_STARTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*(?:
            -+.*(?:original|copy\s+of|below\s+this\s+line|returned\s+message|undelivered\s+message|message\s+headers).*
          | (?:received|return-path|message-id|from|to|subject|date|reporting-mta)\s*:.*
        )$",
    )
    .expect("regex")
});

static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
        .expect("regex")
});

/// How many lines after the failure phrase are searched for addresses.
const WINDOW: usize = 40;

static EXPANDED_FROM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\(expanded\s+from:?\s*<?([^\s<>()]+@[^\s<>()]+?)>?\s*\)").expect("regex")
});

/// An indented line holding only a bare user name (AOL names screen names that way).
static BARE_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\t ]+([A-Za-z0-9][A-Za-z0-9._-]{0,63})\s*$").expect("regex"));

/// Failed addresses in the text of a non-standard bounce: the addresses on the lines from
/// the first failure phrase on, up to where the bounced original starts. An address the
/// bounce says a failed one was "expanded from" is reported instead of it (that is the one
/// loket sent to); an address after "from" is a sender, not a recipient; and when the text
/// lists bare user names instead of addresses, they are taken to be at the domain of the
/// mail system that sent the bounce. `None` when the text has no failure phrase at all.
pub(crate) fn text_recipients(
    text: &str,
    exclude: &[String],
    daemon_domain: Option<&str>,
) -> Option<Vec<String>> {
    let text =
        reply::normalize_newlines(&text[..reply::floor_char_boundary(text, reply::SCAN_LIMIT)]);
    let m = FAILURE_PHRASE.find(&text)?;
    let line_start = text[..m.start()].rfind('\n').map_or(0, |p| p + 1);
    let mut found: Vec<String> = Vec::new();
    let mut bare: Vec<String> = Vec::new();
    for (n, line) in text[line_start..].split('\n').enumerate() {
        if n >= WINDOW || (n > 0 && ORIGINAL_STARTS.is_match(line)) {
            break;
        }
        if let Some(c) = EXPANDED_FROM.captures(line) {
            let original = c[1].trim_matches('.').to_lowercase();
            if let Some(last) = found.last_mut() {
                *last = original;
            } else if !found.contains(&original) {
                found.push(original);
            }
            continue;
        }
        if n > 0
            && let Some(c) = BARE_NAME.captures(line)
        {
            bare.push(c[1].to_lowercase());
        }
        for a in ADDRESS.find_iter(line) {
            let before = line[..a.start()]
                .trim_end_matches(['<', ' ', ':'])
                .to_lowercase();
            if before.ends_with("from") {
                continue;
            }
            let a = a.as_str().trim_matches('.').to_lowercase();
            // Exchange writes X.400-style "SMTP=user@host".
            let a = a
                .strip_prefix("smtp=")
                .or_else(|| a.strip_prefix("rfc822="))
                .map_or(a.clone(), str::to_string);
            let local = a.split('@').next().unwrap_or("");
            if exclude.contains(&a)
                || matches!(local, "mailer-daemon" | "postmaster")
                || found.contains(&a)
            {
                continue;
            }
            found.push(a);
        }
    }
    if found.is_empty()
        && let Some(domain) = daemon_domain.filter(|d| d.contains('.'))
    {
        found = bare
            .into_iter()
            .map(|b| format!("{b}@{}", domain.to_lowercase()))
            .collect();
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records() {
        let body = "Reporting-MTA: dns; mx.x.nl\n\nFinal-Recipient: rfc822; Jan@X.nl\nAction: failed\nStatus: 5.1.1\n\nFinal-Recipient: rfc822;<piet@x.nl>\nAction: delayed\nStatus: 4.4.1\n";
        let r = dsn_records(body);
        assert_eq!(r.len(), 2);
        assert!(r[0].failed());
        assert_eq!(r[0].recipient().as_deref(), Some("jan@x.nl"));
        assert!(!r[1].failed());
        assert_eq!(r[1].recipient().as_deref(), Some("piet@x.nl"));
    }

    #[test]
    fn records_in_one_block_and_in_either_order() {
        let body = "Final-Recipient: rfc822; a@x.nl\nOriginal-Recipient: rfc822;o@x.nl\nAction: failed\n\
                    Final-Recipient: rfc822; b@x.nl\nOriginal-Recipient: rfc822;o@x.nl\nAction: failed\n";
        let r = dsn_records(body);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].recipient().as_deref(), Some("a@x.nl"));
        assert_eq!(r[1].recipient().as_deref(), Some("b@x.nl"));
    }

    #[test]
    fn text() {
        let t = "I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<Jan@x.nl>: host said: 550 no\n\n--- original\nTo: loket@y.nl\n";
        assert_eq!(
            text_recipients(t, &["loket@y.nl".into()], None),
            Some(vec!["jan@x.nl".to_string()])
        );
        assert_eq!(text_recipients("Hallo, alles goed?", &[], None), None);
        let aol = "Your mail to the following recipients could not be delivered because
they are not accepting mail from x@lists.y.com:
	screenname
";
        assert_eq!(
            text_recipients(aol, &[], Some("AOL.com")),
            Some(vec!["screenname@aol.com".to_string()])
        );
        let expanded = "The following addresses had permanent fatal errors
z@a.nl
    (expanded from: z@b.nl)
";
        assert_eq!(
            text_recipients(expanded, &[], None),
            Some(vec!["z@b.nl".to_string()])
        );
    }
}
