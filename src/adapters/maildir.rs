//! A local Maildir as the desk mailbox: new mail appears in `new/`; once its effects are
//! durably committed it moves to `cur/` with the Seen flag (`:2,S`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub struct Maildir {
    root: PathBuf,
    /// Snapshot of `new/` taken at the start of a pass, not yet handed out.
    waiting: std::collections::VecDeque<NewMail>,
    unreadable: usize,
}

/// A message waiting in `new/`.
#[derive(Clone, Debug)]
pub struct NewMail {
    pub path: PathBuf,
    /// File name, used as the message's source in the store.
    pub name: String,
}

impl Maildir {
    /// Opens (and creates, if needed) the Maildir at `root`.
    pub fn open(root: &Path) -> io::Result<Maildir> {
        for sub in ["new", "cur", "tmp"] {
            fs::create_dir_all(root.join(sub)).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "cannot create {}: {e}; check the mailbox path in the config and its \
                         permissions",
                        root.join(sub).display()
                    ),
                )
            })?;
        }
        Ok(Maildir {
            root: root.to_path_buf(),
            waiting: Default::default(),
            unreadable: 0,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Messages in `new/`, oldest name first (Maildir names start with the delivery time).
    pub fn list_new(&self) -> io::Result<Vec<NewMail>> {
        let mut out = Vec::new();
        for entry in fs::read_dir(self.root.join("new"))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !entry.file_type()?.is_file() {
                continue;
            }
            out.push(NewMail {
                path: entry.path(),
                name,
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    pub fn read(&self, mail: &NewMail) -> io::Result<Vec<u8>> {
        fs::read(&mail.path)
    }

    /// Moves a handled message to `cur/` with the Seen flag. Call only after the store has
    /// flushed the message's effects. A message already gone is not an error.
    pub fn mark_handled(&self, mail: &NewMail) -> io::Result<()> {
        let base = mail.name.split(":2,").next().unwrap_or(&mail.name);
        let target = self.root.join("cur").join(format!("{base}:2,S"));
        match fs::rename(&mail.path, target) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    /// Makes the moves durable (fsync of `new/` and `cur/`).
    pub fn sync(&self) -> io::Result<()> {
        for sub in ["new", "cur"] {
            fs::File::open(self.root.join(sub))?.sync_all()?;
        }
        Ok(())
    }

    /// Delivers a message into `new/` the Maildir way (tmp, then rename). Used by tests,
    /// the demo and the benchmark.
    pub fn deliver(&self, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        let tmp = self.root.join("tmp").join(name);
        fs::write(&tmp, bytes)?;
        let dest = self.root.join("new").join(name);
        fs::rename(&tmp, &dest)?;
        Ok(dest)
    }
}

impl super::MailSource for Maildir {
    fn begin_pass(&mut self) -> Result<(), super::SourceError> {
        self.unreadable = 0;
        self.waiting = self
            .list_new()
            .map_err(|e| {
                super::SourceError(format!("cannot list {}/new: {e}", self.root.display()))
            })?
            .into();
        Ok(())
    }

    fn fetch(&mut self, max: usize) -> Result<Vec<super::IncomingMail>, super::SourceError> {
        let mut out = Vec::new();
        while out.len() < max {
            let Some(item) = self.waiting.pop_front() else {
                break;
            };
            match self.read(&item) {
                Ok(raw) => out.push(super::IncomingMail {
                    source: item.name,
                    raw,
                }),
                // Gone meanwhile (another process took it): nothing to do.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    tracing::warn!(file = %item.name, error = %e, "cannot read mail file; left in place, tried again next pass");
                    self.unreadable += 1;
                }
            }
        }
        Ok(out)
    }

    fn ack(&mut self, sources: &[String]) -> Result<(), super::SourceError> {
        for name in sources {
            let item = NewMail {
                path: self.root.join("new").join(name),
                name: name.clone(),
            };
            if let Err(e) = self.mark_handled(&item) {
                tracing::warn!(file = %name, error = %e, "handled mail could not be moved to cur/; it is recognised and moved next pass");
            }
        }
        self.sync()
            .map_err(|e| super::SourceError(format!("cannot sync {}: {e}", self.root.display())))
    }

    fn unreadable(&self) -> usize {
        self.unreadable
    }
}
