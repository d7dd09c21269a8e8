//! The SQL of the read paths whose cost must not grow with the history (status, versions,
//! the dashboard, deploy-check, the promotion rule). Public so a test can check their
//! query plans on both backends against a large table.

/// Every column of `deployments`, in the order `Row` reads them.
macro_rules! columns {
    () => {
        "id, app, git_ref, environment, requester, channel, note, emergency_reason, \
         source, state, priority, queue_key, outcome_note, ci_url, requested_at, called_at, \
         started_at, finished_at, ended_at, reminded_at, after_close_reminded_at, hold_notified, \
         passed_over, started_by, ended_by"
    };
}

pub(super) const COLUMNS: &str = columns!();

/// Queued, called and deploying in every environment (the `deployments_live` partial index).
pub const LIVE_ALL: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM deployments WHERE state IN ('queued', 'called', 'deploying') \
     ORDER BY environment, priority DESC, queue_key, id"
);

/// The same in one environment (`$1`).
pub const LIVE_ENV: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM deployments WHERE state IN ('queued', 'called', 'deploying') AND environment = $1 \
     ORDER BY environment, priority DESC, queue_key, id"
);

/// A new request's facts in environment `$1`: its active deployment, and requester `$2`'s
/// own live entry for app `$3` at ref `$4`. Two index lookups, never a walk of the queue.
pub const ACTIVE_AND_DUPLICATE: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM deployments WHERE environment = $1 AND state IN ('called', 'deploying') \
     UNION ALL SELECT ",
    columns!(),
    " FROM deployments WHERE requester = $2 AND state IN ('queued', 'called', 'deploying') \
     AND environment = $1 AND app = $3 AND git_ref = $4"
);

/// Those ahead of a newcomer in environment `ENV` at priority `PRIORITY` or higher, but
/// `ID`, as one row: `waiting`, how many wait at that priority or higher (`queue_counts`,
/// kept by triggers: the newcomer's position without counting the queue), and `ahead`, the
/// first `LIMIT` of them (one bounded walk of the queue's index) as a JSON array of what a
/// reply shows of each (`domain::queue::InLine`) and their order.
///
/// One row, not one per entry: each row is a hand-off between the SQLite connection's
/// thread and the writer, and nine rows were a quarter of a queued write's serial work.
/// `OBJECT` and `ARRAY` are the backend's JSON functions. Written once and given its
/// placeholders by each use.
macro_rules! first_ahead {
    ($object:literal, $array:literal, $env:literal, $priority:literal, $id:literal, $limit:literal) => {
        concat!(
            "SELECT (SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM queue_counts \
             WHERE environment = ",
            $env,
            " AND priority >= ",
            $priority,
            ") AS waiting, (SELECT CAST(COALESCE(",
            $array,
            "(",
            $object,
            "('id', id, 'requester', requester, 'app', app, 'git_ref', git_ref, \
             'state', state, 'priority', priority, 'queue_key', queue_key)), '[]') AS TEXT) \
             FROM (SELECT id, requester, app, git_ref, state, priority, queue_key \
             FROM deployments WHERE environment = ",
            $env,
            " AND state = 'queued' AND priority >= ",
            $priority,
            " AND id <> ",
            $id,
            " ORDER BY priority DESC, queue_key, id LIMIT ",
            $limit,
            ") first) AS ahead"
        )
    };
    (sqlite: $($rest:literal),*) => {
        first_ahead!("json_object", "json_group_array", $($rest),*)
    };
    (postgres: $($rest:literal),*) => {
        first_ahead!("json_build_object", "json_agg", $($rest),*)
    };
}

/// [`first_ahead!`] of a deployment already stored: environment `$1`, priority `$2`, id
/// `$3`, at most `$4`.
pub const FIRST_AHEAD_SQLITE: &str = first_ahead!(sqlite: "$1", "$2", "$3", "$4");
/// The same on PostgreSQL.
pub const FIRST_AHEAD_POSTGRES: &str = first_ahead!(postgres: "$1", "$2", "$3", "$4");

