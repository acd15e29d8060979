//! Tests of `loket::mail`: hand-made fixtures in tests/fixtures/mail, and the shared
//! corpus of real-world mail in ../shared/corpus.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{TimeZone, Utc};
use loket::core::model::{
    Address, AttachmentInfo, CaseField, InboundMail, MailKind, MailProblem, Position, ViewForm,
};
use loket::mail::{ReadLimits, attachment, message_id, read};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mail");

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
// More of what issue 4 asks: .docx forms, HTML markers, Dutch Outlook blocks, disclaimers,
// iTIP, inspect. The shared corpus is checked in tests/corpus.rs.

#[test]
fn case_form_in_a_docx_attachment() {
    let bytes = raw("case_docx_attachment.eml");
    let m = read(3, &bytes, &limits());
    assert_eq!(m.kind, MailKind::Message);
    assert_eq!(
        m.case_form.fields,
        fields(&[
            (CaseField::Ministry, "OCW"),
            (
                CaseField::Contact,
                "Fatima el Amrani, f.elamrani@minocw.example.nl"
            ),
            (
                CaseField::Subject,
                "Studievertraging door fout in DUO-systeem"
            ),
            (
                CaseField::Description,
                "Door een storing kregen 40 studenten hun beurs te laat. Zij liepen daardoor \
                 studievertraging op.\nEr is geen wettelijke grondslag & geen regeling."
            ),
            (
                CaseField::Question,
                "Is het geraden de studenten onverplicht tegemoet te komen?"
            ),
            (CaseField::Urgency, "nee"),
        ])
    );
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].name, "casusformulier.docx");
    assert_eq!(m.language.as_deref(), Some("nl"));
    assert!(
        m.warnings.iter().any(|w| w.contains("casusformulier.docx")),
        "{:?}",
        m.warnings
    );
    // The attachment as stored is the .docx itself.
    let a = attachment(&bytes, 0).unwrap();
    assert!(a.bytes.starts_with(b"PK"));
}

fn mail_with_body(content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Jan Jansen <jan@minbzk.example.nl>\r\nTo: loket@gremium.example.nl\r\n\
         Subject: RE: [OTT 2026-014] Casus\r\nMessage-ID: <r1@minbzk.example.nl>\r\n\
         MIME-Version: 1.0\r\nContent-Type: {content_type}; charset=utf-8\r\n\r\n{body}"
    )
    .into_bytes()
}

#[test]
fn outlook_html_reply_is_cut_at_its_own_marker() {
    let html = "<html><body><div class=WordSection1><p class=MsoNormal>Standpunt: ja<o:p></o:p></p>\
        <p class=MsoNormal>Argumenten: past binnen de handreiking.<o:p></o:p></p>\
        <p class=MsoNormal><o:p>&nbsp;</o:p></p>\
        <div id=divRplyFwdMsg><hr><b>Van:</b> Loket &lt;loket@gremium.example.nl&gt;<br>\
        <b>Verzonden:</b> dinsdag 10 maart 2026 14:03<br><b>Aan:</b> Jan Jansen<br>\
        <b>Onderwerp:</b> [OTT 2026-014] Casus</div><p>Standpunt: (ja / nee)</p></div></body></html>";
    let m = read(1, &mail_with_body("text/html", html), &limits());
    assert_eq!(
        m.reply_text,
        "Standpunt: ja\nArgumenten: past binnen de handreiking."
    );
    assert!(m.quoted_text.contains("Verzonden:"), "{:?}", m.quoted_text);
    assert_eq!(m.view_form.position, Position::Advisable);
    assert_eq!(
        m.view_form.arguments.as_deref(),
        Some("past binnen de handreiking.")
    );
    let i = loket::mail::inspect::inspect(&mail_with_body("text/html", html), &limits());
    assert_eq!(i.reply_marker, Some("Outlook divRplyFwdMsg"));
}

