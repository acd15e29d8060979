//! Tests of `loket::mail`: hand-made fixtures in tests/fixtures/mail, and the shared
//! corpus of real-world mail in ../shared/corpus.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use loket::core::model::{
    Address, AttachmentInfo, CaseField, InboundMail, MailKind, MailProblem, Position, ViewForm,
};
use loket::mail::{ReadLimits, attachment, message_id, read};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mail");
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

fn limits() -> ReadLimits {
    ReadLimits {
        max_attachment_bytes: 10 * 1024 * 1024,
    }
}

fn raw(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(FIXTURES).join(name)).expect("fixture")
}

fn fixture(name: &str) -> InboundMail {
    read(7, &raw(name), &limits())
}

fn fields(list: &[(CaseField, &str)]) -> BTreeMap<CaseField, String> {
    list.iter().map(|(f, v)| (*f, v.to_string())).collect()
}

fn addr(name: &str, email: &str) -> Address {
    Address::new(name, email)
}

// ---------------------------------------------------------------------------------------
// Case forms.

#[test]
fn dutch_case_form_in_the_body() {
    let m = fixture("case_nl_complete.eml");
    assert_eq!(m.raw_id, 7);
    assert_eq!(
        m.message_id.as_deref(),
        Some("AM0PR09MB4521.1234@minbzk.example.nl")
    );
    assert_eq!(
        m.from,
        Some(addr("Bakker, Marieke", "m.bakker@minbzk.example.nl"))
    );
    assert_eq!(
        m.to,
        vec![addr("Loket Overleggremium", "loket@gremium.example.nl")]
    );
    assert!(m.cc.is_empty());
    assert_eq!(m.subject, "Casus: schade na verbouwing rijksmonument");
    assert_eq!(
        m.date,
        Some(Utc.with_ymd_and_hms(2026, 3, 9, 9, 15, 0).unwrap())
    );
    assert_eq!(m.kind, MailKind::Message);
    assert!(!m.from_loket);
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    assert!(m.attachments.is_empty());
    assert!(m.in_reply_to.is_empty() && m.references.is_empty());
    assert_eq!(
        m.case_form.fields,
        fields(&[
            (CaseField::Ministry, "BZK"),
            (
                CaseField::Contact,
                "Marieke Bakker, m.bakker@minbzk.example.nl, 070 123 4567"
            ),
            (CaseField::Subject, "Schade na verbouwing rijksmonument"),
            (
                CaseField::Description,
                "Een eigenaar van een rijksmonument heeft in 2024 op advies van de Rijksdienst\n\
                 een verbouwing uitgevoerd. Achteraf bleek het advies onjuist; de eigenaar\n\
                 heeft € 18.400 aan extra kosten gemaakt.\n\n\
                 Er is geen juridische grondslag voor vergoeding."
            ),
            (
                CaseField::Question,
                "Is het geraden om de eigenaar onverplicht tegemoet te komen?"
            ),
            (CaseField::Urgency, "nee"),
            (CaseField::DesiredDate, "20-03-2026"),
            (CaseField::Attachments, "geen"),
        ])
    );
    // Nothing to cut: the whole text is new, ending with the signature.
    assert!(
        m.reply_text
            .starts_with("Beste collega's van het loket,\n\nHierbij")
    );
    assert!(
        m.reply_text
            .ends_with("Ministerie van Binnenlandse Zaken en Koninkrijksrelaties")
    );
    assert_eq!(m.quoted_text, "");
    assert_eq!(m.view_form, ViewForm::default());
}

#[test]
fn bold_labels_on_their_own_lines() {
    let m = fixture("case_bold_own_lines.eml");
    assert_eq!(m.kind, MailKind::Message);
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    assert_eq!(
        m.case_form.fields,
        fields(&[
            (CaseField::Ministry, "Financiën (Belastingdienst/Toeslagen)"),
            (
                CaseField::Contact,
                "Pieter de Vries\np.devries@minfin.example.nl"
            ),
            (
                CaseField::Subject,
                "Terugvordering kinderopvangtoeslag na systeemfout"
            ),
            (
                CaseField::Description,
                "Door een fout in het systeem is aan ouders te veel toeslag uitgekeerd.\n\
                 De terugvordering treft vooral gezinnen met een laag inkomen."
            ),
            (
                CaseField::Question,
                "Is het geraden om van terugvordering af te zien?"
            ),
            (CaseField::Urgency, "ja"),
            (CaseField::DesiredDate, "16-03-2026"),
        ])
    );
    // The HTML alternative is not an attachment.
    assert!(m.attachments.is_empty(), "{:?}", m.attachments);
}

