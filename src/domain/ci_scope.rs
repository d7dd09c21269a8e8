//! What a CI token may act on: every app (`BADGER_API_TOKEN`) or only the apps it was given
//! (`BADGER_API_TOKENS`).

use super::names::AppName;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CiScope {
    AllApps,
    /// Never empty.
    Apps(Vec<AppName>),
}

impl CiScope {
    pub fn allows(&self, app: &str) -> bool {
        match self {
            CiScope::AllApps => true,
            CiScope::Apps(apps) => apps.iter().any(|a| a.as_str() == app),
        }
    }

    /// As `BADGER_API_TOKENS` writes it (`whitehall+publisher`), or `all` for the all-apps
    /// token: what logs say of a request's token, never the token itself.
    pub fn label(&self) -> String {
        match self {
            CiScope::AllApps => "all".to_owned(),
            CiScope::Apps(apps) => apps
                .iter()
                .map(AppName::as_str)
                .collect::<Vec<_>>()
                .join("+"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apps(names: &[&str]) -> CiScope {
        CiScope::Apps(names.iter().map(|n| AppName::parse(n).unwrap()).collect())
    }

    #[test]
    fn a_scope_allows_its_apps_and_the_all_apps_scope_every_app() {
        let scope = apps(&["whitehall", "publisher"]);
        assert!(scope.allows("whitehall") && scope.allows("publisher"));
        assert!(!scope.allows("frontend"));
        assert!(!scope.allows("whitehall2"));
        assert!(CiScope::AllApps.allows("frontend"));
        assert_eq!(scope.label(), "whitehall+publisher");
        assert_eq!(CiScope::AllApps.label(), "all");
    }
}
