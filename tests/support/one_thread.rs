//! Test support: storage tests on both backends whose body must run on one thread.

/// Runs an async test body `fn(Backend)` once on SQLite and once on PostgreSQL, as two
/// tests `<module>::sqlite` and `<module>::postgres`, each on a current-thread runtime: the
/// order in which the body's tasks run is then the test's, not the scheduler's.
#[macro_export]
macro_rules! on_both_backends_on_one_thread {
    ($module:ident, $body:ident) => {
        mod $module {
            $crate::one_thread_test!(sqlite, $body, Sqlite);
            $crate::one_thread_test!(postgres, $body, Postgres);
        }
    };
}

/// One test of [`on_both_backends_on_one_thread`]: `$body` on `$backend`, where enabled.
#[macro_export]
macro_rules! one_thread_test {
    ($name:ident, $body:ident, $backend:ident) => {
        #[tokio::test(flavor = "current_thread")]
        async fn $name() {
            use $crate::support::db::{postgres_enabled, Backend};
            let backend = Backend::$backend;
            if backend == Backend::Sqlite || postgres_enabled() {
                super::$body(backend).await
            }
        }
    };
}