#[test]
fn english_case_form_with_a_pdf() {
    let bytes = raw("case_en.eml");
    let m = read(1, &bytes, &limits());
    assert_eq!(
        m.case_form.fields,
        fields(&[
            (CaseField::Ministry, "BZ"),
            (CaseField::Contact, "Emma Clarke, +31 70 348 0000"),
            (CaseField::Subject, "Compensation for evacuation costs"),
            (
                CaseField::Description,
                "During the evacuation from Sudan in 2023 a number of\n\
                 Dutch nationals paid for their own transport to the border."
            ),
            (
                CaseField::Question,
                "Is it advisable to reimburse these costs?"
            ),
            (CaseField::Urgency, "no"),
            (CaseField::DesiredDate, "2026-03-25"),
            (CaseField::Attachments, "memo.pdf"),
        ])
    );
    let pdf = raw("memo.pdf.expected");
    assert_eq!(
        m.attachments,
        vec![AttachmentInfo {
            index: 0,
            name: "memo.pdf".into(),
            content_type: "application/pdf".into(),
            size: pdf.len() as u64,
        }]
    );
    assert!(m.problems.is_empty(), "{:?}", m.problems);

    let a = attachment(&bytes, 0).expect("attachment 0");
    assert_eq!(a.name, "memo.pdf");
    assert_eq!(a.content_type, "application/pdf");
    assert_eq!(a.bytes, pdf);
    assert!(attachment(&bytes, 1).is_none());

    // Too large: still listed, with a problem.
    let small = read(
        1,
        &bytes,
        &ReadLimits {
            max_attachment_bytes: 100,
        },
    );
    assert_eq!(small.attachments.len(), 1);
    assert_eq!(
        small.problems,
        vec![MailProblem::AttachmentTooLarge {
            name: "memo.pdf".into(),
            size: pdf.len() as u64,
            limit: 100,
        }]
    );
}

#[test]
fn incomplete_case_form() {
    let m = fixture("case_incomplete.eml");
    assert_eq!(
        m.case_form.fields,
        fields(&[
            (CaseField::Ministry, "BZK"),
            (CaseField::Contact, "Marieke Bakker"),
            (CaseField::Subject, "Huurcompensatie na renovatie"),
        ])
    );
    let missing: Vec<CaseField> = CaseField::REQUIRED
        .into_iter()
        .filter(|f| m.case_form.get(*f).is_none())
        .collect();
    assert_eq!(missing, vec![CaseField::Description, CaseField::Question]);
}

#[test]
fn case_form_in_a_txt_attachment() {
    let bytes = raw("case_txt_attachment.eml");
    let m = read(3, &bytes, &limits());
    assert_eq!(
        m.case_form.fields,
        fields(&[
            (CaseField::Ministry, "VWS"),
            (CaseField::Contact, "Anne Smit"),
            (CaseField::Subject, "Vergoeding reiskosten mantelzorger"),
            (
                CaseField::Description,
                "Een mantelzorger heeft op basis van een onjuiste brief van het\n\
                 zorgkantoor één jaar lang reiskosten gemaakt die niet vergoed worden."
            ),
            (
                CaseField::Question,
                "Is tegemoetkomen in de reiskosten geraden?"
            ),
            (CaseField::Urgency, "nee"),
        ])
    );
    assert_eq!(
        m.reply_text,
        "Zie het bijgevoegde casusformulier.\n\nGroet,\nAnne"
    );
    let original = raw("casusformulier.txt.expected");
    assert_eq!(
        m.attachments,
        vec![AttachmentInfo {
            index: 0,
            name: "casusformulier.txt".into(),
            content_type: "text/plain; charset=windows-1252".into(),
            size: original.len() as u64,
        }]
    );
    // The attachment comes back as sent: in its own charset.
    assert_eq!(attachment(&bytes, 0).unwrap().bytes, original);
}

