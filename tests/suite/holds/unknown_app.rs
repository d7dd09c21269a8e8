//! A hold on an app badger never knew (a typo, where the policy lists no apps) is placed, as
//! a hold on an app before its first deployment must be, but the answer says it holds
//! nothing yet and names the closest app badger knows.

use super::*;

async fn a_hold_on_an_unknown_app_says_so(backend: Backend) {
    let t = TestApp::start(backend).await;
    let r = t.deploy(ALICE, "whitehall r1 to integration").await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());

    let typo = t.hold(BOB, "whitehal database migration").await.text();
    assert!(typo.contains("is in place"), "{typo}");
    assert!(
        typo.contains("badger knows no app called *whitehal*")
            && typo.contains("Did you mean *whitehall*?"),
        "{typo}"
    );
    // An app it knows (live here), and the whole estate: no such line.
    let known = t.hold(CAROL, "whitehall database migration").await.text();
    assert!(!known.contains("knows no app"), "{known}");
    let all = t.hold(DAVE, "all incident").await.text();
    assert!(!all.contains("knows no app"), "{all}");
    // Nothing close: said without a guess.
    let far = t.hold(ERIN, "brand-new-service launch prep").await.text();
    assert!(
        far.contains("knows no app called *brand-new-service*") && !far.contains("Did you mean"),
        "{far}"
    );
    t.stop().await;
}
on_both_backends!(a_hold_on_an_unknown_app_says_so);
