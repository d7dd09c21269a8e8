//! The write thread of a SQLite store: where its batch connection is opened (so the thread
//! sqlx runs that connection on starts from here) and where the write use cases and the
//! outbox worker run, both kept on one CPU.
//!
//! Why: a write is a chain of hand-offs between the task deciding it and the thread that
//! owns the SQLite connection (there and back once per statement, all in series under the
//! one write lock). When the two sit on different CPUs each hand-off wakes an idle CPU,
//! which on a virtual machine is an inter-processor interrupt and a trip through the
//! hypervisor; on one CPU it is a plain switch between two threads. On the 2-vCPU bench
//! machine this took distinct `/deploy` writes from about 1,000/s to about 2,300/s with
//! the CPUs a third idle before and after (bench/RESULTS.md). Reads and HTTP stay on the
//! shared runtime, on every CPU. PostgreSQL has no such thread: its writes are answered by
//! its own processes.
//!
//! The two threads also take turns without cutting in on each other (`SCHED_BATCH`): with
//! the default policy, a thread woken by the other (a statement sent, a row sent back) ran
//! at once, while the waker still held the channel's lock, and found it taken: more
//! switches for every statement. See [`affinity::take_turns`].

use std::future::Future;
use std::sync::Arc;
use tokio::sync::oneshot;

/// A handle to the write thread; clones share it, and it ends when the last is dropped.
#[derive(Clone)]
pub struct Writer {
    inner: Arc<Inner>,
}

struct Inner {
    handle: tokio::runtime::Handle,
    /// Dropped with the last `Writer`: the thread's runtime then stops.
    _gone: oneshot::Sender<()>,
}

/// A task on the write thread; dropping it (a caller that gave up) aborts the task, so a
/// request cut short is not finished behind the caller's back.
struct Aborting<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for Aborting<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Writer {
    /// Starts the write thread, on the last CPU this process may use. None if the thread
    /// cannot be started (out of threads): the writes then run on the caller's runtime,
    /// slower under load, never wrong.
    pub fn start() -> Option<Writer> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        let handle = rt.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let (gone, last_dropped) = oneshot::channel::<()>();
        // The thread stops with the last `Writer` or with the runtime that started it,
        // whichever is first: the tasks left on it (the outbox worker, the flusher) hold
        // store handles, so the last `Writer` may never drop on its own (a test's runtime
        // ends with the test, and must not leave a thread behind).
        let watch = async move {
            let _stop = stop;
            let _ = last_dropped.await;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(h) => drop(h.spawn(watch)),
            Err(_) => drop(handle.spawn(watch)),
        }
        std::thread::Builder::new()
            .name("badger-writer".into())
            .spawn(move || {
                affinity::keep_to_one_cpu();
                affinity::take_turns();
                rt.block_on(async {
                    let _ = stopped.await;
                });
            })
            .ok()?;
        Some(Writer {
            inner: Arc::new(Inner {
                handle,
                _gone: gone,
            }),
        })
    }

    /// Runs `work` to its end on the write thread and returns its output.
    pub async fn run<F>(&self, work: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // In the caller's span, so what the work logs is logged with its request.
        let work = tracing::Instrument::instrument(work, tracing::Span::current());
        let mut task = Aborting(self.inner.handle.spawn(work));
        match (&mut task.0).await {
            Ok(out) => out,
            // The work panicked: the panic goes on in the caller, as if the work had run
            // on its task.
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Not aborted while awaited here: the thread stopped with the runtime that
            // started it, which only happens as the process shuts down.
            Err(_) => panic!("badger's write thread has stopped"),
        }
    }

    /// Starts `work` on the write thread and lets it run (a background loop).
    pub fn spawn<F>(&self, work: F) -> tokio::task::JoinHandle<()>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.inner.handle.spawn(work)
    }
}

impl super::Store {
    /// Runs a write use case to its end on the write thread (`writer.rs`).
    pub async fn serially<F>(&self, work: F) -> F::Output
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match &self.writer {
            Some(w) => w.run(work).await,
            None => work.await,
        }
    }

    /// Starts a background loop that writes on the write thread (`writer.rs`).
    pub fn spawn_beside_writer<F>(&self, work: F) -> tokio::task::JoinHandle<()>
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        match &self.writer {
            Some(w) => w.spawn(work),
            None => tokio::spawn(work),
        }
    }
}

#[cfg(target_os = "linux")]
mod affinity {
    /// Keeps the calling thread (and the threads it starts, which inherit it) on the last
    /// CPU it may run on. With one CPU allowed, or if the system refuses, nothing changes.
    pub fn keep_to_one_cpu() {
        // SAFETY: cpu_set_t is plain data, zeroed is an empty set, and both calls get its
        // true size; pid 0 is the calling thread.
        unsafe {
            let size = std::mem::size_of::<libc::cpu_set_t>();
            let mut allowed: libc::cpu_set_t = std::mem::zeroed();
            if libc::sched_getaffinity(0, size, &mut allowed) != 0 {
                return;
            }
            let cpus: Vec<usize> = (0..libc::CPU_SETSIZE as usize)
                .filter(|&c| libc::CPU_ISSET(c, &allowed))
                .collect();
            let (Some(&last), true) = (cpus.last(), cpus.len() > 1) else {
                return;
            };
            let mut one: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(last, &mut one);
            if libc::sched_setaffinity(0, size, &one) != 0 {
                tracing::debug!("could not keep the write thread on one CPU");
            }
        }
    }

