//! The promotion rule: a ref reaches environment k only after it succeeded in k-1.

use super::deployment::{Deployment, State};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromotionCheck {
    Allowed,
    /// Nothing of this app has finished in the previous environment.
    NeverDeployed,
    /// The latest finished deployment there was another ref, or this ref but it failed.
    LatestDiffers {
        latest_ref: String,
        latest_state: State,
    },
}

/// `latest_previous` is the most recent *finished* (succeeded or failed) deployment of the
/// app to the previous environment.
pub fn check(latest_previous: Option<&Deployment>, git_ref: &str) -> PromotionCheck {
    check_latest(
        latest_previous.map(|d| (d.git_ref.as_str(), d.state)),
        git_ref,
    )
}

/// The rule on what it reads of that deployment: its ref and its state (the versions view
/// holds no more of it).
pub fn check_latest(latest_previous: Option<(&str, State)>, git_ref: &str) -> PromotionCheck {
    match latest_previous {
        None => PromotionCheck::NeverDeployed,
        Some((r, State::Succeeded)) if r == git_ref => PromotionCheck::Allowed,
        Some((r, state)) => PromotionCheck::LatestDiffers {
            latest_ref: r.to_owned(),
            latest_state: state,
        },
    }
}
