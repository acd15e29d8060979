//! Rendering outgoing messages: every template in both languages, headers, attachments,
//! template overrides and local times across daylight saving.

use std::path::PathBuf;

use chrono::{DateTime, NaiveTime, Utc};
use loket::config::model::*;
use loket::core::letters::*;
use loket::core::model::*;
use loket::render::{RenderError, Renderer};
use mail_parser::{MessageParser, MimeHeaders};

fn t(s: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn config(lang: Lang, templates_dir: Option<PathBuf>) -> Config {
    Config {
        source: PathBuf::from("test.toml"),
        body: BodyConfig {
            name: "Overleggremium onverplicht tegemoetkomen".into(),
            tag: "OTT".into(),
            language: lang,
        },
        desk: DeskConfig {
            address: Address::new("Loket OTT (VenJ)", "loket@minvenj.nl"),
            staff: vec![Address::new("Desk Medewerker", "medewerker@minvenj.nl")],
            plus_addressing: true,
        },
        ministries: vec![],
        members: vec![],
        periods: Periods {
            normal: Period::WorkingDays(5),
            urgent: Period::WorkingDays(2),
            reminders: vec![],
            deadline_time: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
            timezone: "Europe/Amsterdam".parse().unwrap(),
            office_hours: (
                NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
                NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
            ),
        },
        distribution: Distribution { to_deputies: true },
        intake: Intake {
            allowed_senders: vec![],
            max_attachment_bytes: 10_000_000,
        },
        store: StoreConfig {
            path: PathBuf::from("store"),
            cache_bytes: 1 << 20,
        },
        mailbox: MailboxConfig::Maildir {
            path: PathBuf::from("maildir"),
            poll_interval: std::time::Duration::from_secs(30),
        },
        transport: TransportConfig::EmlDir {
            path: PathBuf::from("outbox"),
        },
        secrets: Secrets {
            token_key: SecretSource::Env("LOKET_TOKEN_KEY".into()),
        },
        templates_dir,
        calendar: CalendarConfig::default(),
        policy: Policy::default(),
        jobs: Jobs::default(),
        bundling: Bundling::default(),
        meeting: MeetingConfig::default(),
        retention: Retention::default(),
    }
}

fn case_info(deadline: &str) -> CaseInfo {
    CaseInfo {
        id: "2026-014".into(),
        subject: "Schade na bodemdaling in Groningen".into(),
        ministry: "BZK".into(),
        ministry_name: "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties".into(),
        submitter: Address::new("de Vries, A.", "a.devries@minbzk.nl"),
        contact: "A. de Vries, 070 123 4567".into(),
        description:
            "Een bewoner heeft schade geleden.\nDe gemeente heeft geen aansprakelijkheid erkend."
                .into(),
        question: "Is onverplicht tegemoetkomen geraden, en in welke vorm?".into(),
        urgent: false,
        received_at: t("2026-11-20T09:30:00Z"),
        deadline: t(deadline),
        desired_date: Some("27-11-2026".into()),
        attachments: vec!["brief gemeente.pdf".into()],
    }
}

fn recipient(person: Person) -> Recipient {
    Recipient {
        name: "J. Jänsen".into(),
        email: "j.jansen@minfin.nl".into(),
        person,
        member_name: "P. Pietersen".into(),
        ministry: "FIN".into(),
    }
}

fn outgoing(template: TemplateName, context: serde_json::Value) -> Outgoing {
    Outgoing {
        message_id: "loket.2026-014.x@minvenj.nl".into(),
        template,
        to: vec![Address::new("de Vries, A.", "a.devries@minbzk.nl")],
        cc: vec![],
        reply_to: None,
        in_reply_to: None,
        references: vec![],
        case: Some("2026-014".parse().unwrap()),
        date: t("2026-11-20T09:31:00Z"),
        context,
        attachments: vec![],
        attach_raw: None,
        ics: None,
    }
}

/// A representative letter for each template.
fn letters() -> Vec<(TemplateName, serde_json::Value, Option<CaseId>)> {
    let case = case_info("2026-11-27T16:00:00Z");
    let id = Some("2026-014".parse().unwrap());
    let view = |by, position, filled: bool| ViewInfo {
        member_name: "P. Pietersen".into(),
        ministry: "FIN".into(),
        ministry_name: "Ministerie van Financiën".into(),
        by,
        by_name: if by == Person::Deputy {
            "J. Jänsen".into()
        } else {
            "P. Pietersen".into()
        },
        received_at: t("2026-11-24T10:00:00Z"),
        position,
        arguments: filled.then(|| "De schade is een gevolg van overheidshandelen.".into()),
        compensation: filled.then(|| "Een bedrag van € 2.500.".into()),
        remarks: None,
        text: "Ik sluit me aan bij BZK.".into(),
    };
    vec![
        (
            TemplateName::Receipt,
            serde_json::to_value(ReceiptLetter {
                case: case.clone(),
                seats: 12,
            })
            .unwrap(),
            id,
        ),
        (
            TemplateName::MissingFields,
            serde_json::to_value(MissingFieldsLetter {
                original_subject: "Casus schade Groningen".into(),
                problems: vec![
                    FieldProblem {
                        field: "question".into(),
                        label: "Vraag aan het gremium".into(),
                        problem: String::new(),
                    },
                    FieldProblem {
                        field: "urgency".into(),
                        label: "Spoed".into(),
                        problem: "\"misschien\" is geen ja of nee".into(),
                    },
                ],
                found: vec![FieldValue {
                    label: "Onderwerp".into(),
                    value: "Schade na bodemdaling".into(),
                }],
            })
            .unwrap(),
            None,
        ),
        (
            TemplateName::Distribution,
            serde_json::to_value(DistributionLetter {
                case: case.clone(),
                recipient: recipient(Person::Deputy),
            })
            .unwrap(),
            id,
        ),
        (
            TemplateName::Reminder,
            serde_json::to_value(ReminderLetter {
                case: case.clone(),
                recipient: recipient(Person::Member),
            })
            .unwrap(),
            id,
        ),
        (
            TemplateName::Bundle,
            serde_json::to_value(BundleLetter {
                case: case.clone(),
                reason: BundleReason::DeadlinePassed,
                views: vec![
                    view(Person::Member, Position::Advisable, true),
                    view(Person::Deputy, Position::Unstated, false),
                ],
                missing: vec![MissingSeat {
                    member_name: "K. Klaassen".into(),
                    ministry: "IenW".into(),
                    ministry_name: "Ministerie van Infrastructuur en Waterstaat".into(),
                }],
                common_position: None,
                review: false,
                edited_text: None,
            })
            .unwrap(),
            id,
        ),
        (
            TemplateName::Quarantine,
            serde_json::to_value(QuarantineLetter {
                raw_id: 42,
                from: "Onbekend <iemand@example.org>".into(),
                subject: "Vraag over een casus".into(),
                received_at: t("2026-11-20T09:30:00Z"),
                reason: QuarantineReason::UnknownSender,
                detail: "domein example.org hoort bij geen ministerie".into(),
            })
            .unwrap(),
            None,
        ),
        (
            TemplateName::DeskNotice,
            serde_json::to_value(DeskNoticeLetter {
                notice: NoticeKind::ViewConflict,
                case: Some(case.clone()),
                from: "j.jansen@minfin.nl".into(),
                subject: "Re: [OTT 2026-014] Verzoek om uw visie".into(),
                raw_id: 7,
                details: vec!["P. Pietersen: tegemoetkomen geraden".into()],
            })
            .unwrap(),
            id,
        ),
        (TemplateName::CaseForm, serde_json::json!({}), None),
    ]
}

fn parse(bytes: &[u8]) -> mail_parser::Message<'_> {
    MessageParser::default()
        .parse(bytes)
        .expect("parsable mail")
}

