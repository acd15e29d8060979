//! The workflow core, table-driven with a fake clock: every test is a script of
//! (time, event) and assertions on the actions that come out. No I/O anywhere.

use chrono::{Duration, NaiveTime, TimeZone, Utc};
use loket::config::model::*;
use loket::core::model::*;
use loket::core::{Action, Command, Core, Event, SenderAuth, State};
use loket::token::{TokenKey, parse_seat_ref};

fn addr(name: &str, email: &str) -> Address {
    Address::new(name, email)
}

fn config() -> Config {
    let ministry = |code: &str, name: &str, domain: &str| Ministry {
        code: code.into(),
        name: name.into(),
        domains: vec![domain.into()],
    };
    let member =
        |id: &str, name: &str, email: &str, ministry: &str, deputy: Option<(&str, &str)>| Member {
            id: id.into(),
            name: name.into(),
            email: email.into(),
            ministry: ministry.into(),
            deputy: deputy.map(|(n, e)| Deputy {
                name: n.into(),
                email: e.into(),
            }),
        };
    Config {
        source: "test.toml".into(),
        body: BodyConfig {
            name: "Overleggremium onverplicht tegemoetkomen".into(),
            tag: "OTT".into(),
            language: Lang::Nl,
        },
        desk: DeskConfig {
            address: addr("Loket OTT", "loket@minjenv.nl"),
            staff: vec![addr("Desk One", "desk1@minjenv.nl")],
            plus_addressing: false,
        },
        ministries: vec![
            ministry(
                "VenJ",
                "Ministerie van Justitie en Veiligheid",
                "minjenv.nl",
            ),
            ministry(
                "BZK",
                "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
                "minbzk.nl",
            ),
            ministry("Fin", "Ministerie van Financiën", "minfin.nl"),
        ],
        members: vec![
            member(
                "venj",
                "Anna de Vries",
                "a.devries@minjenv.nl",
                "VenJ",
                Some(("Bas Jansen", "b.jansen@minjenv.nl")),
            ),
            member("bzk", "Cor Bakker", "c.bakker@minbzk.nl", "BZK", None),
            member(
                "fin",
                "Dirk Smit",
                "d.smit@minfin.nl",
                "Fin",
                Some(("Eva Mulder", "e.mulder@minfin.nl")),
            ),
        ],
        periods: Periods {
            normal: Period::Span(Duration::days(7)),
            urgent: Period::Span(Duration::days(2)),
            reminders: vec![ReminderRule {
                working_days_before: 2,
                at: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            }],
            deadline_time: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
            timezone: chrono_tz::Europe::Amsterdam,
            office_hours: (
                NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
                NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
            ),
        },
        distribution: Distribution { to_deputies: true },
        intake: Intake {
            allowed_senders: vec!["extern@example.org".into()],
            max_attachment_bytes: 1_000_000,
        },
        store: StoreConfig {
            path: "/nonexistent".into(),
            cache_bytes: 1 << 20,
        },
        mailbox: MailboxConfig::Maildir {
            path: "/nonexistent".into(),
            poll_interval: std::time::Duration::from_secs(1),
        },
        transport: TransportConfig::EmlDir {
            path: "/nonexistent".into(),
        },
        secrets: Secrets {
            token_key: SecretSource::Env("UNUSED".into()),
        },
        templates_dir: None,
        calendar: CalendarConfig::default(),
        policy: Policy::default(),
        jobs: Jobs::default(),
        bundling: Bundling::default(),
        meeting: MeetingConfig::default(),
        retention: Retention::default(),
    }
}

/// Monday 2 November 2026, 10:00 Amsterdam (09:00Z).
fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

/// A fake world: config, key, state, and a counter for raw ids.
struct World {
    cfg: Config,
    key: TokenKey,
    state: State,
    next_raw: RawId,
}

impl World {
    fn new() -> World {
        World {
            cfg: config(),
            key: TokenKey::new(b"test-key-test-key".to_vec()),
            state: State::default(),
            next_raw: 1,
        }
    }

    fn handle(&mut self, event: Event, now: Timestamp) -> Vec<Action> {
        Core {
            config: &self.cfg,
            key: &self.key,
        }
        .handle(&mut self.state, event, now)
    }

    fn deliver(&mut self, m: InboundMail, now: Timestamp) -> Vec<Action> {
        self.handle(Event::Mail(Box::new(m), SenderAuth::NotChecked), now)
    }

    fn next_wakeup(&self) -> Option<Timestamp> {
        Core {
            config: &self.cfg,
            key: &self.key,
        }
        .next_wakeup(&self.state)
    }

    fn mail(&mut self, from: &str, subject: &str) -> InboundMail {
        let id = self.next_raw;
        self.next_raw += 1;
        InboundMail {
            raw_id: id,
            message_id: Some(format!("msg{id}@client.example")),
            from: Some(Address::bare(from)),
            to: vec![Address::bare("loket@minjenv.nl")],
            cc: vec![],
            subject: subject.into(),
            date: None,
            in_reply_to: vec![],
            references: vec![],
            kind: MailKind::Message,
            from_loket: false,
            reply_text: String::new(),
            quoted_text: String::new(),
            case_form: CaseForm::default(),
            view_form: ViewForm::default(),
            attachments: vec![],
            problems: vec![],
            itip: None,
            language: None,
            warnings: vec![],
        }
    }

    fn case_mail(&mut self, from: &str, fields: &[(CaseField, &str)]) -> InboundMail {
        let mut m = self.mail(from, "Casus voor het gremium");
        for (f, v) in fields {
            m.case_form.fields.insert(*f, v.to_string());
        }
        m
    }

    /// A reply to a distribution message, as a mail client makes it.
    fn reply_to(&mut self, original: &Outgoing, from: &str, position: Position) -> InboundMail {
        let mut m = self.mail(from, "Re: [OTT 2026-001] casus");
        m.in_reply_to = vec![original.message_id.clone()];
        m.references = vec![original.message_id.clone()];
        m.view_form.position = position;
        m.view_form.arguments = Some(format!("argumenten van {from}"));
        m.reply_text = format!("Standpunt: {position:?}");
        m
    }

    fn case(&self, id: &str) -> &Case {
        &self.state.cases[&id.parse::<CaseId>().unwrap()]
    }
}

fn complete_form() -> Vec<(CaseField, &'static str)> {
    vec![
        (CaseField::Ministry, "BZK"),
        (CaseField::Subject, "Schade door vertraagde vergunning"),
        (
            CaseField::Description,
            "Een burger lijdt schade door een te late beslissing.",
        ),
        (CaseField::Question, "Is onverplicht tegemoetkomen geraden?"),
    ]
}

fn sends(actions: &[Action]) -> Vec<&Outgoing> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send(o) => Some(o.as_ref()),
            _ => None,
        })
        .collect()
}

fn sends_of(actions: &[Action], t: TemplateName) -> Vec<&Outgoing> {
    sends(actions)
        .into_iter()
        .filter(|o| o.template == t)
        .collect()
}

fn journal(actions: &[Action]) -> Vec<&JournalEvent> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Journal(e) => Some(&e.event),
            _ => None,
        })
        .collect()
}

fn has_quarantine(actions: &[Action]) -> bool {
    actions
        .iter()
        .any(|a| matches!(a, Action::Quarantine { .. }))
}

fn to(o: &Outgoing) -> Vec<&str> {
    o.to.iter().map(|a| a.email.as_str()).collect()
}

