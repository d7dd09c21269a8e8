//! Who may write: the bearer token on every write, and the write API switched off
//! when no token is configured.

use super::*;
use crate::support::driver::API_TOKEN;

async fn writes_need_the_bearer_token(backend: Backend) {
    let t = TestApp::start(backend).await;
    let body = started("whitehall", "r1", "integration").to_string();
    let wrong = [
        None,
        Some("Bearer wrong-token-0123456789abcdef".to_owned()),
        Some(format!("Bearer {API_TOKEN}x")),
        Some(format!("Bearer {}", &API_TOKEN[..API_TOKEN.len() - 1])),
        Some("Bearer ".to_owned()),
        Some(API_TOKEN.to_owned()),
        Some(format!("Basic {API_TOKEN}")),
        Some(format!("Token {API_TOKEN}")),
    ];
    for auth in &wrong {
        for path in ["/api/v1/deployments", "/api/v1/deployments/1/events"] {
            let a = post(&t, path, auth.as_deref(), &body).await;
            assert_eq!(a.status, 401, "{path} with {auth:?}: {:?}", a.json);
            assert!(a.error().contains("bearer token"), "{:?}", a.json);
        }
    }
    assert_nothing_stored(&t, "after 401s").await;

    // The scheme is case-insensitive (RFC 9110); the token is not.
    let a = post(
        &t,
        "/api/v1/deployments",
        Some(&format!("bearer {API_TOKEN}")),
        &body,
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json);
    let a = post(
        &t,
        "/api/v1/deployments",
        Some(&format!("Bearer {}", API_TOKEN.to_uppercase())),
        &started("publisher", "r1", "staging").to_string(),
    )
    .await;
    assert_eq!(a.status, 401);
    t.stop().await;
}
on_both_backends!(writes_need_the_bearer_token);

async fn without_a_token_the_write_api_is_off(backend: Backend) {
    let t = TestApp::start_without_api_token(backend).await;
    let body = started("whitehall", "r1", "integration").to_string();
    for auth in [None, Some(bearer()), Some("Bearer ".to_owned())] {
        for path in ["/api/v1/deployments", "/api/v1/deployments/1/events"] {
            let a = post(&t, path, auth.as_deref(), &body).await;
            assert_eq!(a.status, 403, "{path} with {auth:?}");
            assert!(
                a.error()
                    .contains("set BADGER_API_TOKEN (every app) or BADGER_API_TOKENS"),
                "{:?}",
                a.json
            );
        }
    }
    assert_nothing_stored(&t, "write API off").await;
    // Reading still works.
    let a = get(
        &t,
        "/api/v1/deploy-check?app=whitehall&environment=integration",
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(get(&t, "/api/v1/status").await.status, 200);
    t.stop().await;
}
on_both_backends!(without_a_token_the_write_api_is_off);
