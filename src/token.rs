//! Reply tokens: an unforgeable tag for (case, member, person) carried in the Message-ID of
//! every message loket sends to a member, and optionally in a personal reply address.
//!
//! A token is the first 80 bits of HMAC-SHA256 over `case|member|person` with the secret
//! key, in lowercase hex. Pure: the key is passed in.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::core::model::{CaseId, Person};

/// The secret key for reply tokens. Never logged.
#[derive(Clone)]
pub struct TokenKey(Vec<u8>);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(..)")
    }
}

impl TokenKey {
    pub fn new(bytes: Vec<u8>) -> Self {
        TokenKey(bytes)
    }

    pub fn token(&self, case: CaseId, member: &str, person: Person) -> String {
        // HMAC accepts keys of any length; new_from_slice cannot fail for Hmac<Sha256>.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(format!("{case}|{member}|{}", person.letter()).as_bytes());
        let out = mac.finalize().into_bytes();
        hex::encode(&out[..10])
    }

    pub fn verify(&self, case: CaseId, member: &str, person: Person, token: &str) -> bool {
        let expected = self.token(case, member, person);
        // Constant-time comparison of equal-length strings.
        expected.len() == token.len()
            && expected
                .bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

/// A short stable digest (hex, 16 characters) for building Message-IDs from other ids.
pub fn short_hash(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(&Sha256::digest(bytes)[..8])
}

/// A reference to a member's personal message, as found in a Message-ID or reply address:
/// `loket.<case>.<member>.<m|d>.<token>[.<suffix>]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeatRef {
    pub case: CaseId,
    pub member: String,
    pub person: Person,
    pub token: String,
}

/// Local part of a Message-ID for a message to a seat, e.g. `loket.2026-014.bzk.m.<token>.d`.
pub fn seat_local(
    key: &TokenKey,
    case: CaseId,
    member: &str,
    person: Person,
    purpose: &str,
) -> String {
    let token = key.token(case, member, person);
    format!(
        "loket.{case}.{member}.{}.{token}.{purpose}",
        person.letter()
    )
}

/// Finds a seat reference in a Message-ID (without brackets) or the local part of an
/// address. Does not verify the token.
pub fn parse_seat_ref(id: &str) -> Option<SeatRef> {
    let local = id.split('@').next()?;
    // A Message-ID `loket.<ref>`, or a personal reply address `desk+<ref>`.
    let local = local
        .strip_prefix("loket.")
        .or_else(|| local.split_once('+').map(|(_, t)| t))?;
    let mut parts = local.split('.');
    let case = parts.next()?.parse().ok()?;
    let member = parts.next()?.to_string();
    let person = Person::from_letter(parts.next()?)?;
    let token = parts.next()?.to_string();
    if token.len() != 20 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(SeatRef {
        case,
        member,
        person,
        token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_round_trip_and_forgery() {
        let key = TokenKey::new(b"test key".to_vec());
        let case: CaseId = "2026-014".parse().unwrap();
        let local = seat_local(&key, case, "bzk", Person::Member, "d");
        let r = parse_seat_ref(&format!("{local}@loket.example")).unwrap();
        assert_eq!(r.case, case);
        assert_eq!(r.member, "bzk");
        assert!(key.verify(r.case, &r.member, r.person, &r.token));
        // The same token does not hold for another member, person, case or key.
        assert!(!key.verify(case, "fin", Person::Member, &r.token));
        assert!(!key.verify(case, "bzk", Person::Deputy, &r.token));
        assert!(!key.verify("2026-015".parse().unwrap(), "bzk", Person::Member, &r.token));
        assert!(!TokenKey::new(b"other".to_vec()).verify(case, "bzk", Person::Member, &r.token));
    }

    #[test]
    fn plus_address_is_a_seat_ref() {
        let key = TokenKey::new(b"k".to_vec());
        let case: CaseId = "2026-001".parse().unwrap();
        let local = seat_local(&key, case, "ocw", Person::Deputy, "r");
        let r = parse_seat_ref(&format!(
            "loket+{}@x.nl",
            local.trim_start_matches("loket.")
        ))
        .unwrap();
        assert_eq!(r.person, Person::Deputy);
        assert_eq!(parse_seat_ref("random-id@x.nl"), None);
        assert_eq!(parse_seat_ref("loket.2026-001.ocw.m.nothex@x"), None);
    }
}