/// Opens a case from BZK and returns the world and the distribution messages.
fn open_case() -> (World, Vec<Outgoing>) {
    let mut w = World::new();
    let m = w.case_mail("indiener@minbzk.nl", &complete_form());
    let a = w.deliver(m, t0());
    let d = sends_of(&a, TemplateName::Distribution)
        .into_iter()
        .cloned()
        .collect();
    (w, d)
}

fn dist_for<'a>(d: &'a [Outgoing], email: &str) -> &'a Outgoing {
    d.iter()
        .find(|o| o.to[0].email == email)
        .expect("a message to this person")
}

#[test]
fn complete_form_opens_a_case_with_receipt_and_personal_messages() {
    let mut w = World::new();
    let m = w.case_mail("indiener@minbzk.nl", &complete_form());
    let a = w.deliver(m, t0());

    let case = w.case("2026-001");
    assert_eq!(case.status, CaseStatus::Open);
    assert_eq!(case.ministry, "BZK");
    // 7 days after Monday 2 Nov = Monday 9 Nov, 17:00 Amsterdam = 16:00Z.
    assert_eq!(
        case.deadline,
        Utc.with_ymd_and_hms(2026, 11, 9, 16, 0, 0).unwrap()
    );
    assert!(!case.urgent);

    let receipt = sends_of(&a, TemplateName::Receipt);
    assert_eq!(receipt.len(), 1);
    assert_eq!(to(receipt[0]), ["indiener@minbzk.nl"]);
    assert_eq!(receipt[0].case, Some(case.id));
    assert_eq!(
        receipt[0].in_reply_to.as_deref(),
        Some("msg1@client.example")
    );
    assert_eq!(receipt[0].context["case"]["id"], "2026-001");
    assert_eq!(
        receipt[0].context["case"]["deadline"],
        "2026-11-09T16:00:00Z"
    );

    // One personal message per member, and per deputy (policy: to_deputies).
    let d = sends_of(&a, TemplateName::Distribution);
    let mut recipients: Vec<&str> = d.iter().flat_map(|o| to(o)).collect();
    recipients.sort();
    assert_eq!(
        recipients,
        [
            "a.devries@minjenv.nl",
            "b.jansen@minjenv.nl",
            "c.bakker@minbzk.nl",
            "d.smit@minfin.nl",
            "e.mulder@minfin.nl"
        ]
    );
    // Each carries a verifiable token for its own seat and person, all different.
    let mut ids: Vec<&str> = d.iter().map(|o| o.message_id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 5);
    for o in &d {
        let r = parse_seat_ref(&o.message_id).expect("token in Message-ID");
        assert!(w.key.verify(r.case, &r.member, r.person, &r.token));
        let seat = w.case("2026-001").seat(&r.member).unwrap();
        assert_eq!(seat.person_address(r.person).unwrap().email, o.to[0].email);
    }
    assert!(a.iter().any(|x| matches!(
        x,
        Action::SaveCaseCounter {
            year: 2026,
            next: 2
        }
    )));
    assert!(a.iter().any(|x| matches!(x, Action::WakeAt(_))));
}

#[test]
fn without_deputy_policy_only_members_are_addressed() {
    let mut w = World::new();
    w.cfg.distribution.to_deputies = false;
    let m = w.case_mail("indiener@minbzk.nl", &complete_form());
    let a = w.deliver(m, t0());
    assert_eq!(sends_of(&a, TemplateName::Distribution).len(), 3);
}

#[test]
fn case_ids_count_up_per_year() {
    let mut w = World::new();
    for n in 1..=3 {
        let m = w.case_mail("indiener@minbzk.nl", &complete_form());
        w.deliver(m, t0() + Duration::minutes(n));
    }
    let ids: Vec<String> = w.state.cases.keys().map(|c| c.to_string()).collect();
    assert_eq!(ids, ["2026-001", "2026-002", "2026-003"]);
    // New year in Amsterdam (23:30Z on 31 Dec is already 1 January there).
    let m = w.case_mail("indiener@minbzk.nl", &complete_form());
    w.deliver(m, Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap());
    assert!(w.state.cases.contains_key(&"2027-001".parse().unwrap()));
}

