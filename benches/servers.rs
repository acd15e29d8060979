//! End to end over real IMAP and SMTP on loopback (placeholder; filled in below).
fn main() {}
