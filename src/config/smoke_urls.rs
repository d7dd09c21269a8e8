//! The policy's `smoke_urls`: templates checked once at load, and the URLs they give for
//! one deployment (`{app}` and `{ref}` substituted, URL-encoded).

/// The placeholders a smoke URL may hold.
const PLACEHOLDERS: [&str; 2] = ["{app}", "{ref}"];

/// At most this many URLs per environment: each is requested, and listed in the report.
pub const MAX_URLS: usize = 20;
/// A template longer than this is surely a mistake (and would crowd the thread reply).
const MAX_LEN: usize = 1000;

/// `smoke_timeout_secs` when absent.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// Environment `i`'s raw keys, checked: the templates and the timeout, or the key at fault
/// (like `environments[1].smoke_urls[0]`) and why.
pub fn from_raw(
    i: usize,
    urls: Option<Vec<String>>,
    timeout: Option<i64>,
) -> Result<(Vec<String>, u64), (String, String)> {
    let urls = urls.unwrap_or_default();
    if urls.len() > MAX_URLS {
        return Err((
            format!("environments[{i}].smoke_urls"),
            format!("at most {MAX_URLS} URLs, not {}", urls.len()),
        ));
    }
    for (j, u) in urls.iter().enumerate() {
        validate(u).map_err(|m| (format!("environments[{i}].smoke_urls[{j}]"), m))?;
    }
    let timeout = match timeout {
        None => DEFAULT_TIMEOUT_SECS,
        Some(t @ 1..=300) => t.unsigned_abs(),
        Some(t) => {
            return Err((
                format!("environments[{i}].smoke_timeout_secs"),
                format!("must be between 1 and 300 seconds, not {t}"),
            ))
        }
    };
    Ok((urls, timeout))
}

/// Checks one template: http or https, a host, only known placeholders. The message
/// names what is wrong; the caller names the key.
pub fn validate(template: &str) -> Result<(), String> {
    if template.len() > MAX_LEN {
        return Err(format!("a smoke URL is at most {MAX_LEN} characters"));
    }
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        let tail = &rest[open..];
        match PLACEHOLDERS.iter().find(|p| tail.starts_with(*p)) {
            Some(p) => rest = &tail[p.len()..],
            None => {
                let shown: String = tail.chars().take_while(|c| *c != '}').take(40).collect();
                return Err(format!(
                    "`{shown}}}` is not a placeholder: only {{app}} and {{ref}} are (in `{template}`)"
                ));
            }
        }
    }
    let sample = substitute(template, "app", "ref");
    let url = url::Url::parse(&sample).map_err(|e| format!("`{template}` is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "`{template}` must start with http:// or https://, not {}://",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{template}` has no host"));
    }
    Ok(())
}

/// The URL to request for `app` at `git_ref`: each value percent-encoded, so a ref like
/// `release/1.2 rc` cannot change the URL's shape.
pub fn substitute(template: &str, app: &str, git_ref: &str) -> String {
    template
        .replace("{app}", &encode(app))
        .replace("{ref}", &encode(git_ref))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_substituted_and_encoded() {
        assert_eq!(
            substitute(
                "https://{app}.example/h?ref={ref}",
                "frontend",
                "release/1 &x"
            ),
            "https://frontend.example/h?ref=release%2F1%20%26x"
        );
    }

    #[test]
    fn templates_are_checked() {
        assert!(validate("https://{app}.staging.example/healthcheck?ref={ref}").is_ok());
        assert!(validate("http://127.0.0.1:8080/").is_ok());
        let unknown = validate("https://{x}.example/").unwrap_err();
        assert!(unknown.contains("`{x}` is not a placeholder"), "{unknown}");
        assert!(validate("https://example/{app")
            .unwrap_err()
            .contains("placeholder"));
        assert!(validate("ftp://example/").unwrap_err().contains("http://"));
        assert!(validate("not a url").unwrap_err().contains("not a URL"));
        assert!(validate(&format!("https://e/{}", "a".repeat(1000))).is_err());
    }
}
