//! Meetings (issue 7): the slot poll by mail, the choice, iCalendar invitations, updates,
//! cancellations and RSVPs. Table-driven with a fake clock like tests/core.rs; every `.ics`
//! loket makes is parsed back by an independent parser (Python's `icalendar`, through
//! scripts/check_ics.py) and pinned by golden files in tests/fixtures/ics/ (set
//! LOKET_BLESS=1 to rewrite them after an intended change). The calendar replies of the
//! shared corpus (../shared/corpus/itip) go through the real mail reader into the core.

mod common;

use std::path::{Path, PathBuf};

use chrono::{Duration, TimeZone, Utc};
use loket::config::model::Config;
use loket::core::model::*;
use loket::core::{Action, Command, Core, Event, SenderAuth, State};
use loket::token::TokenKey;

const MEETING: &str = r#"
[meeting]
guests = ["Beleid BZK <beleid@minbzk.nl>"]
location = "Turfmarkt 147, Den Haag"
"#;

fn config(meeting: &str) -> Config {
    let text = format!("{}\n{meeting}", common::CONFIG);
    loket::config::load_str(&text, Path::new("/nonexistent/loket.toml"))
        .unwrap_or_else(|e| panic!("test config: {e}"))
}

/// Monday 2 November 2026, 10:00 Amsterdam (09:00Z).
fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

struct World {
    cfg: Config,
    key: TokenKey,
    state: State,
    next_raw: RawId,
}

impl World {
    fn new(meeting: &str) -> World {
        World {
            cfg: config(meeting),
            key: TokenKey::new(b"meeting-test-key".to_vec()),
            state: State::default(),
            next_raw: 1,
        }
    }

