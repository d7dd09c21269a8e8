//! The people the tests act as: Slack user ids, one definition for every test file.

pub const ALICE: &str = "U0ALICE";
pub const BOB: &str = "U0BOB";
pub const CAROL: &str = "U0CAROL";
pub const DAVE: &str = "U0DAVE";
pub const ERIN: &str = "U0ERIN";
/// The policies' admin (`admins = ["U0ADMIN"]`).
pub const ADMIN: &str = "U0ADMIN";