/// [`first_ahead!`] of the deployment a SQLite `INSERT` just made, in the same query: its
/// environment and priority are that insert's `$3` and `$10`, at most `$19` (after the
/// audit line's `$16`-`$18`).
pub(super) const FIRST_AHEAD_OF_INSERTED: &str =
    first_ahead!(sqlite: "$3", "$10", "last_insert_rowid()", "$19");

/// [`first_ahead!`] of the deployment a PostgreSQL `INSERT` in the same statement makes
/// (the same placeholders): that statement reads the queue as it was before the insert, so
/// no id needs leaving out, and `waiting` does not count the newcomer.
pub(super) const FIRST_AHEAD_OF_INSERTING: &str = first_ahead!(postgres: "$3", "$10", "0", "$19");

/// The latest finished deployment of app `$1` in environment `$2`: one probe of
/// `deployments_latest_finished`.
pub const LATEST_FINISHED: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM deployments WHERE app = $1 AND environment = $2 \
     AND state IN ('succeeded', 'failed') ORDER BY finished_at DESC, id DESC LIMIT 1"
);

/// The newest `$1` finished deployments: the top of `deployments_history`.
pub const HISTORY: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM deployments WHERE state IN ('succeeded', 'failed', 'cancelled', 'expired') \
     ORDER BY updated_at DESC, id DESC LIMIT $1"
);

/// The same on SQLite, told which index to walk: without statistics (badger never runs
/// ANALYZE) SQLite picked `deployments_finished_state_id` and sorted every finished row,
/// 0.7 s per dashboard at a million rows.
pub const HISTORY_SQLITE: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM deployments INDEXED BY deployments_history \
     WHERE state IN ('succeeded', 'failed', 'cancelled', 'expired') \
     ORDER BY updated_at DESC, id DESC LIMIT $1"
);

/// The newest `$2` finished deployments of app `$1`: the top of its slice of
/// `deployments_app_history`.
pub const HISTORY_APP: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM deployments WHERE app = $1 AND state IN ('succeeded', 'failed', 'cancelled', 'expired') \
     ORDER BY updated_at DESC, id DESC LIMIT $2"
);

/// Every app's current version per environment, from `current_versions`, with the latest
/// failure there from `latest_failures` when it came after (finished_at, then id: the order
/// of [`LATEST_FINISHED`]): then it is the latest finished deployment there. Two primary
/// keys, apps x environments rows; never the history.
macro_rules! versions {
    ($filter:literal) => {
        concat!(
            "SELECT v.app, v.environment, v.git_ref, v.finished_at, v.requester, \
             f.git_ref, f.finished_at, f.requester \
             FROM current_versions v LEFT JOIN latest_failures f \
             ON f.app = v.app AND f.environment = v.environment \
             AND (f.finished_at > v.finished_at \
               OR (f.finished_at = v.finished_at AND f.deployment_id > v.deployment_id))",
            $filter,
            " ORDER BY v.app, v.environment"
        )
    };
}

/// Every app's.
pub const VERSIONS_ALL: &str = versions!("");

/// One app's (`$1`).
pub const VERSIONS_APP: &str = versions!(" WHERE v.app = $1");

/// The start of every statement that fills `TABLE`, one of the latest-of-a-state tables:
/// its columns, selected from what follows (the deployments, or a query of them).
macro_rules! into_latest {
    ($table:literal) => {
        concat!(
            "INSERT INTO ",
            $table,
            " (app, environment, deployment_id, git_ref, requester, finished_at) \
             SELECT app, environment, id, git_ref, requester, finished_at FROM "
        )
    };
}