fn no_fetch(_: &AttachmentRef) -> Option<Vec<u8>> {
    None
}

#[test]
fn every_template_renders_in_both_languages() {
    for lang in [Lang::Nl, Lang::En] {
        let r = Renderer::new(&config(lang, None)).expect("built-in templates are valid");
        for (name, ctx, case) in letters() {
            let mut out = outgoing(name, ctx);
            out.case = case;
            let (subject, body) = r.render_text(&out).unwrap();
            eprintln!("==== {lang:?} {name:?}\nSubject: {subject}\n\n{body}");
            assert!(!subject.is_empty(), "{name:?}");
            assert!(!subject.contains('\n'), "{name:?}");
            assert!(body.ends_with('\n') && !body.ends_with("\n\n"), "{name:?}");
            assert!(!body.contains("\n\n\n"), "{name:?}: runs of blank lines");
            for leftover in ["{{", "{%", "}}", "none", "None", "undefined"] {
                assert!(
                    !body.contains(leftover) && !subject.contains(leftover),
                    "{lang:?} {name:?} contains {leftover}"
                );
            }
            if case.is_some() {
                assert!(subject.starts_with("[OTT 2026-014] "), "{subject}");
                assert_eq!(subject.matches("[OTT 2026-014]").count(), 1, "{subject}");
            }
            // The full message renders too.
            let bytes = r.render(&out, &no_fetch, None).unwrap();
            assert!(parse(&bytes).body_text(0).is_some());
        }
    }
}

