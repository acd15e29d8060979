//! Adapters at the edge: where mail comes from and where it goes.
//!
//! Mailboxes hand over raw messages and, once the store has flushed their effects, mark
//! them handled. Transports take rendered outbox entries. Neither knows the workflow.

pub mod eml_dir;
pub mod maildir;
