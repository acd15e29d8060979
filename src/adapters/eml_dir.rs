//! A directory of `.eml` files as the outgoing transport: each message is written
//! atomically (temp file, fsync, rename) under a name derived from its Message-ID, so
//! writing the same outbox entry again after a crash replaces the file instead of adding one.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub struct EmlDir {
    dir: PathBuf,
}

impl EmlDir {
    pub fn open(dir: &Path) -> io::Result<EmlDir> {
        fs::create_dir_all(dir).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "cannot create the outgoing directory {}: {e}; check the transport path \
                     in the config and its permissions",
                    dir.display()
                ),
            )
        })?;
        Ok(EmlDir {
            dir: dir.to_path_buf(),
        })
    }

    /// The file name for a Message-ID: safe characters only, `.eml` appended.
    pub fn file_name(message_id: &str) -> String {
        let safe: String = message_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@' | '+') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("{safe}.eml")
    }

    pub fn path_for(&self, message_id: &str) -> PathBuf {
        self.dir.join(Self::file_name(message_id))
    }

    /// Writes one message atomically. Same Message-ID → same file.
    pub fn write(&self, message_id: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        let name = Self::file_name(message_id);
        let tmp = self.dir.join(format!(".{name}.tmp"));
        {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
        }
        let dest = self.dir.join(&name);
        fs::rename(&tmp, &dest)?;
        Ok(dest)
    }

    /// Makes the renames durable.
    pub fn sync(&self) -> io::Result<()> {
        fs::File::open(&self.dir)?.sync_all()
    }
}

impl super::Transport for EmlDir {
    fn send(
        &mut self,
        message_id: &str,
        _recipients: &[String],
        bytes: &[u8],
    ) -> super::SendOutcome {
        match self.write(message_id, bytes) {
            Ok(_) => super::SendOutcome::Sent,
            Err(e) => super::SendOutcome::Temporary(format!(
                "cannot write to {}: {e}",
                self.dir.display()
            )),
        }
    }

    fn sync(&mut self) -> Result<(), String> {
        EmlDir::sync(self).map_err(|e| format!("cannot sync {}: {e}", self.dir.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_message_id_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = EmlDir::open(dir.path()).unwrap();
        let a = out.write("loket.2026-001.receipt@x.nl", b"one").unwrap();
        let b = out.write("loket.2026-001.receipt@x.nl", b"two").unwrap();
        assert_eq!(a, b);
        assert_eq!(fs::read(&a).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temp file left behind");
        assert_eq!(EmlDir::file_name("a/b<c>@d"), "a_b_c_@d.eml");
    }
}