#[test]
fn letters_say_what_matters() {
    let nl = Renderer::new(&config(Lang::Nl, None)).unwrap();
    let en = Renderer::new(&config(Lang::En, None)).unwrap();
    let text = |r: &Renderer, name: TemplateName| {
        let (n, ctx, case) = letters().into_iter().find(|l| l.0 == name).unwrap();
        let mut out = outgoing(n, ctx);
        out.case = case;
        r.render_text(&out).unwrap()
    };

    let (s, b) = text(&nl, TemplateName::Receipt);
    assert_eq!(
        s,
        "[OTT 2026-014] Ontvangstbevestiging: Schade na bodemdaling in Groningen"
    );
    assert!(b.starts_with("Geachte de Vries, A.,"), "{b}");
    assert!(b.contains("vrijdag 27 november 2026, 17:00 uur"), "{b}");
    assert!(b.contains("12 leden"), "{b}");
    assert!(b.contains("[OTT 2026-014]"), "{b}");

    let (s, b) = text(&nl, TemplateName::MissingFields);
    assert_eq!(s, "Re: Casus schade Groningen");
    assert!(b.contains("- Vraag aan het gremium: ontbreekt"), "{b}");
    assert!(
        b.contains("- Spoed: \"misschien\" is geen ja of nee"),
        "{b}"
    );
    assert!(b.contains("Onderwerp: Schade na bodemdaling"), "{b}");
    assert!(
        b.contains(loket::forms::blank_case_form(Lang::Nl).trim_end()),
        "{b}"
    );

    let (s, b) = text(&nl, TemplateName::Distribution);
    assert!(s.contains("Verzoek om uw visie"), "{s}");
    assert!(b.starts_with("Geachte J. Jänsen,"), "{b}");
    assert!(b.contains("als plaatsvervanger van P. Pietersen"), "{b}");
    assert!(
        b.contains("Reageer uiterlijk vrijdag 27 november 2026, 17:00 uur."),
        "{b}"
    );
    assert!(b.contains("Een bewoner heeft schade geleden."), "{b}");
    assert!(b.contains("- brief gemeente.pdf"), "{b}");
    assert!(
        b.contains(loket::forms::blank_view_form(Lang::Nl).trim_end()),
        "{b}"
    );

    let (_, b) = text(&nl, TemplateName::Bundle);
    assert!(b.contains("Standpunt: tegemoetkomen geraden"), "{b}");
    assert!(b.contains("Een bedrag van € 2.500."), "{b}");
    assert!(
        b.contains("Reactie gegeven door de plaatsvervanger, J. Jänsen."),
        "{b}"
    );
    assert!(b.contains("Ik sluit me aan bij BZK."), "{b}");
    assert!(
        b.contains("Ministerie van Infrastructuur en Waterstaat (IenW), K. Klaassen"),
        "{b}"
    );
    assert!(b.contains("niet bindend"), "{b}");
    assert!(b.contains("De reactietermijn is verstreken"), "{b}");

    let (s, b) = text(&nl, TemplateName::Quarantine);
    assert_eq!(s, "Bericht apart gezet: Vraag over een casus");
    assert!(b.contains("de afzender is niet bekend"), "{b}");
    assert!(b.contains("bericht 42"), "{b}");

    let (s, b) = text(&nl, TemplateName::DeskNotice);
    assert!(
        s.starts_with("[OTT 2026-014] Lid en plaatsvervanger"),
        "{s}"
    );
    assert!(b.contains("- P. Pietersen: tegemoetkomen geraden"), "{b}");

    let (s, b) = text(&en, TemplateName::Bundle);
    assert_eq!(
        s,
        "[OTT 2026-014] Views of the body: Schade na bodemdaling in Groningen"
    );
    assert!(b.contains("Position: compensation advisable"), "{b}");
    assert!(b.contains("Friday 27 November 2026, 17:00"), "{b}");
    assert!(b.contains("not binding"), "{b}");

    let (_, b) = text(&en, TemplateName::Distribution);
    assert!(b.contains("as the deputy of P. Pietersen"), "{b}");
    assert!(
        b.contains(loket::forms::blank_view_form(Lang::En).trim_end()),
        "{b}"
    );
}

