//! Who may write to the CI API: the bearer token of each write, compared in constant time
//! with every configured token (`BADGER_API_TOKEN` for all apps, `BADGER_API_TOKENS` each
//! for some), gives the scope the call acts in. Out-of-scope answers are worded here too.

use super::error;
use crate::config::Settings;
use crate::domain::ci_scope::CiScope;
use crate::domain::names::AppName;
use crate::http::AppState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use sha2::Digest;
use subtle::{ConditionallySelectable, ConstantTimeEq};

type TokenDigest = [u8; 32];

fn digest(token: &str) -> TokenDigest {
    sha2::Sha256::digest(token.as_bytes()).into()
}

/// The configured tokens, kept only as digests, each with its scope.
#[derive(Default)]
pub struct ApiKeys {
    keys: Vec<(TokenDigest, CiScope)>,
}

impl ApiKeys {
    pub fn from_settings(s: &Settings) -> ApiKeys {
        let all = s.api_token.iter().map(|t| (digest(t), CiScope::AllApps));
        let scoped = s.api_tokens.iter().map(|t| (digest(&t.token), t.scope()));
        ApiKeys {
            keys: all.chain(scoped).collect(),
        }
    }

    /// The scope of `given`, if it is a configured token. Every digest is compared, and the
    /// match is picked without a branch, so the time taken says nothing of which token (if
    /// any) matched; settings refuse a token given twice, so at most one does.
    fn scope_of(&self, given: &str) -> Option<&CiScope> {
        let given = digest(given);
        let none = u32::MAX;
        let mut found = none;
        for (i, (key, _)) in self.keys.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(none);
            found.conditional_assign(&i, given.as_slice().ct_eq(key.as_slice()));
        }
        self.keys.get(found as usize).map(|(_, scope)| scope)
    }
}

/// Write calls need `Authorization: Bearer TOKEN`, a token of `BADGER_API_TOKEN` or
/// `BADGER_API_TOKENS`; the answer is the apps that token may act on.
pub(super) fn authorize(s: &AppState, headers: &HeaderMap) -> Result<CiScope, Box<Response>> {
    if s.api_keys.keys.is_empty() {
        return Err(Box::new(error(
            StatusCode::FORBIDDEN,
            "the write API is disabled: set BADGER_API_TOKEN (every app) or BADGER_API_TOKENS (tokens for some apps)",
        )));
    }
    let given = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .unwrap_or("");
    match s.api_keys.scope_of(given) {
        Some(scope) => {
            // Which token it was, as far as logs may say: its apps, never the token.
            crate::telemetry::record("ci_scope", &scope.label());
            Ok(scope.clone())
        }
        None => Err(Box::new(error(
            StatusCode::UNAUTHORIZED,
            "missing or wrong bearer token",
        ))),
    }
}

/// The token of an `Authorization: Bearer TOKEN` header; the scheme is case-insensitive.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim_start_matches(' '))
}

/// 403 for a scoped token acting on another app: `deployment` is the deployment an event
/// was for, `None` for a new report.
pub(super) fn out_of_scope(allowed: &[AppName], app: &str, deployment: Option<i64>) -> Response {
    let body =
        json!({ "error": "forbidden", "message": out_of_scope_message(allowed, app, deployment) });
    (StatusCode::FORBIDDEN, Json(body)).into_response()
}

fn out_of_scope_message(allowed: &[AppName], app: &str, deployment: Option<i64>) -> String {
    let apps = match allowed {
        [] => "no app".to_owned(),
        [one] => one.to_string(),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(AppName::as_str).collect();
            format!("{} or {last}", rest.join(", "))
        }
    };
    match deployment {
        None => format!("this token may report deployments of {apps} only, not {app}"),
        Some(id) => format!(
            "deployment #{id} is of {app}; this token may report deployments of {apps} only"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(tokens: &[(&str, CiScope)]) -> ApiKeys {
        ApiKeys {
            keys: tokens.iter().map(|(t, s)| (digest(t), s.clone())).collect(),
        }
    }

    #[test]
    fn each_token_gives_its_own_scope() {
        let whitehall = CiScope::Apps(vec![AppName::parse("whitehall").unwrap()]);
        let k = keys(&[
            ("all-token", CiScope::AllApps),
            ("wh-token", whitehall.clone()),
        ]);
        assert_eq!(k.scope_of("all-token"), Some(&CiScope::AllApps));
        assert_eq!(k.scope_of("wh-token"), Some(&whitehall));
        for wrong in ["", "wh-toke", "wh-token ", "WH-TOKEN", "other"] {
            assert_eq!(k.scope_of(wrong), None, "{wrong:?}");
        }
        assert_eq!(ApiKeys::default().scope_of(""), None);
    }

    #[test]
    fn out_of_scope_names_the_apps_the_token_may_report() {
        let apps: Vec<AppName> = ["whitehall", "publisher", "frontend"]
            .iter()
            .map(|a| AppName::parse(a).unwrap())
            .collect();
        assert_eq!(
            out_of_scope_message(&apps[..1], "collections", None),
            "this token may report deployments of whitehall only, not collections"
        );
        assert_eq!(
            out_of_scope_message(&apps[..2], "collections", None),
            "this token may report deployments of whitehall or publisher only, not collections"
        );
        assert_eq!(
            out_of_scope_message(&apps, "collections", Some(7)),
            "deployment #7 is of collections; this token may report deployments of whitehall, publisher or frontend only"
        );
    }
}
