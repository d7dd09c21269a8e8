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
        let lower = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        let what = "an application name: use lower-case letters, digits, `.`, `_` or `-`";
        slug(s, 64, lower, b"._-", what).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What is deployed: a tag, branch or commit, `[A-Za-z0-9][A-Za-z0-9._/+-]{0,99}`, that
/// git itself would allow as a ref name (see [`git_refuses`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct GitRef(String);

impl GitRef {
    pub fn parse(s: &str) -> Result<Self, NameError> {
        let what = "a ref: use a tag, branch or commit of letters, digits and `._/+-`";
        let s = slug(s, 100, u8::is_ascii_alphanumeric, b"._/+-", what)?;
        match git_refuses(&s) {
            Some(why) => Err(NameError(format!(
                "`{}` is not a ref: git refs {why}",
                shorten(&s)
            ))),
            None => Ok(Self(s)),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `s` if it is 1 to `max` bytes, each a `letter` or, after the first, one of `marks`;
/// otherwise an error saying it is not `what`.
fn slug(
    s: &str,
    max: usize,
    letter: impl Fn(&u8) -> bool,
    marks: &[u8],
    what: &str,
) -> Result<String, NameError> {
    let ok = !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .enumerate()
            .all(|(i, b)| letter(&b) || (i > 0 && marks.contains(&b)));
    if ok {
        Ok(s.to_owned())
    } else {
        Err(NameError(format!(
            "`{}` is not {what} (at most {max}, starting with a letter or digit)",
            shorten(s)
        )))
    }
}

/// Which of git's ref-name rules (`git check-ref-format`) a slug breaks, in words, if any.
/// The ones the slug's characters leave possible matter beyond git: a ref goes into GitHub
/// API paths, where a `..` or `.` segment would climb out of the repository.
fn git_refuses(s: &str) -> Option<&'static str> {
    if s.contains("..") {
        Some("cannot contain `..`")
    } else if s.contains("//") {
        Some("cannot contain `//`")
    } else if s.ends_with('/') {
        Some("cannot end with `/`")
    } else if s.ends_with('.') {
        Some("cannot end with `.`")
    } else if s.contains("/.") {
        Some("cannot have a `.` right after a `/`")
    } else if s.split('/').any(|part| part.ends_with(".lock")) {
        Some("cannot have a part ending with `.lock`")
    } else {
        None
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
    fn app_names_and_refs() {
        let (a64, a65) = ("a".repeat(64), "a".repeat(65));
        let (r100, r101) = ("r".repeat(100), "r".repeat(101));
        let both = [
            "whitehall",
            "collections-publisher.v2_x",
            &a64,
            "release_123",
            "0a1b2c3d",
        ];
        let only_a_ref = [&a65, "Whitehall", "feature/x+y-1.2", &r100];
        let neither = ["", "-x", "<!channel>", &r101, "/x", "a b", "<@U1>"];
        for (texts, app, git_ref) in [(&both[..], true, true), (&only_a_ref, false, true)] {
            for s in texts {
                assert_eq!(AppName::parse(s).is_ok(), app, "app {s:?}");
                assert_eq!(GitRef::parse(s).is_ok(), git_ref, "ref {s:?}");
            }
        }
        for s in neither {
            assert!(
                AppName::parse(s).is_err() && GitRef::parse(s).is_err(),
                "{s:?}"
            );
        }
    }

    /// What `git check-ref-format` refuses is refused, with the rule in the message: a
    /// ref goes into GitHub API paths, where `..` would climb out of the repository.
    #[test]
    fn refs_git_refuses() {
        let refused = [
            ("a/../../../../../user", "cannot contain `..`"),
            ("a..b", "cannot contain `..`"),
            ("v1...v2", "cannot contain `..`"),
            ("a//b", "cannot contain `//`"),
            ("feature/", "cannot end with `/`"),
            ("release.", "cannot end with `.`"),
            ("a/.hidden", "cannot have a `.` right after a `/`"),
            ("a/./b", "cannot have a `.` right after a `/`"),
            ("main.lock", "cannot have a part ending with `.lock`"),
            ("a.lock/b", "cannot have a part ending with `.lock`"),
        ];
        for (s, why) in refused {
            let e = GitRef::parse(s).expect_err(s);
            assert!(
                e.0.starts_with(&format!("`{s}` is not a ref: git refs")),
                "{e}"
            );
            assert!(e.0.contains(why), "{s:?}: {e}");
        }
        for s in [
            "a.b/c.d",
            "v1.2.3",
            "lock",
            "a/lock.x",
            "a.locked",
            "x/y+z-1_2",
        ] {
            assert!(GitRef::parse(s).is_ok(), "{s:?}");
        }
        // `@{` and `@` alone are outside the characters already.
        assert!(GitRef::parse("a@{1}").is_err() && GitRef::parse("@").is_err());
    }
}
