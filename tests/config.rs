//! Integration tests for the config loader (`loket::config::load`) and the token-key secret.

use std::path::{Path, PathBuf};

use loket::config::model::{
    CalendarConfig, Lang, LiberationDay, MailboxConfig, Period, Policy, SecretSource,
    TransportConfig,
};
use loket::config::{ConfigError, Diagnostic, SecretError, load, load_str, load_token_key};

/// A small valid config. Tests edit it with [`edit`] and find lines with [`line_of`].
const BASE: &str = r#"[body]
name = "Overleggremium"
tag = "OTT"

[desk]
address = "loket@minjenv.nl"
staff = [{ name = "M. Jacobs", email = "m.jacobs@minjenv.nl" }]

[secrets]
token_key_env = "LOKET_TOKEN_KEY"

[store]
path = "var/store"

[mailbox]
kind = "maildir"
path = "var/maildir"

[transport]
kind = "eml"
path = "var/outbox"

[[ministries]]
code = "VenJ"
name = "Ministerie van Justitie en Veiligheid"
domains = ["minjenv.nl"]

[[ministries]]
code = "BZK"
name = "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties"
domains = ["MinBZK.nl"]

[[members]]
id = "venj"
name = "A. de Vries"
email = "a.devries@minjenv.nl"
ministry = "VenJ"
deputy = { name = "B. Jansen", email = "b.jansen@minjenv.nl" }

[[members]]
id = "bzk"
name = "M. Bakker"
email = "m.bakker@minbzk.nl"
ministry = "BZK"
"#;

const FILE: &str = "/etc/loket/loket.toml";

/// `text` with the first occurrence of `from` replaced by `to` (which must exist).
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "test bug: {from:?} not in the text");
    text.replacen(from, to, 1)
}

/// 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("test bug: {needle:?} not in the text"));
    text[..at].matches('\n').count() + 1
}

/// 1-based line of the n-th (0-based) occurrence of `needle`.
fn nth_line_of(text: &str, needle: &str, n: usize) -> usize {
    let (at, _) = text
        .match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("test bug: {needle:?} #{n} not in the text"));
    text[..at].matches('\n').count() + 1
}