#[test]
fn incomplete_form_gets_a_reply_and_a_resubmission_completes_it() {
    let mut w = World::new();
    let fields: Vec<_> = complete_form()
        .into_iter()
        .filter(|(f, _)| *f != CaseField::Question)
        .collect();
    let first = w.case_mail("indiener@minbzk.nl", &fields);
    let first_id = first.message_id.clone().unwrap();
    let a = w.deliver(first, t0());

    assert!(w.state.cases.is_empty(), "no case from an incomplete form");
    let reply = sends_of(&a, TemplateName::MissingFields);
    assert_eq!(reply.len(), 1);
    assert_eq!(to(reply[0]), ["indiener@minbzk.nl"]);
    assert_eq!(reply[0].in_reply_to.as_deref(), Some(first_id.as_str()));
    let problems = reply[0].context["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0]["field"], "question");
    assert_eq!(problems[0]["label"], "Vraag aan het gremium");
    assert!(
        a.iter().any(|x| matches!(x, Action::SavePending(_))),
        "message kept"
    );
    assert!(matches!(
        journal(&a)[0],
        JournalEvent::FormIncomplete { .. }
    ));

    // The sender answers in the same thread with only the missing field.
    let reply_id = reply[0].message_id.clone();
    let mut second = w.case_mail(
        "indiener@minbzk.nl",
        &[(CaseField::Question, "Is tegemoetkomen geraden?")],
    );
    second.in_reply_to = vec![reply_id.clone()];
    second.references = vec![first_id.clone(), reply_id];
    let a = w.deliver(second, t0() + Duration::hours(2));

    let case = w.case("2026-001");
    assert_eq!(
        case.form.get(CaseField::Subject),
        Some("Schade door vertraagde vergunning")
    );
    assert_eq!(
        case.form.get(CaseField::Question),
        Some("Is tegemoetkomen geraden?")
    );
    assert_eq!(case.source, vec![1, 2]);
    assert!(w.state.pending.is_empty());
    assert!(a.iter().any(|x| matches!(x, Action::DropPending(1))));
    let receipt = sends_of(&a, TemplateName::Receipt);
    assert_eq!(receipt.len(), 1);
    assert!(
        receipt[0].references.contains(&first_id),
        "receipt threads with the submission"
    );
}

#[test]
fn bad_values_are_named_in_one_reply() {
    let mut w = World::new();
    let mut fields = complete_form();
    fields[0] = (CaseField::Ministry, "Ministerie van Sprookjes");
    fields.push((CaseField::Urgency, "misschien"));
    fields.push((CaseField::DesiredDate, "1-1-2020"));
    let m = w.case_mail("indiener@minbzk.nl", &fields);
    let a = w.deliver(m, t0());
    let reply = sends_of(&a, TemplateName::MissingFields);
    let fields: Vec<&str> = reply[0].context["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["ministry", "urgency", "desired_date"]);
}

#[test]
fn ministry_and_subject_default_from_the_mail() {
    let mut w = World::new();
    let m = w.case_mail(
        "indiener@minfin.nl",
        &[
            (CaseField::Description, "feiten"),
            (CaseField::Question, "vraag"),
        ],
    );
    w.deliver(m, t0());
    let c = w.case("2026-001");
    assert_eq!(c.ministry, "Fin", "from the sender's domain");
    assert_eq!(
        c.subject(),
        "Casus voor het gremium",
        "from the mail's subject"
    );
}

#[test]
fn unknown_sender_is_quarantined_and_the_desk_told() {
    let mut w = World::new();
    let m = w.case_mail("iemand@gmail.com", &complete_form());
    let a = w.deliver(m, t0());
    assert!(w.state.cases.is_empty());
    assert!(w.state.pending.is_empty());
    assert!(has_quarantine(&a));
    let notice = sends_of(&a, TemplateName::Quarantine);
    assert_eq!(notice.len(), 1);
    assert_eq!(to(notice[0]), ["desk1@minjenv.nl"]);
    assert_eq!(notice[0].attach_raw, Some(1), "the original goes along");
    assert_eq!(notice[0].context["reason"], "unknown_sender");
    assert_eq!(sends(&a).len(), 1, "nothing goes to the unknown sender");
}

#[test]
fn allowed_sender_may_submit() {
    let mut w = World::new();
    let m = w.case_mail("extern@example.org", &complete_form());
    w.deliver(m, t0());
    assert_eq!(w.state.cases.len(), 1);
}

#[test]
fn member_reply_is_recorded_as_view() {
    let (mut w, d) = open_case();
    let r = w.reply_to(
        dist_for(&d, "c.bakker@minbzk.nl"),
        "c.bakker@minbzk.nl",
        Position::Advisable,
    );
    let a = w.deliver(r, t0() + Duration::days(1));
    let seat = w.case("2026-001").seat("bzk").unwrap();
    let v = seat.current_view().unwrap();
    assert_eq!(v.by, Person::Member);
    assert_eq!(v.form.position, Position::Advisable);
    assert!(matches!(
        journal(&a)[0],
        JournalEvent::ViewRecorded {
            status: ViewStatus::Current,
            ..
        }
    ));
    assert!(sends(&a).is_empty(), "no bundle yet, nothing sent");
}

#[test]
fn second_reply_from_same_member_supersedes_and_both_are_kept() {
    let (mut w, d) = open_case();
    let o = dist_for(&d, "c.bakker@minbzk.nl").clone();
    let r1 = w.reply_to(&o, "c.bakker@minbzk.nl", Position::Advisable);
    w.deliver(r1, t0() + Duration::hours(1));
    let r2 = w.reply_to(&o, "C.Bakker@MINBZK.nl", Position::NotAdvisable);
    let a = w.deliver(r2, t0() + Duration::hours(2));
    let seat = w.case("2026-001").seat("bzk").unwrap();
    assert_eq!(seat.views.len(), 2);
    assert_eq!(seat.views[0].status, ViewStatus::Superseded);
    assert_eq!(seat.views[1].status, ViewStatus::Current);
    assert_eq!(
        seat.current_view().unwrap().form.position,
        Position::NotAdvisable
    );
    assert!(
        journal(&a)
            .iter()
            .any(|e| matches!(e, JournalEvent::ViewSuperseded { .. }))
    );
}

#[test]
fn deputy_and_member_hold_one_seat_and_a_conflict_goes_to_the_desk() {
    let (mut w, d) = open_case();
    let by_deputy = w.reply_to(
        dist_for(&d, "b.jansen@minjenv.nl"),
        "b.jansen@minjenv.nl",
        Position::Advisable,
    );
    w.deliver(by_deputy, t0() + Duration::hours(1));
    let seat = w.case("2026-001").seat("venj").unwrap();
    assert_eq!(
        seat.current_view().unwrap().by,
        Person::Deputy,
        "first answer counts"
    );

    // The member disagrees later: kept, flagged, the deputy's answer still counts.
    let by_member = w.reply_to(
        dist_for(&d, "a.devries@minjenv.nl"),
        "a.devries@minjenv.nl",
        Position::NotAdvisable,
    );
    let a = w.deliver(by_member, t0() + Duration::hours(2));
    let seat = w.case("2026-001").seat("venj").unwrap();
    assert_eq!(seat.views.len(), 2);
    assert_eq!(seat.views[1].status, ViewStatus::Conflicting);
    assert_eq!(seat.current_view().unwrap().by, Person::Deputy);
    let notice = sends_of(&a, TemplateName::DeskNotice);
    assert_eq!(notice.len(), 1);
    assert_eq!(notice[0].context["notice"], "view_conflict");

    // Agreement from the other person is just kept.
    let by_fin_member = w.reply_to(
        dist_for(&d, "d.smit@minfin.nl"),
        "d.smit@minfin.nl",
        Position::Advisable,
    );
    w.deliver(by_fin_member, t0() + Duration::hours(3));
    let by_fin_deputy = w.reply_to(
        dist_for(&d, "e.mulder@minfin.nl"),
        "e.mulder@minfin.nl",
        Position::Advisable,
    );
    let a = w.deliver(by_fin_deputy, t0() + Duration::hours(4));
    assert_eq!(
        w.case("2026-001").seat("fin").unwrap().views[1].status,
        ViewStatus::Concurring
    );
    assert!(sends_of(&a, TemplateName::DeskNotice).is_empty());
}

#[test]
fn reply_from_a_non_member_is_not_counted_and_the_desk_is_told() {
    let (mut w, d) = open_case();
    // A colleague answers on the member's thread (the token is valid, the sender is not).
    let r = w.reply_to(
        dist_for(&d, "c.bakker@minbzk.nl"),
        "collega@minbzk.nl",
        Position::Advisable,
    );
    let a = w.deliver(r, t0() + Duration::hours(1));
    assert!(w.case("2026-001").seat("bzk").unwrap().views.is_empty());
    assert!(has_quarantine(&a));
    let notice = sends_of(&a, TemplateName::DeskNotice);
    assert_eq!(notice[0].context["notice"], "reply_not_counted");
    assert!(matches!(
        journal(&a)[0],
        JournalEvent::ReplyNotCounted { .. }
    ));
}

#[test]
fn a_member_cannot_answer_for_another_seat_with_its_token() {
    let (mut w, d) = open_case();
    // The Fin member replies on the BZK member's message: not counted for either seat.
    let r = w.reply_to(
        dist_for(&d, "c.bakker@minbzk.nl"),
        "d.smit@minfin.nl",
        Position::Advisable,
    );
    let a = w.deliver(r, t0() + Duration::hours(1));
    let c = w.case("2026-001");
    assert!(c.seat("bzk").unwrap().views.is_empty());
    assert!(c.seat("fin").unwrap().views.is_empty());
    assert!(has_quarantine(&a));
}

#[test]
fn forged_token_does_not_match() {
    let (mut w, d) = open_case();
    let mut fake = dist_for(&d, "c.bakker@minbzk.nl").clone();
    fake.message_id = fake.message_id.replacen(".bzk.", ".fin.", 1);
    let mut r = w.reply_to(&fake, "d.smit@minfin.nl", Position::Advisable);
    r.subject = "Re: geen tag".into();
    let a = w.deliver(r, t0() + Duration::hours(1));
    assert!(w.case("2026-001").seat("fin").unwrap().views.is_empty());
    // Not a case reply and not a case form: a free mail from a member becomes an
    // incomplete submission, never a view.
    assert!(sends_of(&a, TemplateName::MissingFields).len() == 1);
}

#[test]
fn subject_tag_matches_when_threading_is_lost() {
    let (mut w, _) = open_case();
    let mut m = w.mail(
        "d.smit@minfin.nl",
        "RE: [OTT 2026-001] Schade door vertraagde vergunning",
    );
    m.view_form.position = Position::UnderConditions;
    w.deliver(m, t0() + Duration::hours(1));
    let v = w
        .case("2026-001")
        .seat("fin")
        .unwrap()
        .current_view()
        .unwrap()
        .clone();
    assert_eq!(v.form.position, Position::UnderConditions);
}

#[test]
fn subject_tag_from_the_submitter_goes_to_the_desk() {
    let (mut w, _) = open_case();
    let m = w.mail("indiener@minbzk.nl", "Re: [OTT 2026-001] aanvulling");
    let a = w.deliver(m, t0() + Duration::hours(1));
    let n = sends_of(&a, TemplateName::DeskNotice);
    assert_eq!(n[0].context["notice"], "case_message");
    assert!(w.case("2026-001").seats.iter().all(|s| s.views.is_empty()));
}

#[test]
fn all_views_in_bundles_to_the_submitter() {
    let (mut w, d) = open_case();
    let mut last = vec![];
    for email in [
        "a.devries@minjenv.nl",
        "c.bakker@minbzk.nl",
        "d.smit@minfin.nl",
    ] {
        let r = w.reply_to(dist_for(&d, email), email, Position::Advisable);
        last = w.deliver(r, t0() + Duration::hours(1));
    }
    let c = w.case("2026-001");
    assert_eq!(c.status, CaseStatus::Bundled);
    let b = sends_of(&last, TemplateName::Bundle);
    assert_eq!(b.len(), 1);
    assert_eq!(to(b[0]), ["indiener@minbzk.nl"]);
    assert_eq!(b[0].context["reason"], "all_views_in");
    assert_eq!(b[0].context["views"].as_array().unwrap().len(), 3);
    assert!(b[0].context["missing"].as_array().unwrap().is_empty());
    assert_eq!(w.next_wakeup(), None, "nothing left to wake for");
}

#[test]
fn deadline_passed_bundles_and_names_the_missing() {
    let (mut w, d) = open_case();
    let r = w.reply_to(
        dist_for(&d, "c.bakker@minbzk.nl"),
        "c.bakker@minbzk.nl",
        Position::NotAdvisable,
    );
    w.deliver(r, t0() + Duration::hours(1));
    let deadline = w.case("2026-001").deadline;

    // Just before the deadline: no bundle.
    let a = w.handle(Event::Tick, deadline - Duration::minutes(1));
    assert!(sends_of(&a, TemplateName::Bundle).is_empty());
    // At the deadline: the bundle, naming the two missing seats.
    let a = w.handle(Event::Tick, deadline);
    let b = sends_of(&a, TemplateName::Bundle);
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].context["reason"], "deadline_passed");
    let missing: Vec<&str> = b[0].context["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["ministry"].as_str().unwrap())
        .collect();
    assert_eq!(missing, ["VenJ", "Fin"]);
    assert_eq!(b[0].context["views"].as_array().unwrap().len(), 1);
    // Ticks are idempotent.
    assert!(w.handle(Event::Tick, deadline).is_empty());
    assert!(
        w.handle(Event::Tick, deadline + Duration::days(3))
            .is_empty()
    );
}

#[test]
fn reminder_goes_to_missing_seats_only_once() {
    let (mut w, d) = open_case();
    let r = w.reply_to(
        dist_for(&d, "c.bakker@minbzk.nl"),
        "c.bakker@minbzk.nl",
        Position::Advisable,
    );
    w.deliver(r, t0() + Duration::hours(1));
    let remind_at = w.case("2026-001").reminders_at[0];
    assert_eq!(w.next_wakeup(), Some(remind_at));
    // Deadline Monday 9 Nov; two working days before is Thursday 5 Nov, 09:00 local.
    assert_eq!(
        remind_at,
        Utc.with_ymd_and_hms(2026, 11, 5, 8, 0, 0).unwrap()
    );

    let a = w.handle(Event::Tick, remind_at);
    let rem = sends_of(&a, TemplateName::Reminder);
    let mut who: Vec<&str> = rem.iter().flat_map(|o| to(o)).collect();
    who.sort();
    assert_eq!(
        who,
        [
            "a.devries@minjenv.nl",
            "b.jansen@minjenv.nl",
            "d.smit@minfin.nl",
            "e.mulder@minfin.nl"
        ]
    );
    // Reminders thread under the first message, and their tokens still match.
    for o in &rem {
        assert!(o.in_reply_to.as_ref().unwrap().contains(".d@"));
        let r = parse_seat_ref(&o.message_id).unwrap();
        assert!(w.key.verify(r.case, &r.member, r.person, &r.token));
    }
    assert!(
        w.handle(Event::Tick, remind_at + Duration::hours(1))
            .is_empty()
    );
    assert_eq!(w.next_wakeup(), Some(w.case("2026-001").deadline));
}

#[test]
fn urgent_case_gets_the_shorter_period() {
    let mut w = World::new();
    let mut fields = complete_form();
    fields.push((CaseField::Urgency, "Ja, spoed"));
    let m = w.case_mail("indiener@minbzk.nl", &fields);
    w.deliver(m, t0());
    let c = w.case("2026-001");
    assert!(c.urgent);
    // Monday + 2 days = Wednesday 4 November, 17:00 local.
    assert_eq!(
        c.deadline,
        Utc.with_ymd_and_hms(2026, 11, 4, 16, 0, 0).unwrap()
    );
    assert!(
        c.reminders_at.is_empty(),
        "no reminder on the day the case goes out"
    );
}

#[test]
fn desired_date_sets_the_deadline_within_bounds() {
    let cases = [
        // (desired, expected deadline date, urgent)
        ("5-11-2026", (2026, 11, 5), true),
        ("3 november 2026", (2026, 11, 4), true), // not shorter than the urgent period
        ("30-11-2026", (2026, 11, 9), false),     // not longer than the normal period
    ];
    for (desired, (y, m, d), urgent) in cases {
        let mut w = World::new();
        let mut fields = complete_form();
        fields.push((CaseField::DesiredDate, desired));
        let mail = w.case_mail("indiener@minbzk.nl", &fields);
        w.deliver(mail, t0());
        let c = w.case("2026-001");
        assert_eq!(
            c.deadline,
            Utc.with_ymd_and_hms(y, m, d, 16, 0, 0).unwrap(),
            "{desired}"
        );
        assert_eq!(c.urgent, urgent, "{desired}");
    }
}

#[test]
fn automatic_mail_never_counts_and_is_never_answered() {
    let kinds = [
        MailKind::AutoReply {
            reason: "Auto-Submitted".into(),
        },
        MailKind::ReadReceipt,
        MailKind::CalendarReply,
    ];
    for kind in kinds {
        let (mut w, d) = open_case();
        let mut r = w.reply_to(
            dist_for(&d, "c.bakker@minbzk.nl"),
            "c.bakker@minbzk.nl",
            Position::Advisable,
        );
        r.kind = kind.clone();
        let a = w.deliver(r, t0() + Duration::hours(1));
        // Never answered (a calendar reply loket cannot place goes to the desk: issue 7).
        assert!(
            sends(&a)
                .iter()
                .all(|o| o.to.iter().all(|t| !t.is("c.bakker@minbzk.nl"))),
            "{kind:?}"
        );
        assert!(
            w.case("2026-001").seat("bzk").unwrap().views.is_empty(),
            "{kind:?}"
        );
        assert!(
            matches!(
                journal(&a)[0],
                JournalEvent::Ignored { .. } | JournalEvent::CalendarMessageForDesk { .. }
            ),
            "{kind:?}"
        );
    }
}

#[test]
fn bounce_for_a_member_is_reported_to_the_desk_only() {
    let (mut w, d) = open_case();
    let mut b = w.mail(
        "MAILER-DAEMON@minbzk.nl",
        "Undelivered Mail Returned to Sender",
    );
    b.kind = MailKind::Bounce {
        recipients: vec!["c.bakker@minbzk.nl".into()],
    };
    b.references = vec![dist_for(&d, "c.bakker@minbzk.nl").message_id.clone()];
    let a = w.deliver(b, t0() + Duration::hours(1));
    let s = sends(&a);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].template, TemplateName::DeskNotice);
    assert_eq!(to(s[0]), ["desk1@minjenv.nl"]);
    assert_eq!(s[0].context["notice"], "bounce");
    assert_eq!(s[0].case, Some("2026-001".parse().unwrap()));
    assert!(s[0].context["details"][0].as_str().unwrap().contains("BZK"));
}