    fn core(&self) -> Core<'_> {
        Core {
            config: &self.cfg,
            key: &self.key,
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

    fn mail(&mut self, from: &str, subject: &str) -> InboundMail {
        let id = self.next_raw;
        self.next_raw += 1;
        InboundMail {
            raw_id: id,
            message_id: Some(format!("msg{id}@client.example")),
            from: Some(Address::bare(from)),
            to: vec![Address::bare("loket-ott@minjenv.nl")],
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

    /// A desk command by mail on case 2026-001.
    fn staff(&mut self, text: &str) -> InboundMail {
        let mut m = self.mail("s.visser@minjenv.nl", "Re: [OTT 2026-001] casus");
        m.reply_text = format!("{text}\n\nGroet, Sanne");
        m
    }

    /// A reply to a message loket sent, with this new text.
    fn reply(&mut self, to: &Outgoing, from: &str, text: &str) -> InboundMail {
        let mut m = self.mail(from, "Re: [OTT 2026-001] Overleg over de casus");
        m.in_reply_to = vec![to.message_id.clone()];
        m.references = vec![to.message_id.clone()];
        m.reply_text = text.into();
        m
    }

    /// A calendar REPLY as a client sends it.
    fn rsvp(
        &mut self,
        from: &str,
        uid: &str,
        sequence: Option<u32>,
        partstat: &str,
    ) -> InboundMail {
        let mut m = self.mail(from, "Geaccepteerd: Overleg OTT 2026-001");
        m.kind = MailKind::CalendarReply;
        m.itip = Some(Itip {
            method: Some("REPLY".into()),
            uid: Some(uid.into()),
            attendees: vec![ItipAttendee {
                email: from.into(),
                partstat: partstat.into(),
                name: None,
            }],
            sequence,
            ..Itip::default()
        });
        m
    }

    fn case(&self) -> &Case {
        &self.state.cases[&"2026-001".parse::<CaseId>().unwrap()]
    }

    fn meeting(&self) -> &Meeting {
        self.case().meeting.as_ref().expect("a meeting")
    }
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

fn to(o: &Outgoing) -> &str {
    &o.to[0].email
}

fn for_whom<'a>(v: &[&'a Outgoing], email: &str) -> &'a Outgoing {
    v.iter()
        .find(|o| to(o) == email)
        .copied()
        .unwrap_or_else(|| panic!("a message to {email}"))
}

/// The one status letter to the desk in these actions.
fn status(a: &[Action]) -> serde_json::Value {
    let s = sends_of(a, TemplateName::MeetingStatus);
    assert_eq!(s.len(), 1, "one status letter: {s:#?}");
    s[0].context.clone()
}

fn has_quarantine(a: &[Action]) -> bool {
    a.iter().any(|x| matches!(x, Action::Quarantine { .. }))
}

/// Opens case 2026-001 from BZK (with one attachment) and returns the world.
fn open_case(meeting: &str) -> World {
    let mut w = World::new(meeting);
    let mut m = w.mail("indiener@minbzk.nl", "Casus voor het gremium");
    for (f, v) in [
        (CaseField::Ministry, "BZK"),
        (CaseField::Subject, "Schade door vertraagde vergunning"),
        (
            CaseField::Description,
            "Een burger lijdt schade door een te late beslissing.",
        ),
        (CaseField::Question, "Is onverplicht tegemoetkomen geraden?"),
    ] {
        m.case_form.fields.insert(f, v.into());
    }
    m.attachments = vec![AttachmentInfo {
        index: 0,
        name: "brief.pdf".into(),
        content_type: "application/pdf".into(),
        size: 1000,
    }];
    w.deliver(m, t0());
    assert_eq!(w.case().status, CaseStatus::Open);
    w
}

const SLOTS: &str = "overleg\ndi 8 december 14:00-16:00\nwo 9 december 2026 10:00-12:00\n2026-12-10 09:00\nLocatie: Zaal 3, Turfmarkt 147";

/// A case with a poll of three slots; returns the poll messages.
fn polled(meeting: &str) -> (World, Vec<Outgoing>) {
    let mut w = open_case(meeting);
    let m = w.staff(SLOTS);
    let a = w.deliver(m, t0() + Duration::hours(1));
    let polls = sends_of(&a, TemplateName::MeetingPoll)
        .into_iter()
        .cloned()
        .collect();
    (w, polls)
}

fn answer(w: &mut World, polls: &[Outgoing], from: &str, text: &str, at: Timestamp) -> Vec<Action> {
    let p = polls
        .iter()
        .find(|o| o.to[0].email == from)
        .expect("a poll");
    let m = w.reply(p, from, text);
    w.deliver(m, at)
}

fn local(t: Timestamp) -> String {
    t.with_timezone(&chrono_tz::Europe::Amsterdam)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

// ---- the poll -------------------------------------------------------------------------------

#[test]
fn the_desk_proposes_slots_by_mail_and_every_addressed_person_gets_a_numbered_poll() {
    let (w, polls) = polled(MEETING);
    let m = w.meeting();
    assert_eq!(m.state, MeetingState::Polling);
    assert_eq!(m.uid, "loket-2026-001-overleg-1@minjenv.nl");
    let slots: Vec<(String, String)> = m
        .slots
        .iter()
        .map(|s| (local(s.start), local(s.end)))
        .collect();
    assert_eq!(
        slots,
        [
            ("2026-12-08 14:00".into(), "2026-12-08 16:00".into()),
            ("2026-12-09 10:00".into(), "2026-12-09 12:00".into()),
            // Start time only: the default length of two hours.
            ("2026-12-10 09:00".into(), "2026-12-10 11:00".into()),
        ]
    );
    assert_eq!(m.location.as_deref(), Some("Zaal 3, Turfmarkt 147"));
    // Closes after three working days at 17:00: Thursday 5 November.
    assert_eq!(
        m.poll_closes_at,
        Some(Utc.with_ymd_and_hms(2026, 11, 5, 16, 0, 0).unwrap())
    );
    let mut who: Vec<&str> = polls.iter().map(to).collect();
    who.sort();
    assert_eq!(
        who,
        [
            "a.devries@minjenv.nl",
            "b.jansen@minjenv.nl",
            "c.bakker@minbzk.nl",
            "d.smit@minfin.nl"
        ]
    );
    for p in &polls {
        // The seat's reply token with a meeting purpose: replies match the seat.
        let r = loket::token::parse_seat_ref(&p.message_id).expect("token");
        assert!(w.key.verify(r.case, &r.member, r.person, &r.token));
        assert!(p.message_id.contains(".mp1r1@"), "{}", p.message_id);
        assert_eq!(p.context["meeting"]["slots"].as_array().unwrap().len(), 3);
        assert!(p.ics.is_none());
    }
}

#[test]
fn the_command_is_answered_with_the_poll_and_the_desk_can_ask_for_the_status() {
    let mut w = open_case(MEETING);
    let m = w.staff(SLOTS);
    let a = w.deliver(m, t0() + Duration::hours(1));
    let s = sends_of(&a, TemplateName::MeetingStatus);
    assert_eq!(s.len(), 1);
    assert_eq!(to(s[0]), "s.visser@minjenv.nl");
    assert_eq!(s[0].context["event"], "proposed");
    assert!(a.iter().any(|x| matches!(x, Action::WakeAt(_))));
    assert!(
        journal(&a)
            .iter()
            .any(|e| matches!(e, JournalEvent::MeetingProposed { round: 1, .. }))
    );
    // `overleg` alone: the status, with the availability table.
    let m = w.staff("overleg");
    let a = w.deliver(m, t0() + Duration::hours(2));
    let s = status(&a);
    assert_eq!(s["event"], "status");
    assert_eq!(s["availability"].as_array().unwrap().len(), 3);
    assert_eq!(s["meeting"]["answered"], 0);
}

#[test]
fn poll_answers_are_matched_by_token_and_never_taken_as_views() {
    let (mut w, polls) = polled(MEETING);
    let a = answer(
        &mut w,
        &polls,
        "c.bakker@minbzk.nl",
        "1 ja, 2 nee, 3 misschien",
        t0() + Duration::hours(2),
    );
    use Availability::*;
    assert_eq!(w.meeting().answers["bzk"].answers, [Yes, No, Maybe]);
    assert!(w.case().seat("bzk").unwrap().views.is_empty(), "not a view");
    assert!(
        !journal(&a)
            .iter()
            .any(|e| matches!(e, JournalEvent::ViewRecorded { .. }))
    );
    assert!(
        journal(&a)
            .iter()
            .any(|e| matches!(e, JournalEvent::PollAnswered { late: false, .. }))
    );
    // The sender sees what loket read.
    let r = sends_of(&a, TemplateName::MeetingPollReply);
    assert_eq!(r.len(), 1);
    assert_eq!(to(r[0]), "c.bakker@minbzk.nl");
    assert_eq!(r[0].context["outcome"], "recorded");
    let read: Vec<&str> = r[0].context["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["answer"].as_str().unwrap())
        .collect();
    assert_eq!(read, ["yes", "no", "maybe"]);
    // A correction in reply to the confirmation replaces the answer.
    let confirmation = r[0].clone();
    let m = w.reply(&confirmation, "c.bakker@minbzk.nl", "Toch: 1 en 3 kan ik");
    w.deliver(m, t0() + Duration::hours(3));
    assert_eq!(w.meeting().answers["bzk"].answers, [Yes, No, Yes]);
}

#[test]
fn an_answer_loket_cannot_read_gets_a_reply_that_says_how_to_answer() {
    let (mut w, polls) = polled(MEETING);
    let a = answer(
        &mut w,
        &polls,
        "d.smit@minfin.nl",
        "Ik laat het nog weten.",
        t0() + Duration::hours(2),
    );
    let r = sends_of(&a, TemplateName::MeetingPollReply);
    assert_eq!(r[0].context["outcome"], "unreadable");
    assert_eq!(
        r[0].context["meeting"]["slots"].as_array().unwrap().len(),
        3
    );
    assert!(w.meeting().answers.is_empty());
    assert!(
        journal(&a)
            .iter()
            .any(|e| matches!(e, JournalEvent::PollAnswerUnreadable { .. }))
    );
    assert!(w.case().seat("fin").unwrap().views.is_empty());
}

#[test]
fn member_and_deputy_hold_one_seat_in_the_poll_the_latest_counts() {
    let (mut w, polls) = polled(MEETING);
    answer(
        &mut w,
        &polls,
        "b.jansen@minjenv.nl",
        "alle drie kan ik",
        t0() + Duration::hours(2),
    );
    assert_eq!(w.meeting().answers["venj"].by, Person::Deputy);
    answer(
        &mut w,
        &polls,
        "a.devries@minjenv.nl",
        "yes to 2",
        t0() + Duration::hours(3),
    );
    let a = &w.meeting().answers["venj"];
    assert_eq!(a.by, Person::Member);
    use Availability::*;
    assert_eq!(a.answers, [No, Yes, No]);
}

#[test]
fn a_poll_answer_without_threading_is_matched_by_the_subject_tag() {
    let (mut w, _) = polled(MEETING);
    let mut m = w.mail(
        "d.smit@minfin.nl",
        "Re: [OTT 2026-001] Overleg over de casus",
    );
    m.reply_text = "1 ja\n2 nee\n3 ja".into();
    w.deliver(m, t0() + Duration::hours(2));
    use Availability::*;
    assert_eq!(w.meeting().answers["fin"].answers, [Yes, No, Yes]);
    assert!(w.case().seat("fin").unwrap().views.is_empty());
    // A view with the same tag stays a view.
    let mut m = w.mail("d.smit@minfin.nl", "Re: [OTT 2026-001] casus");
    m.reply_text = "Standpunt: ja".into();
    m.view_form.position = Position::Advisable;
    w.deliver(m, t0() + Duration::hours(3));
    assert_eq!(w.case().seat("fin").unwrap().views.len(), 1);
    // A free-text view without the meeting in the subject stays a view, numbers or not.
    let mut m = w.mail(
        "c.bakker@minbzk.nl",
        "Re: [OTT 2026-001] Verzoek om uw visie",
    );
    m.reply_text = "Ja, tegemoetkomen is geraden; zie punt 2 van de notitie.".into();
    w.deliver(m, t0() + Duration::hours(4));
    assert_eq!(w.case().seat("bzk").unwrap().views.len(), 1);
    assert!(!w.meeting().answers.contains_key("bzk"));
}

#[test]
fn when_every_seat_answered_the_desk_is_told_once_and_chooses() {
    let (mut w, polls) = polled(MEETING);
    let at = |h| t0() + Duration::hours(h);
    answer(
        &mut w,
        &polls,
        "a.devries@minjenv.nl",
        "1 ja, 2 ja, 3 nee",
        at(2),
    );
    answer(&mut w, &polls, "c.bakker@minbzk.nl", "2", at(3));
    let a = answer(
        &mut w,
        &polls,
        "d.smit@minfin.nl",
        "1 misschien, 2 ja",
        at(4),
    );
    let s = status(&a);
    assert_eq!(s["event"], "poll_complete");
    assert_eq!(s["meeting"]["answered"], 3);
    let slots = s["meeting"]["slots"].as_array().unwrap();
    assert_eq!(
        (slots[1]["yes"].as_u64(), slots[1]["best"].as_bool()),
        (Some(3), Some(true))
    );
    // Not a second time.
    let a = answer(&mut w, &polls, "d.smit@minfin.nl", "2 ja", at(5));
    assert!(sends_of(&a, TemplateName::MeetingStatus).is_empty());
    assert_eq!(w.meeting().state, MeetingState::Polling, "the desk chooses");

    // The desk chooses slot 2: invitations to members, deputy, submitter and guest.
    let m = w.staff("kies 2");
    let a = w.deliver(m, at(6));
    assert_eq!(status(&a)["event"], "chosen");
    let m = w.meeting();
    assert_eq!(m.state, MeetingState::Invited);
    assert_eq!(m.chosen, Some(2));
    assert_eq!(m.sequence, 0);
    assert_eq!(local(m.when.unwrap().start), "2026-12-09 10:00");
    let invites = sends_of(&a, TemplateName::MeetingInvite);
    let mut who: Vec<&str> = invites.iter().map(|o| to(o)).collect();
    who.sort();
    assert_eq!(
        who,
        [
            "a.devries@minjenv.nl",
            "b.jansen@minjenv.nl",
            "beleid@minbzk.nl",
            "c.bakker@minbzk.nl",
            "d.smit@minfin.nl",
            "indiener@minbzk.nl"
        ]
    );
    for o in &invites {
        let ics = o.ics.as_ref().expect("a calendar part");
        assert_eq!(ics.method, "REQUEST");
        assert!(ics.content.contains("METHOD:REQUEST\r\n"));
        assert!(
            ics.content
                .contains("UID:loket-2026-001-overleg-1@minjenv.nl\r\n")
        );
        assert!(ics.content.contains("SEQUENCE:0\r\n"));
        assert!(
            ics.content
                .contains("DTSTART;TZID=Europe/Amsterdam:20261209T100000\r\n")
        );
        assert!(ics.content.contains("BEGIN:VTIMEZONE\r\n"));
        // All six attendees listed (list_attendees defaults to true).
        assert_eq!(ics.content.matches("\r\nATTENDEE;").count(), 6);
        // The case documents go along.
        assert_eq!(o.attachments.len(), 1);
        assert_eq!(o.attachments[0].name, "brief.pdf");
    }
    let roles: Vec<(AttendeeKind, bool)> = w
        .meeting()
        .attendees
        .iter()
        .map(|a| (a.kind, a.required))
        .collect();
    assert!(roles.contains(&(AttendeeKind::Deputy, false)));
    assert!(roles.contains(&(AttendeeKind::Submitter, true)));
    assert!(roles.contains(&(AttendeeKind::Guest, false)));
}

#[test]
fn without_listing_attendees_each_invitation_names_only_its_recipient() {
    let (mut w, _) = polled(&format!("{MEETING}list_attendees = false\n"));
    let m = w.staff("kies 1");
    let a = w.deliver(m, t0() + Duration::hours(2));
    for o in sends_of(&a, TemplateName::MeetingInvite) {
        let c = &o.ics.as_ref().unwrap().content;
        let atts: Vec<String> = loket::ical::read(c)
            .into_iter()
            .filter(|l| l.name == "ATTENDEE")
            .map(|l| l.value)
            .collect();
        assert_eq!(atts, [format!("mailto:{}", to(o))], "{c}");
        assert!(o.context["attendees"].as_array().unwrap().is_empty());
    }
}

#[test]
fn moving_sends_request_again_with_a_higher_sequence_and_cancelling_sends_cancel() {
    let (mut w, _) = polled(MEETING);
    let at = |h| t0() + Duration::hours(h);
    w.command("kies 1", at(2));
    let uid = w.meeting().uid.clone();
    let r = w.rsvp("c.bakker@minbzk.nl", &uid, Some(0), "ACCEPTED");
    w.deliver(r, at(3));
    // A new time.
    let a = w.command("verplaatsen\nvr 11 december 13:00-15:00", at(4));
    assert_eq!(status(&a)["event"], "rescheduled");
    let m = w.meeting();
    assert_eq!(m.sequence, 1);
    assert_eq!(m.chosen, None);
    assert!(
        m.attendees.iter().all(|a| a.partstat == "NEEDS-ACTION"),
        "answers reset"
    );
    let invites = sends_of(&a, TemplateName::MeetingInvite);
    assert_eq!(invites.len(), 6);
    let c = &invites[0].ics.as_ref().unwrap().content;
    assert!(c.contains("SEQUENCE:1\r\n"));
    assert!(c.contains("DTSTART;TZID=Europe/Amsterdam:20261211T130000\r\n"));
    assert_eq!(invites[0].context["update"], true);
    assert_eq!(
        local(serde_json::from_value(invites[0].context["previous"]["start"].clone()).unwrap()),
        "2026-12-08 14:00"
    );
    // Message-IDs differ per version, so the outbox takes every one.
    assert_ne!(invites[0].message_id, "");
    // A new place only.
    let a = w.command("reschedule\nLocation: Zaal 5", at(5));
    assert_eq!(w.meeting().sequence, 2);
    assert_eq!(w.meeting().location.as_deref(), Some("Zaal 5"));
    let inv = sends_of(&a, TemplateName::MeetingInvite);
    assert!(
        inv[0]
            .ics
            .as_ref()
            .unwrap()
            .content
            .contains("LOCATION:Zaal 5\r\n")
    );
    assert_eq!(inv[0].context["previous_location"], "Zaal 3, Turfmarkt 147");
    // Cancelled.
    let a = w.command("annuleren", at(6));
    assert_eq!(status(&a)["event"], "cancelled");
    assert_eq!(w.meeting().state, MeetingState::Cancelled);
    let cancels = sends_of(&a, TemplateName::MeetingCancel);
    assert_eq!(cancels.len(), 6);
    for o in &cancels {
        let ics = o.ics.as_ref().unwrap();
        assert_eq!(ics.method, "CANCEL");
        assert!(ics.content.contains("METHOD:CANCEL\r\n"));
        assert!(ics.content.contains("STATUS:CANCELLED\r\n"));
        assert!(ics.content.contains("SEQUENCE:3\r\n"));
        assert!(ics.content.contains(&format!("UID:{uid}\r\n")));
        assert!(o.attachments.is_empty());
    }
    // After a cancellation a new poll is a new meeting with a new UID.
    let a = w.command("overleg\n2026-12-15 10:00-11:00", at(7));
    assert_eq!(status(&a)["event"], "proposed");
    assert_eq!(w.meeting().uid, "loket-2026-001-overleg-2@minjenv.nl");
}

#[test]
fn cancelling_a_poll_tells_the_polled_without_a_calendar_part() {
    let (mut w, _) = polled(MEETING);
    let a = w.command("annuleren", t0() + Duration::hours(2));
    let c = sends_of(&a, TemplateName::MeetingCancel);
    assert_eq!(c.len(), 4);
    assert!(
        c.iter()
            .all(|o| o.ics.is_none() && o.context["poll_only"] == true)
    );
    assert_eq!(
        w.meeting().poll_closes_at,
        None,
        "the poll no longer closes"
    );
    let close = Utc.with_ymd_and_hms(2026, 11, 5, 16, 0, 0).unwrap();
    let a = w.handle(Event::Tick, close);
    assert!(sends_of(&a, TemplateName::MeetingStatus).is_empty());
}

#[test]
fn a_new_list_while_polling_restarts_the_answers() {
    let (mut w, polls) = polled(MEETING);
    answer(
        &mut w,
        &polls,
        "c.bakker@minbzk.nl",
        "1 ja",
        t0() + Duration::hours(2),
    );
    let a = w.command(
        "overleg\n2026-12-15 10:00-11:00\n2026-12-16 10:00-11:00",
        t0() + Duration::hours(3),
    );
    assert!(w.meeting().answers.is_empty());
    assert_eq!(w.meeting().poll_round, 2);
    let new_polls = sends_of(&a, TemplateName::MeetingPoll);
    assert!(
        new_polls
            .iter()
            .all(|p| p.context["revised"] == true && p.message_id.contains(".mp1r2@"))
    );
    // An answer to the old list is not counted: the numbers may have changed.
    let a = answer(
        &mut w,
        &polls,
        "c.bakker@minbzk.nl",
        "2 ja",
        t0() + Duration::hours(4),
    );
    let r = sends_of(&a, TemplateName::MeetingPollReply);
    assert_eq!(r[0].context["outcome"], "unreadable");
    assert_eq!(r[0].context["earlier_list"], true);
    assert!(w.meeting().answers.is_empty());
}

#[test]
fn a_poll_answer_after_the_choice_is_kept_answered_and_passed_to_the_desk() {
    let (mut w, polls) = polled(MEETING);
    w.command("kies 3", t0() + Duration::hours(2));
    let a = answer(
        &mut w,
        &polls,
        "d.smit@minfin.nl",
        "1 ja, 3 nee",
        t0() + Duration::hours(3),
    );
    let r = sends_of(&a, TemplateName::MeetingPollReply);
    assert_eq!(r[0].context["outcome"], "closed");
    assert_eq!(status(&a)["event"], "late_answer");
    assert!(
        journal(&a)
            .iter()
            .any(|e| matches!(e, JournalEvent::PollAnswered { late: true, .. }))
    );
    assert!(!w.meeting().answers.contains_key("fin"), "not counted");
}

#[test]
fn bad_meeting_commands_get_a_clear_answer_and_change_nothing() {
    let mut w = open_case(MEETING);
    let at = |h| t0() + Duration::hours(h);
    let cases = [
        ("overleg", "no_slots"),
        ("kies 2", "no_meeting"),
        ("annuleren", "no_meeting"),
        (
            "overleg\ndi 8 december 14:00-16:00\nergens volgende week",
            "bad_slots",
        ),
        ("overleg\nwo 8 december 14:00-16:00", "bad_slots"),
        ("overleg\n2026-10-01 10:00-11:00", "slot_in_past"),
    ];
    for (i, (text, problem)) in cases.into_iter().enumerate() {
        let a = w.command(text, at(i as i64 + 1));
        let s = status(&a);
        assert_eq!(s["event"], "rejected", "{text}");
        assert_eq!(s["problem"], problem, "{text}");
        assert!(w.case().meeting.is_none(), "{text}");
    }
    let a = w.command(
        "overleg\ndi 8 december 14:00-16:00\nergens volgende week",
        at(9),
    );
    assert_eq!(status(&a)["details"][0], "ergens volgende week");
    // With a poll: a number that is no slot; a new poll while a meeting is planned.
    w.command(SLOTS, at(10));
    let a = w.command("kies 9", at(11));
    assert_eq!(status(&a)["problem"], "no_such_slot");
    w.command("kies 1", at(12));
    let a = w.command(SLOTS, at(13));
    assert_eq!(status(&a)["problem"], "already_planned");
    assert_eq!(w.meeting().state, MeetingState::Invited);
    // A command without a case.
    let mut m = w.mail("s.visser@minjenv.nl", "losse vraag");
    m.reply_text = "kies 2".into();
    let a = w.deliver(m, at(14));
    assert_eq!(
        sends_of(&a, TemplateName::CommandReply)[0].context["problem"],
        "no_case"
    );
}

#[test]
fn with_auto_choose_loket_chooses_when_all_answered() {
    let (mut w, polls) = polled(&format!("{MEETING}auto_choose = true\n"));
    let at = |h| t0() + Duration::hours(h);
    answer(
        &mut w,
        &polls,
        "a.devries@minjenv.nl",
        "1 ja, 2 misschien, 3 ja",
        at(2),
    );
    answer(
        &mut w,
        &polls,
        "c.bakker@minbzk.nl",
        "1 nee, 2 ja, 3 ja",
        at(3),
    );
    let a = answer(
        &mut w,
        &polls,
        "d.smit@minfin.nl",
        "2 ja, 3 misschien",
        at(4),
    );
    // 1: 1 yes; 2: 2 yes 1 maybe; 3: 2 yes 1 maybe -> tie, 2 is earlier.
    assert_eq!(w.meeting().chosen, Some(2));
    assert_eq!(status(&a)["event"], "chosen");
    assert_eq!(sends_of(&a, TemplateName::MeetingInvite).len(), 6);
}

#[test]
fn when_the_poll_closes_loket_chooses_or_asks_the_desk() {
    // Auto: at the closing time with the answers that are in.
    let (mut w, polls) = polled(&format!("{MEETING}auto_choose = true\n"));
    answer(
        &mut w,
        &polls,
        "c.bakker@minbzk.nl",
        "3 ja",
        t0() + Duration::hours(2),
    );
    let close = w.meeting().poll_closes_at.unwrap();
    assert!(w.core().next_wakeup(&w.state).is_some_and(|t| t <= close));
    let a = w.handle(Event::Tick, close - Duration::minutes(1));
    assert!(sends_of(&a, TemplateName::MeetingInvite).is_empty());
    let a = w.handle(Event::Tick, close);
    assert_eq!(w.meeting().chosen, Some(3));
    assert_eq!(sends_of(&a, TemplateName::MeetingInvite).len(), 6);
    assert!(
        w.handle(Event::Tick, close)
            .iter()
            .all(|x| !matches!(x, Action::Send(_))),
        "once"
    );

    // Auto without any answer: the desk is told, nothing chosen.
    let (mut w, _) = polled(&format!("{MEETING}auto_choose = true\n"));
    let close = w.meeting().poll_closes_at.unwrap();
    let a = w.handle(Event::Tick, close);
    assert_eq!(status(&a)["event"], "no_slot");
    assert_eq!(w.meeting().state, MeetingState::Polling);

    // Not auto: the desk is asked to choose.
    let (mut w, _) = polled(MEETING);
    let close = w.meeting().poll_closes_at.unwrap();
    let a = w.handle(Event::Tick, close);
    assert_eq!(status(&a)["event"], "poll_closed");
    assert_eq!(w.meeting().poll_closes_at, None);
}

#[test]
fn a_meeting_on_a_bundled_case_runs_without_bundling_again() {
    let (mut w, polls) = polled(MEETING);
    w.command("bundelen", t0() + Duration::hours(2));
    assert_ne!(w.case().status, CaseStatus::Open);
    let status_before = w.case().status;
    answer(
        &mut w,
        &polls,
        "c.bakker@minbzk.nl",
        "1 ja",
        t0() + Duration::hours(3),
    );
    let close = w.meeting().poll_closes_at.unwrap();
    assert_eq!(w.core().next_wakeup(&w.state), Some(close));
    let a = w.handle(Event::Tick, close);
    assert!(sends_of(&a, TemplateName::Bundle).is_empty());
    assert_eq!(w.case().status, status_before);
    assert_eq!(status(&a)["event"], "poll_closed");
}

// ---- answers to the invitation ----------------------------------------------------------------

fn invited() -> (World, String) {
    let (mut w, _) = polled(MEETING);
    w.command("kies 1", t0() + Duration::hours(2));
    let uid = w.meeting().uid.clone();
    (w, uid)
}

fn partstat(w: &World, email: &str) -> String {
    w.meeting()
        .attendees
        .iter()
        .find(|a| a.address.is(email))
        .unwrap()
        .partstat
        .clone()
}

#[test]
fn an_rsvp_is_recorded_by_uid_and_attendee_and_the_desk_gets_a_summary() {
    let (mut w, uid) = invited();
    let r = w.rsvp("c.bakker@minbzk.nl", &uid, Some(0), "ACCEPTED");
    let a = w.deliver(r, t0() + Duration::hours(3));
    assert_eq!(partstat(&w, "c.bakker@minbzk.nl"), "ACCEPTED");
    let s = status(&a);
    assert_eq!(s["event"], "rsvp");
    let rows = s["rsvps"].as_array().unwrap();
    assert!(
        rows.iter()
            .any(|r| r["email"] == "c.bakker@minbzk.nl" && r["partstat"] == "ACCEPTED")
    );
    assert!(
        journal(&a)
            .iter()
            .any(|e| matches!(e, JournalEvent::RsvpRecorded { .. }))
    );
    // Nothing answers the attendee, nothing becomes a view.
    assert!(
        sends(&a)
            .iter()
            .all(|o| o.template == TemplateName::MeetingStatus)
    );
    assert!(w.case().seat("bzk").unwrap().views.is_empty());
    // Declined later; tentative from the guest.
    let r = w.rsvp("c.bakker@minbzk.nl", &uid, Some(0), "DECLINED");
    w.deliver(r, t0() + Duration::hours(4));
    assert_eq!(partstat(&w, "c.bakker@minbzk.nl"), "DECLINED");
    let r = w.rsvp("beleid@minbzk.nl", &uid, None, "tentative");
    w.deliver(r, t0() + Duration::hours(5));
    assert_eq!(partstat(&w, "beleid@minbzk.nl"), "TENTATIVE");
}

#[test]
fn rsvps_that_do_not_fit_go_to_the_desk_and_nothing_is_lost() {
    let (mut w, uid) = invited();
    let at = |h| t0() + Duration::hours(h);
    // Unknown meeting.
    let r = w.rsvp(
        "c.bakker@minbzk.nl",
        "something-else@example.org",
        Some(0),
        "ACCEPTED",
    );
    let a = w.deliver(r, at(3));
    assert_eq!(status(&a)["event"], "unknown_meeting");
    assert!(has_quarantine(&a));
    assert_eq!(
        sends_of(&a, TemplateName::MeetingStatus)[0].attach_raw,
        Some(w.next_raw - 1)
    );
    // Not an attendee.
    let r = w.rsvp("x.vreemd@minfin.nl", &uid, Some(0), "ACCEPTED");
    let a = w.deliver(r, at(4));
    assert_eq!(status(&a)["event"], "not_attendee");
    assert!(has_quarantine(&a));
    // An answer to an earlier version after a move.
    w.command("verplaatsen\n2026-12-14 10:00-12:00", at(5));
    let r = w.rsvp("d.smit@minfin.nl", &uid, Some(0), "ACCEPTED");
    let a = w.deliver(r, at(6));
    assert_eq!(status(&a)["event"], "stale_reply");
    assert_eq!(partstat(&w, "d.smit@minfin.nl"), "NEEDS-ACTION");
    // A counter-proposal is passed on with the proposed time.
    let mut r = w.rsvp("d.smit@minfin.nl", &uid, Some(1), "TENTATIVE");
    r.kind = MailKind::Message;
    if let Some(i) = r.itip.as_mut() {
        i.method = Some("COUNTER".into());
        i.start = Some(Utc.with_ymd_and_hms(2026, 12, 15, 9, 0, 0).unwrap());
        i.end = Some(Utc.with_ymd_and_hms(2026, 12, 15, 10, 0, 0).unwrap());
    }
    let a = w.deliver(r, at(7));
    let s = status(&a);
    assert_eq!(s["event"], "counter");
    assert_eq!(s["proposed"]["start"], "2026-12-15T09:00:00Z");
    assert_eq!(
        w.meeting().when.unwrap().start,
        Utc.with_ymd_and_hms(2026, 12, 14, 9, 0, 0).unwrap(),
        "not moved"
    );
    // A calendar reply that cannot be read.
    let mut r = w.mail("d.smit@minfin.nl", "Accepted: meeting");
    r.kind = MailKind::CalendarReply;
    let a = w.deliver(r, at(8));
    assert_eq!(status(&a)["event"], "calendar_message");
}

#[test]
fn an_outlook_response_without_a_calendar_part_is_read_from_its_subject() {
    let (mut w, _) = invited();
    let m = w.mail(
        "d.smit@minfin.nl",
        "Geaccepteerd: [OTT 2026-001] Uitnodiging overleg",
    );
    let a = w.deliver(m, t0() + Duration::hours(3));
    assert_eq!(partstat(&w, "d.smit@minfin.nl"), "ACCEPTED");
    assert_eq!(status(&a)["event"], "rsvp");
    assert!(
        w.case().seat("fin").unwrap().views.is_empty(),
        "never a view"
    );
    let m = w.mail("a.devries@minjenv.nl", "Tentative: Meeting OTT 2026-001");
    w.deliver(m, t0() + Duration::hours(4));
    assert_eq!(partstat(&w, "a.devries@minjenv.nl"), "TENTATIVE");
}

#[test]
fn a_written_reply_to_an_invitation_goes_to_the_desk_not_into_the_views() {
    let (mut w, _) = polled(MEETING);
    let a = w.command("kies 1", t0() + Duration::hours(2));
    let inv = for_whom(
        &sends_of(&a, TemplateName::MeetingInvite),
        "c.bakker@minbzk.nl",
    )
    .clone();
    let m = w.reply(&inv, "c.bakker@minbzk.nl", "Ik stuur mijn collega Piet.");
    let a = w.deliver(m, t0() + Duration::hours(3));
    assert_eq!(status(&a)["event"], "meeting_message");
    assert!(has_quarantine(&a));
    assert!(w.case().seat("bzk").unwrap().views.is_empty());
}

#[test]
fn cli_meeting_commands_are_checked_first() {
    let mut w = open_case(MEETING);
    let id: CaseId = "2026-001".parse().unwrap();
    let slot = |d, h| {
        let s = Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap();
        Slot {
            start: s,
            end: s + Duration::hours(1),
        }
    };
    let err = |w: &World, c: &Command| Core::check_command(&w.state, c).unwrap_err();
    assert!(err(&w, &Command::ChooseSlot { case: id, slot: 1 }).contains("no meeting"));
    assert!(
        err(
            &w,
            &Command::ProposeMeeting {
                case: id,
                slots: vec![],
                location: None,
                agenda: vec![]
            }
        )
        .contains("at least one")
    );
    let propose = Command::ProposeMeeting {
        case: id,
        slots: vec![slot(8, 13), slot(9, 9)],
        location: Some("Zaal 1".into()),
        agenda: vec!["Opening".into(), "De casus".into()],
    };
    assert!(Core::check_command(&w.state, &propose).is_ok());
    let a = w.handle(Event::Command(propose), t0());
    assert_eq!(sends_of(&a, TemplateName::MeetingPoll).len(), 4);
    assert!(
        sends_of(&a, TemplateName::MeetingStatus).is_empty(),
        "the CLI prints instead"
    );
    assert_eq!(w.meeting().agenda, ["Opening", "De casus"]);
    assert!(err(&w, &Command::ChooseSlot { case: id, slot: 3 }).contains("slots 1 to 2"));
    assert!(
        err(
            &w,
            &Command::MoveMeeting {
                case: id,
                to: None,
                location: Some("x".into())
            }
        )
        .contains("no time yet")
    );
    let a = w.handle(
        Event::Command(Command::ChooseSlot { case: id, slot: 2 }),
        t0() + Duration::hours(1),
    );
    let inv = sends_of(&a, TemplateName::MeetingInvite);
    assert_eq!(inv.len(), 6);
    let desc = &inv[0].context["meeting"]["agenda"];
    assert_eq!(desc[1], "De casus");
    assert!(inv[0].ics.as_ref().unwrap().content.contains("2. De casus"));
    assert!(
        err(
            &w,
            &Command::ProposeMeeting {
                case: id,
                slots: vec![slot(10, 9)],
                location: None,
                agenda: vec![]
            }
        )
        .contains("planned already")
    );
    w.handle(
        Event::Command(Command::CancelMeeting { case: id }),
        t0() + Duration::hours(2),
    );
    assert!(err(&w, &Command::CancelMeeting { case: id }).contains("no meeting"));
}

#[test]
fn case_show_has_the_availability_table_and_the_answers() {
    let (mut w, polls) = polled(MEETING);
    answer(
        &mut w,
        &polls,
        "b.jansen@minjenv.nl",
        "1 ja, 2 nee, 3 misschien",
        t0() + Duration::hours(2),
    );
    let text = loket::report::case_show(&w.cfg, w.case(), &[], false);
    assert!(text.contains("Meeting 1 (poll running)"), "{text}");
    assert!(
        text.contains("Availability (1 of 3 seats answered)"),
        "{text}"
    );
    assert!(
        text.contains(" 1. 2026-12-08 14:00 - 16:00   yes 1, maybe 0, no 0  (most yes)"),
        "{text}"
    );
    assert!(
        text.contains("yes  no   ?  (by deputy b.jansen@minjenv.nl)"),
        "{text}"
    );
    assert!(text.contains("no answer yet"), "{text}");
    w.command("kies 1", t0() + Duration::hours(3));
    let uid = w.meeting().uid.clone();
    let r = w.rsvp("c.bakker@minbzk.nl", &uid, Some(0), "ACCEPTED");
    w.deliver(r, t0() + Duration::hours(4));
    let text = loket::report::case_show(&w.cfg, w.case(), &[], false);
    assert!(text.contains("planned, invitations sent"), "{text}");
    assert!(text.contains("c.bakker@minbzk.nl"), "{text}");
    assert!(text.contains("ACCEPTED"), "{text}");
    let json = loket::report::case_show(&w.cfg, w.case(), &[], true);
    assert!(json.contains("\"meeting\""));
}

impl World {
    /// A desk command by mail, handled at `at`.
    fn command(&mut self, text: &str, at: Timestamp) -> Vec<Action> {
        let m = self.staff(text);
        self.deliver(m, at)
    }
}

// ---- what loket sends: the mail structure, the calendar objects, golden files ---------------

/// The DST scenario: proposed in summer time for a meeting after the change of Sunday 25
/// October 2026; chosen, moved and cancelled.
fn dst_scenario() -> Vec<(&'static str, Outgoing)> {
    let mut w = open_case(MEETING);
    let t = |d, h, m| Utc.with_ymd_and_hms(2026, 10, d, h, m, 0).unwrap();
    // Re-date the case so the poll lies ahead: proposed Tuesday 20 October, 10:00 CEST.
    let a = w.command("overleg\nma 26 oktober 10:00-12:00\nvr 23 oktober 14:00-16:00\nLocatie: Ministerie van Justitie en Veiligheid, Turfmarkt 147, Den Haag, zaal 3.14",
        t(20, 8, 0),
    );
    assert_eq!(status(&a)["event"], "proposed");
    let a = w.command("kies 1", t(21, 9, 0));
    let request = for_whom(
        &sends_of(&a, TemplateName::MeetingInvite),
        "c.bakker@minbzk.nl",
    )
    .clone();
    let a = w.command("verplaatsen\nwo 28 oktober 2026 13:30-15:00", t(22, 9, 30));
    let update = for_whom(
        &sends_of(&a, TemplateName::MeetingInvite),
        "c.bakker@minbzk.nl",
    )
    .clone();
    let a = w.command("annuleren", t(23, 7, 45));
    let cancel = for_whom(
        &sends_of(&a, TemplateName::MeetingCancel),
        "c.bakker@minbzk.nl",
    )
    .clone();
    vec![("request", request), ("update", update), ("cancel", cancel)]
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ics")
}

#[test]
fn calendar_objects_match_the_golden_files() {
    let bless = std::env::var_os("LOKET_BLESS").is_some();
    for (name, o) in dst_scenario() {
        let got = &o.ics.as_ref().unwrap().content;
        let path = golden_dir().join(format!("{name}.ics"));
        if bless {
            std::fs::create_dir_all(golden_dir()).unwrap();
            std::fs::write(&path, got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (LOKET_BLESS=1 writes it)", path.display()));
        assert_eq!(got, &want, "{name}: differs from {}", path.display());
    }
}

/// Runs scripts/check_ics.py on these files; returns its JSON per file.
fn python_check(files: &[PathBuf]) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check_ics.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .args(files)
        .output()
        .expect("python3 runs (scripts/test.sh installs what it needs)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "check_ics.py failed ({}): {stdout}\n{}\nInstall the parser with `pip install icalendar` (scripts/test.sh does).",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).expect("JSON from check_ics.py")
}

#[test]
fn every_calendar_object_reads_back_in_an_independent_parser() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut expected = Vec::new();
    for (name, o) in dst_scenario() {
        let p = dir.path().join(format!("{name}.ics"));
        std::fs::write(&p, &o.ics.as_ref().unwrap().content).unwrap();
        files.push(p);
        expected.push(name);
    }
    // Also straight from the builder: a meeting across the change itself (01:30 CEST to
    // 03:30 CET on Sunday 25 October 2026) and one after the spring change.
    let tz = chrono_tz::Europe::Amsterdam;
    let desk = Address::new("Loket, \"OTT\"; test", "loket-ott@minjenv.nl");
    for (name, start, end) in [
        (
            "across",
            Utc.with_ymd_and_hms(2026, 10, 24, 23, 30, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 10, 25, 2, 30, 0).unwrap(),
        ),
        (
            "spring",
            Utc.with_ymd_and_hms(2027, 3, 29, 8, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2027, 3, 29, 10, 0, 0).unwrap(),
        ),
    ] {
        let ev = loket::ical::IcsEvent {
            method: loket::ical::Method::Request,
            uid: format!("{name}@minjenv.nl"),
            sequence: 4,
            dtstamp: Utc.with_ymd_and_hms(2026, 10, 1, 12, 0, 0).unwrap(),
            start,
            end,
            tz,
            summary: "Overleg; met, tekens \\ en é".into(),
            description: "Regel één\nRegel twee, met ; en , en een heel lange regel die zeker gevouwen moet worden omdat hij langer is dan vijfenzeventig octetten — ëñ.".into(),
            location: Some("Turfmarkt 147, Den Haag".into()),
            organizer: desk.clone(),
            attendees: vec![loket::ical::IcsAttendee {
                address: Address::new("Jänsen, J.", "j.jansen@minfin.nl"),
                required: false,
            }],
        };
        let p = dir.path().join(format!("{name}.ics"));
        std::fs::write(&p, loket::ical::build(&ev)).unwrap();
        files.push(p);
    }
    let report = python_check(&files);
    let get = |name: &str| {
        &report[dir
            .path()
            .join(format!("{name}.ics"))
            .to_string_lossy()
            .as_ref()]
    };
    for name in ["request", "update", "cancel", "across", "spring"] {
        let r = get(name);
        assert!(r.get("error").is_none(), "{name}: {r}");
        assert_eq!(
            r["parse_errors"].as_array().unwrap().len(),
            0,
            "{name}: {r}"
        );
        assert_eq!(r["long_lines"], 0, "{name}");
        assert_eq!(r["bare_lf"], 0, "{name}");
        assert_eq!(r["version"], "2.0");
        assert_eq!(r["prodid"], loket::ical::PRODID);
        assert_eq!(r["events"], 1);
        // The zone in the RRULE form, no RDATEs.
        let tz = &r["timezones"]["Europe/Amsterdam"];
        let parts = tz
            .as_array()
            .unwrap_or_else(|| panic!("{name}: no VTIMEZONE: {r}"));
        assert_eq!(parts.len(), 2);
        for p in parts {
            assert!(p["rrule"].as_str().unwrap().contains("BYDAY=-1SU"), "{p}");
            assert_eq!(p["rdate"], false);
        }
        // Local time and its UTC agree through the file's own VTIMEZONE and the IANA zone.
        let ev = &r["event"];
        for k in ["start", "end"] {
            assert_eq!(ev[k]["tzid"], "Europe/Amsterdam", "{name} {k}");
            assert_eq!(ev[k]["utc_own"], ev[k]["utc_iana"], "{name} {k}: {}", ev[k]);
            assert!(ev[k]["utc_own"].is_string(), "{name} {k}");
        }
    }
    // The invitation as the issue lists it.
    let r = &get("request")["event"];
    assert_eq!(get("request")["method"], "REQUEST");
    assert_eq!(r["uid"], "loket-2026-001-overleg-1@minjenv.nl");
    assert_eq!(r["sequence"], 0);
    assert_eq!(r["dtstamp"], "2026-10-21T09:00:00Z");
    assert_eq!(r["status"], "CONFIRMED");
    // Monday 26 October, 10:00 local, is 09:00Z after the change (CET).
    assert_eq!(r["start"]["written"], "20261026T100000");
    assert_eq!(r["start"]["utc_own"], "2026-10-26T09:00:00Z");
    assert_eq!(r["end"]["utc_own"], "2026-10-26T11:00:00Z");
    assert_eq!(r["organizer"]["address"], "loket-ott@minjenv.nl");
    assert_eq!(r["organizer"]["cn"], "Loket overleggremium OTT");
    assert_eq!(
        r["location"],
        "Ministerie van Justitie en Veiligheid, Turfmarkt 147, Den Haag, zaal 3.14"
    );
    assert!(
        r["summary"]
            .as_str()
            .unwrap()
            .starts_with("Overleg OTT 2026-001: ")
    );
    let desc = r["description"].as_str().unwrap();
    assert!(
        desc.contains("Agenda:\n1. Opening en vaststellen van de agenda\n2. Casus 2026-001"),
        "{desc}"
    );
    assert!(desc.contains("Is onverplicht tegemoetkomen geraden?"));
    let atts = r["attendees"].as_array().unwrap();
    assert_eq!(atts.len(), 6);
    for a in atts {
        assert_eq!(a["partstat"], "NEEDS-ACTION", "{a}");
        assert_eq!(a["rsvp"], "TRUE", "{a}");
        assert!(matches!(
            a["role"].as_str(),
            Some("REQ-PARTICIPANT" | "OPT-PARTICIPANT")
        ));
    }
    let role = |email: &str| atts.iter().find(|a| a["address"] == email).unwrap()["role"].clone();
    assert_eq!(role("b.jansen@minjenv.nl"), "OPT-PARTICIPANT");
    assert_eq!(role("indiener@minbzk.nl"), "REQ-PARTICIPANT");
    assert_eq!(role("beleid@minbzk.nl"), "OPT-PARTICIPANT");
    // The update: same UID, SEQUENCE + 1, the new time (in summer? no: 28 October is CET).
    let u = &get("update")["event"];
    assert_eq!(u["uid"], r["uid"]);
    assert_eq!(u["sequence"], 1);
    assert_eq!(u["start"]["utc_own"], "2026-10-28T12:30:00Z");
    // The cancellation.
    let c = &get("cancel");
    assert_eq!(c["method"], "CANCEL");
    assert_eq!(c["event"]["status"], "CANCELLED");
    assert_eq!(c["event"]["sequence"], 2);
    assert_eq!(c["event"]["uid"], r["uid"]);
    // Across the change: 01:30 CEST is 23:30Z the day before, 03:30 CET is 02:30Z.
    let x = &get("across")["event"];
    assert_eq!(x["start"]["written"], "20261025T013000");
    assert_eq!(x["start"]["utc_own"], "2026-10-24T23:30:00Z");
    assert_eq!(x["end"]["written"], "20261025T033000");
    assert_eq!(x["end"]["utc_own"], "2026-10-25T02:30:00Z");
    assert_eq!(x["summary"], "Overleg; met, tekens \\ en é");
    assert_eq!(x["organizer"]["cn"], "Loket, 'OTT'; test");
    assert_eq!(x["attendees"][0]["cn"], "Jänsen, J.");
    let s = &get("spring")["event"];
    assert_eq!(s["start"]["written"], "20270329T100000");
    assert_eq!(s["start"]["utc_own"], "2027-03-29T08:00:00Z");
}

#[test]
fn an_invitation_is_mailed_in_the_structure_calendar_clients_accept() {
    let scenario = dst_scenario();
    let (_, request) = &scenario[0];
    let cfg = config(MEETING);
    let renderer = loket::render::Renderer::new(&cfg).expect("templates compile");
    let pdf = b"%PDF-1.4 brief".to_vec();
    let bytes = renderer
        .render(request, &|_| Some(pdf.clone()), None)
        .expect("renders");
    let raw = String::from_utf8_lossy(&bytes).to_string();
    let order = [
        "Content-Type: multipart/mixed",
        "Content-Type: multipart/alternative",
        "Content-Type: text/plain",
        "Content-Type: text/html",
        "Content-Type: text/calendar; method=REQUEST; charset=UTF-8",
        "Content-Disposition: attachment; filename=\"invite.ics\"",
        "Content-Type: application/ics",
        "Content-Type: application/pdf",
    ];
    let mut at = 0;
    for needle in order {
        let pos = raw[at..]
            .find(needle)
            .unwrap_or_else(|| panic!("`{needle}` after byte {at}:\n{raw}"));
        at += pos + needle.len();
    }
    assert!(
        raw.contains("Subject: [OTT 2026-001] Uitnodiging overleg maandag 26 oktober 2026, 10:00"),
        "{raw}"
    );
    // loket's own mail reader finds the calendar part of its own invitation.
    let m = loket::mail::read(1, &bytes, &Default::default());
    let itip = m.itip.expect("calendar part read");
    assert_eq!(itip.method.as_deref(), Some("REQUEST"));
    assert_eq!(
        itip.uid.as_deref(),
        Some("loket-2026-001-overleg-1@minjenv.nl")
    );
    assert_eq!(
        itip.start,
        Some(Utc.with_ymd_and_hms(2026, 10, 26, 9, 0, 0).unwrap())
    );
    assert!(m.from_loket, "loket's own mail is never handled as input");
    // Rendering twice gives the same bytes (replays write the same file).
    assert_eq!(
        bytes,
        renderer
            .render(request, &|_| Some(pdf.clone()), None)
            .unwrap()
    );
    // Every meeting letter renders in both languages.
    let mut en = config(MEETING);
    en.body.language = loket::config::model::Lang::En;
    let en = loket::render::Renderer::new(&en).expect("English templates compile");
    for (_, o) in &scenario {
        let (subject, body) = en.render_text(o).unwrap();
        assert!(subject.starts_with("[OTT 2026-001] "), "{subject}");
        assert!(!body.is_empty());
    }
}

/// An attendee's calendar answers loket's invitation: the REQUEST turned into a REPLY, sent
/// as a mail client sends it, read by loket's mail reader and handled by the core.
#[test]
fn a_reply_made_from_loket_s_own_invitation_goes_through_the_mail_reader() {
    let (mut w, _) = polled(MEETING);
    let a = w.command("kies 2", t0() + Duration::hours(2));
    let inv = for_whom(
        &sends_of(&a, TemplateName::MeetingInvite),
        "d.smit@minfin.nl",
    )
    .clone();
    // The attendee's client answers: METHOD:REPLY, only its own ATTENDEE, accepted.
    let mut out = String::new();
    for l in loket::ical::read(&inv.ics.unwrap().content) {
        if l.name == "ATTENDEE" && !l.value.contains("d.smit@minfin.nl") {
            continue;
        }
        let value = if l.name == "METHOD" {
            "REPLY".to_string()
        } else {
            l.value.clone()
        };
        out.push_str(&l.name);
        for (k, v) in &l.params {
            let v = if k == "PARTSTAT" {
                "ACCEPTED"
            } else {
                v.as_str()
            };
            if v.contains([':', ';', ',']) {
                out.push_str(&format!(";{k}=\"{v}\""));
            } else {
                out.push_str(&format!(";{k}={v}"));
            }
        }
        out.push(':');
        out.push_str(&value);
        out.push_str("\r\n");
    }
    assert!(out.contains("PARTSTAT=ACCEPTED"), "{out}");
    let mail = format!(
        "From: Dirk Smit <d.smit@minfin.nl>\r\nTo: loket-ott@minjenv.nl\r\nSubject: Geaccepteerd: Overleg OTT 2026-001\r\nMessage-ID: <rsvp.1@minfin.nl>\r\nDate: Mon, 02 Nov 2026 14:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDirk Smit heeft geaccepteerd.\r\n--b1\r\nContent-Type: text/calendar; method=REPLY; charset=UTF-8\r\n\r\n{out}--b1--\r\n"
    );
    let mut m = loket::mail::read(w.next_raw, mail.as_bytes(), &Default::default());
    w.next_raw += 1;
    assert_eq!(m.kind, MailKind::CalendarReply, "{:?}", m.itip);
    m.reply_text.clear();
    let a = w.deliver(m, t0() + Duration::hours(3));
    assert_eq!(partstat(&w, "d.smit@minfin.nl"), "ACCEPTED");
    assert_eq!(status(&a)["event"], "rsvp");
}

// ---- the shared corpus -----------------------------------------------------------------------

fn corpus(name: &str) -> Option<String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/itip")
        .join(name);
    std::fs::read_to_string(p).ok()
}

/// A calendar file of the corpus as the body of a mail from `from`.
fn calendar_mail(w: &mut World, from: &str, ics: &str, method: &str) -> InboundMail {
    let mail = format!(
        "From: {from}\r\nTo: loket-ott@minjenv.nl\r\nSubject: Reply\r\nMessage-ID: <c.{n}@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/calendar; method={method}; charset=UTF-8\r\n\r\n{ics}",
        n = w.next_raw
    );
    let m = loket::mail::read(w.next_raw, mail.as_bytes(), &Default::default());
    w.next_raw += 1;
    m
}

#[test]
fn corpus_replies_are_matched_by_uid_and_attendee() {
    let (Some(r2), Some(r3), Some(r4), Some(bad)) = (
        corpus("nylas__invite_w_rsvps2.ics"),
        corpus("nylas__invite_w_rsvps3.ics"),
        corpus("nylas__invite_w_rsvps_4.ics"),
        corpus("nylas__invalid_rsvp.ics"),
    ) else {
        panic!("../shared/corpus/itip is missing; put the shared folder beside this repository");
    };
    // A meeting whose UID is the one the corpus replies carry (see EXPECTED.json).
    let (mut w, _) = invited();
    let id: CaseId = "2026-001".parse().unwrap();
    {
        let m = w
            .state
            .cases
            .get_mut(&id)
            .unwrap()
            .meeting
            .as_mut()
            .unwrap();
        m.uid = "cccc@nylas.com".into();
        for (email, kind) in [
            ("test1@example.com", AttendeeKind::Guest),
            ("karim@example.com", AttendeeKind::Guest),
        ] {
            m.attendees.push(MeetingAttendee {
                address: Address::bare(email),
                kind,
                member_id: None,
                required: true,
                partstat: "NEEDS-ACTION".into(),
                replied_at: None,
            });
        }
    }
    let at = |h| t0() + Duration::hours(h);
    // rsvps2: Google, TENTATIVE from test1.
    let m = calendar_mail(&mut w, "Inbox Apptest <test1@example.com>", &r2, "REPLY");
    assert_eq!(m.kind, MailKind::CalendarReply);
    let a = w.deliver(m, at(3));
    assert_eq!(partstat(&w, "test1@example.com"), "TENTATIVE");
    assert_eq!(status(&a)["event"], "rsvp");
    // rsvps3: ACCEPTED from karim.
    let m = calendar_mail(&mut w, "Karim Hamidou <karim@example.com>", &r3, "REPLY");
    w.deliver(m, at(4));
    assert_eq!(partstat(&w, "karim@example.com"), "ACCEPTED");
    // rsvps_4: DECLINED with SEQUENCE 0 after the event moved to SEQUENCE 1: discarded,
    // karim stays ACCEPTED (the upstream test's intent).
    w.state
        .cases
        .get_mut(&id)
        .unwrap()
        .meeting
        .as_mut()
        .unwrap()
        .sequence = 1;
    let m = calendar_mail(&mut w, "Karim Hamidou <karim@example.com>", &r4, "REPLY");
    let a = w.deliver(m, at(5));
    assert_eq!(partstat(&w, "karim@example.com"), "ACCEPTED");
    assert_eq!(status(&a)["event"], "stale_reply");
    // invalid_rsvp: an RSVP for an event that does not exist: to the desk, not recorded.
    let m = calendar_mail(&mut w, "Karim Hamidou <karim@example.com>", &bad, "REPLY");
    let a = w.deliver(m, at(6));
    assert_eq!(status(&a)["event"], "unknown_meeting");
    assert!(has_quarantine(&a));
    assert!(
        !journal(&a)
            .iter()
            .any(|e| matches!(e, JournalEvent::RsvpRecorded { .. }))
    );
}

#[test]
fn corpus_invitations_and_cancellations_from_outside_are_never_taken_as_answers() {
    let (mut w, _) = invited();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/itip");
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("EXPECTED.json")).expect("corpus EXPECTED.json"),
    )
    .unwrap();
    let mut seen = 0;
    for (name, e) in expected["files"].as_object().unwrap() {
        let method = e["expected"]["method"].as_str().unwrap_or("");
        if method == "REPLY" {
            continue;
        }
        let raw = std::fs::read(dir.join(name)).unwrap();
        let m = if name.ends_with(".eml") {
            let m = loket::mail::read(w.next_raw, &raw, &Default::default());
            w.next_raw += 1;
            m
        } else {
            calendar_mail(
                &mut w,
                "someone@example.org",
                &String::from_utf8_lossy(&raw),
                method,
            )
        };
        let a = w.deliver(m, t0() + Duration::hours(3 + seen));
        seen += 1;
        assert!(
            !journal(&a)
                .iter()
                .any(|j| matches!(j, JournalEvent::RsvpRecorded { .. })),
            "{name}"
        );
        assert!(
            w.meeting()
                .attendees
                .iter()
                .all(|x| x.partstat == "NEEDS-ACTION"),
            "{name}"
        );
    }
    assert!(seen >= 10, "{seen} corpus files tried");
}

// ---- the real binary ---------------------------------------------------------------------------

#[test]
fn the_cli_proposes_chooses_and_case_show_has_the_table() {
    use common::*;
    let site = Site::new();
    site.deliver("1.M1P1.host", include_bytes!("fixtures/case_form.eml"));
    site.run_once("2026-11-02T10:30:00+01:00");
    let before = site.outbox().len();
    let now = "2026-11-02T11:00:00+01:00";
    let out = site
        .loket(&[
            "meeting",
            "propose",
            "2026-001",
            "--slot",
            "2026-11-20 14:00-16:00",
            "--slot",
            "vr 27 november 10:00",
            "--location",
            "Zaal 3",
            "--now",
            now,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sent = site.outbox();
    assert!(sent.len() > before);
    let polls: Vec<&Sent> = sent
        .iter()
        .filter(|s| s.message_id.contains(".mp1r1@"))
        .collect();
    assert_eq!(polls.len(), 4);
    assert!(polls.iter().all(|p| p.body.contains("1 ja, 2 nee")));
    // A member answers the poll by mail.
    let bzk = polls
        .iter()
        .find(|s| s.to[0] == "c.bakker@minbzk.nl")
        .unwrap();
    site.deliver(
        "2.M1P1.host",
        &bzk.reply(
            "Cor Bakker <c.bakker@minbzk.nl>",
            "1 ja, 2 nee",
            "Mon, 02 Nov 2026 12:00:00 +0100",
        ),
    );
    site.run_once("2026-11-02T12:05:00+01:00");
    let show = site.loket(&["case", "show", "2026-001"]).output().unwrap();
    let show = String::from_utf8_lossy(&show.stdout);
    assert!(
        show.contains("Availability (1 of 3 seats answered)"),
        "{show}"
    );
    // A bad slot is refused with what to write.
    let out = site
        .loket(&[
            "meeting", "propose", "2026-001", "--slot", "ergens", "--now", now,
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("2026-12-08 14:00-16:00"));
    // Choose: invitations with a calendar part.
    let out = site
        .loket(&[
            "meeting",
            "choose",
            "2026-001",
            "1",
            "--now",
            "2026-11-02T13:00:00+01:00",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sent = site.outbox();
    let invites: Vec<&Sent> = sent
        .iter()
        .filter(|s| String::from_utf8_lossy(&s.raw).contains("text/calendar; method=REQUEST"))
        .collect();
    assert_eq!(invites.len(), 5, "4 seat persons and the submitter");
    let out = site
        .loket(&["meeting", "choose", "2026-001", "7"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("slots 1 to 2"));
}

#[test]
fn meeting_settings_are_read_and_their_mistakes_named() {
    let c = config(
        "[meeting]\nauto_choose = true\nlist_attendees = false\ndefault_duration = \"90min\"\n\
         guests = [\"Beleid <beleid@minbzk.nl>\", \"x@minfin.nl\"]\nlocation = \"Zaal 1\"\n\
         poll_working_days = 5\n",
    );
    let m = &c.meeting;
    assert!(m.auto_choose && !m.list_attendees);
    assert_eq!(m.default_duration, Duration::minutes(90));
    assert_eq!(m.guests[0], Address::new("Beleid", "beleid@minbzk.nl"));
    assert_eq!(m.guests[1], Address::bare("x@minfin.nl"));
    assert_eq!(
        (m.location.as_deref(), m.poll_working_days),
        (Some("Zaal 1"), 5)
    );
    // Without a [meeting] section: the defaults.
    assert_eq!(
        config("").meeting,
        loket::config::model::MeetingConfig::default()
    );

    let bad = "[meeting]\nauto_choose = \"ja\"\ndefault_duration = \"5min\"\n\
               guests = [\"geen adres\"]\npoll_working_days = 0\nlokatie = \"x\"\n";
    let text = format!("{}\n{bad}", common::CONFIG);
    let err = loket::config::load_str(&text, Path::new("t.toml"))
        .unwrap_err()
        .to_string();
    for key in [
        "meeting.auto_choose",
        "meeting.default_duration",
        "meeting.guests[0]",
        "meeting.poll_working_days",
        "meeting.lokatie",
    ] {
        assert!(err.contains(&format!(": {key}: ")), "{key} in:\n{err}");
    }
    assert!(
        err.contains("location"),
        "a suggestion for the misspelt key:\n{err}"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// Whatever people write, the readers never panic and read only slots that exist.
    #[test]
    fn readers_never_panic(text in "(?s)[0-9a-zA-Zéë:.,;?\\-–/ \n]{0,120}", n in 1usize..6) {
        use loket::core::meeting::{parse_meeting_request, parse_poll_answer, parse_slot};
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let tz = chrono_tz::Europe::Amsterdam;
        let r = parse_poll_answer(&text, n);
        proptest::prop_assert!(r.answers.keys().all(|k| (1..=n as u32).contains(k)));
        if let Some(s) = parse_slot(&text, today, tz, Duration::hours(1)) {
            proptest::prop_assert!(s.end > s.start);
        }
        let req = parse_meeting_request(&text, today, tz, Duration::hours(1));
        proptest::prop_assert!(req.slots.len() <= loket::core::meeting::MAX_SLOTS);
    }
}
