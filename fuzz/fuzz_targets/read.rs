//! The whole read path on arbitrary bytes: parse, classify, split the reply (text and
//! HTML), read the forms, the calendar part, a winmail.dat, a .docx, and `inspect`.
//! `read_unguarded` lets a panic through where `read` would catch it.
//!
//! Run (nightly): `cargo fuzz run read -- -max_total_time=60`, seeded with the corpus:
//! `cargo fuzz run read ../../shared/corpus/* -- -max_total_time=60`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use loket::mail::{self, ReadLimits, inspect, itip, reply, tnef};

fuzz_target!(|data: &[u8]| {
    let limits = ReadLimits::default();
    let m = mail::read_unguarded(1, data, &limits);
    for a in &m.attachments {
        assert!(mail::attachment(data, a.index).is_some());
    }
    let _ = mail::message_id(data);
    let s = String::from_utf8_lossy(data);
    let _ = reply::split_reply(&s);
    let _ = mail::split_html_reply(&s);
    let _ = itip::parse(&s);
    let _ = tnef::parse(data);
    let _ = mail::docx::text(data);
    let i = inspect::inspect(data, &limits);
    let _ = inspect::to_json("fuzz", &i);
});