    /// Runs the calling thread (and the threads it starts, which inherit it) under
    /// `SCHED_BATCH`: a thread it wakes does not preempt it, nor it them, on their shared
    /// CPU; each runs until it waits. Why: a SQLite statement goes to sqlx's connection
    /// thread over a channel and its rows come back over another, and a thread woken inside
    /// the sender's critical section ran straight into the held lock (9 % of the write
    /// thread's samples were that futex), so each statement took more switches than its
    /// two. Measured with `bench/run sqlite`: writes 4,448-4,802/s (p99 30-35 ms) became
    /// 6,010-6,326/s (p99 19-23 ms) (bench/RESULTS.md). The policy needs no privilege and
    /// keeps the normal priority; if the system refuses, nothing changes.
    pub fn take_turns() {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: pid 0 is the calling thread and `param` outlives the call.
        if unsafe { libc::sched_setscheduler(0, libc::SCHED_BATCH, &param) } != 0 {
            tracing::debug!("could not run the write thread under SCHED_BATCH");
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod affinity {
    pub fn keep_to_one_cpu() {}
    pub fn take_turns() {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    async fn sqlite() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/writer.db", dir.path().display());
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        (store, dir)
    }

    /// The CPUs a thread of this process may run on, as /proc lists them ("0-1", "1").
    #[cfg(target_os = "linux")]
    fn cpus_of(task: &str) -> String {
        let status = std::fs::read_to_string(format!("/proc/{task}/status")).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
            .unwrap()
            .trim()
            .to_owned()
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_write_runs_on_the_write_thread_beside_its_connection() {
        let (store, _dir) = sqlite().await;
        let s = store.clone();
        let (name, mine) = store
            .serially(async move {
                s.begin().await.unwrap().commit().await.unwrap();
                (
                    std::thread::current().name().map(str::to_owned),
                    cpus_of("thread-self"),
                )
            })
            .await;
        assert_eq!(name.as_deref(), Some("badger-writer"));
        let process = cpus_of("self");
        if process.contains(['-', ',']) {
            assert_ne!(mine, process, "the write thread was not kept to one CPU");
            // The batch connection's sqlx thread was started from the write thread.
            let beside = std::fs::read_dir("/proc/self/task").unwrap().any(|t| {
                let tid = t.unwrap().file_name().into_string().unwrap();
                let comm = std::fs::read_to_string(format!("/proc/self/task/{tid}/comm"));
                comm.is_ok_and(|c| c.starts_with("sqlx-sqlite"))
                    && cpus_of(&format!("self/task/{tid}")) == mine
            });
            assert!(
                beside,
                "no SQLite connection thread shares the write thread's CPU"
            );
        }
        store.close().await;
    }

    /// The scheduling policy of a thread of this process.
    #[cfg(target_os = "linux")]
    fn policy_of(tid: libc::pid_t) -> libc::c_int {
        // SAFETY: a plain query of a thread's policy; an unknown thread gives -1.
        unsafe { libc::sched_getscheduler(tid) }
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_write_thread_and_its_connection_take_turns() {
        let (store, _dir) = sqlite().await;
        let s = store.clone();
        let writer = store
            .serially(async move {
                s.begin().await.unwrap().commit().await.unwrap();
                policy_of(0)
            })
            .await;
        assert_eq!(writer, libc::SCHED_BATCH, "the write thread's policy");
        // The batch connection's sqlx thread, started from the write thread, inherits it.
        let threads: Vec<(String, libc::c_int)> = std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(|t| {
                let tid = t.unwrap().file_name().into_string().unwrap();
                let comm = std::fs::read_to_string(format!("/proc/self/task/{tid}/comm")).ok()?;
                Some((comm.trim().to_owned(), policy_of(tid.parse().unwrap())))
            })
            .collect();
        assert!(
            threads
                .iter()
                .any(|(c, p)| c.starts_with("sqlx-sqlite") && *p == libc::SCHED_BATCH),
            "no SQLite connection thread takes turns with the write thread: {threads:?}"
        );
        // Nothing else changes: this test's own thread keeps the normal policy.
        assert_eq!(policy_of(0), libc::SCHED_OTHER);
        store.close().await;
    }

    #[tokio::test]
    async fn a_panic_in_the_work_reaches_the_caller() {
        let (store, _dir) = sqlite().await;
        let s = store.clone();
        let caller = tokio::spawn(async move { s.serially(async { panic!("boom") }).await });
        let e = caller.await.unwrap_err();
        assert!(e.is_panic());
        assert_eq!(e.into_panic().downcast_ref::<&str>(), Some(&"boom"));
    }

    #[tokio::test]
    async fn a_caller_that_gives_up_stops_the_work() {
        let (store, _dir) = sqlite().await;
        let finished = Arc::new(AtomicBool::new(false));
        let f = finished.clone();
        let work = store.serially(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            f.store(true, Ordering::SeqCst);
        });
        assert!(tokio::time::timeout(Duration::from_millis(10), work)
            .await
            .is_err());
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(
            !finished.load(Ordering::SeqCst),
            "the abandoned work ran on"
        );
    }
}
