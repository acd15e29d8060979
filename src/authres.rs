//! Reads the receiving server's `Authentication-Results` headers (RFC 8601) and decides
//! whether the From address is vouched for: DMARC pass, or DKIM/SPF pass for a domain
//! aligned (relaxed) with the From domain. Only headers stamped with the configured
//! authserv-id count: anyone can write such a header into a message they send. Pure.

use crate::core::SenderAuth;

/// The verdict for a raw message whose From address has domain `from_domain`.
pub fn verdict(raw: &[u8], from_domain: &str, authserv_id: Option<&str>) -> SenderAuth {
    let Some(authserv_id) = authserv_id else {
        return SenderAuth::NotChecked;
    };
    let headers = header_values(raw, "authentication-results");
    let ours: Vec<&String> = headers
        .iter()
        .filter(|h| {
            h.split(';')
                .next()
                .and_then(|id| id.split_whitespace().next())
                .is_some_and(|id| id.eq_ignore_ascii_case(authserv_id))
        })
        .collect();
    if ours.is_empty() {
        return SenderAuth::Fail(format!("no Authentication-Results from {authserv_id}"));
    }
    let from_domain = from_domain.to_ascii_lowercase();
    for h in &ours {
        for part in h.split(';').skip(1) {
            let part = part.trim().to_ascii_lowercase();
            let mut words = part.split_whitespace();
            let Some(method) = words.next() else { continue };
            let props: Vec<&str> = words.collect();
            let prop = |name: &str| {
                props.iter().find_map(|p| {
                    p.strip_prefix(name)
                        .map(|v| v.trim_matches(['"', '<', '>']))
                })
            };
            match method {
                "dmarc=pass" => return SenderAuth::Pass,
                "dkim=pass" => {
                    let d = prop("header.d=")
                        .or_else(|| prop("header.i=").map(|i| i.rsplit('@').next().unwrap_or(i)));
                    if d.is_some_and(|d| aligned(d, &from_domain)) {
                        return SenderAuth::Pass;
                    }
                }
                "spf=pass" => {
                    let d = prop("smtp.mailfrom=").map(|m| m.rsplit('@').next().unwrap_or(m));
                    if d.is_some_and(|d| aligned(d, &from_domain)) {
                        return SenderAuth::Pass;
                    }
                }
                _ => {}
            }
        }
    }
    SenderAuth::Fail("no DMARC pass and no DKIM or SPF pass aligned with the From domain".into())
}

/// Relaxed alignment: the same domain, or one a subdomain of the other.
fn aligned(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim_end_matches('.'), b.trim_end_matches('.'));
    a == b || a.ends_with(&format!(".{b}")) || b.ends_with(&format!(".{a}"))
}

/// Unfolded values of every header with this (lowercase) name, from the header block only.
fn header_values(raw: &[u8], name: &str) -> Vec<String> {
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n"))
        .unwrap_or(raw.len().min(256 * 1024));
    let head = String::from_utf8_lossy(&raw[..head_end.min(raw.len())]);
    let mut out: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(c) = current.as_mut() {
                c.push(' ');
                c.push_str(line.trim());
            }
            continue;
        }
        if let Some(c) = current.take() {
            out.push(c);
        }
        if let Some((n, v)) = line.split_once(':')
            && n.trim().eq_ignore_ascii_case(name)
        {
            current = Some(v.trim().to_string());
        }
    }
    out.extend(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(headers: &str) -> Vec<u8> {
        format!("{headers}From: a@minbzk.nl\r\nSubject: x\r\n\r\nbody\r\n").into_bytes()
    }

    #[test]
    fn verdicts() {
        let id = Some("mx.minjenv.nl");
        let cases = [
            (
                "Authentication-Results: mx.minjenv.nl; dmarc=pass header.from=minbzk.nl\r\n",
                true,
            ),
            (
                "Authentication-Results: mx.minjenv.nl;\r\n dkim=pass header.d=minbzk.nl\r\n",
                true,
            ),
            (
                "Authentication-Results: mx.minjenv.nl; dkim=pass header.d=mail.minbzk.nl\r\n",
                true,
            ),
            (
                "Authentication-Results: mx.minjenv.nl; spf=pass smtp.mailfrom=x@minbzk.nl\r\n",
                true,
            ),
            (
                "Authentication-Results: mx.minjenv.nl; dkim=pass header.d=evil.example\r\n",
                false,
            ),
            (
                "Authentication-Results: mx.minjenv.nl; dmarc=fail header.from=minbzk.nl\r\n",
                false,
            ),
            // Written by the sender, not by our server: does not count.
            (
                "Authentication-Results: mx.evil.example; dmarc=pass\r\n",
                false,
            ),
            ("", false),
        ];
        for (h, pass) in cases {
            let v = verdict(&mail(h), "minbzk.nl", id);
            assert_eq!(v == SenderAuth::Pass, pass, "{h}: {v:?}");
        }
        assert_eq!(
            verdict(&mail(""), "minbzk.nl", None),
            SenderAuth::NotChecked
        );
    }
}
