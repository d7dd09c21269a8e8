//! badger's `/metrics` as the tests read it: one scrape, every sample by its name and
//! labels as written (`badger_x_total{outcome="pass"}`), and one sample's value.

use std::collections::HashMap;

/// The exposition text `GET {base}/metrics` answers.
pub async fn scrape(http: &reqwest::Client, base: &str) -> String {
    let r = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(r.status(), 200, "GET /metrics");
    r.text().await.expect("metrics text")
}

/// Every sample in `text`, by its name and labels as written.
pub fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let (k, v) = l.rsplit_once(' ')?;
            Some((k.to_owned(), v.parse().ok()?))
        })
        .collect()
}

/// The value of the sample `key` (name and labels as written), if `text` has it.
pub fn sample(text: &str, key: &str) -> Option<f64> {
    samples(text).get(key).copied()
}

/// The value of an unlabelled counter or gauge that must be there.
pub fn count(text: &str, name: &str) -> u64 {
    let v = sample(text, name).unwrap_or_else(|| panic!("no sample {name} in:\n{text}"));
    v as u64
}
