//! End to end on the embedded default: the real binary, a temporary Maildir in, a directory
//! of .eml files out, a sled store. A case goes through intake, distribution, collection of
//! replies made the way mail clients make them, and bundling after the deadline.

mod common;

use common::*;

const CASE: &[u8] = include_bytes!("fixtures/case_form.eml");
const T0: &str = "2026-11-02T10:30:00+01:00";

fn to_one<'a>(sent: &'a [Sent], addr: &str) -> Vec<&'a Sent> {
    sent.iter()
        .filter(|s| s.to.iter().any(|t| t == addr))
        .collect()
}

#[test]
fn a_consultation_round_from_case_form_to_bundle() {
    let site = Site::new();
    site.deliver("1762074843.M1P1.host", CASE);
    site.run_once(T0);

    // The mail moved to cur/ with the Seen flag.
    assert!(site.files("maildir/new").is_empty());
    let cur = site.files("maildir/cur");
    assert_eq!(cur.len(), 1);
    assert!(cur[0].to_string_lossy().ends_with(":2,S"));

    let sent = site.outbox();
    // Receipt to the submitter, one personal message to each member and the one deputy.
    let receipt = to_one(&sent, "p.devries@minbzk.nl");
    assert_eq!(receipt.len(), 1);
    assert!(
        receipt[0].subject.contains("[OTT 2026-001]"),
        "{}",
        receipt[0].subject
    );
    assert!(receipt[0].body.contains("2026-001"));
    for who in [
        "a.devries@minjenv.nl",
        "b.jansen@minjenv.nl",
        "c.bakker@minbzk.nl",
        "d.smit@minfin.nl",
    ] {
        let m = to_one(&sent, who);
        assert_eq!(m.len(), 1, "one message to {who}");
        assert!(
            m[0].body
                .contains("Schade door te late vergunningverlening")
        );
        assert!(m[0].subject.contains("[OTT 2026-001]"));
    }
    assert_eq!(sent.len(), 5);
    for s in &sent {
        let raw = String::from_utf8_lossy(&s.raw);
        assert!(
            raw.contains("Auto-Submitted: auto-generated"),
            "{}",
            s.path.display()
        );
        assert!(raw.contains("X-Auto-Response-Suppress: All"));
    }

    // Replies: the BZK member with the form, the VenJ deputy in free text; Fin stays silent.
    let bzk = to_one(&sent, "c.bakker@minbzk.nl")[0].clone();
    site.deliver(
        "1762160000.M2P1.host",
        &bzk.reply(
            "Cor Bakker <c.bakker@minbzk.nl>",
            "Standpunt: ja, onder voorwaarden\r\nArgumenten: de overheid heeft de termijn \
             ruim overschreden.\r\nVorm van tegemoetkoming: vergoeding van de huur",
            "Tue, 03 Nov 2026 09:12:00 +0100",
        ),
    );
    let deputy = to_one(&sent, "b.jansen@minjenv.nl")[0].clone();
    site.deliver(
        "1762160001.M3P1.host",
        &deputy.reply(
            "Bas Jansen <b.jansen@minjenv.nl>",
            "Wij zien geen aanleiding om tegemoet te komen; de ondernemer had bezwaar kunnen \
             maken.",
            "Tue, 03 Nov 2026 11:40:00 +0100",
        ),
    );
    site.run_once("2026-11-03T12:00:00+01:00");
    assert_eq!(site.outbox().len(), 5, "views alone send nothing");
    let list = site.case_list();
    assert_eq!(list[0]["views_in"], 2);
    assert_eq!(list[0]["status"], "open");

    // After the deadline (Monday 9 November 17:00): the bundle.
    site.run_once("2026-11-09T17:05:00+01:00");
    let sent = site.outbox();
    let bundle: Vec<&Sent> = to_one(&sent, "p.devries@minbzk.nl")
        .into_iter()
        .filter(|s| s.message_id.contains("bundle"))
        .collect();
    assert_eq!(bundle.len(), 1);
    let body = &bundle[0].body;
    assert!(
        body.contains("de overheid heeft de termijn ruim overschreden"),
        "{body}"
    );
    assert!(body.contains("vergoeding van de huur"));
    assert!(
        body.contains("Wij zien geen aanleiding"),
        "free-text view kept whole"
    );
    assert!(
        !body.contains("> Geachte"),
        "quoted history is not in the bundle"
    );
    assert!(body.contains("Dirk Smit"), "the missing member is named");
    assert_eq!(site.case_list()[0]["status"], "bundled");

    // Nothing twice: another pass sends nothing new.
    let before = site.files("outbox").len();
    site.run_once("2026-11-10T09:00:00+01:00");
    assert_eq!(site.files("outbox").len(), before);
}