#[test]
fn loket_never_answers_itself() {
    let mut w = World::new();
    let mut m = w.case_mail("loket@minjenv.nl", &complete_form());
    let a = w.deliver(m.clone(), t0());
    assert!(sends(&a).is_empty());
    m.from = Some(Address::bare("indiener@minbzk.nl"));
    m.from_loket = true;
    let a = w.deliver(m, t0());
    assert!(sends(&a).is_empty());
    assert!(w.state.cases.is_empty());
}

#[test]
fn unreadable_mail_is_quarantined_not_dropped() {
    let mut w = World::new();
    let mut m = w.mail("x@y.z", "");
    m.from = None;
    m.problems = vec![MailProblem::Unparseable];
    let a = w.deliver(m, t0());
    assert!(has_quarantine(&a));
    let q = sends_of(&a, TemplateName::Quarantine);
    assert_eq!(q[0].context["reason"], "unreadable");
}

#[test]
fn oversized_attachment_is_not_forwarded_and_the_desk_is_told() {
    let mut w = World::new();
    let mut m = w.case_mail("indiener@minbzk.nl", &complete_form());
    m.attachments = vec![
        AttachmentInfo {
            index: 0,
            name: "besluit.pdf".into(),
            content_type: "application/pdf".into(),
            size: 5_000,
        },
        AttachmentInfo {
            index: 1,
            name: "video.mp4".into(),
            content_type: "video/mp4".into(),
            size: 50_000_000,
        },
    ];
    m.problems = vec![MailProblem::AttachmentTooLarge {
        name: "video.mp4".into(),
        size: 50_000_000,
        limit: 1_000_000,
    }];
    let a = w.deliver(m, t0());
    let d = sends_of(&a, TemplateName::Distribution);
    assert!(
        d.iter()
            .all(|o| o.attachments.len() == 1 && o.attachments[0].name == "besluit.pdf")
    );
    let n = sends_of(&a, TemplateName::DeskNotice);
    assert_eq!(n[0].context["notice"], "attention");
}