// ---------------------------------------------------------------------------------------
// Member replies.

#[test]
fn outlook_reply_with_dutch_header_block() {
    let m = fixture("reply_outlook_nl.eml");
    assert_eq!(m.kind, MailKind::Message);
    assert_eq!(
        m.from,
        Some(addr("Jansen, J. (Jan)", "j.jansen@minfin.example.nl"))
    );
    assert_eq!(
        m.to,
        vec![addr(
            "Loket Overleggremium",
            "loket+2026-014.m.7f3a9c@gremium.example.nl"
        )]
    );
    assert_eq!(m.cc, vec![addr("Bos, K.", "k.bos@minfin.example.nl")]);
    assert_eq!(m.in_reply_to, vec!["2026-014.dist.fin@gremium.example.nl"]);
    assert_eq!(
        m.references,
        vec![
            "2026-014.intake@gremium.example.nl",
            "2026-014.dist.fin@gremium.example.nl"
        ]
    );
    assert_eq!(
        m.reply_text,
        "Standpunt: onder voorwaarden\n\
         Argumenten: De eigenaar heeft gehandeld op advies van de overheid.\n\
         Het nadeel is aantoonbaar en valt buiten het normale risico.\n\
         Vorm van tegemoetkoming: Vergoeding van 50% van de aantoonbare meerkosten.\n\
         Opmerkingen: Graag afstemmen met OCW.\n\n\
         Met vriendelijke groet,\n\n\
         Jan Jansen\n\
         Ministerie van Financiën"
    );
    assert!(
        m.quoted_text
            .starts_with("________________________________\nVan: Loket Overleggremium"),
        "{:?}",
        m.quoted_text
    );
    assert_eq!(
        m.view_form,
        ViewForm {
            position: Position::UnderConditions,
            arguments: Some(
                "De eigenaar heeft gehandeld op advies van de overheid.\n\
                 Het nadeel is aantoonbaar en valt buiten het normale risico."
                    .into()
            ),
            compensation: Some("Vergoeding van 50% van de aantoonbare meerkosten.".into()),
            remarks: Some("Graag afstemmen met OCW.".into()),
        }
    );
    // The quoted case form fills the case fields, but the quoted header's "Onderwerp:" is
    // not the case subject, and the quoted view form does not run into the question.
    assert_eq!(
        m.case_form.fields,
        fields(&[
            (CaseField::Ministry, "BZK"),
            (CaseField::Subject, "Schade na verbouwing rijksmonument"),
            (
                CaseField::Description,
                "Een eigenaar van een rijksmonument heeft op advies van de Rijksdienst een verbouwing uitgevoerd."
            ),
            (
                CaseField::Question,
                "Is het geraden om de eigenaar onverplicht tegemoet te komen?"
            ),
        ])
    );
    assert!(m.attachments.is_empty());
}

#[test]
fn gmail_reply_with_wrapped_attribution() {
    let m = fixture("reply_gmail.eml");
    assert_eq!(m.kind, MailKind::Message);
    assert_eq!(
        m.from,
        Some(addr("Sanne Visser", "sanne.visser.vws@gmail.example.com"))
    );
    assert_eq!(
        m.reply_text,
        "Standpunt: nee\n\nArgumenten:\n\
         Het betreft een bewuste keuze van de eigenaar; het risico hoort bij hem.\n\n\
         Groet,\nSanne"
    );
    assert!(m.quoted_text.starts_with(
        "Op wo 11 mrt 2026 om 11:02 schreef Loket Overleggremium <\nloket@gremium.example.nl>:\n\n> Geachte"
    ));
    assert_eq!(
        m.view_form,
        ViewForm {
            position: Position::NotAdvisable,
            arguments: Some(
                "Het betreft een bewuste keuze van de eigenaar; het risico hoort bij hem.".into()
            ),
            compensation: None,
            remarks: None,
        }
    );
}