#[test]
fn the_same_mail_twice_is_handled_once() {
    let site = Site::new();
    site.deliver("a", CASE);
    site.deliver("b", CASE); // same bytes
    let mut other_bytes = CASE.to_vec();
    other_bytes.extend_from_slice(b"\n-- \nresent\n"); // same Message-ID, other bytes
    site.deliver("c", &other_bytes);
    site.run_once(T0);
    assert_eq!(site.case_list().as_array().unwrap().len(), 1);
    assert_eq!(site.files("maildir/cur").len(), 3, "all moved");
    assert_eq!(site.outbox().len(), 5);
}

#[test]
fn bad_input_is_kept_and_the_desk_told_and_work_goes_on() {
    let site = Site::new();
    site.deliver("1-garbage", b"\x00\x01\x02 this is not mail \xff\xfe");
    site.deliver("2-nofrom", b"Subject: no sender\r\n\r\nhello\r\n");
    let stranger = String::from_utf8_lossy(CASE)
        .replace("p.devries@minbzk.nl", "someone@gmail.com")
        .replace("CAB1234567890", "stranger");
    site.deliver("3-unknown", stranger.as_bytes());
    site.deliver("4-case", CASE);
    site.run_once(T0);
    let sent = site.outbox();
    let to_desk = to_one(&sent, "s.visser@minjenv.nl");
    assert_eq!(to_desk.len(), 3, "three quarantine notices");
    // The original goes along (as message/rfc822, or base64 when it is not even text).
    for s in &to_desk {
        let raw = String::from_utf8_lossy(&s.raw);
        assert!(raw.contains("bericht-"), "original attached: {raw}");
    }
    assert_eq!(
        site.case_list().as_array().unwrap().len(),
        1,
        "the good case went on"
    );
    assert!(site.files("maildir/new").is_empty());
    assert!(
        to_one(&sent, "someone@gmail.com").is_empty(),
        "no answer to strangers"
    );
}

#[test]
fn check_reports_bad_config_and_run_refuses_to_start() {
    let site = Site::new();
    let bad = CONFIG
        .replace("ministry = \"Fin\"", "ministry = \"Finn\"")
        .replace("normal = \"5 working days\"", "normal = \"seven days\"")
        .replace("[store]", "[store]\ncolour = \"blue\"");
    std::fs::write(site.config(), bad).unwrap();
    let out = site.loket(&["check"]).output().unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("loket.toml:"), "{text}");
    assert!(text.contains("Finn"), "{text}");
    assert!(text.contains("periods.normal"), "{text}");
    assert!(text.contains("colour"), "{text}");
    site.deliver("x", CASE);
    let out = site.loket(&["run", "--once"]).output().unwrap();
    assert!(!out.status.success());
    assert_eq!(site.files("maildir/new").len(), 1, "nothing handled");
    assert!(
        !site.path("store").exists(),
        "the store was not even opened"
    );
}