#[test]
fn headers_are_present_and_correct() {
    let r = Renderer::new(&config(Lang::Nl, None)).unwrap();
    let (_, ctx, _) = letters().remove(2); // distribution
    let mut out = outgoing(TemplateName::Distribution, ctx);
    out.to = vec![
        Address::new("Jänsen, J. \"Jan\"", "j.jansen@minfin.nl"),
        Address::new("de Vries, A.", "a.devries@minbzk.nl"),
    ];
    out.cc = vec![Address::bare("loket@minvenj.nl")];
    out.reply_to = Some(Address::new("Loket OTT", "loket+abc123@minvenj.nl"));
    out.in_reply_to = Some("parent@minbzk.nl".into());
    out.references = vec!["root@minbzk.nl".into(), "<parent@minbzk.nl>".into()];
    let bytes = r.render(&out, &no_fetch, None).unwrap();
    let raw = String::from_utf8(bytes.clone()).unwrap();
    eprintln!("{raw}");

    // CRLF everywhere, no bare LF.
    assert!(!raw.replace("\r\n", "").contains('\n'), "bare LF in output");
    assert_eq!(raw.matches("Message-ID:").count(), 1, "{raw}");

    let m = parse(&bytes);
    assert_eq!(m.message_id(), Some("loket.2026-014.x@minvenj.nl"));
    assert_eq!(m.in_reply_to().as_text(), Some("parent@minbzk.nl"));
    assert_eq!(
        m.references().as_text_list().unwrap(),
        &["root@minbzk.nl", "parent@minbzk.nl"]
    );
    let header = |name: &'static str| m.header_raw(name).map(str::trim).unwrap_or("");
    assert_eq!(header("Auto-Submitted"), "auto-generated");
    assert_eq!(header("X-Auto-Response-Suppress"), "All");
    assert_eq!(header("X-Loket-Loop"), "loket@minvenj.nl");
    assert_eq!(header("Content-Language"), "nl");
    assert_eq!(header("MIME-Version"), "1.0");

    let subject = m.subject().unwrap();
    assert_eq!(
        subject,
        "[OTT 2026-014] Verzoek om uw visie: Schade na bodemdaling in Groningen"
    );
    let date = m.date().unwrap();
    assert_eq!(date.to_timestamp(), t("2026-11-20T09:31:00Z").timestamp());

    let from = m.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("Loket OTT (VenJ)"));
    assert_eq!(from.address(), Some("loket@minvenj.nl"));
    let to: Vec<_> = m
        .to()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a.name().unwrap_or("").to_string(),
                a.address().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        to,
        vec![
            (
                "Jänsen, J. \"Jan\"".to_string(),
                "j.jansen@minfin.nl".to_string()
            ),
            (
                "de Vries, A.".to_string(),
                "a.devries@minbzk.nl".to_string()
            ),
        ]
    );
    assert_eq!(
        m.cc().unwrap().first().unwrap().address(),
        Some("loket@minvenj.nl")
    );
    let reply_to = m.reply_to().unwrap().first().unwrap();
    assert_eq!(reply_to.address(), Some("loket+abc123@minvenj.nl"));

    let ct = m.root_part().content_type().unwrap();
    assert_eq!(ct.ctype(), "text");
    assert_eq!(ct.subtype(), Some("plain"));
    assert_eq!(
        ct.attribute("charset").map(str::to_lowercase).as_deref(),
        Some("utf-8")
    );
    let body = m.body_text(0).unwrap();
    assert!(body.contains("Geachte J. Jänsen,"), "{body}");

    // Non-ASCII headers are encoded, not raw 8-bit.
    let head = &raw[..raw.find("\r\n\r\n").unwrap()];
    assert!(head.is_ascii(), "{head}");

    // Same message, same bytes.
    assert_eq!(r.render(&out, &no_fetch, None).unwrap(), bytes);
}

