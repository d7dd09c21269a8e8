//! The operator's calendar file (`window.bank_holidays_file`): gov.uk's published
//! bank-holidays.json format, `{"england-and-wales": {"division": ..., "events": [{"title",
//! "date", "notes", "bunting"}]}, "scotland": {...}, "northern-ireland": {...}}`.

use crate::domain::window::Region;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Files bigger than this are not a holiday list (gov.uk's is about 20 KiB).
const MAX_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Deserialize)]
struct Division {
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    title: String,
    date: String,
}

/// Reads the file and returns the holidays of `region`, by date with their titles.
/// Err says what is wrong, naming the file.
pub fn load(path: &Path, region: Region) -> Result<BTreeMap<NaiveDate, String>, String> {
    let shown = path.display();
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {shown}: {e}"))?
        .len();
    if size > MAX_BYTES {
        return Err(format!(
            "{shown} is {size} bytes; a holiday file is at most {MAX_BYTES}"
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    parse(&text, region).map_err(|e| format!("{shown}: {e}"))
}

/// Parses gov.uk's format and picks `region`'s events.
pub fn parse(text: &str, region: Region) -> Result<BTreeMap<NaiveDate, String>, String> {
    if region == Region::None {
        return Err(
            "`window.bank_holidays` is \"none\", so no region of the file applies; set it to the region whose holidays to read".into(),
        );
    }
    let divisions: HashMap<String, serde_json::Value> = serde_json::from_str(text)
        .map_err(|e| format!("not in gov.uk's bank-holidays.json format: {e}"))?;
    let key = region.as_str();
    let Some(division) = divisions.get(key) else {
        let mut found: Vec<&str> = divisions.keys().map(String::as_str).collect();
        found.sort_unstable();
        return Err(format!(
            "has no \"{key}\" section (the configured region); it has: {}",
            if found.is_empty() {
                "nothing".to_owned()
            } else {
                found.join(", ")
            }
        ));
    };
    let division: Division = serde_json::from_value(division.clone()).map_err(|e| {
        format!("\"{key}\": {e} (expected {{\"events\": [{{\"title\", \"date\"}}]}})")
    })?;
    let mut out = BTreeMap::new();
    for (i, event) in division.events.into_iter().enumerate() {
        let date = NaiveDate::parse_from_str(event.date.trim(), "%Y-%m-%d").map_err(|_| {
            format!(
                "\"{key}\".events[{i}].date: `{}` is not a date (YYYY-MM-DD)",
                event.date.chars().take(40).collect::<String>()
            )
        })?;
        let title = event.title.trim();
        if title.is_empty() {
            return Err(format!("\"{key}\".events[{i}].title is empty"));
        }
        // One short line: no control characters, short enough for a chat line.
        let title = title
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(100)
            .collect();
        out.insert(date, title);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOVUK: &str = r#"{
      "england-and-wales": {"division": "england-and-wales", "events": [
        {"title": "New Year’s Day", "date": "2027-01-01", "notes": "", "bunting": true},
        {"title": "Proclaimed holiday", "date": "2026-09-08", "notes": "", "bunting": true}
      ]},
      "scotland": {"division": "scotland", "events": [
        {"title": "St Andrew’s Day", "date": "2026-11-30", "notes": "", "bunting": true}
      ]},
      "northern-ireland": {"division": "northern-ireland", "events": []}
    }"#;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn picks_the_configured_region() {
        let ew = parse(GOVUK, Region::EnglandAndWales).unwrap();
        assert_eq!(ew.len(), 2);
        assert_eq!(ew[&date(2026, 9, 8)], "Proclaimed holiday");
        let sc = parse(GOVUK, Region::Scotland).unwrap();
        assert_eq!(sc.keys().copied().collect::<Vec<_>>(), [date(2026, 11, 30)]);
        assert!(parse(GOVUK, Region::NorthernIreland).unwrap().is_empty());
    }

    #[test]
    fn malformed_files_say_what_is_wrong() {
        let err = |text: &str, region| parse(text, region).unwrap_err();
        assert!(err("not json", Region::Scotland).contains("gov.uk's bank-holidays.json format"));
        assert!(err("[1, 2]", Region::Scotland).contains("format"));
        let e = err(r#"{"wales": {"events": []}}"#, Region::Scotland);
        assert!(
            e.contains("no \"scotland\" section") && e.contains("wales"),
            "{e}"
        );
        let e = err(
            r#"{"scotland": {"events": [{"date": "2026-01-01"}]}}"#,
            Region::Scotland,
        );
        assert!(e.contains("\"scotland\"") && e.contains("title"), "{e}");
        let e = err(
            r#"{"scotland": {"events": [{"title": "x", "date": "2026-02-30"}]}}"#,
            Region::Scotland,
        );
        assert!(
            e.contains("\"scotland\".events[0].date") && e.contains("2026-02-30"),
            "{e}"
        );
        let e = err(
            r#"{"scotland": {"events": [{"title": " ", "date": "2026-02-03"}]}}"#,
            Region::Scotland,
        );
        assert!(e.contains("events[0].title"), "{e}");
        assert!(err(GOVUK, Region::None).contains("`window.bank_holidays`"));
    }

    #[test]
    fn load_names_the_file_when_it_cannot_be_read() {
        let e = load(
            Path::new("/nonexistent/holidays.json"),
            Region::EnglandAndWales,
        )
        .unwrap_err();
        assert!(e.contains("/nonexistent/holidays.json"), "{e}");
    }
}