fn diags(text: &str) -> Vec<Diagnostic> {
    match load_str(text, Path::new(FILE)) {
        Ok(_) => panic!("expected errors, config loaded:\n{text}"),
        Err(ConfigError::Invalid(d)) => d,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

/// The one diagnostic for `key`; fails listing all of them otherwise.
fn only(diags: &[Diagnostic], key: &str) -> Diagnostic {
    let found: Vec<&Diagnostic> = diags.iter().filter(|d| d.key == key).collect();
    assert_eq!(
        found.len(),
        1,
        "want one diagnostic for {key}, got:\n{}",
        show(diags)
    );
    found[0].clone()
}

fn show(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts exactly one diagnostic, for `key` at `line`, whose message contains all `parts`.
fn assert_single(text: &str, key: &str, line: usize, parts: &[&str]) {
    let d = diags(text);
    assert_eq!(
        d.len(),
        1,
        "want exactly one diagnostic, got:\n{}",
        show(&d)
    );
    let d = &d[0];
    assert_eq!(d.key, key, "{d}");
    assert_eq!(d.line, line, "{d}");
    assert_eq!(d.file, FILE);
    for p in parts {
        assert!(d.message.contains(p), "message lacks {p:?}: {d}");
    }
}

fn example_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config/loket.toml")
}

// ---------------------------------------------------------------------------------------

#[test]
fn example_config_loads() {
    let path = example_path();
    let c = match load(&path) {
        Ok(c) => c,
        Err(e) => panic!("config/loket.toml does not load:\n{e}"),
    };
    let dir = path.parent().unwrap();
    assert_eq!(c.source, path);
    assert_eq!(c.body.tag, "OTT");
    assert_eq!(c.body.language, Lang::Nl);
    assert_eq!(c.desk.address.email, "loket-ott@minjenv.nl");
    assert_eq!(
        c.desk.address.name.as_deref(),
        Some("Loket overleggremium OTT")
    );
    assert_eq!(c.desk.staff.len(), 2);
    assert!(c.desk.staff.iter().all(|s| s.domain() == "minjenv.nl"));
    assert!(c.ministries.len() >= 7);
    assert_eq!(c.ministries.len(), 11);
    assert_eq!(c.members.len(), 11);
    assert_eq!(c.members.iter().filter(|m| m.deputy.is_some()).count(), 9);
    // One member per ministry.
    for m in &c.ministries {
        assert_eq!(
            c.members.iter().filter(|x| x.ministry == m.code).count(),
            1,
            "{}",
            m.code
        );
    }
    assert_eq!(c.ministry_of_address("x@minjenv.nl").unwrap().code, "VenJ");
    assert!(c.is_staff("M.Jacobs@minjenv.nl"));
    assert_eq!(c.periods.normal, Period::WorkingDays(5));
    assert_eq!(c.periods.urgent, Period::WorkingDays(2));
    assert_eq!(c.periods.reminders.len(), 2);
    assert_eq!(c.periods.timezone, chrono_tz::Europe::Amsterdam);
    assert!(c.calendar.good_friday);
    assert_eq!(c.calendar.closed.len(), 3);
    assert_eq!(c.policy.max_answers_per_hour, 5);
    assert!(c.jobs.daily_digest.is_some());
    assert!(c.distribution.to_deputies);
    assert_eq!(c.intake.max_attachment_bytes, 25_000_000);
    assert_eq!(c.store.path, dir.join("../var/store"));
    assert_eq!(c.store.cache_bytes, 16_000_000);
    match &c.mailbox {
        MailboxConfig::Maildir {
            path,
            poll_interval,
        } => {
            assert_eq!(*path, dir.join("../var/maildir"));
            assert_eq!(*poll_interval, std::time::Duration::from_secs(1));
        }
        other => panic!("the example reads mail from a Maildir, not {other:?}"),
    }
    match &c.transport {
        TransportConfig::EmlDir { path } => assert_eq!(*path, dir.join("../var/outbox")),
        other => panic!("the example writes .eml files, not {other:?}"),
    }
    assert_eq!(
        c.secrets.token_key,
        SecretSource::File(dir.join("../var/token.key"))
    );
    assert_eq!(c.templates_dir, Some(dir.join("../templates")));
}

#[test]
fn base_config_loads_with_defaults() {
    let c = load_str(BASE, Path::new(FILE)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.body.language, Lang::Nl);
    assert!(!c.desk.plus_addressing);
    assert_eq!(c.desk.address.name, None);
    assert_eq!(c.periods.normal, Period::WorkingDays(5));
    assert_eq!(c.periods.urgent, Period::WorkingDays(2));
    assert_eq!(c.periods.reminders.len(), 2);
    assert_eq!(c.calendar, CalendarConfig::default());
    assert_eq!(c.policy, Policy::default());
    assert_eq!(
        c.periods.deadline_time,
        chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap()
    );
    assert!(c.distribution.to_deputies);
    assert!(c.intake.allowed_senders.is_empty());
    assert_eq!(c.intake.max_attachment_bytes, 25_000_000);
    assert_eq!(c.store.cache_bytes, 16_000_000);
    assert_eq!(c.templates_dir, None);
    assert_eq!(
        c.secrets.token_key,
        SecretSource::Env("LOKET_TOKEN_KEY".into())
    );
    // Domains are lowercased; nothing else is.
    assert_eq!(c.ministries[1].domains, vec!["minbzk.nl".to_string()]);
    assert_eq!(c.members[0].deputy.as_ref().unwrap().name, "B. Jansen");
}

#[test]
fn all_optional_values_are_read() {
    let text = format!(
        "{}{}",
        edit(BASE, "tag = \"OTT\"", "tag = \"OTT\"\nlanguage = \"en\""),
        r#"
[periods]
normal = "5d"
urgent = "36h"
reminders = []
deadline_time = "12:30"
timezone = "Europe/London"
office_hours = "07:30-19:00"

[calendar]
good_friday = false
liberation_day = "every_fifth_year"
closed = [{ date = "2026-12-24", name = "Kerstavond" }]

[policy]
approval = true
max_answers_per_hour = 3
authserv_id = "MX.minjenv.nl"

[jobs]
daily_digest = "0 0 8 * * Mon-Fri"

[distribution]
to_deputies = false

[intake]
allowed_senders = ["Secretariaat@MinAZ.nl"]
max_attachment_size = "10 MB"
"#
    );
    let c = load_str(&text, Path::new(FILE)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.body.language, Lang::En);
    assert_eq!(c.periods.normal, Period::Span(chrono::Duration::days(5)));
    assert_eq!(c.periods.urgent, Period::Span(chrono::Duration::hours(36)));
    assert!(c.periods.reminders.is_empty());
    assert!(!c.calendar.good_friday);
    assert_eq!(c.calendar.liberation_day, LiberationDay::EveryFifthYear);
    assert_eq!(c.calendar.closed[0].name, "Kerstavond");
    assert!(c.policy.approval_required);
    assert_eq!(c.policy.max_answers_per_hour, 3);
    assert_eq!(c.policy.authserv_id.as_deref(), Some("mx.minjenv.nl"));
    assert_eq!(c.jobs.daily_digest.as_deref(), Some("0 0 8 * * Mon-Fri"));
    assert_eq!(
        c.periods.deadline_time,
        chrono::NaiveTime::from_hms_opt(12, 30, 0).unwrap()
    );
    assert_eq!(c.periods.timezone, chrono_tz::Europe::London);
    assert!(!c.distribution.to_deputies);
    assert_eq!(c.intake.allowed_senders, vec!["secretariaat@minaz.nl"]);
    assert_eq!(c.intake.max_attachment_bytes, 10_000_000);
}

#[test]
fn relative_paths_resolve_against_the_config_dir() {
    let text = edit(BASE, "path = \"var/outbox\"", "path = \"/srv/outbox\"");
    let text = format!("{text}\n[templates]\ndir = \"../templates\"\n");
    let c = load_str(&text, Path::new("/etc/loket/loket.toml")).unwrap();
    assert_eq!(c.store.path, PathBuf::from("/etc/loket/var/store"));
    let MailboxConfig::Maildir { path, .. } = &c.mailbox else {
        panic!("a Maildir mailbox")
    };
    assert_eq!(*path, PathBuf::from("/etc/loket/var/maildir"));
    // Absolute paths stay as written.
    let TransportConfig::EmlDir { path } = &c.transport else {
        panic!("an .eml transport")
    };
    assert_eq!(*path, PathBuf::from("/srv/outbox"));
    assert_eq!(
        c.templates_dir,
        Some(PathBuf::from("/etc/loket/../templates"))
    );

    let text = edit(
        BASE,
        "token_key_env = \"LOKET_TOKEN_KEY\"",
        "token_key_file = \"keys/token.key\"",
    );
    let c = load_str(&text, Path::new("/etc/loket/loket.toml")).unwrap();
    assert_eq!(
        c.secrets.token_key,
        SecretSource::File(PathBuf::from("/etc/loket/keys/token.key"))
    );
    // A bare file name: relative to the current directory.
    let c = load_str(&text, Path::new("loket.toml")).unwrap();
    assert_eq!(
        c.secrets.token_key,
        SecretSource::File(PathBuf::from("keys/token.key"))
    );
}

// ---------------------------------------------------------------------------------------
// One kind of error each.

#[test]
fn toml_syntax_error_has_the_parser_line() {
    let text = edit(BASE, "tag = \"OTT\"", "tag = \"OTT");
    let d = diags(&text);
    assert!(!d.is_empty());
    assert_eq!(d[0].line, line_of(&text, "tag = "), "{}", show(&d));
    assert_eq!(d[0].key, "body.tag");
    assert!(d[0].message.contains("TOML syntax error"), "{}", d[0]);
}

#[test]
fn duplicate_toml_key_is_a_syntax_error() {
    let text = edit(BASE, "tag = \"OTT\"", "tag = \"OTT\"\ntag = \"OTX\"");
    let d = diags(&text);
    assert_eq!(d.len(), 1, "{}", show(&d));
    assert_eq!(d[0].line, line_of(&text, "tag = \"OTX\""));
    assert!(d[0].message.contains("duplicate key"), "{}", d[0]);
}

#[test]
fn unknown_keys_are_all_reported_with_suggestions() {
    let text = edit(BASE, "tag = \"OTT\"", "tag = \"OTT\"\nlanguge = \"nl\"");
    let text = edit(&text, "[store]", "[stor]\ncolour = \"blue\"\n\n[store]");
    let text = edit(
        &text,
        "ministry = \"BZK\"",
        "ministry = \"BZK\"\nemial = \"x@y.nl\"",
    );
    let text = edit(
        &text,
        "deputy = { name = \"B. Jansen\",",
        "deputy = { nmae = \"B\", name = \"B. Jansen\",",
    );
    let text = format!("{text}\n[periods]\ntmezone = \"Europe/Amsterdam\"\n");
    let d = diags(&text);
    assert_eq!(d.len(), 5, "{}", show(&d));

    let x = only(&d, "body.languge");
    assert_eq!(x.line, line_of(&text, "languge"));
    assert!(x.message.contains("did you mean `language`"), "{x}");

    let x = only(&d, "stor");
    assert_eq!(x.line, line_of(&text, "[stor]"));
    assert!(x.message.contains("did you mean `store`"), "{x}");

    let x = only(&d, "members[1].emial");
    assert_eq!(x.line, line_of(&text, "emial"));
    assert!(x.message.contains("did you mean `email`"), "{x}");

    let x = only(&d, "members[0].deputy.nmae");
    assert_eq!(x.line, line_of(&text, "nmae"));
    assert!(x.message.contains("did you mean `name`"), "{x}");

    let x = only(&d, "periods.tmezone");
    assert!(x.message.contains("did you mean `timezone`"), "{x}");
}

#[test]
fn unknown_key_far_from_anything_lists_the_valid_keys() {
    let text = edit(
        BASE,
        "tag = \"OTT\"",
        "tag = \"OTT\"\ntimezone = \"Europe/Amsterdam\"",
    );
    let text = edit(&text, "[secrets]", "[secrets]\nfoo = 1");
    let d = diags(&text);
    let x = only(&d, "body.timezone");
    assert!(x.message.contains("belongs under [periods]"), "{x}");
    let x = only(&d, "secrets.foo");
    assert!(
        x.message
            .contains("valid keys here: token_key_file, token_key_env"),
        "{x}"
    );
}

#[test]
fn missing_required_key_points_at_its_table() {
    let text = edit(BASE, "tag = \"OTT\"\n", "");
    assert_single(
        &text,
        "body.tag",
        line_of(&text, "[body]"),
        &["missing", "tag = \"OTT\""],
    );

    // In an array of tables: the line of that [[members]] header.
    let text = edit(BASE, "email = \"m.bakker@minbzk.nl\"\n", "");
    assert_single(
        &text,
        "members[1].email",
        nth_line_of(&text, "[[members]]", 1),
        &["missing required key `email`"],
    );
}

#[test]
fn missing_required_section() {
    let text = edit(BASE, "[store]\npath = \"var/store\"\n", "");
    assert_single(&text, "store", 1, &["missing required section [store]"]);
}

#[test]
fn wrong_types() {
    let text = edit(BASE, "tag = \"OTT\"", "tag = 3");
    assert_single(
        &text,
        "body.tag",
        line_of(&text, "tag = 3"),
        &["string", "integer"],
    );

    let text = format!("{BASE}\n[distribution]\nto_deputies = \"yes\"\n");
    assert_single(
        &text,
        "distribution.to_deputies",
        line_of(&text, "to_deputies"),
        &["true or false"],
    );

    let text = edit(
        BASE,
        "domains = [\"minjenv.nl\"]",
        "domains = \"minjenv.nl\"",
    );
    assert_single(
        &text,
        "ministries[0].domains",
        line_of(&text, "domains = \"minjenv.nl\""),
        &["list"],
    );

    let text = edit(
        BASE,
        "[store]\npath = \"var/store\"\n",
        "store = \"var/store\"\n",
    );
    let d = diags(&text);
    let x = only(&d, "store");
    assert!(x.message.contains("[store]"), "{x}");
}

#[test]
fn malformed_mail_addresses() {
    for bad in [
        "m.bakker@minbzk",
        "m.bakker minbzk.nl",
        "m bakker@minbzk.nl",
        "M. Bakker <m.bakker@minbzk.nl>",
    ] {
        let text = edit(BASE, "m.bakker@minbzk.nl", bad);
        assert_single(
            &text,
            "members[1].email",
            line_of(&text, bad),
            &["not a valid mail address", "local@domain"],
        );
    }
    let text = edit(BASE, "b.jansen@minjenv.nl", "b.jansen@");
    assert_single(
        &text,
        "members[0].deputy.email",
        line_of(&text, "b.jansen@"),
        &["mail address"],
    );
    let text = edit(BASE, "m.jacobs@minjenv.nl", "m.jacobs");
    assert_single(
        &text,
        "desk.staff[0].email",
        line_of(&text, "m.jacobs"),
        &["mail address"],
    );
    let text = edit(BASE, "loket@minjenv.nl", "loket");
    assert_single(
        &text,
        "desk.address",
        line_of(&text, "address"),
        &["mail address"],
    );
}

#[test]
fn member_of_an_unknown_ministry() {
    let text = edit(BASE, "ministry = \"BZK\"", "ministry = \"BZKK\"");
    assert_single(
        &text,
        "members[1].ministry",
        line_of(&text, "BZKK"),
        &[
            "`BZKK` is not a ministry code under [[ministries]]",
            "did you mean BZK?",
            "use one of VenJ, BZK",
            "add the ministry",
        ],
    );
    // Case differences are fine; the code is stored as the ministry spells it.
    let text = edit(BASE, "ministry = \"BZK\"", "ministry = \"bzk\"");
    let c = load_str(&text, Path::new(FILE)).unwrap();
    assert_eq!(c.members[1].ministry, "BZK");
}

#[test]
fn duplicate_member_id() {
    let text = edit(BASE, "id = \"bzk\"", "id = \"venj\"");
    assert_single(
        &text,
        "members[1].id",
        nth_line_of(&text, "id = \"venj\"", 1),
        &[
            "already used by members[0]",
            &format!("line {}", line_of(&text, "id = \"venj\"")),
        ],
    );
}

#[test]
fn duplicate_member_email_is_case_insensitive() {
    let text = edit(BASE, "m.bakker@minbzk.nl", "A.deVries@minjenv.nl");
    assert_single(
        &text,
        "members[1].email",
        line_of(&text, "A.deVries"),
        &["already used by members[0].email"],
    );
}

#[test]
fn deputy_email_colliding_with_a_member() {
    let text = edit(BASE, "m.bakker@minbzk.nl", "b.jansen@minjenv.nl");
    assert_single(
        &text,
        "members[1].email",
        nth_line_of(&text, "b.jansen@minjenv.nl", 1),
        &["already used by members[0].deputy.email"],
    );
    let text = edit(BASE, "b.jansen@minjenv.nl", "a.devries@minjenv.nl");
    assert_single(
        &text,
        "members[0].deputy.email",
        nth_line_of(&text, "a.devries@minjenv.nl", 1),
        &["already used by members[0].email"],
    );
}

#[test]
fn member_with_the_desk_address() {
    let text = edit(BASE, "m.bakker@minbzk.nl", "loket@minjenv.nl");
    assert_single(
        &text,
        "members[1].email",
        nth_line_of(&text, "loket@minjenv.nl", 1),
        &["desk's own address"],
    );
}

#[test]
fn duplicate_ministry_code() {
    let text = edit(BASE, "code = \"BZK\"", "code = \"venj\"");
    let d = diags(&text);
    let x = only(&d, "ministries[1].code");
    assert_eq!(x.line, line_of(&text, "code = \"venj\""));
    assert!(x.message.contains("already used by ministries[0]"), "{x}");
}

#[test]
fn domain_listed_for_two_ministries() {
    let text = edit(
        BASE,
        "domains = [\"MinBZK.nl\"]",
        "domains = [\"minbzk.nl\", \"MINJENV.NL\"]",
    );
    assert_single(
        &text,
        "ministries[1].domains[1]",
        line_of(&text, "MINJENV.NL"),
        &["already listed for ministry VenJ", "one ministry only"],
    );
    let text = edit(
        BASE,
        "domains = [\"MinBZK.nl\"]",
        "domains = [\"bzk@minbzk.nl\"]",
    );
    assert_single(
        &text,
        "ministries[1].domains[0]",
        line_of(&text, "bzk@"),
        &["only the domain"],
    );
    let text = edit(BASE, "domains = [\"MinBZK.nl\"]", "domains = []");
    assert_single(
        &text,
        "ministries[1].domains",
        line_of(&text, "domains = []"),
        &["at least one"],
    );
}

#[test]
fn bad_durations() {
    let periods = |body: &str| format!("{BASE}\n[periods]\n{body}\n");

    let text = periods("normal = \"a week\"");
    assert_single(
        &text,
        "periods.normal",
        line_of(&text, "a week"),
        &["not a duration", "\"7d\""],
    );

    let text = periods("urgent = \"0d\"");
    assert_single(
        &text,
        "periods.urgent",
        line_of(&text, "0d"),
        &["greater than zero"],
    );

    let text = periods("normal = \"2d\"\nurgent = \"3d\"");
    assert_single(
        &text,
        "periods.urgent",
        line_of(&text, "urgent"),
        &["must be shorter than the normal period"],
    );

    // The default urgent period (2 working days) against a short normal one.
    let text = periods("normal = \"36h\"");
    assert_single(
        &text,
        "periods.urgent",
        line_of(&text, "normal"),
        &["2 working days"],
    );

    let text = periods("reminders = [\"5 working days before at 09:00\"]");
    assert_single(
        &text,
        "periods.reminders[0]",
        line_of(&text, "reminders"),
        &["before a normal case is even sent"],
    );

    let text = periods("reminders = [\"deadline day at 23:00\"]");
    assert_single(
        &text,
        "periods.reminders[0]",
        line_of(&text, "reminders"),
        &["outside office hours"],
    );

    let text = periods("reminders = [\"sometimes\"]");
    assert_single(
        &text,
        "periods.reminders[0]",
        line_of(&text, "sometimes"),
        &["\"deadline day at 09:00\""],
    );

    let text = format!("{BASE}\n[calendar]\nliberation_day = \"sometimes\"\n");
    assert_single(
        &text,
        "calendar.liberation_day",
        line_of(&text, "sometimes"),
        &["every_fifth_year"],
    );

    let text = format!("{BASE}\n[jobs]\ndaily_digest = \"every morning\"\n");
    assert_single(
        &text,
        "jobs.daily_digest",
        line_of(&text, "every morning"),
        &["cron expression"],
    );

    let text = format!("{BASE}\n[policy]\nmax_answers_per_hour = \"5\"\n");
    assert_single(
        &text,
        "policy.max_answers_per_hour",
        line_of(&text, "max_answers_per_hour"),
        &["whole number"],
    );

    let text = format!("{BASE}\n[mailbox2]\n");
    let d = diags(&text);
    assert!(
        only(&d, "mailbox2")
            .message
            .contains("did you mean `mailbox`")
    );

    let text = edit(
        BASE,
        "path = \"var/maildir\"",
        "path = \"var/maildir\"\npoll_interval = \"soon\"",
    );
    assert_single(
        &text,
        "mailbox.poll_interval",
        line_of(&text, "soon"),
        &["not a duration"],
    );
}

#[test]
fn bad_time_of_day_timezone_and_language() {
    let text = format!("{BASE}\n[periods]\ndeadline_time = \"5pm\"\n");
    assert_single(
        &text,
        "periods.deadline_time",
        line_of(&text, "5pm"),
        &["\"17:00\""],
    );

    let text = format!("{BASE}\n[periods]\ntimezone = \"Europe/Amsterdan\"\n");
    assert_single(
        &text,
        "periods.timezone",
        line_of(&text, "Amsterdan"),
        &["not a known time zone", "Europe/Amsterdam"],
    );

    let text = edit(BASE, "tag = \"OTT\"", "tag = \"OTT\"\nlanguage = \"fr\"");
    assert_single(
        &text,
        "body.language",
        line_of(&text, "\"fr\""),
        &["\"nl\"", "\"en\""],
    );
}

#[test]
fn bad_member_id_and_tag_and_code() {
    let text = edit(BASE, "id = \"bzk\"", "id = \"BZK lid\"");
    assert_single(
        &text,
        "members[1].id",
        line_of(&text, "BZK lid"),
        &["lowercase", "\"bzk-lid\""],
    );

    let long = "a".repeat(33);
    let text = edit(BASE, "id = \"bzk\"", &format!("id = \"{long}\""));
    assert_single(&text, "members[1].id", line_of(&text, &long), &["1 to 32"]);

    let text = edit(BASE, "tag = \"OTT\"", "tag = \"OTT [x]\"");
    assert_single(&text, "body.tag", line_of(&text, "tag ="), &["subject tag"]);

    let text = edit(BASE, "code = \"BZK\"", "code = \"B.Z.K\"");
    let d = diags(&text);
    let x = only(&d, "ministries[1].code");
    assert!(x.message.contains("not a valid ministry code"), "{x}");
    // The member of that ministry gets no follow-on error.
    let text2 = edit(&text, "ministry = \"BZK\"", "ministry = \"B.Z.K\"");
    assert_eq!(diags(&text2).len(), 1, "{}", show(&diags(&text2)));
}

#[test]
fn unknown_mailbox_and_transport_kinds() {
    let text = edit(BASE, "kind = \"maildir\"", "kind = \"pop3\"");
    assert_single(
        &text,
        "mailbox.kind",
        line_of(&text, "pop3"),
        &["valid kinds: \"maildir\", \"imap\""],
    );
    let text = edit(BASE, "kind = \"eml\"", "kind = \"sendmail\"");
    assert_single(
        &text,
        "transport.kind",
        line_of(&text, "sendmail"),
        &["valid kinds: \"eml\", \"smtp\""],
    );
}

const IMAP: &str = "[mailbox]\nkind = \"imap\"\nhost = \"imap.minjenv.nl\"\nuser = \"loket@minjenv.nl\"\npassword_env = \"LOKET_IMAP_PASSWORD\"\n";
const SMTP: &str = "[transport]\nkind = \"smtp\"\nhost = \"smtp.minjenv.nl\"\nuser = \"loket@minjenv.nl\"\npassword_file = \"imap.pass\"\n";

fn with_network(mailbox: &str, transport: &str) -> String {
    let t = edit(
        BASE,
        "[mailbox]\nkind = \"maildir\"\npath = \"var/maildir\"\n",
        mailbox,
    );
    edit(
        &t,
        "[transport]\nkind = \"eml\"\npath = \"var/outbox\"\n",
        transport,
    )
}

#[test]
fn imap_and_smtp_load_with_defaults() {
    use loket::config::model::TlsMode;
    let c = load_str(&with_network(IMAP, SMTP), Path::new(FILE)).unwrap();
    let MailboxConfig::Imap(i) = &c.mailbox else {
        panic!("not imap: {:?}", c.mailbox)
    };
    assert_eq!(
        (i.host.as_str(), i.port, i.tls),
        ("imap.minjenv.nl", 993, TlsMode::Implicit)
    );
    assert_eq!(i.password, SecretSource::Env("LOKET_IMAP_PASSWORD".into()));
    assert_eq!(
        (i.folder.as_str(), i.processed_folder.as_str()),
        ("INBOX", "loket/verwerkt")
    );
    assert_eq!(i.idle_renew, std::time::Duration::from_secs(25 * 60));
    assert!(i.ca_file.is_none());
    let TransportConfig::Smtp(s) = &c.transport else {
        panic!("not smtp: {:?}", c.transport)
    };
    assert_eq!((s.port, s.tls), (587, TlsMode::Starttls));
    assert_eq!(
        s.password,
        Some(SecretSource::File(PathBuf::from("/etc/loket/imap.pass")))
    );
    assert_eq!(
        s.retry.retry_for,
        Some(std::time::Duration::from_secs(5 * 86400))
    );
    assert!(s.retry.first_delay <= s.retry.max_delay);

    // STARTTLS moves the default port; every value can be set.
    let text = with_network(
        &format!(
            "{IMAP}tls = \"starttls\"\nfolder = \"Loket\"\nprocessed_folder = \"Loket/klaar\"\nca_file = \"ca.pem\"\nidle_renew = \"10min\"\n"
        ),
        &format!("{SMTP}tls = \"implicit\"\nretry_for = \"2d\"\n"),
    );
    let c = load_str(&text, Path::new(FILE)).unwrap();
    let MailboxConfig::Imap(i) = &c.mailbox else {
        panic!()
    };
    assert_eq!((i.port, i.tls), (143, TlsMode::Starttls));
    assert_eq!(i.processed_folder, "Loket/klaar");
    assert_eq!(i.ca_file.as_deref(), Some(Path::new("/etc/loket/ca.pem")));
    let TransportConfig::Smtp(s) = &c.transport else {
        panic!()
    };
    assert_eq!((s.port, s.tls), (465, TlsMode::Implicit));
    assert_eq!(
        s.retry.retry_for,
        Some(std::time::Duration::from_secs(2 * 86400))
    );
}

#[test]
fn imap_and_smtp_mistakes_are_reported_with_line_and_remedy() {
    // A literal password is refused, and the missing source named.
    let text = with_network(&format!("{IMAP}password = \"hunter2\"\n"), SMTP);
    let d = diags(&text);
    let p = only(&d, "mailbox.password");
    assert_eq!(p.line, line_of(&text, "password = "));
    assert!(p.message.contains("secrets never go in the TOML"), "{p}");
    assert!(!show(&d).contains("hunter2"));

    let no_pw = IMAP.replace("password_env = \"LOKET_IMAP_PASSWORD\"\n", "");
    let text = with_network(&no_pw, SMTP);
    assert_single(
        &text,
        "mailbox.password_env",
        line_of(&text, "[mailbox]"),
        &["password_file or password_env"],
    );

    let text = with_network(&format!("{IMAP}port = \"993\"\n"), SMTP);
    assert_single(
        &text,
        "mailbox.port",
        line_of(&text, "port = "),
        &["must be a number", "port = 993"],
    );
    let text = with_network(&format!("{IMAP}port = 70000\n"), SMTP);
    assert_single(
        &text,
        "mailbox.port",
        line_of(&text, "port = "),
        &["not a port number"],
    );

    let text = with_network(
        &IMAP.replace("imap.minjenv.nl", "imap.minjenv.nl:993"),
        SMTP,
    );
    assert_single(
        &text,
        "mailbox.host",
        line_of(&text, "host = "),
        &["write the port in `port`"],
    );

    let text = with_network(&format!("{IMAP}tls = \"none\"\n"), SMTP);
    assert_single(
        &text,
        "mailbox.tls",
        line_of(&text, "tls = "),
        &["\"implicit\"", "\"starttls\""],
    );

    let text = with_network(&format!("{IMAP}path = \"var/maildir\"\n"), SMTP);
    assert_single(
        &text,
        "mailbox.path",
        line_of(&text, "path = \"var/maildir"),
        &["does not apply to kind = \"imap\""],
    );

    let text = with_network(&format!("{IMAP}idle_renew = \"30min\"\n"), SMTP);
    assert_single(
        &text,
        "mailbox.idle_renew",
        line_of(&text, "idle_renew"),
        &["at most 29 minutes"],
    );

    let text = with_network(&format!("{IMAP}processed_folder = \"INBOX\"\n"), SMTP);
    assert_single(
        &text,
        "mailbox.processed_folder",
        line_of(&text, "processed_folder"),
        &["same folder"],
    );

    // SMTP: no encryption only on loopback; user and password go together.
    let text = with_network(IMAP, &format!("{SMTP}tls = \"none\"\n"));
    assert_single(
        &text,
        "transport.tls",
        line_of(&text, "tls = "),
        &["only allowed for a server on the loopback"],
    );
    let local = SMTP.replace("smtp.minjenv.nl", "127.0.0.1");
    assert!(
        load_str(
            &with_network(IMAP, &format!("{local}tls = \"none\"\n")),
            Path::new(FILE)
        )
        .is_ok()
    );
    let text = with_network(IMAP, &SMTP.replace("password_file = \"imap.pass\"\n", ""));
    assert_single(
        &text,
        "transport.user",
        nth_line_of(&text, "user = ", 1),
        &["password_env"],
    );
    let text = with_network(IMAP, &format!("{SMTP}retry_for = \"soon\"\n"));
    assert_single(
        &text,
        "transport.retry_for",
        line_of(&text, "retry_for"),
        &["not a duration"],
    );

    // Keys of the other kind.
    let text = edit(
        BASE,
        "path = \"var/outbox\"\n",
        "path = \"var/outbox\"\nhost = \"smtp.minjenv.nl\"\n",
    );
    assert_single(
        &text,
        "transport.host",
        line_of(&text, "host = "),
        &["does not apply to kind = \"eml\""],
    );
}

#[test]
fn bad_sizes() {
    let text = format!("{BASE}\n[intake]\nmax_attachment_size = \"25\"\n");
    assert_single(
        &text,
        "intake.max_attachment_size",
        line_of(&text, "\"25\""),
        &["unit", "\"25MB\""],
    );
    let text = edit(
        BASE,
        "path = \"var/store\"",
        "path = \"var/store\"\ncache_size = \"lots\"",
    );
    assert_single(
        &text,
        "store.cache_size",
        line_of(&text, "lots"),
        &["not a size"],
    );
    let text = format!("{BASE}\n[intake]\nallowed_senders = [\"ok@minaz.nl\", \"nope\"]\n");
    assert_single(
        &text,
        "intake.allowed_senders[1]",
        line_of(&text, "nope"),
        &["mail address"],
    );
}

#[test]
fn secrets_never_go_in_the_toml() {
    let msg = "secrets never go in the TOML; use token_key_file or token_key_env";
    let text = edit(
        BASE,
        "token_key_env = \"LOKET_TOKEN_KEY\"",
        "token_key = \"0123456789abcdef\"",
    );
    assert_single(
        &text,
        "secrets.token_key",
        line_of(&text, "token_key ="),
        &[msg],
    );

    let text = edit(
        BASE,
        "kind = \"maildir\"",
        "kind = \"maildir\"\npassword = \"hunter2\"",
    );
    assert_single(
        &text,
        "mailbox.password",
        line_of(&text, "password"),
        &[msg],
    );

    // Inside an unknown section too (reported besides the unknown section).
    let text = format!("{BASE}\n[smtp]\nhost = \"x\"\nsecret = \"s3cr3t\"\n");
    let d = diags(&text);
    assert_eq!(d.len(), 2, "{}", show(&d));
    let x = only(&d, "smtp.secret");
    assert_eq!(x.line, line_of(&text, "secret ="));
    assert!(x.message.contains(msg));
    // The secret itself is never echoed.
    assert!(!show(&d).contains("s3cr3t"));
}

#[test]
fn secrets_section_needs_exactly_one_source() {
    let text = edit(
        BASE,
        "token_key_env = \"LOKET_TOKEN_KEY\"",
        "token_key_env = \"LOKET_TOKEN_KEY\"\ntoken_key_file = \"k\"",
    );
    assert_single(
        &text,
        "secrets.token_key_env",
        line_of(&text, "token_key_env"),
        &["both"],
    );

    let text = edit(BASE, "token_key_env = \"LOKET_TOKEN_KEY\"\n", "");
    assert_single(
        &text,
        "secrets.token_key_file",
        line_of(&text, "[secrets]"),
        &["token_key_file or token_key_env"],
    );

    let text = edit(BASE, "\"LOKET_TOKEN_KEY\"", "\"not a name!\"");
    assert_single(
        &text,
        "secrets.token_key_env",
        line_of(&text, "not a name"),
        &["environment variable name"],
    );
}

#[test]
fn desk_needs_staff() {
    let text = edit(
        BASE,
        "staff = [{ name = \"M. Jacobs\", email = \"m.jacobs@minjenv.nl\" }]",
        "staff = []",
    );
    assert_single(
        &text,
        "desk.staff",
        line_of(&text, "staff = []"),
        &["at least one"],
    );
}

// ---------------------------------------------------------------------------------------
// Many errors at once.

#[test]
fn several_errors_are_all_reported_in_line_order() {
    let text = edit(BASE, "tag = \"OTT\"", "tag = \"OTT\"\nlanguage = \"de\"");
    let text = edit(&text, "m.jacobs@minjenv.nl", "m.jacobs-at-minjenv.nl");
    let text = edit(
        &text,
        "token_key_env = \"LOKET_TOKEN_KEY\"",
        "token_key = \"abc\"",
    );
    let text = edit(&text, "kind = \"eml\"", "kind = \"eml\"\noutbox = \"x\"");
    let text = edit(
        &text,
        "domains = [\"MinBZK.nl\"]",
        "domains = [\"minjenv.nl\"]",
    );
    let text = edit(&text, "id = \"bzk\"", "id = \"venj\"");
    let text = edit(&text, "ministry = \"BZK\"", "ministry = \"XYZ\"");
    let text = format!("{text}\n[periods]\nurgent = \"9d\"\ntimezone = \"Mars/Olympus\"\n");

    let d = diags(&text);
    let keys: Vec<&str> = d.iter().map(|x| x.key.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "body.language",
            "desk.staff[0].email",
            "secrets.token_key",
            "transport.outbox",
            "ministries[1].domains[0]",
            "members[1].id",
            "members[1].ministry",
            "periods.urgent",
            "periods.timezone",
        ],
        "{}",
        show(&d)
    );
    let lines: Vec<usize> = d.iter().map(|x| x.line).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);

    // Display: FILE:LINE: KEY: MESSAGE, and the error lists them one per line.
    assert_eq!(
        d[0].to_string(),
        format!(
            "{FILE}:{}: body.language: {}",
            line_of(&text, "language"),
            d[0].message
        )
    );
    let err = load_str(&text, Path::new(FILE)).unwrap_err();
    let shown = err.to_string();
    assert_eq!(shown.lines().count(), d.len(), "{shown}");
    for (line, diag) in shown.lines().zip(&d) {
        assert_eq!(line, diag.to_string());
    }
}

