//! loket: runs an advisory body's written consultation rounds by ordinary email.
//!
//! See ARCHITECTURE.md for the map. In short: `core` is the pure workflow, `mail` reads
//! raw mail into values, `render` turns outgoing values into mail, `store` keeps everything
//! durable in sled, `adapters` move mail in and out, `driver` ties them together.

pub mod adapters;
pub mod archive;
pub mod authres;
pub mod cli;
pub mod config;
pub mod core;
pub mod driver;
pub mod forms;
pub mod ical;
pub mod mail;
pub mod record;
pub mod render;
pub mod report;
pub mod reports;
pub mod store;
pub mod token;
