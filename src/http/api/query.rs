//! Query strings of the read API: only the parameters a route knows, each at most once, so a
//! misspelt parameter is a 400 rather than silently ignored (a check that skipped a rule).

/// The query's parameters in order, each one of `known` and given once; otherwise what is
/// wrong, for a 400.
pub fn known_parameters(
    raw: Option<&str>,
    known: &[&'static str],
) -> Result<Vec<(&'static str, String)>, String> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let Some(&name) = known.iter().find(|p| **p == key) else {
            return Err(format!(
                "unknown query parameter `{}`; known: {}",
                shown(&key),
                known.join(", ")
            ));
        };
        if out.iter().any(|(n, _)| *n == name) {
            return Err(format!("query parameter `{name}` is given twice"));
        }
        out.push((name, value.into_owned()));
    }
    Ok(out)
}

/// At most 40 characters of what someone sent, for an error message.
pub fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}