#[test]
fn late_view_is_kept_and_flagged() {
    let (mut w, d) = open_case();
    let deadline = w.case("2026-001").deadline;
    w.handle(Event::Tick, deadline);
    let r = w.reply_to(
        dist_for(&d, "d.smit@minfin.nl"),
        "d.smit@minfin.nl",
        Position::Advisable,
    );
    let a = w.deliver(r, deadline + Duration::hours(1));
    let v = w
        .case("2026-001")
        .seat("fin")
        .unwrap()
        .current_view()
        .unwrap()
        .clone();
    assert!(v.late);
    assert_eq!(
        sends_of(&a, TemplateName::DeskNotice)[0].context["notice"],
        "late_view"
    );
    assert!(
        sends_of(&a, TemplateName::Bundle).is_empty(),
        "no second bundle"
    );
}

#[test]
fn desk_commands_bundle_and_close() {
    let (mut w, _) = open_case();
    let id: CaseId = "2026-001".parse().unwrap();
    assert!(
        Core::check_command(
            &w.state,
            &Command::Bundle {
                case: "2026-009".parse().unwrap()
            }
        )
        .is_err()
    );
    let a = w.handle(
        Event::Command(Command::Bundle { case: id }),
        t0() + Duration::days(1),
    );
    assert_eq!(
        sends_of(&a, TemplateName::Bundle)[0].context["reason"],
        "desk_request"
    );
    assert!(
        Core::check_command(&w.state, &Command::Bundle { case: id }).is_err(),
        "already bundled"
    );
    w.handle(
        Event::Command(Command::Close { case: id }),
        t0() + Duration::days(2),
    );
    assert_eq!(w.case("2026-001").status, CaseStatus::Closed);
}

#[test]
fn same_event_same_state_same_actions() {
    let (w, d) = open_case();
    let mut a = World {
        state: w.state.clone(),
        ..World::new()
    };
    let mut b = World {
        state: w.state.clone(),
        ..World::new()
    };
    a.next_raw = 10;
    b.next_raw = 10;
    let ra = a.reply_to(
        dist_for(&d, "c.bakker@minbzk.nl"),
        "c.bakker@minbzk.nl",
        Position::Advisable,
    );
    let rb = b.reply_to(
        dist_for(&d, "c.bakker@minbzk.nl"),
        "c.bakker@minbzk.nl",
        Position::Advisable,
    );
    let t = t0() + Duration::hours(5);
    assert_eq!(a.deliver(ra, t), b.deliver(rb, t));
    assert_eq!(a.state, b.state);
}

#[test]
fn message_ids_are_stable_and_distinct() {
    let (w1, d1) = open_case();
    let (_, d2) = open_case();
    let ids1: Vec<_> = d1.iter().map(|o| &o.message_id).collect();
    let ids2: Vec<_> = d2.iter().map(|o| &o.message_id).collect();
    assert_eq!(
        ids1, ids2,
        "same case, same ids: a replay cannot create new mail"
    );
    assert!(ids1.iter().all(|id| id.ends_with("@minjenv.nl")));
    drop(w1);
}

#[test]
fn a_message_given_up_by_the_transport_is_reported_to_the_desk_once() {
    use loket::core::DeliveryFailure;
    let (mut w, d) = open_case();
    let failed = dist_for(&d, "c.bakker@minbzk.nl");
    let f = DeliveryFailure {
        message_id: failed.message_id.clone(),
        template: TemplateName::Distribution,
        case: failed.case,
        recipients: vec!["c.bakker@minbzk.nl".into()],
        reason: "550 5.1.1 user unknown".into(),
        permanent: true,
    };
    let a = w.handle(Event::DeliveryFailed(f.clone()), t0() + Duration::hours(1));
    let n = sends_of(&a, TemplateName::DeskNotice);
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].context["notice"], "delivery_failed");
    assert_eq!(n[0].context["case"]["id"], "2026-001");
    assert!(matches!(
        journal(&a)[0],
        JournalEvent::DeliveryFailed {
            permanent: true,
            ..
        }
    ));
    // A failed desk notice is only journalled: notices about notices would loop.
    let again = DeliveryFailure {
        template: TemplateName::DeskNotice,
        ..f
    };
    let a = w.handle(Event::DeliveryFailed(again), t0() + Duration::hours(2));
    assert!(sends(&a).is_empty());
    assert_eq!(journal(&a).len(), 1);
}

// ---- Issue 6: working days, reminders, extensions, desk commands, who may do what ----

