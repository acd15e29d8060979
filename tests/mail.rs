//! Tests of `loket::mail`: hand-made fixtures in tests/fixtures/mail and the shared corpus.

use std::path::{Path, PathBuf};

use loket::core::model::{InboundMail, MailKind};
use loket::mail::{ReadLimits, read};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

fn limits() -> ReadLimits {
    ReadLimits {
        max_attachment_bytes: 10 * 1024 * 1024,
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn corpus_mail(folder: &str, name: &str) -> InboundMail {
    let raw = std::fs::read(Path::new(CORPUS).join(folder).join(name)).expect("corpus file");
    read(1, &raw, &limits())
}

#[test]
fn corpus_survey() {
    for folder in ["autoreplies", "bounces"] {
        let mut files = Vec::new();
        files_under(&Path::new(CORPUS).join(folder), &mut files);
        files.sort();
        for f in files {
            if f.extension().is_some_and(|e| e == "json") {
                continue;
            }
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            let m = corpus_mail(folder, &name);
            println!(
                "{folder}/{name}: {:?} from={:?} subj={:?}",
                m.kind,
                m.from.map(|a| a.email),
                m.subject
            );
        }
    }
}

#[test]
fn replies_survey() {
    let exp: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(CORPUS).join("replies/EXPECTED.json")).unwrap(),
    )
    .unwrap();
    let mut ok = 0;
    let mut bad = 0;
    for (name, e) in exp["files"].as_object().unwrap() {
        let Some(want) = e["expected"].as_str() else {
            continue;
        };
        let m = e["match"].as_str().unwrap_or("");
        let raw = std::fs::read(Path::new(CORPUS).join("replies").join(name)).unwrap();
        let got = if name.ends_with(".eml") {
            read(1, &raw, &limits()).reply_text
        } else {
            loket::mail::reply::split_reply(&String::from_utf8_lossy(&raw)).0
        };
        let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        if norm(&got) == norm(want) {
            ok += 1
        } else {
            bad += 1;
            println!(
                "MISS {name} [{m}]\n  want {:?}\n  got  {:?}",
                want.chars().take(200).collect::<String>(),
                got.chars().take(300).collect::<String>()
            );
        }
    }
    println!("replies ok {ok} bad {bad}");
}

#[test]
fn ert_survey() {
    let dir = Path::new(CORPUS).join("replies");
    let mut ok = 0;
    let mut bad = 0;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".trimmed.txt") else {
            continue;
        };
        let Ok(src) = std::fs::read_to_string(dir.join(format!("{stem}.txt"))) else {
            continue;
        };
        let want = std::fs::read_to_string(e.path()).unwrap();
        let got = loket::mail::reply::split_reply(&src).0;
        let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        if norm(&got) == norm(&want) {
            ok += 1
        } else {
            bad += 1;
            println!(
                "MISS {stem}\n  want {:?}\n  got  {:?}",
                want.chars().take(150).collect::<String>(),
                got.chars().take(150).collect::<String>()
            );
        }
    }
    println!("ert ok {ok} bad {bad}");
}
#[test]
fn garbage_probe() {
    for g in [
        &b"\x00\x01\x02\xff\xfe garbage \x89PNG\r\n\x1a\n\x00\x00"[..],
        b"just some words without structure",
        b"",
        b"\n\n\n",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    ] {
        let m = read(1, g, &limits());
        println!(
            "{:?} -> {:?} from={:?} text={:?}",
            String::from_utf8_lossy(g),
            m.problems,
            m.from,
            m.reply_text
        );
    }
}
