//! Turning a word into an app or an environment of the workspace.

use super::error::{Form, ParseError};
use super::suggest::closest;
use super::CommandContext;
use crate::domain::names::{AppName, EnvName};

/// The configured environment named `word` (ASCII case-insensitive), as configured.
pub(crate) fn exact_env(word: &str, ctx: &CommandContext) -> Option<EnvName> {
    ctx.environments
        .iter()
        .find(|env| env.as_str().eq_ignore_ascii_case(word))
        .cloned()
}

/// The environment the user probably meant by a word that names none.
pub(crate) fn suggest_env(word: &str, ctx: &CommandContext) -> Option<EnvName> {
    let names: Vec<&str> = ctx.environments.iter().map(EnvName::as_str).collect();
    closest(word, &names).and_then(|i| ctx.environments.get(i).cloned())
}

/// The environment named `word`; an unknown name is an error with a suggestion.
/// A unique prefix (`prod`) is suggested, never silently accepted.
pub(crate) fn resolve_env(
    word: &str,
    form: Form,
    ctx: &CommandContext,
) -> Result<EnvName, ParseError> {
    exact_env(word, ctx).ok_or_else(|| ParseError::UnknownEnvironment {
        form,
        given: word.to_owned(),
        suggestion: suggest_env(word, ctx),
    })
}

/// Whether `word` is one of the configured apps (always false when any slug is allowed).
pub(crate) fn is_configured_app(word: &str, ctx: &CommandContext) -> bool {
    ctx.apps.iter().any(|app| app.as_str() == word)
}

/// The app named `word`: a valid slug, and one of the configured apps if there is a list.
pub(crate) fn resolve_app(
    word: &str,
    form: Form,
    ctx: &CommandContext,
) -> Result<AppName, ParseError> {
    let app = AppName::parse(word).map_err(|error| ParseError::InvalidApp { form, error })?;
    if ctx.apps.is_empty() || ctx.apps.contains(&app) {
        return Ok(app);
    }
    let names: Vec<&str> = ctx.apps.iter().map(AppName::as_str).collect();
    Err(ParseError::UnknownApp {
        form,
        given: word.to_owned(),
        suggestion: closest(word, &names).and_then(|i| ctx.apps.get(i).cloned()),
    })
}