fn staff_mail(w: &mut World, subject: &str, first_line: &str) -> InboundMail {
    let mut m = w.mail("desk1@minjenv.nl", subject);
    m.reply_text = format!("{first_line}\n\nGroet, Desk One");
    m
}

fn command_reply(a: &[Action]) -> serde_json::Value {
    let r = sends_of(a, TemplateName::CommandReply);
    assert_eq!(r.len(), 1, "one reply to the command");
    assert_eq!(to(r[0]), ["desk1@minjenv.nl"]);
    r[0].context.clone()
}

#[test]
fn working_day_periods_skip_holidays() {
    let mut w = World::new();
    w.cfg.periods.normal = Period::WorkingDays(5);
    // Thursday 23 April 2026 + 5 working days: Koningsdag (Monday 27 April) is skipped,
    // so the deadline is Friday 1 May, not Thursday 30 April.
    let m = w.case_mail("indiener@minbzk.nl", &complete_form());
    w.deliver(m, Utc.with_ymd_and_hms(2026, 4, 23, 9, 0, 0).unwrap());
    assert_eq!(
        w.case("2026-001").deadline,
        Utc.with_ymd_and_hms(2026, 5, 1, 15, 0, 0).unwrap()
    );
}

#[test]
fn reminders_follow_the_schedule_and_wait_for_office_hours() {
    let mut w = World::new();
    let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
    w.cfg.periods.reminders = vec![
        ReminderRule {
            working_days_before: 2,
            at: nine,
        },
        ReminderRule {
            working_days_before: 0,
            at: nine,
        },
    ];
    let m = w.case_mail("indiener@minbzk.nl", &complete_form());
    w.deliver(m, t0());
    let c = w.case("2026-001");
    // Deadline Monday 9 Nov 17:00: reminders Thursday 5 Nov and Monday 9 Nov, 09:00 local.
    assert_eq!(
        c.reminders_at,
        [
            Utc.with_ymd_and_hms(2026, 11, 5, 8, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 9, 8, 0, 0).unwrap()
        ]
    );
    // loket was down; it wakes on Saturday night: nothing goes out at the weekend.
    let saturday_night = Utc.with_ymd_and_hms(2026, 11, 7, 22, 0, 0).unwrap();
    let a = w.handle(Event::Tick, saturday_night);
    assert!(sends_of(&a, TemplateName::Reminder).is_empty());
    // It is postponed to Monday 08:00 local, the office opening, and sent then, once.
    let monday_open = Utc.with_ymd_and_hms(2026, 11, 9, 7, 0, 0).unwrap();
    assert_eq!(w.next_wakeup(), Some(monday_open));
    let a = w.handle(Event::Tick, monday_open);
    assert_eq!(sends_of(&a, TemplateName::Reminder).len(), 5);
    // The deadline-day reminder at 09:00 still follows.
    let a = w.handle(
        Event::Tick,
        Utc.with_ymd_and_hms(2026, 11, 9, 8, 0, 0).unwrap(),
    );
    assert_eq!(sends_of(&a, TemplateName::Reminder).len(), 5);
    assert!(w.case("2026-001").reminders_at.is_empty());
}

#[test]
fn reminders_are_never_planned_at_night_or_on_the_day_of_distribution() {
    let mut w = World::new();
    w.cfg.periods.reminders = vec![ReminderRule {
        working_days_before: 0,
        at: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
    }];
    // Urgent case on Monday 08:00 local with the deadline Wednesday: one reminder, Wednesday.
    let mut fields = complete_form();
    fields.push((CaseField::Urgency, "ja"));
    let m = w.case_mail("indiener@minbzk.nl", &fields);
    w.deliver(m, Utc.with_ymd_and_hms(2026, 11, 2, 7, 0, 0).unwrap());
    let c = w.case("2026-001");
    assert_eq!(
        c.reminders_at,
        [Utc.with_ymd_and_hms(2026, 11, 4, 8, 0, 0).unwrap()]
    );
    for t in &c.reminders_at {
        let local = t.with_timezone(&chrono_tz::Europe::Amsterdam);
        assert!(local.time() >= NaiveTime::from_hms_opt(8, 0, 0).unwrap());
        assert!(local.time() < NaiveTime::from_hms_opt(18, 0, 0).unwrap());
    }
}

#[test]
fn extension_moves_the_deadline_and_tells_the_missing_seats_only() {
    let (mut w, d) = open_case();
    let r = w.reply_to(
        dist_for(&d, "c.bakker@minbzk.nl"),
        "c.bakker@minbzk.nl",
        Position::Advisable,
    );
    w.deliver(r, t0() + Duration::hours(1));
    let id: CaseId = "2026-001".parse().unwrap();
    let to = loket::core::Extension::To(chrono::NaiveDate::from_ymd_opt(2026, 11, 13).unwrap());
    let cmd = Command::Extend { case: id, to };
    assert!(Core::check_command(&w.state, &cmd).is_ok());
    let a = w.handle(Event::Command(cmd), t0() + Duration::days(1));
    let c = w.case("2026-001");
    assert_eq!(
        c.deadline,
        Utc.with_ymd_and_hms(2026, 11, 13, 16, 0, 0).unwrap()
    );
    // Reminder replanned: two working days before Friday 13 Nov is Wednesday 11 Nov.
    assert_eq!(
        c.reminders_at,
        [Utc.with_ymd_and_hms(2026, 11, 11, 8, 0, 0).unwrap()]
    );
    let told: Vec<&str> = sends_of(&a, TemplateName::Extension)
        .iter()
        .flat_map(|o| to_(o))
        .collect();
    assert_eq!(
        told.len(),
        4,
        "VenJ member+deputy, Fin member+deputy; not BZK: {told:?}"
    );
    assert!(!told.contains(&"c.bakker@minbzk.nl"));
    assert!(
        journal(&a)
            .iter()
            .any(|e| matches!(e, JournalEvent::DeadlineExtended { .. }))
    );
    // The old deadline passes without a bundle.
    assert!(
        sends_of(
            &w.handle(
                Event::Tick,
                Utc.with_ymd_and_hms(2026, 11, 9, 16, 0, 0).unwrap()
            ),
            TemplateName::Bundle
        )
        .is_empty()
    );
}

fn to_(o: &Outgoing) -> Vec<&str> {
    to(o)
}

#[test]
fn desk_commands_by_mail_in_dutch_and_english() {
    let (mut w, _) = open_case();
    let subject = "Re: [OTT 2026-001] Ontvangstbevestiging";
    // Extend, in Dutch, with a date without a year.
    let m = staff_mail(&mut w, subject, "Verlengen tot 13 november");
    let a = w.deliver(m, t0() + Duration::hours(1));
    let r = command_reply(&a);
    assert_eq!(r["outcome"], "extended");
    assert_eq!(
        w.case("2026-001").deadline,
        Utc.with_ymd_and_hms(2026, 11, 13, 16, 0, 0).unwrap()
    );
    // Status, then bundle, in English.
    let m = staff_mail(&mut w, subject, "status");
    let r = command_reply(&w.deliver(m, t0() + Duration::hours(2)));
    assert_eq!(r["outcome"], "status");
    assert_eq!(r["seats"].as_array().unwrap().len(), 3);
    let m = staff_mail(&mut w, subject, "bundle");
    let a = w.deliver(m, t0() + Duration::hours(3));
    assert_eq!(command_reply(&a)["outcome"], "bundled");
    assert_eq!(sends_of(&a, TemplateName::Bundle).len(), 1);
    // Bundling again is refused with the reason; nothing changes.
    let m = staff_mail(&mut w, subject, "bundelen");
    let a = w.deliver(m, t0() + Duration::hours(4));
    let r = command_reply(&a);
    assert_eq!(r["outcome"], "rejected");
    assert_eq!(r["problem"], "wrong_state");
    assert!(sends_of(&a, TemplateName::Bundle).is_empty());
    // Close.
    let m = staff_mail(&mut w, subject, "Sluiten.");
    command_reply(&w.deliver(m, t0() + Duration::hours(5)));
    assert_eq!(w.case("2026-001").status, CaseStatus::Closed);
}