#[test]
fn apple_mail_reply_from_an_iphone() {
    let m = fixture("reply_apple_iphone.eml");
    assert_eq!(
        m.message_id.as_deref(),
        Some("A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF@minocw.example.nl")
    );
    assert_eq!(
        m.cc,
        vec![addr("Loket Overleggremium", "loket@gremium.example.nl")]
    );
    assert_eq!(
        m.reply_text,
        "Visie: ja, tegemoetkomen geraden.\nToelichting: een eenmalige uitkering lijkt mij passend."
    );
    assert!(
        m.quoted_text
            .starts_with("Verzonden vanaf mijn iPhone\n\n> Op 9 mrt 2026"),
        "{:?}",
        m.quoted_text
    );
    assert_eq!(
        m.view_form,
        ViewForm {
            position: Position::Advisable,
            arguments: None,
            compensation: None,
            remarks: Some("een eenmalige uitkering lijkt mij passend.".into()),
        }
    );
}

#[test]
fn free_text_reply_has_no_view_fields() {
    let m = fixture("reply_free_text.eml");
    assert_eq!(m.kind, MailKind::Message);
    assert_eq!(
        m.reply_text,
        "Geen bezwaar; wat mij betreft kan de eigenaar tegemoet worden gekomen.\n\
         Wel graag een maximum aan het bedrag.\n\nGroet,\nPiet"
    );
    assert!(m.quoted_text.starts_with("On Mon, Mar 9, 2026 at 11:02 AM"));
    assert_eq!(m.view_form, ViewForm::default());
    assert!(m.case_form.is_empty());
    assert_eq!(
        m.from,
        Some(addr("Piet Mulder", "p.mulder@minlnv.example.nl"))
    );
    assert_eq!(
        m.to,
        vec![Address::bare("loket+2026-014.m.5a5a5a@gremium.example.nl")]
    );
}

// ---------------------------------------------------------------------------------------
// Machines.

#[test]
fn out_of_office_by_header() {
    let m = fixture("out_of_office.eml");
    assert_eq!(
        m.kind,
        MailKind::AutoReply {
            reason: "header Auto-Submitted: auto-generated".into()
        }
    );
    assert_eq!(m.in_reply_to, vec!["2026-014.dist.fin@gremium.example.nl"]);
}

#[test]
fn out_of_office_by_subject() {
    let m = fixture("out_of_office_subject.eml");
    assert_eq!(
        m.kind,
        MailKind::AutoReply {
            reason: "subject starts with \"Out of Office\"".into()
        }
    );
}

#[test]
fn dsn_bounce() {
    let m = fixture("bounce_dsn.eml");
    // Only the failed recipient, lowercase; the delayed one is not a bounce.
    assert_eq!(
        m.kind,
        MailKind::Bounce {
            recipients: vec!["j.jansen@minfin.example.nl".into()]
        }
    );
    // The loop header inside the returned headers is not this mail's.
    assert!(!m.from_loket);
    let types: Vec<&str> = m
        .attachments
        .iter()
        .map(|a| a.content_type.as_str())
        .collect();
    assert_eq!(
        types,
        vec!["message/delivery-status", "text/rfc822-headers"]
    );
    assert_eq!(
        m.attachments.iter().map(|a| a.index).collect::<Vec<_>>(),
        vec![0, 1]
    );
}

#[test]
fn calendar_reply() {
    let m = fixture("calendar_reply.eml");
    assert_eq!(m.kind, MailKind::CalendarReply);
}

#[test]
fn loket_loop_header() {
    let m = fixture("loket_own.eml");
    assert!(m.from_loket);
    assert!(!fixture("reply_gmail.eml").from_loket);
}

// ---------------------------------------------------------------------------------------
// Broken mail.

#[test]
fn no_from_and_no_message_id() {
    let m = fixture("no_from_no_id.eml");
    assert_eq!(m.from, None);
    assert_eq!(m.message_id, None);
    assert_eq!(
        m.problems,
        vec![MailProblem::NoFrom, MailProblem::NoMessageId]
    );
    assert_eq!(m.subject, "Vraag over de procedure");
    assert_eq!(
        m.reply_text,
        "Kunt u mij vertellen hoe ik een casus indien?"
    );
    assert_eq!(m.kind, MailKind::Message);
}

