//! `BADGER_API_TOKENS`: CI tokens each scoped to some apps, written
//! `whitehall=TOKEN_A,publisher=TOKEN_B,whitehall+frontend=TOKEN_C`. Parsed once at start;
//! an error names the entry by its place (and its apps once they parse), never its token.

use crate::domain::ci_scope::CiScope;
use crate::domain::names::AppName;
use std::fmt;

/// The variable's name, as errors and warnings say it.
pub const API_TOKENS_VAR: &str = "BADGER_API_TOKENS";

/// How an entry is written, said with every error about an entry's shape.
const SHAPE: &str = "write each entry as APP=TOKEN (APP+APP=TOKEN for a token several apps share), entries separated by commas";

/// One token and the apps it may report deployments of.
#[derive(Clone, PartialEq, Eq)]
pub struct ScopedToken {
    /// Never empty; no app twice.
    pub apps: Vec<AppName>,
    pub token: String,
}

impl ScopedToken {
    pub fn scope(&self) -> CiScope {
        CiScope::Apps(self.apps.clone())
    }

    /// The apps as the entry wrote them (`whitehall+publisher`).
    fn named(&self) -> String {
        self.scope().label()
    }
}

impl fmt::Debug for ScopedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScopedToken")
            .field("apps", &self.named())
            .field("token", &"<redacted>")
            .finish()
    }
}

/// Parses the variable's value (trimmed, not empty). No token may be given twice, nor be
/// `all_apps` (`BADGER_API_TOKEN`): a token must have one scope. The message of an error
/// follows the variable's name.
pub(super) fn parse(value: &str, all_apps: Option<&str>) -> Result<Vec<ScopedToken>, String> {
    let mut out: Vec<ScopedToken> = Vec::new();
    for (i, entry) in value.split(',').enumerate() {
        let n = i + 1;
        let entry = entry.trim();
        if entry.is_empty() {
            return Err(format!(
                "entry {n} is empty (two commas in a row, or one at the end): {SHAPE}"
            ));
        }
        // App names hold no `=`; a token may (base64 padding), so the first one splits.
        let Some((names, token)) = entry.split_once('=') else {
            // The entry is not shown: it may be a token pasted alone.
            return Err(format!("entry {n} has no `=`: {SHAPE}"));
        };
        let t = ScopedToken {
            apps: apps(n, names)?,
            token: token.trim().to_owned(),
        };
        let which = format!("entry {n} ({})", t.named());
        if t.token.is_empty() {
            return Err(format!("{which} has an empty token after `=`"));
        }
        if !t.token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!(
                "{which}: its token holds a space or a character that is not printable ASCII, so it cannot be sent in an Authorization header"
            ));
        }
        if all_apps == Some(t.token.as_str()) {
            return Err(format!(
                "{which} has the same token as BADGER_API_TOKEN, which already allows every app: give it a token of its own"
            ));
        }
        if let Some((j, first)) = out.iter().enumerate().find(|(_, o)| o.token == t.token) {
            return Err(format!(
                "entries {} ({}) and {n} ({}) have the same token: give each entry its own token, or write one entry for all their apps ({}+{}=TOKEN)",
                j + 1,
                first.named(),
                t.named(),
                first.named(),
                t.named()
            ));
        }
        out.push(t);
    }
    Ok(out)
}

/// The apps before an entry's `=`. A name that is not an application name is not shown
/// either: entry and token may have been written the wrong way round.
fn apps(n: usize, names: &str) -> Result<Vec<AppName>, String> {
    let mut apps: Vec<AppName> = Vec::new();
    for (k, name) in names.split('+').enumerate() {
        let Ok(app) = AppName::parse(name.trim()) else {
            return Err(format!(
                "entry {n}: app {} before `=` is not an application name (lower-case letters, digits, `.`, `_` or `-`, starting with a letter or digit, at most 64): {SHAPE}",
                k + 1
            ));
        };
        if apps.contains(&app) {
            return Err(format!("entry {n} names {app} twice"));
        }
        apps.push(app);
    }
    Ok(apps)
}

/// What is allowed but unwise: a short token, an app the policy does not list.
pub(super) fn warnings(
    tokens: &[ScopedToken],
    policy_apps: &[AppName],
    advised: usize,
) -> Vec<String> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if t.token.chars().count() < advised {
            out.push(format!(
                "{API_TOKENS_VAR}: the token of entry {} ({}) is shorter than {advised} characters, so it is easy to guess; it works, but use a long random token (e.g. `openssl rand -hex 32`)",
                i + 1,
                t.named()
            ));
        }
        if policy_apps.is_empty() {
            continue;
        }
        for app in t.apps.iter().filter(|a| !policy_apps.contains(a)) {
            out.push(format!(
                "{API_TOKENS_VAR}: entry {} names {app}, which is not one of the policy's `apps`, so reports of it are refused (422)",
                i + 1
            ));
        }
    }
    out
}

#[cfg(test)]
#[path = "api_tokens_tests.rs"]
mod tests;