#[test]
fn several_syntax_errors_are_all_reported() {
    let text = edit(BASE, "tag = \"OTT\"", "tag = \"OTT");
    let text = edit(&text, "kind = \"eml\"", "kind = eml");
    let d = diags(&text);
    assert_eq!(d.len(), 2, "{}", show(&d));
    assert_eq!(d[0].line, line_of(&text, "tag ="));
    assert_eq!(d[1].line, line_of(&text, "kind = eml"));
    assert_eq!(d[1].key, "transport.kind");
}

#[test]
fn unreadable_file_is_a_read_error() {
    let err = load(Path::new("/nonexistent/loket.toml")).unwrap_err();
    assert!(matches!(err, ConfigError::Read { .. }));
    assert!(err.to_string().contains("/nonexistent/loket.toml"));
}

// ---------------------------------------------------------------------------------------
// The token key.

#[test]
fn token_key_file_is_created_0600_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let cfg_dir = dir.path().join("config");
    let text = edit(
        BASE,
        "token_key_env = \"LOKET_TOKEN_KEY\"",
        "token_key_file = \"../var/token.key\"",
    );
    let c = load_str(&text, &cfg_dir.join("loket.toml")).unwrap();
    let (k1, created) = load_token_key(&c.secrets.token_key).unwrap();
    assert!(created);
    assert!(k1.len() >= 32);
    let key_path = cfg_dir.join("../var/token.key");
    assert!(key_path.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    }
    let (k2, created) = load_token_key(&c.secrets.token_key).unwrap();
    assert!(!created);
    assert_eq!(k1, k2);
}

#[test]
fn short_token_key_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.key");
    std::fs::write(&path, "short\n").unwrap();
    let err = load_token_key(&SecretSource::File(path.clone())).unwrap_err();
    assert!(matches!(err, SecretError::FileTooShort { .. }));
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("/dev/urandom"), "{msg}");
    assert!(!msg.contains("short\n"));
}

#[test]
fn missing_env_secret_is_a_clear_error() {
    let var = "LOKET_TEST_TOKEN_KEY_THAT_IS_NEVER_SET";
    let err = load_token_key(&SecretSource::Env(var.into())).unwrap_err();
    assert!(matches!(err, SecretError::EnvMissing { .. }));
    let msg = err.to_string();
    assert!(msg.contains(var), "{msg}");
    assert!(msg.contains("token_key_env"), "{msg}");
    assert!(msg.contains("export"), "{msg}");
}
