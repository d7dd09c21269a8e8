//! Newtypes that parse at the edge: once a value is an `AppName` or `GitRef`, it is valid.

use std::fmt;

/// Why a name was rejected; the message is shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NameError(pub String);

/// An application slug: `[a-z0-9][a-z0-9._-]{0,63}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct AppName(String);

impl AppName {
    pub fn parse(s: &str) -> Result<Self, NameError> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes().enumerate().all(|(i, b)| {
                b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || (i > 0 && matches!(b, b'.' | b'_' | b'-'))
            });
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(NameError(format!(
                "`{}` is not an application name: use lower-case letters, digits, `.`, `_` or `-` (at most 64, starting with a letter or digit)",
                shorten(s)
            )))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What is deployed: a tag, branch or commit, `[A-Za-z0-9][A-Za-z0-9._/+-]{0,99}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct GitRef(String);

impl GitRef {
    pub fn parse(s: &str) -> Result<Self, NameError> {
        let ok = !s.is_empty()
            && s.len() <= 100
            && s.bytes().enumerate().all(|(i, b)| {
                b.is_ascii_alphanumeric()
                    || (i > 0 && matches!(b, b'.' | b'_' | b'/' | b'+' | b'-'))
            });
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(NameError(format!(
                "`{}` is not a ref: use a tag, branch or commit of letters, digits and `._/+-` (at most 100, starting with a letter or digit)",
                shorten(s)
            )))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An environment named in the policy file. Only `Policy` hands these out, so an
/// `EnvName` always names a configured environment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct EnvName(String);

impl EnvName {
    /// For configuration loading and the parser, which check membership themselves.
    pub fn new_unchecked(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! display_as_str {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}
display_as_str!(AppName, GitRef, EnvName);

/// Keeps error messages short when someone pastes a paragraph where a name goes.
fn shorten(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_names() {
        assert!(AppName::parse("whitehall").is_ok());
        assert!(AppName::parse("collections-publisher.v2_x").is_ok());
        assert!(AppName::parse(&"a".repeat(64)).is_ok());
        assert!(AppName::parse(&"a".repeat(65)).is_err());
        assert!(AppName::parse("").is_err());
        assert!(AppName::parse("-x").is_err());
        assert!(AppName::parse("Whitehall").is_err());
        assert!(AppName::parse("<!channel>").is_err());
    }

    #[test]
    fn refs() {
        assert!(GitRef::parse("release_123").is_ok());
        assert!(GitRef::parse("feature/x+y-1.2").is_ok());
        assert!(GitRef::parse("0a1b2c3d").is_ok());
        assert!(GitRef::parse(&"r".repeat(100)).is_ok());
        assert!(GitRef::parse(&"r".repeat(101)).is_err());
        assert!(GitRef::parse("/x").is_err());
        assert!(GitRef::parse("a b").is_err());
        assert!(GitRef::parse("<@U1>").is_err());
    }
}
