//! Policy text with every environment always open and without the promotion rule, for
//! runs on the real clock (a write only ever queues or starts, at any time of day).
//! Self-contained (no `super::`), so both the tests and `examples/loadgen` can include it
//! with `#[path]`.

/// The policy (TOML) of deploy channel `channel` and the environments `envs`, in that
/// order, each with `window = "always"` and `requires_previous = false`.
pub fn always_open(channel: &str, envs: &[&str]) -> String {
    let mut policy = format!("\nchannel = \"{channel}\"\n");
    for env in envs {
        policy.push_str(&format!(
            "[[environments]]\nname = \"{env}\"\nwindow = \"always\"\nrequires_previous = false\n"
        ));
    }
    policy
}