#[test]
fn garbage_bytes_are_unparseable() {
    for bytes in [raw("garbage.bin"), Vec::new(), b"\r\n\r\n".to_vec()] {
        let m = read(9, &bytes, &limits());
        assert_eq!(m.raw_id, 9);
        assert_eq!(m.problems, vec![MailProblem::Unparseable]);
        assert_eq!(m.kind, MailKind::Message);
        assert_eq!(m.from, None);
        assert_eq!(m.message_id, None);
        assert_eq!(m.subject, "");
        assert_eq!(m.reply_text, "");
        assert!(m.attachments.is_empty());
        assert!(m.case_form.is_empty());
        assert_eq!(message_id(&bytes), None);
        assert!(attachment(&bytes, 0).is_none());
    }
}

#[test]
fn latin1_declared_as_utf8() {
    let m = fixture("latin1_as_utf8.eml");
    assert_eq!(
        m.reply_text,
        "Standpunt: nee\n\
         Argumenten: De regeling van het ministerie van Financiën is hier niet van\n\
         toepassing; het verzoek is één keer eerder afgewezen."
    );
    assert_eq!(
        m.problems,
        vec![MailProblem::BadCharset {
            part: "text body 1 (text/plain; charset=utf-8)".into()
        }]
    );
    assert_eq!(m.view_form.position, Position::NotAdvisable);
}

#[test]
fn message_id_scan_agrees_with_read() {
    let mut n = 0;
    for e in std::fs::read_dir(FIXTURES).unwrap().flatten() {
        let bytes = std::fs::read(e.path()).unwrap();
        let m = read(1, &bytes, &limits());
        assert_eq!(message_id(&bytes), m.message_id, "{}", e.path().display());
        n += 1;
    }
    assert!(n >= 15);
    assert_eq!(
        message_id(&raw("reply_outlook_nl.eml")).as_deref(),
        Some("DB9PR01MB7711.jan@minfin.example.nl")
    );
}

// ---------------------------------------------------------------------------------------
// The shared corpus.

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

fn expected(folder: &str) -> serde_json::Map<String, serde_json::Value> {
    let path = Path::new(CORPUS).join(folder).join("EXPECTED.json");
    let text = std::fs::read_to_string(&path).expect("EXPECTED.json");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    v["files"].as_object().cloned().unwrap_or_default()
}

fn read_corpus(folder: &str, name: &str) -> InboundMail {
    let bytes = std::fs::read(Path::new(CORPUS).join(folder).join(name)).expect("corpus file");
    read(1, &bytes, &limits())
}

#[test]
fn corpus_never_panics() {
    let mut files = Vec::new();
    files_under(Path::new(CORPUS), &mut files);
    files.sort();
    assert!(files.len() > 200, "only {} corpus files", files.len());

    // A panic inside `read` is caught there; check that the hook never fired.
    let mut panicked = Vec::new();
    let mut unparseable = 0;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let result = std::panic::catch_unwind(|| {
            let m = read(1, &bytes, &limits());
            let _ = message_id(&bytes);
            for a in &m.attachments {
                let got = attachment(&bytes, a.index).expect("listed attachment");
                assert_eq!(got.bytes.len() as u64, a.size);
            }
            m
        });
        match result {
            Ok(m) => unparseable += usize::from(m.problems.contains(&MailProblem::Unparseable)),
            Err(_) => panicked.push(f.display().to_string()),
        }
    }
    println!(
        "corpus: {} files read, {unparseable} unparseable (non-mail files such as .ics, .txt)",
        files.len()
    );
    assert!(panicked.is_empty(), "panicked on {panicked:?}");
}

#[test]
fn corpus_autoreplies_are_not_messages() {
    let exp = expected("autoreplies");
    let mut met = 0;
    let mut missed = Vec::new();
    let mut total = 0;
    for (name, e) in &exp {
        if e["expected"]["is_auto_reply"].as_bool() != Some(true) {
            continue;
        }
        total += 1;
        let m = read_corpus("autoreplies", name);
        if m.kind == MailKind::Message {
            missed.push(name.clone());
        } else {
            met += 1;
        }
    }
    println!("autoreplies: {met} of {total} expected auto-replies are not classified Message");
    for name in &missed {
        println!("  MISSED auto-reply: {name}");
    }
    assert!(total >= 10, "EXPECTED.json lists only {total} auto-replies");

    // The negative case: a human reply with X-Auto-Response-Suppress stays a message.
    for (name, e) in &exp {
        if e["expected"]["is_auto_reply"].as_bool() == Some(false) {
            let m = read_corpus("autoreplies", name);
            println!("  negative {name}: {:?}", m.kind);
        }
    }
}

