//! What badger logs in-process, captured for a test to read: a tracing subscriber made the
//! default on the threads of the runtimes it runs, rather than the process-wide default,
//! because every test in the suite shares one process (and the driver installs the global
//! one), so a global capture would both miss logs and collect every other test's.

use std::future::Future;
use std::sync::{Arc, Mutex};
use tracing::Dispatch;

/// A log buffer and the subscriber that writes to it.
#[derive(Clone)]
pub struct Captured {
    buf: Arc<Mutex<Vec<u8>>>,
    dispatch: Dispatch,
}

impl Captured {
    /// Captures what passes `filter` (an `EnvFilter` directive such as `badger=debug`).
    pub fn new(filter: &str) -> Captured {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_ansi(false)
            .with_writer(move || Writer(sink.clone()))
            .finish();
        Captured {
            buf,
            dispatch: Dispatch::new(subscriber),
        }
    }

    /// Runs `body` as `#[tokio::test(flavor = "multi_thread", worker_threads = 2)]` would,
    /// with this capture the default subscriber on the test's thread and on every thread
    /// of its runtime (workers and blocking pool), so whatever badger spawns logs here.
    pub fn block_on<F: Future>(&self, body: F) -> F::Output {
        let dispatch = self.dispatch.clone();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .on_thread_start(move || {
                // The runtime's threads end with it; the default lives as long as they do.
                std::mem::forget(tracing::dispatcher::set_default(&dispatch));
            })
            .build()
            .expect("runtime");
        let _default = tracing::dispatcher::set_default(&self.dispatch);
        runtime.block_on(body)
    }

    /// Everything captured so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buf.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

struct Writer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Writer {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