#[test]
fn unknown_or_malformed_commands_get_the_valid_ones() {
    let (mut w, _) = open_case();
    let subject = "Re: [OTT 2026-001] casus";
    let cases = [
        ("graag even bellen", "unknown_command"),
        ("verlengen tot sint-juttemis", "bad_date"),
        ("verlengen tot 1 november 2026", "not_later"),
        // Meeting commands (`overleg`, `kies`) are answered by the meeting code: tests/meeting.rs.
    ];
    for (i, (line, problem)) in cases.into_iter().enumerate() {
        let m = staff_mail(&mut w, subject, line);
        let a = w.deliver(m, t0() + Duration::hours(i as i64 + 1));
        let r = command_reply(&a);
        assert_eq!(r["outcome"], "rejected", "{line}");
        assert_eq!(r["problem"], problem, "{line}");
    }
    // A command without a case.
    let m = staff_mail(&mut w, "losse vraag", "bundelen");
    assert_eq!(
        command_reply(&w.deliver(m, t0() + Duration::hours(9)))["problem"],
        "no_case"
    );
    assert_eq!(
        w.case("2026-001").status,
        CaseStatus::Open,
        "nothing changed"
    );
}

#[test]
fn only_desk_staff_can_command() {
    let (mut w, _) = open_case();
    // The submitter writes "sluiten" on the case: a message for the desk, not a command.
    let mut m = w.mail("indiener@minbzk.nl", "Re: [OTT 2026-001] casus");
    m.reply_text = "sluiten".into();
    let a = w.deliver(m, t0() + Duration::hours(1));
    assert!(sends_of(&a, TemplateName::CommandReply).is_empty());
    assert_eq!(w.case("2026-001").status, CaseStatus::Open);
}

#[test]
fn forged_desk_command_is_quarantined_when_authentication_is_required() {
    let (mut w, _) = open_case();
    w.cfg.policy.authserv_id = Some("mx.minjenv.nl".into());
    let m = staff_mail(&mut w, "Re: [OTT 2026-001] casus", "sluiten");
    let a = w.handle(
        Event::Mail(Box::new(m), SenderAuth::Fail("dmarc=fail".into())),
        t0() + Duration::hours(1),
    );
    assert!(has_quarantine(&a));
    assert_eq!(
        sends_of(&a, TemplateName::Quarantine)[0].context["reason"],
        "unauthenticated"
    );
    assert!(sends_of(&a, TemplateName::CommandReply).is_empty());
    assert_eq!(
        w.case("2026-001").status,
        CaseStatus::Open,
        "nothing changed"
    );
    // The same mail, vouched for, is carried out.
    let m = staff_mail(&mut w, "Re: [OTT 2026-001] casus", "sluiten");
    w.handle(
        Event::Mail(Box::new(m), SenderAuth::Pass),
        t0() + Duration::hours(2),
    );
    assert_eq!(w.case("2026-001").status, CaseStatus::Closed);
}

#[test]
fn approval_policy_holds_the_case_until_the_desk_approves() {
    let mut w = World::new();
    w.cfg.policy.approval_required = true;
    let m = w.case_mail("indiener@minbzk.nl", &complete_form());
    let a = w.deliver(m, t0());
    assert_eq!(w.case("2026-001").status, CaseStatus::AwaitingApproval);
    assert!(sends_of(&a, TemplateName::Distribution).is_empty());
    assert_eq!(sends_of(&a, TemplateName::Receipt).len(), 1);
    assert_eq!(
        sends_of(&a, TemplateName::DeskNotice)[0].context["notice"],
        "approval_needed"
    );
    assert_eq!(w.next_wakeup(), None, "no deadline runs before approval");
    // Approved a day later by mail: the period starts then.
    let m = staff_mail(
        &mut w,
        "Re: [OTT 2026-001] Casus wacht op goedkeuring",
        "goedkeuren",
    );
    let a = w.deliver(m, t0() + Duration::days(1));
    assert_eq!(command_reply(&a)["outcome"], "approved");
    assert_eq!(sends_of(&a, TemplateName::Distribution).len(), 5);
    let c = w.case("2026-001");
    assert_eq!(c.status, CaseStatus::Open);
    assert_eq!(
        c.deadline,
        Utc.with_ymd_and_hms(2026, 11, 10, 16, 0, 0).unwrap()
    );
}

#[test]
fn automatic_answers_are_limited_per_address_per_hour() {
    let mut w = World::new();
    let mut held = 0;
    let mut notices = 0;
    for i in 0..8 {
        // Incomplete forms, each answered with a missing-fields reply.
        let m = w.case_mail("indiener@minbzk.nl", &[(CaseField::Subject, "x")]);
        let a = w.deliver(m, t0() + Duration::minutes(i));
        if sends_of(&a, TemplateName::MissingFields).is_empty() {
            held += 1;
        }
        notices += sends_of(&a, TemplateName::DeskNotice).len();
        if i == 5 {
            assert!(
                journal(&a)
                    .iter()
                    .any(|e| matches!(e, JournalEvent::AnswerHeldBack { .. }))
            );
        }
    }
    assert_eq!(held, 3, "5 answered, 3 held back");
    assert_eq!(notices, 1, "the desk is told once");
    // An hour later the address gets answers again.
    let m = w.case_mail("indiener@minbzk.nl", &[(CaseField::Subject, "x")]);
    let a = w.deliver(m, t0() + Duration::minutes(70));
    assert_eq!(sends_of(&a, TemplateName::MissingFields).len(), 1);
}