#[test]
fn case_show_gives_the_timeline() {
    let site = Site::new();
    site.deliver("1", CASE);
    site.run_once(T0);
    let out = site.loket(&["case", "show", "2026-001"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("case_created"), "{text}");
    assert!(text.contains("distributed"), "{text}");
    let out = site
        .loket(&["case", "show", "2026-001", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["case"]["id"], "2026-001");
    assert_eq!(v["journal"][0]["event"], "case_created");
    let out = site.loket(&["case", "show", "2026-999"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no case 2026-999"));
}

#[test]
fn daemon_stops_cleanly_on_sigterm_and_holds_the_store() {
    let site = Site::new();
    let child = site
        .loket(&["run"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the daemon to pick up a case (it polls every 200 ms).
    site.deliver("1", CASE);
    let mut waited = 0;
    while site.files("outbox").len() < 5 && waited < 100 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 1;
    }
    assert_eq!(site.files("outbox").len(), 5, "the daemon handled the case");
    // A second loket on the same store gets a clear answer.
    let out = site.loket(&["case", "list"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in use by another loket"), "{err}");

    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "clean exit on SIGTERM");
    assert!(String::from_utf8_lossy(&out.stderr).contains("stopped cleanly"));
}

#[test]
fn desk_command_round_trip_by_mail() {
    let site = Site::new();
    site.deliver("1", CASE);
    site.run_once(T0);
    let before = site.case_list()[0]["deadline"].clone();
    assert_eq!(before, "2026-11-09T16:00:00Z");
    // Desk staff reply to the receipt with a command on the first line.
    let receipt = site
        .outbox()
        .into_iter()
        .find(|s| s.message_id.contains("receipt"))
        .unwrap();
    site.deliver(
        "2",
        &receipt.reply(
            "Sanne Visser <s.visser@minjenv.nl>",
            "verlengen met 2 werkdagen",
            "Tue, 03 Nov 2026 09:00:00 +0100",
        ),
    );
    site.run_once("2026-11-03T09:05:00+01:00");
    assert_eq!(site.case_list()[0]["deadline"], "2026-11-11T16:00:00Z");
    let sent = site.outbox();
    let confirmation: Vec<&Sent> = sent
        .iter()
        .filter(|s| s.message_id.starts_with("loket.cmd."))
        .collect();
    assert_eq!(confirmation.len(), 1);
    assert_eq!(confirmation[0].to, ["s.visser@minjenv.nl"]);
    assert!(
        confirmation[0].body.contains("verlengd"),
        "{}",
        confirmation[0].body
    );
    // Every member without a view was told the new deadline.
    let told = sent.iter().filter(|s| s.message_id.contains(".x")).count();
    assert_eq!(told, 4);
}

#[test]
fn forged_desk_command_is_quarantined_and_changes_nothing() {
    let site = Site::new();
    let config = CONFIG.replace(
        "[store]",
        "[policy]\nauthserv_id = \"mx.minjenv.nl\"\n\n[store]",
    );
    std::fs::write(site.config(), config).unwrap();
    // The case itself comes vouched for by the desk's server.
    let mut vouched =
        b"Authentication-Results: mx.minjenv.nl; dmarc=pass header.from=minbzk.nl\r\n".to_vec();
    vouched.extend_from_slice(CASE);
    site.deliver("1", &vouched);
    site.run_once(T0);
    assert_eq!(site.case_list()[0]["status"], "open");
    // Someone writes as desk staff, but the desk's server did not vouch for the sender.
    let forged = "From: Sanne Visser <s.visser@minjenv.nl>\r\nTo: loket-ott@minjenv.nl\r\n\
        Subject: Re: [OTT 2026-001] casus\r\nMessage-ID: <forged@evil.example>\r\n\
        Authentication-Results: mx.minjenv.nl; dmarc=fail header.from=minjenv.nl\r\n\
        Date: Tue, 03 Nov 2026 09:00:00 +0100\r\n\r\nsluiten\r\n";
    site.deliver("2", forged.as_bytes());
    site.run_once("2026-11-03T09:05:00+01:00");
    assert_eq!(site.case_list()[0]["status"], "open", "not closed");
    let sent = site.outbox();
    assert!(sent.iter().all(|s| !s.message_id.starts_with("loket.cmd.")));
    let notice: Vec<&Sent> = sent
        .iter()
        .filter(|s| s.message_id.starts_with("loket.quarantine."))
        .collect();
    assert_eq!(notice.len(), 1, "the desk is told");
}

#[test]
fn calendar_command_lists_holidays_and_computes_deadlines() {
    let site = Site::new();
    let out = site
        .loket(&["calendar", "2027", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let days: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert!(days.contains(&"2027-04-27"), "Koningsdag: {days:?}");
    assert!(days.contains(&"2027-03-26"), "Goede Vrijdag");
    assert!(days.contains(&"2027-05-06"), "Hemelvaartsdag");
    let out = site
        .loket(&["calendar", "--deadline-from", "2027-04-22", "--days", "3"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // Thu 22 Apr + 3 working days: Fri 23, Mon 26, (Tue 27 Koningsdag) Wed 28.
    assert!(text.contains("2027-04-28 17:00"), "{text}");
}
