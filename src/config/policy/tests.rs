//! Unit tests of the policy file: GOV.UK defaults, a full file, and errors that name the key.

use super::*;
use crate::domain::window::Region;
use chrono::NaiveDate;

#[test]
fn defaults_are_govuk() {
    let p = Policy::default();
    assert_eq!(p.deploy_command, "/deploy");
    assert_eq!(p.hold_command, "/hold");
    assert_eq!(p.env_strs(), ["integration", "staging", "production"]);
    assert_eq!(p.environments[0].window, WindowKind::Always);
    assert!(!p.environments[0].requires_previous);
    assert_eq!(p.environments[2].window, WindowKind::OfficeHours);
    assert!(p.environments[2].requires_previous);
    assert_eq!(p.turn_timeout, chrono::Duration::minutes(10));
    assert_eq!(p.calendar, Calendar::govuk_default());
    assert_eq!(
        p.previous_env(&EnvName::new_unchecked("production"))
            .unwrap()
            .name
            .as_str(),
        "staging"
    );
    assert!(p
        .previous_env(&EnvName::new_unchecked("integration"))
        .is_none());
}

#[test]
fn full_file_parses() {
    let p = Policy::from_toml(
        r#"
channel = "C0123456789"
timezone = "Europe/London"
admins = ["U0ADMIN"]
commands = { deploy = "/ship", hold = "/freeze" }
apps = ["whitehall", "publisher"]
[[environments]]
name = "integration"
window = "always"
requires_previous = false
deployers = []
[[environments]]
name = "staging"
[[environments]]
name = "production"
deployers = ["U0DEPLOY"]
[window]
monday = "09:30-17:00"
friday = "10:00-24:00"
saturday = "closed"
bank_holidays = "scotland"
closed_dates = ["2026-12-24"]
[queue]
turn_timeout_minutes = 5
"#,
        "t",
    )
    .unwrap();
    assert_eq!(p.channel.as_deref(), Some("C0123456789"));
    assert_eq!(p.deploy_command, "/ship");
    assert_eq!(p.apps.len(), 2);
    assert_eq!(p.calendar.region, Region::Scotland);
    assert_eq!(p.calendar.closed_dates.len(), 1);
    assert_eq!(p.turn_timeout, chrono::Duration::minutes(5));
    let prod = p.env("production").unwrap();
    assert!(p.may_deploy(prod, "U0DEPLOY"));
    assert!(p.may_deploy(prod, "U0ADMIN"));
    assert!(!p.may_deploy(prod, "U0OTHER"));
}

#[test]
fn errors_name_the_key() {
    assert_refused(&[
        ("colour = 1", "unknown field `colour`"),
        ("[window]\nmondai = \"closed\"", "mondai"),
        ("timezone = \"Europe/Londn\"", "`timezone`"),
        ("[window]\nmonday = \"17:00-09:00\"", "`window.monday`"),
        (
            "[window]\nbank_holidays = \"wales\"",
            "`window.bank_holidays`",
        ),
        (
            "[window]\nclosed_dates = [\"2026-02-30\"]",
            "`window.closed_dates[0]`",
        ),
        (
            "[queue]\nturn_timeout_minutes = 0",
            "`queue.turn_timeout_minutes`",
        ),
        ("admins = [\"bob\"]", "`admins[0]`"),
        ("channel = \"#deploy\"", "`channel`"),
        ("apps = [\"Whitehall\"]", "`apps[0]`"),
        (
            "[[environments]]\nname = \"a\"\n[[environments]]\nname = \"a\"",
            "`environments[1].name`",
        ),
        (
            "[[environments]]\nname = \"a\"\nwindow = \"sometimes\"",
            "`environments[0].window`",
        ),
        ("commands = { deploy = \"deploy\" }", "`commands.deploy`"),
        ("environments = []", "`environments`"),
        ("channel = ", "badger.toml"),
    ]);
}

#[test]
fn bank_holidays_file_adds_the_regions_dates() {
    let dir = tempfile::tempdir().unwrap();
    let json = r#"{"england-and-wales": {"division": "england-and-wales", "events": [
            {"title": "Proclaimed holiday", "date": "2026-09-08", "notes": "", "bunting": true}]},
            "scotland": {"division": "scotland", "events": [
            {"title": "Scottish extra", "date": "2026-09-09", "notes": "", "bunting": false}]}}"#;
    std::fs::write(dir.path().join("holidays.json"), json).unwrap();
    let policy = dir.path().join("badger.toml");
    // Relative to the policy file's folder.
    std::fs::write(
        &policy,
        "[window]\nbank_holidays_file = \"holidays.json\"\n",
    )
    .unwrap();
    let p = Policy::load(&policy).unwrap();
    let dates: Vec<String> = p
        .calendar
        .listed_holidays
        .keys()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(dates, ["2026-09-08"]);
    let at = chrono::DateTime::parse_from_rfc3339("2026-09-08T10:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert!(!p.calendar.is_open(at));

    std::fs::write(
        &policy,
        "[window]\nbank_holidays = \"scotland\"\nbank_holidays_file = \"holidays.json\"\n",
    )
    .unwrap();
    let p = Policy::load(&policy).unwrap();
    assert_eq!(p.calendar.listed_holidays.len(), 1);
    assert!(p
        .calendar
        .listed_holidays
        .contains_key(&NaiveDate::from_ymd_opt(2026, 9, 9).unwrap()));
}

