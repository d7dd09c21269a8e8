//! GitHub's settings from the environment: the token (never printed), the API base and
//! the timeout of each call.

use std::fmt;
use std::time::Duration;

#[derive(Clone, PartialEq, Eq)]
pub struct GithubSettings {
    /// `GITHUB_TOKEN`; unset: badger makes no GitHub calls.
    pub token: Option<String>,
    /// `GITHUB_API_URL`, without a trailing slash.
    pub api_url: String,
    /// `BADGER_GITHUB_TIMEOUT_SECS`: connect and total timeout of each call.
    pub timeout: Duration,
}

impl fmt::Debug for GithubSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GithubSettings")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("api_url", &self.api_url)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl GithubSettings {
    /// `get` returns a variable trimmed, `None` when unset or empty.
    pub(super) fn from_vars(
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<Self, (&'static str, String)> {
        let api_url = get("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".into());
        match url::Url::parse(&api_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => {}
            _ => {
                return Err((
                    "GITHUB_API_URL",
                    "must be an http:// or https:// URL".into(),
                ))
            }
        }
        let timeout = super::settings::seconds(get, "BADGER_GITHUB_TIMEOUT_SECS", 10, 1..=120)?;
        Ok(GithubSettings {
            token: get("GITHUB_TOKEN"),
            api_url: api_url.trim_end_matches('/').to_owned(),
            timeout: Duration::from_secs(timeout),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<GithubSettings, (&'static str, String)> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        GithubSettings::from_vars(&|k: &str| {
            pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn defaults_and_mistakes() {
        let s = from(&[("GITHUB_TOKEN", "ghp_secret")]).unwrap();
        assert_eq!(s.api_url, "https://api.github.com");
        assert_eq!(s.timeout, Duration::from_secs(10));
        assert!(!format!("{s:?}").contains("ghp_secret"));
        assert_eq!(
            from(&[("GITHUB_API_URL", "ftp://x")]).unwrap_err().0,
            "GITHUB_API_URL"
        );
        assert_eq!(
            from(&[("BADGER_GITHUB_TIMEOUT_SECS", "0")]).unwrap_err().0,
            "BADGER_GITHUB_TIMEOUT_SECS"
        );
    }
}