#[test]
fn subject_tag_is_added_once_and_only_for_cases() {
    let r = Renderer::new(&config(Lang::Nl, None)).unwrap();
    let mut ctx = serde_json::to_value(ReceiptLetter {
        case: case_info("2026-11-27T16:00:00Z"),
        seats: 1,
    })
    .unwrap();
    ctx["case"]["subject"] = "[OTT 2026-014] al getagd".into();
    let out = outgoing(TemplateName::Receipt, ctx);
    let (s, b) = r.render_text(&out).unwrap();
    assert_eq!(s, "Ontvangstbevestiging: [OTT 2026-014] al getagd");
    assert!(b.contains("1 lid "), "{b}");

    let mut out = outgoing(TemplateName::CaseForm, serde_json::Value::Null);
    out.case = None;
    let (s, _) = r.render_text(&out).unwrap();
    assert_eq!(s, "Casusformulier Overleggremium onverplicht tegemoetkomen");
}

#[test]
fn attachments_come_through_with_name_and_bytes() {
    let r = Renderer::new(&config(Lang::Nl, None)).unwrap();
    let (_, ctx, _) = letters().remove(2);
    let mut out = outgoing(TemplateName::Distribution, ctx);
    let pdf: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    out.attachments = vec![
        AttachmentRef {
            raw_id: 5,
            index: 0,
            name: "brief gemeente.pdf".into(),
            content_type: "application/pdf".into(),
        },
        AttachmentRef {
            raw_id: 5,
            index: 1,
            name: "notitie één.txt".into(),
            content_type: "not a type".into(),
        },
    ];
    let fetch = |a: &AttachmentRef| -> Option<Vec<u8>> {
        match a.index {
            0 => Some(pdf.clone()),
            1 => Some("Eén notitie.\n".as_bytes().to_vec()),
            _ => None,
        }
    };
    let bytes = r.render(&out, &fetch, None).unwrap();
    let m = parse(&bytes);
    assert_eq!(
        m.root_part().content_type().unwrap().subtype(),
        Some("mixed")
    );
    assert!(m.body_text(0).unwrap().contains("Geachte J. Jänsen"));
    let atts: Vec<_> = m.attachments().collect();
    assert_eq!(atts.len(), 2);
    assert_eq!(atts[0].attachment_name(), Some("brief gemeente.pdf"));
    assert_eq!(atts[0].content_type().unwrap().subtype(), Some("pdf"));
    assert_eq!(atts[0].contents(), pdf.as_slice());
    assert_eq!(atts[1].attachment_name(), Some("notitie één.txt"));
    let ct = atts[1].content_type().unwrap();
    assert_eq!(
        (ct.ctype(), ct.subtype()),
        ("application", Some("octet-stream"))
    );
    assert_eq!(atts[1].contents(), "Eén notitie.\n".as_bytes());

    // An attachment the store cannot give is an error naming it.
    out.attachments[1].index = 9;
    match r.render(&out, &fetch, None) {
        Err(e @ RenderError::MissingAttachment { .. }) => {
            assert!(e.to_string().contains("notitie één.txt"), "{e}")
        }
        other => panic!("expected MissingAttachment, got {other:?}"),
    }
}