#[test]
fn dutch_outlook_block_and_wrapped_attribution_in_plain_text() {
    let body = "Nee, niet geraden.\r\n\r\nVerzonden vanuit Outlook voor iOS\r\n\
        ________________________________\r\nVan: Loket <loket@gremium.example.nl>\r\n\
        Verzonden: dinsdag 10 maart 2026 14:03\r\nAan: Jan Jansen\r\n\
        Onderwerp: [OTT 2026-014] Casus\r\n\r\nBeste leden,\r\n";
    let m = read(1, &mail_with_body("text/plain", body), &limits());
    assert_eq!(m.reply_text, "Nee, niet geraden.");
    assert!(
        m.quoted_text
            .starts_with("Verzonden vanuit Outlook voor iOS")
    );
    assert!(m.quoted_text.ends_with("Beste leden,"));

    let body = "Akkoord.\r\n\r\nOp di 10 mrt. 2026 om 14:03 schreef Loket Overleggremium <\r\n\
        loket@gremium.example.nl>:\r\n\r\n> Beste leden,\r\n";
    let m = read(1, &mail_with_body("text/plain", body), &limits());
    assert_eq!(m.reply_text, "Akkoord.");
    assert!(m.quoted_text.starts_with("Op di 10 mrt."));
}

#[test]
fn disclaimer_is_cut_and_kept() {
    let body = "Standpunt: onder voorwaarden\r\nOpmerkingen: alleen bij een bedrag onder de 5.000 euro.\r\n\r\n\
        Met vriendelijke groet,\r\nPiet\r\n\r\n\
        Dit bericht kan informatie bevatten die niet voor u is bestemd. Indien u niet de \
        geadresseerde bent of dit bericht abusievelijk aan u is toegezonden, wordt u verzocht \
        dat aan de afzender te melden en het bericht te verwijderen.\r\n";
    let m = read(1, &mail_with_body("text/plain", body), &limits());
    assert!(m.reply_text.ends_with("Piet"), "{:?}", m.reply_text);
    assert!(
        m.quoted_text
            .starts_with("Dit bericht kan informatie bevatten")
    );
    assert_eq!(m.view_form.position, Position::UnderConditions);
}

#[test]
fn inline_answers_under_the_quoted_form_are_kept() {
    let body = "> Standpunt:\r\n> (ja / nee / onder voorwaarden)\r\nJa\r\n> Argumenten:\r\n\
        Het past binnen de handreiking.\r\n> Opmerkingen:\r\n> \r\n";
    let m = read(1, &mail_with_body("text/plain", body), &limits());
    assert_eq!(m.view_form.position, Position::Advisable);
    assert_eq!(
        m.view_form.arguments.as_deref(),
        Some("Het past binnen de handreiking.")
    );
}

#[test]
fn calendar_reply_carries_its_itip_data() {
    let m = fixture("calendar_reply.eml");
    assert_eq!(m.kind, MailKind::CalendarReply);
    let itip = m.itip.expect("itip");
    assert_eq!(itip.method.as_deref(), Some("REPLY"));
    assert!(!itip.attendees.is_empty());
}

#[test]
fn inspect_json_keeps_the_contract_keys() {
    for name in [
        "bounce_dsn.eml",
        "out_of_office.eml",
        "reply_free_text.eml",
        "case_nl_complete.eml",
        "calendar_reply.eml",
        "garbage.bin",
    ] {
        let i = loket::mail::inspect::inspect(&raw(name), &limits());
        let v = loket::mail::inspect::to_json(name, &i);
        for key in [
            "kind",
            "bounce_recipients",
            "reply_text",
            "form",
            "itip",
            "warnings",
        ] {
            assert!(v.get(key).is_some(), "{name}: no {key} in {v}");
        }
        assert!(
            matches!(
                v["kind"].as_str(),
                Some("message" | "auto_reply" | "bounce")
            ),
            "{name}: {}",
            v["kind"]
        );
        assert!(v["bounce_recipients"].is_array() && v["warnings"].is_array());
    }
    let bounce = loket::mail::inspect::inspect(&raw("bounce_dsn.eml"), &limits());
    assert_eq!(bounce.kind, "bounce");
    assert!(!bounce.bounce_recipients.is_empty());
    let case = loket::mail::inspect::inspect(&raw("case_nl_complete.eml"), &limits());
    assert!(case.form["case_form"]["ministry"].is_string());
    let free = loket::mail::inspect::inspect(&raw("reply_free_text.eml"), &limits());
    assert!(free.form.is_null());
}