#[test]
fn bank_holidays_file_problems_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("badger.toml");
    let load = |toml: &str| {
        std::fs::write(&policy, toml).unwrap();
        Policy::load(&policy).unwrap_err().to_string()
    };
    let e = load("[window]\nbank_holidays_file = \"missing.json\"\n");
    assert!(
        e.contains("`window.bank_holidays_file`") && e.contains("missing.json"),
        "{e}"
    );
    assert!(e.contains("cannot read"), "{e}");
    std::fs::write(dir.path().join("bad.json"), "{ not json").unwrap();
    let e = load("[window]\nbank_holidays_file = \"bad.json\"\n");
    assert!(
        e.contains("`window.bank_holidays_file`") && e.contains("format"),
        "{e}"
    );
    let e = load("[window]\nbank_holidays_file = \"\"\n");
    assert!(
        e.contains("`window.bank_holidays_file`") && e.contains("empty"),
        "{e}"
    );
    // Unknown keys are still rejected next to it.
    let e = load("[window]\nbank_holidays_files = \"bad.json\"\n");
    assert!(e.contains("unknown field `bank_holidays_files`"), "{e}");
}

/// A syntax error keeps the parser's snippet line by line, so its `^` stands under the
/// mistake (here the end of `[window`, line 2 column 8).
#[test]
fn a_syntax_error_points_at_the_mistake() {
    let e = Policy::from_toml("channel = \"C0123456789\"\n[window\n", "badger.toml")
        .unwrap_err()
        .to_string();
    let lines: Vec<&str> = e.lines().collect();
    assert!(
        lines[0].starts_with("policy file badger.toml: TOML parse error at line 2, column 8"),
        "{e}"
    );
    let code = lines
        .iter()
        .position(|l| l.ends_with("| [window"))
        .unwrap_or_else(|| panic!("no line of code: {e}"));
    let column_8 = lines[code].find('[').unwrap() + 7;
    assert_eq!(lines[code + 1].find('^'), Some(column_8), "{e}");
}

#[test]
fn freezes_are_named_date_ranges() {
    let p = Policy::from_toml(
        r#"
[window]
closed_dates = ["2026-12-18"]
[[window.freezes]]
name = " Christmas change freeze "
from = "2026-12-21"
to = "2027-01-04"
[[window.freezes]]
name = "Office move"
from = 2027-03-01
to = 2027-03-01
"#,
        "t",
    )
    .unwrap();
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let f = &p.calendar.freezes;
    assert_eq!(f.len(), 2);
    assert_eq!(
        (f[0].name.as_str(), f[0].from, f[0].to),
        ("Christmas change freeze", d(2026, 12, 21), d(2027, 1, 4))
    );
    assert_eq!((f[1].from, f[1].to), (d(2027, 3, 1), d(2027, 3, 1)));
    // closed_dates still work beside them.
    assert!(p.calendar.closed_dates.contains(&d(2026, 12, 18)));
}

#[test]
fn freeze_errors_name_the_key() {
    let freeze = |body: &str| format!("[[window.freezes]]\n{body}");
    let ok = "name = \"Christmas\"\nfrom = \"2026-12-21\"\n";
    assert_refused(&[
        (
            &freeze("name = \"Christmas\"\nfrom = \"2026-12-21\"\nto = \"2026-12-32\""),
            "`window.freezes[0].to`: `2026-12-32` is not a date (YYYY-MM-DD)",
        ),
        (
            &freeze("name = \"Christmas\"\nfrom = \"21/12/2026\"\nto = \"2027-01-04\""),
            "`window.freezes[0].from`: `21/12/2026` is not a date",
        ),
        (
            &freeze("name = \"Christmas\"\nfrom = \"2027-01-04\"\nto = \"2026-12-21\""),
            "`window.freezes[0].to`: 2026-12-21 is before `from` (2027-01-04)",
        ),
        (
            &freeze("name = \"  \"\nfrom = \"2026-12-21\"\nto = \"2027-01-04\""),
            "`window.freezes[0].name`: is missing or empty",
        ),
        (
            &freeze("from = \"2026-12-21\"\nto = \"2027-01-04\""),
            "`window.freezes[0].name`: is missing",
        ),
        (&freeze(ok), "`window.freezes[0].to`: is missing"),
        (
            &freeze("name = \"Christmas\"\nfrom = \"2026-12-21\"\nto = \"2027-12-22\""),
            "`window.freezes[0].to`: the freeze from 2026-12-21 to 2027-12-22 lasts 367 days; at most 366",
        ),
        (
            &format!("{}{ok}to = \"2026-12-22\"\n[[window.freezes]]\n{ok}to = 2026-12-20", freeze("")),
            "`window.freezes[1].to`",
        ),
        (
            &freeze(&format!("{ok}to = \"2027-01-04\"\nuntil = \"2027-01-04\"")),
            "unknown field `until`",
        ),
        (
            &freeze(&format!("{ok}to = 4")),
            "`window.freezes[0].to`: `4` is not a date",
        ),
    ]);
    // 366 days, a leap year's worth, is allowed; 367 are not.
    let span = |to: &str| {
        Policy::from_toml(
            &freeze(&format!("{ok}to = \"{to}\"").replace("2026-12-21", "2027-12-21")),
            "t",
        )
    };
    assert!(span("2028-12-20").is_ok());
    assert!(span("2028-12-21")
        .unwrap_err()
        .to_string()
        .contains("367 days"));
}