#[test]
fn digests_follow_their_cron_schedule() {
    let (mut w, _) = open_case();
    w.cfg.jobs.daily_digest = Some("0 0 8 * * Mon-Fri".into());
    // The first tick starts the schedule without sending.
    let a = w.handle(Event::Tick, t0());
    assert!(sends_of(&a, TemplateName::Digest).is_empty());
    // Next: Tuesday 3 Nov 08:00 local = 07:00Z.
    let next = Utc.with_ymd_and_hms(2026, 11, 3, 7, 0, 0).unwrap();
    assert_eq!(w.next_wakeup(), Some(next));
    assert!(
        sends_of(
            &w.handle(Event::Tick, next - Duration::minutes(1)),
            TemplateName::Digest
        )
        .is_empty()
    );
    let a = w.handle(Event::Tick, next);
    let d = sends_of(&a, TemplateName::Digest);
    assert_eq!(d.len(), 1);
    assert_eq!(to(d[0]), ["desk1@minjenv.nl"]);
    assert_eq!(d[0].context["cases"][0]["case"]["id"], "2026-001");
    assert_eq!(
        d[0].context["cases"][0]["missing"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // Idempotent: the same tick again sends nothing.
    assert!(sends_of(&w.handle(Event::Tick, next), TemplateName::Digest).is_empty());
}

#[test]
fn desk_command_words_parse() {
    use loket::core::Extension;
    use loket::core::commands::{DeskCommand, parse_command};
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let cases = [
        ("goedkeuren", Some(DeskCommand::Approve)),
        ("Approve.", Some(DeskCommand::Approve)),
        (
            "verlengen tot 4 december",
            Some(DeskCommand::Extend(Some(Extension::To(d(2026, 12, 4))))),
        ),
        (
            "verlengen tot 2 januari",
            Some(DeskCommand::Extend(Some(Extension::To(d(2027, 1, 2))))),
        ),
        (
            "extend to 2026-12-04",
            Some(DeskCommand::Extend(Some(Extension::To(d(2026, 12, 4))))),
        ),
        (
            "verlengen met 3 werkdagen",
            Some(DeskCommand::Extend(Some(Extension::WorkingDays(3)))),
        ),
        (
            "extend by 2 working days",
            Some(DeskCommand::Extend(Some(Extension::WorkingDays(2)))),
        ),
        ("verlengen", Some(DeskCommand::Extend(None))),
        ("**bundelen**", Some(DeskCommand::Bundle)),
        ("kies 2", Some(DeskCommand::Choose(Some(2)))),
        ("sluiten", Some(DeskCommand::Close)),
        ("status", Some(DeskCommand::Status)),
        ("Dank je wel!", None),
        ("bundelen graag", None),
    ];
    for (line, want) in cases {
        assert_eq!(parse_command(line, today), want, "{line}");
    }
}

// ---- Issue 8: the bundling rule and the desk's review ----

/// Opens a case, records these positions (BZK, VenJ, Fin members), bundles at the
/// deadline, and returns the bundle's `common_position`.
fn common_position_for(
    rule: AgreementRule,
    conditions_agree: bool,
    positions: &[Position],
) -> serde_json::Value {
    let (mut w, d) = open_case();
    w.cfg.bundling.rule = rule;
    w.cfg.bundling.conditions_agree = conditions_agree;
    let members = [
        "c.bakker@minbzk.nl",
        "a.devries@minjenv.nl",
        "d.smit@minfin.nl",
    ];
    for (email, p) in members.iter().zip(positions) {
        let r = w.reply_to(dist_for(&d, email), email, *p);
        w.deliver(r, t0() + Duration::hours(1));
    }
    let deadline = w.case("2026-001").deadline;
    let a = w.handle(Event::Tick, deadline);
    if sends_of(&a, TemplateName::Bundle).is_empty() {
        // Everybody answered: the bundle already went out; look at the case instead.
        let core = Core {
            config: &w.cfg,
            key: &w.key,
        };
        return serde_json::to_value(core.common_position(w.case("2026-001"))).unwrap();
    }
    let b = sends_of(&a, TemplateName::Bundle)[0].clone();
    b.context["common_position"].clone()
}

#[test]
fn bundling_rule_decides_the_common_position() {
    use Position::*;
    let j = |s: &str| serde_json::Value::String(s.into());
    let null = serde_json::Value::Null;
    let cases: Vec<(AgreementRule, bool, Vec<Position>, serde_json::Value)> = vec![
        (
            AgreementRule::Unanimous,
            true,
            vec![Advisable, Advisable, Advisable],
            j("advisable"),
        ),
        (
            AgreementRule::Unanimous,
            true,
            vec![Advisable, UnderConditions],
            j("under_conditions"),
        ),
        (
            AgreementRule::Unanimous,
            false,
            vec![Advisable, UnderConditions],
            null.clone(),
        ),
        (
            AgreementRule::Unanimous,
            true,
            vec![Advisable, NotAdvisable],
            null.clone(),
        ),
        // Unstated answers do not count either way; missing members neither.
        (
            AgreementRule::Unanimous,
            true,
            vec![NotAdvisable, Unstated],
            j("not_advisable"),
        ),
        (AgreementRule::Unanimous, true, vec![Unstated], null.clone()),
        (AgreementRule::Unanimous, true, vec![], null.clone()),
        // Share: 2 of 3 agree (67%) and nobody objects.
        (
            AgreementRule::Share(60),
            false,
            vec![Advisable, Advisable, UnderConditions],
            j("advisable"),
        ),
        (
            AgreementRule::Share(75),
            false,
            vec![Advisable, Advisable, UnderConditions],
            null.clone(),
        ),
        // An objection (the opposite position) always splits the view.
        (
            AgreementRule::Share(60),
            true,
            vec![Advisable, Advisable, NotAdvisable],
            null.clone(),
        ),
    ];
    for (rule, cond, positions, want) in cases {
        let got = common_position_for(rule, cond, &positions);
        assert_eq!(got, want, "{rule:?} conditions_agree={cond} {positions:?}");
    }
}

#[test]
fn review_sends_the_draft_to_the_desk_first() {
    let (mut w, d) = open_case();
    w.cfg.bundling.review = true;
    for email in ["c.bakker@minbzk.nl", "a.devries@minjenv.nl"] {
        let r = w.reply_to(dist_for(&d, email), email, Position::Advisable);
        w.deliver(r, t0() + Duration::hours(1));
    }
    let deadline = w.case("2026-001").deadline;
    let a = w.handle(Event::Tick, deadline);
    let draft = sends_of(&a, TemplateName::Bundle);
    assert_eq!(draft.len(), 1);
    assert_eq!(
        to(draft[0]),
        ["desk1@minjenv.nl"],
        "the draft goes to the desk, not the submitter"
    );
    assert_eq!(draft[0].context["review"], true);
    assert_eq!(w.case("2026-001").status, CaseStatus::InReview);
    let draft_id = draft[0].message_id.clone();
    // The desk replaces the text by replying to the draft.
    let mut edit = staff_mail(
        &mut w,
        "Re: [OTT 2026-001] Reacties",
        "Geachte mevrouw De Vries,",
    );
    edit.reply_text =
        "Geachte mevrouw De Vries,\n\nHet gremium adviseert tegemoet te komen.".into();
    edit.in_reply_to = vec![draft_id];
    let a = w.deliver(edit, deadline + Duration::hours(1));
    assert_eq!(command_reply(&a)["outcome"], "draft_replaced");
    assert!(
        sends_of(&a, TemplateName::Bundle).is_empty(),
        "not sent yet"
    );
    // Then sends it.
    let send = staff_mail(&mut w, "Re: [OTT 2026-001] Reacties", "verzenden");
    let a = w.deliver(send, deadline + Duration::hours(2));
    assert_eq!(command_reply(&a)["outcome"], "sent");
    let b = sends_of(&a, TemplateName::Bundle);
    assert_eq!(to(b[0]), ["indiener@minbzk.nl"]);
    assert!(
        b[0].context["edited_text"]
            .as_str()
            .unwrap()
            .contains("adviseert tegemoet")
    );
    assert_eq!(b[0].context["review"], false);
    assert_eq!(w.case("2026-001").status, CaseStatus::Bundled);
    // Someone not on the desk cannot send or edit a draft.
    let (mut w2, _) = open_case();
    w2.cfg.bundling.review = true;
    let deadline = w2.case("2026-001").deadline;
    w2.handle(Event::Tick, deadline);
    let mut m = w2.mail("indiener@minbzk.nl", "Re: [OTT 2026-001] Reacties");
    m.reply_text = "verzenden".into();
    let a = w2.deliver(m, deadline + Duration::hours(1));
    assert!(sends_of(&a, TemplateName::Bundle).is_empty());
    assert_eq!(w2.case("2026-001").status, CaseStatus::InReview);
}
