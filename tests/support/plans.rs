//! Query-plan checks shared by the read-path tests: what a page of the history API may
//! do on each backend (plans as EXPLAIN prints them, one line per node).

use super::db::Backend;
use badger::store::read_sql;

/// No page reads the whole table. A page with no filter, or with one filter, reads an
/// index (or the primary key) in id order and stops at its LIMIT: no sort. The selective
/// filters (app, requester, a finished state) search their index; an environment, a third
/// of the rows, may walk the primary key instead, which the LIMIT bounds just the same.
/// Combined filters may intersect indexes and sort the few rows that match both.
/// `/deploy history`'s page (an app's finished deployments, perhaps in one environment)
/// walks that app's index (and environment's) in id order, leaving out the few live rows
/// as it goes: never a sort, however long the app's history.
pub fn check_history_page(backend: Backend, shape: read_sql::PageShape, plan: &[String]) {
    let text = plan.join("\n");
    if shape.finished && shape.app {
        let index = if shape.environment {
            "deployments_app_env"
        } else {
            "deployments_app_id"
        };
        assert!(
            text.contains(index),
            "{shape:?} does not walk {index}:\n{text}"
        );
        assert!(
            !text.contains("TEMP B-TREE") && !text.contains("Sort"),
            "{shape:?} sorts:\n{text}"
        );
    }
    let filters = [
        shape.app,
        shape.environment,
        shape.state.is_some(),
        shape.requester,
    ]
    .iter()
    .filter(|f| **f)
    .count();
    let selective = shape.app || shape.state.is_some() || shape.requester;
    match backend {
        Backend::Sqlite => {
            if filters <= 1 {
                assert!(!text.contains("TEMP B-TREE"), "{shape:?} sorts:\n{text}");
            }
            if selective {
                assert!(
                    text.contains("SEARCH deployments USING INDEX")
                        || text.contains("SEARCH deployments USING COVERING INDEX"),
                    "{shape:?} does not search an index:\n{text}"
                );
            } else {
                // Bare SCAN here is the rowid (id) walked backwards, bounded by the LIMIT.
                assert!(
                    text == "SCAN deployments" || text.starts_with("SEARCH deployments"),
                    "{shape:?}:\n{text}"
                );
            }
        }
        Backend::Postgres => {
            assert!(!text.contains("Seq Scan"), "{shape:?} scans:\n{text}");
            if filters <= 1 {
                assert!(!text.contains("Sort"), "{shape:?} sorts:\n{text}");
            }
            if selective {
                assert!(text.contains("Index"), "{shape:?} uses no index:\n{text}");
            }
        }
    }
}
