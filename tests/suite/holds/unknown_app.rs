//! A hold on an app badger never knew (a typo, where the policy lists no apps) is placed, as
//! a hold on an app before its first deployment must be, but the answer says it holds
//! nothing yet and names the closest app badger knows.

use super::*;

async fn a_hold_on_an_unknown_app_says_so(backend: Backend) {
    let t = TestApp::start(backend).await;
    let r = t.deploy(ALICE, "whitehall r1 to integration").await;
    r.assert_says("You're deploying");

    let typo = t.hold(BOB, "whitehal database migration").await;
    typo.assert_says("is in place");
    typo.assert_says("badger knows no app called *whitehal*");
    typo.assert_says("Did you mean *whitehall*?");
    // An app it knows (live here), and the whole estate: no such line.
    let r = t.hold(CAROL, "whitehall database migration").await;
    r.assert_never_says("knows no app");
    let r = t.hold(DAVE, "all incident").await;
    r.assert_never_says("knows no app");
    // Nothing close: said without a guess.
    let far = t.hold(ERIN, "brand-new-service launch prep").await;
    far.assert_says("knows no app called *brand-new-service*");
    far.assert_never_says("Did you mean");
    t.stop().await;
}
on_both_backends!(a_hold_on_an_unknown_app_says_so);