#[test]
fn raw_original_is_attached_as_message_rfc822() {
    let r = Renderer::new(&config(Lang::Nl, None)).unwrap();
    let (_, ctx, _) = letters().remove(5); // quarantine
    let mut out = outgoing(TemplateName::Quarantine, ctx);
    out.case = None;
    out.to = vec![Address::new("Desk Medewerker", "medewerker@minvenj.nl")];
    out.attach_raw = Some(42);
    let original = "From: Iemand <iemand@example.org>\nTo: loket@minvenj.nl\nSubject: Vraag\nMessage-ID: <orig@example.org>\n\nGoedendag, één vraag.\n";

    assert!(matches!(
        r.render(&out, &no_fetch, None),
        Err(RenderError::MissingRaw { raw_id: 42 })
    ));

    let bytes = r
        .render(&out, &no_fetch, Some(original.as_bytes()))
        .unwrap();
    let m = parse(&bytes);
    let body = m.body_text(0).unwrap();
    assert!(
        body.contains("Het oorspronkelijke bericht is bijgevoegd."),
        "{body}"
    );
    let att = m.attachments().next().expect("the original");
    assert_eq!(att.attachment_name(), Some("bericht-42.eml"));
    let inner = att.message().expect("parsed as message/rfc822");
    assert_eq!(inner.message_id(), Some("orig@example.org"));
    assert_eq!(inner.subject(), Some("Vraag"));
    assert!(inner.body_text(0).unwrap().contains("één vraag"));
}

#[test]
fn datetime_filter_follows_daylight_saving() {
    for lang in [Lang::Nl, Lang::En] {
        let r = Renderer::new(&config(lang, None)).unwrap();
        for (deadline, expect_nl, expect_en) in [
            (
                "2026-07-03T15:00:00Z",
                "vrijdag 3 juli 2026, 17:00",
                "Friday 3 July 2026, 17:00",
            ),
            (
                "2026-11-27T16:00:00Z",
                "vrijdag 27 november 2026, 17:00",
                "Friday 27 November 2026, 17:00",
            ),
            // The last Sunday of October: 17:00 local is 16:00Z after the change at 01:00Z.
            (
                "2026-10-25T16:00:00Z",
                "zondag 25 oktober 2026, 17:00",
                "Sunday 25 October 2026, 17:00",
            ),
        ] {
            let ctx = serde_json::to_value(ReceiptLetter {
                case: case_info(deadline),
                seats: 3,
            })
            .unwrap();
            let (_, body) = r
                .render_text(&outgoing(TemplateName::Receipt, ctx))
                .unwrap();
            let expect = if lang == Lang::Nl {
                expect_nl
            } else {
                expect_en
            };
            assert!(body.contains(expect), "{lang:?} {deadline}: {body}");
        }
    }
}

