//! Helpers for tests that drive the real `loket` binary on a temporary directory.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_loket");

/// A temporary loket installation: config, Maildir, outbox and store under one directory.
pub struct Site {
    pub dir: tempfile::TempDir,
}

pub const CONFIG: &str = r#"
[body]
name = "Interdepartementaal overleggremium onverplicht tegemoetkomen"
tag = "OTT"
language = "nl"

[desk]
address = "loket-ott@minjenv.nl"
name = "Loket overleggremium OTT"
staff = [ { name = "Sanne Visser", email = "s.visser@minjenv.nl" } ]

[secrets]
token_key_file = "token.key"

[periods]
normal = "5 working days"
urgent = "2 working days"
reminders = ["2 working days before at 09:00"]

[store]
path = "store"

[mailbox]
kind = "maildir"
path = "maildir"
poll_interval = "200ms"

[transport]
kind = "eml"
path = "outbox"

[[ministries]]
code = "VenJ"
name = "Ministerie van Justitie en Veiligheid"
domains = ["minjenv.nl"]

[[ministries]]
code = "BZK"
name = "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties"
domains = ["minbzk.nl"]

[[ministries]]
code = "Fin"
name = "Ministerie van Financiën"
domains = ["minfin.nl"]

[[members]]
id = "venj"
name = "Anna de Vries"
email = "a.devries@minjenv.nl"
ministry = "VenJ"
deputy = { name = "Bas Jansen", email = "b.jansen@minjenv.nl" }

[[members]]
id = "bzk"
name = "Cor Bakker"
email = "c.bakker@minbzk.nl"
ministry = "BZK"

[[members]]
id = "fin"
name = "Dirk Smit"
email = "d.smit@minfin.nl"
ministry = "Fin"
"#;

impl Site {
    pub fn new() -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("loket.toml"), CONFIG).expect("write config");
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(dir.path().join("maildir").join(sub)).unwrap();
        }
        Site { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn config(&self) -> PathBuf {
        self.path("loket.toml")
    }

    /// Drops a message into the Maildir's `new/`.
    pub fn deliver(&self, name: &str, bytes: &[u8]) {
        let tmp = self.path("maildir/tmp").join(name);
        std::fs::write(&tmp, bytes).unwrap();
        std::fs::rename(&tmp, self.path("maildir/new").join(name)).unwrap();
    }

    pub fn loket(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(args)
            .arg("--config")
            .arg(self.config())
            .env("LOKET_LOG", "info")
            .env_remove("LOKET_FAILPOINT");
        c
    }

    /// `loket run --once --now NOW`; asserts success.
    pub fn run_once(&self, now: &str) -> Output {
        let out = self
            .loket(&["run", "--once", "--now", now])
            .output()
            .expect("run loket");
        assert!(
            out.status.success(),
            "loket run failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    pub fn files(&self, rel: &str) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = match std::fs::read_dir(self.path(rel)) {
            Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
            Err(_) => vec![],
        };
        v.retain(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'));
        v.sort();
        v
    }

    /// Outgoing messages, parsed.
    pub fn outbox(&self) -> Vec<Sent> {
        self.files("outbox").iter().map(|p| Sent::read(p)).collect()
    }

    pub fn case_list(&self) -> serde_json::Value {
        let out = self.loket(&["case", "list", "--json"]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("case list JSON")
    }
}

/// An outgoing message as written to the outbox.
#[derive(Clone, Debug)]
pub struct Sent {
    pub path: PathBuf,
    pub raw: Vec<u8>,
    pub message_id: String,
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
}

impl Sent {
    pub fn read(path: &Path) -> Sent {
        let raw = std::fs::read(path).unwrap();
        let m = mail_parser::MessageParser::default()
            .parse(&raw)
            .expect("outgoing mail parses");
        let to = m
            .to()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.address().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        Sent {
            path: path.to_path_buf(),
            message_id: m.message_id().unwrap_or_default().to_string(),
            subject: m.subject().unwrap_or_default().to_string(),
            body: m.body_text(0).map(|b| b.into_owned()).unwrap_or_default(),
            to,
            raw,
        }
    }

    /// A reply to this message as a mail client writes it: `Re:` subject, threading
    /// headers, the new text on top and the original quoted below.
    pub fn reply(&self, from: &str, text: &str, date: &str) -> Vec<u8> {
        let quoted: String = self.body.lines().map(|l| format!("> {l}\n")).collect();
        format!(
            "From: {from}\r\nTo: loket-ott@minjenv.nl\r\nSubject: Re: {subject}\r\n\
             Date: {date}\r\nMessage-ID: <reply.{n}.{from}>\r\nIn-Reply-To: <{id}>\r\n\
             References: <{id}>\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
             {text}\r\n\r\nOp 2 nov. 2026 om 10:15 schreef Loket overleggremium OTT \
             <loket-ott@minjenv.nl>:\r\n{quoted}",
            subject = self.subject,
            id = self.message_id,
            n = self.path.file_name().unwrap().to_string_lossy().len(),
        )
        .into_bytes()
    }
}