/// What the bounce corpus expects of a file, as far as it says.
enum BounceExpectation {
    /// A permanent failure of these addresses (may be empty: addresses unknown).
    Failed(Vec<String>),
    /// Only temporary failures, or a success report: not a bounce, not a message.
    NotFailed,
    /// Not a bounce at all.
    NoBounce,
    Unknown,
}

fn bounce_expectation(e: &serde_json::Value) -> BounceExpectation {
    let exp = &e["expected"];
    if let Some(list) = exp.as_array() {
        let mut failed = Vec::new();
        let mut any_permanent = false;
        for d in list {
            if let Some(addrs) = d["addresses"].as_array() {
                if d["temporary"].as_bool() != Some(true) {
                    any_permanent = true;
                    failed.extend(
                        addrs
                            .iter()
                            .filter_map(|a| a.as_str())
                            .map(str::to_lowercase),
                    );
                }
            } else if let Some(status) = d["status"].as_str()
                && status.starts_with('5')
            {
                any_permanent = true;
            }
        }
        return if any_permanent {
            BounceExpectation::Failed(failed)
        } else {
            BounceExpectation::NotFailed
        };
    }
    for key in ["is_bounce", "bounced", "is_delivery_notification"] {
        match exp[key].as_bool() {
            Some(true) => {
                let mut failed = Vec::new();
                if let Some(r) = exp["final_recipient"].as_str() {
                    let a = r.rsplit(';').next().unwrap_or(r).trim().to_lowercase();
                    failed.push(a);
                }
                if let Some(rs) = exp["recipients"].as_array() {
                    failed.extend(rs.iter().filter_map(|a| a.as_str()).map(str::to_lowercase));
                }
                return if exp["action"].as_str() == Some("delayed") {
                    BounceExpectation::NotFailed
                } else {
                    BounceExpectation::Failed(failed)
                };
            }
            Some(false) => {
                return if key == "bounced" {
                    BounceExpectation::NotFailed
                } else {
                    BounceExpectation::NoBounce
                };
            }
            None => {}
        }
    }
    BounceExpectation::Unknown
}

#[test]
fn corpus_bounces() {
    let exp = expected("bounces");
    let (mut permanent, mut as_bounce, mut with_addresses) = (0, 0, 0);
    let mut notes = Vec::new();
    for (name, e) in &exp {
        let m = read_corpus("bounces", name);
        match bounce_expectation(e) {
            BounceExpectation::Failed(want) => {
                permanent += 1;
                match &m.kind {
                    MailKind::Bounce { recipients } => {
                        as_bounce += 1;
                        if want.iter().all(|w| recipients.contains(w)) {
                            with_addresses += 1;
                        } else {
                            notes.push(format!("{name}: wanted {want:?}, got {recipients:?}"));
                        }
                    }
                    other => notes.push(format!("{name}: permanent failure read as {other:?}")),
                }
            }
            BounceExpectation::NotFailed => {
                if matches!(m.kind, MailKind::Message) {
                    notes.push(format!("{name}: delay/success report read as Message"));
                }
            }
            BounceExpectation::NoBounce => {
                if matches!(m.kind, MailKind::Bounce { .. }) {
                    notes.push(format!("{name}: not a bounce, read as {:?}", m.kind));
                }
            }
            BounceExpectation::Unknown => {}
        }
    }
    println!(
        "bounces: {as_bounce} of {permanent} permanent failures read as Bounce, \
         {with_addresses} with all expected addresses"
    );
    for n in &notes {
        println!("  {n}");
    }
    assert!(
        permanent >= 40,
        "EXPECTED.json lists only {permanent} permanent failures"
    );
    // A floor against regressions (49 of 50 when this was written).
    assert!(
        as_bounce >= 45,
        "only {as_bounce} of {permanent} permanent failures read as Bounce"
    );
}