/// Makes deployment `$1`, just finished in `STATE`, the latest of that state of its app in
/// its environment in `TABLE`, unless a later one (by finished_at, then id: the order
/// versions always used) is already recorded there.
macro_rules! record_latest {
    ($table:literal, $state:literal) => {
        concat!(
            into_latest!($table),
            "deployments WHERE id = $1 AND state = '",
            $state,
            "' AND finished_at IS NOT NULL \
             ON CONFLICT (app, environment) DO UPDATE SET deployment_id = excluded.deployment_id, \
             git_ref = excluded.git_ref, requester = excluded.requester, \
             finished_at = excluded.finished_at \
             WHERE excluded.finished_at > ",
            $table,
            ".finished_at OR (excluded.finished_at = ",
            $table,
            ".finished_at AND excluded.deployment_id > ",
            $table,
            ".deployment_id)"
        )
    };
}

/// A success: the current version (`current_versions`).
pub(super) const RECORD_VERSION: &str = record_latest!("current_versions", "succeeded");

/// A failure (`latest_failures`).
pub(super) const RECORD_FAILURE: &str = record_latest!("latest_failures", "failed");

/// Refills `TABLE` from the history: the latest deployment in `STATE` per app and
/// environment (what the migrations' backfills do, for a database filled behind the
/// store's back).
macro_rules! rebuild_latest {
    ($table:literal, $state:literal) => {
        concat!(
            into_latest!($table),
            "( \
               SELECT app, environment, id, git_ref, requester, finished_at, ROW_NUMBER() OVER ( \
                 PARTITION BY app, environment ORDER BY finished_at DESC, id DESC) AS rn \
               FROM deployments WHERE state = '",
            $state,
            "' AND finished_at IS NOT NULL \
             ) latest WHERE rn = 1"
        )
    };
}

/// `current_versions`, the latest success.
pub(super) const REBUILD_VERSIONS: &str = rebuild_latest!("current_versions", "succeeded");

/// `latest_failures`, the latest failure.
pub(super) const REBUILD_FAILURES: &str = rebuild_latest!("latest_failures", "failed");

/// Which filters a page of the history API has (each present one is a bound parameter).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageShape {
    pub app: bool,
    pub environment: bool,
    pub state: Option<StateGroup>,
    /// Finished states only, none in particular (no parameter): the literal condition
    /// alone, as [`StateGroup::Finished`] adds it.
    pub finished: bool,
    pub requester: bool,
    pub before: bool,
}

/// Whether a state filter asks for a finished or a live state. The query says which in
/// literal SQL, so the planner may use the partial index covering it (a bound `state = $n`
/// alone does not prove the index's condition).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateGroup {
    /// succeeded, failed, cancelled, expired: `deployments_finished_state_id`.
    Finished,
    /// queued, called, deploying: `deployments_live`, as small as the queues.
    Live,
}

/// A page of every deployment, newest first (`ORDER BY id DESC`): only the filters present
/// appear, so each can use its index (migration 20261202020000). Parameters in order:
/// app, environment, state, requester, before (ids below it), then the row limit
/// (`finished` binds none).
pub fn deployments_page(shape: PageShape) -> String {
    let mut conditions = Vec::new();
    let mut n = 0;
    let mut param = |column: &str, present: bool, conditions: &mut Vec<String>| {
        if present {
            n += 1;
            conditions.push(format!("{column}${n}"));
        }
    };
    param("app = ", shape.app, &mut conditions);
    param("environment = ", shape.environment, &mut conditions);
    param("state = ", shape.state.is_some(), &mut conditions);
    param("requester = ", shape.requester, &mut conditions);
    param("id < ", shape.before, &mut conditions);
    if shape.finished || shape.state == Some(StateGroup::Finished) {
        conditions.push("state IN ('succeeded', 'failed', 'cancelled', 'expired')".to_owned());
    }
    if shape.state == Some(StateGroup::Live) {
        conditions.push("state IN ('queued', 'called', 'deploying')".to_owned());
    }
    let limit = conditions.iter().filter(|c| c.contains('$')).count() + 1;
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    format!(
        "SELECT {} FROM deployments{filter} ORDER BY id DESC LIMIT ${limit}",
        columns!()
    )
}