#[test]
fn override_templates_are_used_and_broken_ones_named() {
    let dir = tempfile::tempdir().unwrap();
    let nl = dir.path().join("nl");
    std::fs::create_dir_all(&nl).unwrap();

    // A good override replaces the built-in one; the others stay built in.
    std::fs::write(
        nl.join("receipt.txt"),
        "{% block subject %}Ontvangen: {{ case.subject }}{% endblock %}\n{% block body %}Casus {{ case.id }}, termijn {{ case.deadline | date }}.\n{% endblock %}\n",
    )
    .unwrap();
    let r = Renderer::new(&config(Lang::Nl, Some(dir.path().to_path_buf()))).unwrap();
    let ctx = serde_json::to_value(ReceiptLetter {
        case: case_info("2026-11-27T16:00:00Z"),
        seats: 3,
    })
    .unwrap();
    let (s, b) = r
        .render_text(&outgoing(TemplateName::Receipt, ctx))
        .unwrap();
    assert_eq!(
        s,
        "[OTT 2026-014] Ontvangen: Schade na bodemdaling in Groningen"
    );
    assert_eq!(b, "Casus 2026-014, termijn vrijdag 27 november 2026.\n");
    assert!(r.origin(TemplateName::Bundle).starts_with("built-in"));

    // A syntax error: the error names the file and the line.
    let broken = nl.join("reminder.txt");
    std::fs::write(
        &broken,
        "{% block subject %}Herinnering{% endblock %}\n{% block body %}\nGeachte {{ recipient.name }},\n{% if %}\n{% endblock %}\n",
    )
    .unwrap();
    let err = Renderer::new(&config(Lang::Nl, Some(dir.path().to_path_buf())))
        .err()
        .expect("a broken template is refused");
    let msg = err.to_string();
    eprintln!("{msg}");
    assert!(msg.contains(&broken.display().to_string()), "{msg}");
    assert!(msg.contains("line 4"), "{msg}");
    assert!(msg.contains("remove the file"), "{msg}");

    // A misspelt variable is caught at start-up too, not at the first reminder.
    std::fs::write(
        &broken,
        "{% block subject %}Herinnering{% endblock %}\n{% block body %}\nGeachte {{ recipient.nmae }},\n{% endblock %}\n",
    )
    .unwrap();
    let msg = Renderer::new(&config(Lang::Nl, Some(dir.path().to_path_buf())))
        .err()
        .expect("an undefined variable is refused")
        .to_string();
    eprintln!("{msg}");
    assert!(
        msg.contains("reminder.txt") && msg.contains("line 3"),
        "{msg}"
    );

    // A missing block likewise.
    std::fs::write(&broken, "{% block subject %}Herinnering{% endblock %}\n").unwrap();
    let msg = Renderer::new(&config(Lang::Nl, Some(dir.path().to_path_buf())))
        .err()
        .expect("a template without body is refused")
        .to_string();
    eprintln!("{msg}");
    assert!(
        msg.contains("reminder.txt") && msg.contains("body"),
        "{msg}"
    );
}

#[test]
fn bad_addresses_and_ids_are_errors_not_panics() {
    let r = Renderer::new(&config(Lang::Nl, None)).unwrap();
    let (_, ctx, _) = letters().remove(0);
    let mut out = outgoing(TemplateName::Receipt, ctx.clone());
    out.to = vec![Address::bare("not an address")];
    assert!(matches!(
        r.render(&out, &no_fetch, None),
        Err(RenderError::Address { .. })
    ));
    let mut out = outgoing(TemplateName::Receipt, ctx.clone());
    out.message_id = "has space@x".into();
    assert!(matches!(
        r.render(&out, &no_fetch, None),
        Err(RenderError::MessageId { .. })
    ));
    let mut out = outgoing(TemplateName::Receipt, serde_json::json!([1, 2]));
    out.to = vec![Address::bare("a@b.nl")];
    assert!(matches!(
        r.render_text(&out),
        Err(RenderError::Context { .. })
    ));
}
