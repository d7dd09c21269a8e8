//! Start-up, identical in tests and production: connect and migrate the database, start
//! the outbox worker, the scheduler, the hourly pruning (`app/prune.rs`) and (with an app
//! token) Socket Mode, serve HTTP (the router is `http::router`). Tests bind port 0 with
//! a fresh database, and may step the outbox and the scheduler themselves
//! ([`RunOptions::stepped`]).

mod prune;

use crate::clock::SharedClock;
use crate::config::{Settings, SlackMode};
use crate::http::{self, AppState};
use crate::metrics::Metrics;
use crate::service::Core;
use crate::slack;
use crate::slack::outbound::{self, LocalWeb};
use crate::slack::worker::OutboxWorker;
use crate::store::{env_lock, Store, HOLDS_LOCK};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// Knobs that differ between production and tests.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// How often the scheduler looks at timeouts and windows.
    pub tick: Duration,
    /// How long a claimed outbox row stays claimed if its replica dies (renewed while
    /// alive). Must be longer than `slack_timeout`.
    pub lease: Duration,
    /// Connect and total timeout of every Slack Web API call.
    pub slack_timeout: Duration,
    /// On shutdown, how long Slack calls in flight may still take before they are
    /// abandoned (their rows stay in the outbox for the next start).
    pub shutdown_grace: Duration,
    /// Slack waits 3 s for the answer to any request; see [`AppState::reply_deadline`].
    pub reply_deadline: Duration,
    /// Requests per smoke URL before it fails, and the pause between them (the app may
    /// still be restarting).
    pub smoke_attempts: u32,
    pub smoke_spacing: Duration,
    /// Tests only: the outbox worker and the scheduler do not run by themselves; the test
    /// drives the same code with [`Application::deliver_outbox`] and [`Application::tick`].
    pub stepped: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            tick: Duration::from_secs(5),
            lease: Duration::from_secs(60),
            slack_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(5),
            reply_deadline: crate::slack::deadline::REPLY_DEADLINE,
            smoke_attempts: 3,
            smoke_spacing: Duration::from_secs(5),
            stepped: false,
        }
    }
}

impl RunOptions {
    /// On shutdown, how long Slack calls in flight are awaited: at least a whole call and
    /// the storing of its ts. A call Slack accepted but had not yet answered would
    /// otherwise be abandoned, and the next start would post it again.
    pub fn delivery_grace(&self) -> Duration {
        self.shutdown_grace
            .max(self.slack_timeout + crate::slack::worker::REMEMBER_WINDOW)
    }
}

pub struct Application {
    pub addr: SocketAddr,
    pub core: Core,
    /// Stops HTTP and the scheduler.
    shutdown: watch::Sender<bool>,
    /// Stops the outbox worker, once HTTP has finished (its last requests may queue posts).
    stop_outbox: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
    /// The scheduler, the pruning and the outbox worker; `None` when stepped.
    scheduler: Option<JoinHandle<()>>,
    pruner: Option<JoinHandle<()>>,
    outbox: Option<JoinHandle<()>>,
    /// When stepped: the outbox worker, run one pass at a time by the caller.
    stepped_outbox: Option<OutboxWorker>,
    /// The smoke-check worker; stops with HTTP (its unfinished checks run on the next start).
    smoke: JoinHandle<()>,
    /// The Socket Mode connection, with `SLACK_APP_TOKEN`.
    socket: Option<JoinHandle<()>>,
    /// The GitHub worker, when the policy names repositories.
    github: Option<JoinHandle<()>>,
}

impl Application {
    pub async fn build(
        settings: Settings,
        clock: SharedClock,
        opts: RunOptions,
    ) -> anyhow::Result<Application> {
        if opts.lease <= opts.slack_timeout {
            anyhow::bail!(
                "the outbox lease ({:?}) must be longer than the Slack timeout ({:?}), or a slow call could be sent twice",
                opts.lease,
                opts.slack_timeout
            );
        }
        // First, so that with the port taken nothing starts (no migration, no worker).
        let listener = http::listen(&settings.bind).await?;
        let addr = listener.local_addr()?;
        let store = Store::connect(&settings.database_url).await?;
        store.migrate().await?;
        let mut locks: Vec<String> = settings
            .policy
            .environments
            .iter()
            .map(|e| env_lock(e.name.as_str()))
            .collect();
        locks.push(HOLDS_LOCK.to_owned());
        store.ensure_locks(&locks).await?;

        let (web, local_mode) = match &settings.slack {
            SlackMode::Connected { bot_token, .. } => {
                let web = outbound::client(&settings.slack_api_url, bot_token, opts.slack_timeout)?;
                (web, false)
            }
            SlackMode::Local { .. } => {
                tracing::info!(
                    "no SLACK_BOT_TOKEN: local mode, nothing goes to Slack; open the console at {} (messages are logged too)",
                    console_url(addr)
                );
                (LocalWeb::shared(store.clone()), true)
            }
        };
        let mut policy = settings.policy.clone();
        if local_mode && policy.channel.is_none() {
            // Local mode has one channel, the console's: what badger would announce goes
            // there, a CI report's start and end too (they have no channel of their own).
            policy.channel = Some(crate::console::DEFAULT_CHANNEL.to_owned());
        }
        let core = Core {
            store: store.clone(),
            policy: Arc::new(policy),
            clock,
            outbox_wake: Arc::new(Notify::new()),
            metrics: Arc::new(Metrics::default()),
            public_url: settings.public_url.as_deref().map(Arc::from),
            board_cache: Arc::new(crate::service::BoardCache::default()),
        };
        // An environment removed from the policy: its waiting entries end now, each person
        // told (the outbox worker below delivers it).
        match core.end_orphaned().await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                ended = n,
                "ended waiting deployments of environments no longer in the policy"
            ),
            Err(e) => tracing::error!(
                error = %e,
                "could not end waiting deployments of environments no longer in the policy"
            ),
        }
        let (shutdown, shutdown_rx) = watch::channel(false);
        let (stop_outbox, stop_outbox_rx) = watch::channel(false);
        let worker_id = format!("{}-{}", std::process::id(), uuid_ish());
        let worker = OutboxWorker {
            store: store.clone(),
            web,
            wake: core.outbox_wake.clone(),
            worker_id: worker_id.clone(),
            lease: opts.lease,
            grace: opts.delivery_grace(),
            metrics: core.metrics.clone(),
            clock: core.clock.clone(),
        };
        let (outbox, stepped_outbox) = if opts.stepped {
            (None, Some(worker))
        } else {
            (
                Some(store.spawn_beside_writer(worker.run(stop_outbox_rx))),
                None,
            )
        };
        let smoke = tokio::spawn(
            crate::smoke::SmokeWorker {
                store: store.clone(),
                probe: Arc::new(crate::smoke::probe::Probe::new()),
                metrics: core.metrics.clone(),
                outbox_wake: core.outbox_wake.clone(),
                clock: core.clock.clone(),
                worker_id: format!("{worker_id}-smoke"),
                attempts: opts.smoke_attempts,
                spacing: opts.smoke_spacing,
                poll: opts.tick.min(Duration::from_secs(2)),
            }
            .run(shutdown_rx.clone()),
        );
        if store.backend() == crate::store::Backend::Postgres {
            // Other replicas' changes mark this one's status snapshot stale.
            tokio::spawn(crate::store::changes::follow_changes(
                settings.database_url.clone(),
                shutdown_rx.clone(),
            ));
        }
        let scheduler = (!opts.stepped)
            .then(|| tokio::spawn(run_scheduler(core.clone(), opts.tick, shutdown_rx.clone())));
        let pruner = (!opts.stepped)
            .then(|| tokio::spawn(prune::run_pruner(core.clone(), shutdown_rx.clone())));
        let github = crate::github::worker::spawn(&core, &settings, shutdown_rx.clone())?;
        let mut socket = None;
        if let SlackMode::Connected {
            app_token: Some(app_token),
            ..
        } = &settings.slack
        {
            // Socket Mode as well as HTTP: the same handlers, whichever way Slack sends.
            tracing::info!("SLACK_APP_TOKEN is set: receiving Slack over Socket Mode too");
            socket = Some(slack::socket::spawn(
                core.clone(),
                &settings.slack_api_url,
                app_token,
                shutdown_rx.clone(),
            )?);
        }

        let state = AppState {
            core: core.clone(),
            signing_secret: settings.slack.signing_secret().map(Arc::from),
            api_keys: Arc::new(crate::http::api::ApiKeys::from_settings(&settings)),
            local_mode,
            reply_deadline: opts.reply_deadline,
            status_cache: Default::default(),
        };
        let mut rx = shutdown_rx;
        let server = tokio::spawn(async move {
            // Connection info: the console serves loopback clients only.
            let service = http::router(state).into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, service)
                .with_graceful_shutdown(async move {
                    let _ = rx.wait_for(|stop| *stop).await;
                })
                .await
        });
        tracing::info!(%addr, backend = ?store.backend(), "badger is listening");
        Ok(Application {
            addr,
            core,
            shutdown,
            stop_outbox,
            server,
            scheduler,
            pruner,
            outbox,
            stepped_outbox,
            smoke,
            socket,
            github,
        })
    }

    /// Stops accepting requests and finishes those in flight (the outbox keeps delivering
    /// meanwhile), then gives Slack calls in flight the grace period; what is not delivered
    /// by then stays in the outbox, unclaimed, for the next start.
    pub async fn shutdown(self) {
        for failure in self.shutdown_reporting().await {
            tracing::error!(%failure, "a background task failed");
        }
    }

    /// [`Application::shutdown`], returning which background tasks panicked (or were
    /// cancelled) rather than only logging it: a test fails on them.
    pub async fn shutdown_reporting(self) -> Vec<String> {
        let mut failures = Vec::new();
        let _ = self.shutdown.send(true);
        joined("the HTTP server", self.server, &mut failures).await;
        if let Some(scheduler) = self.scheduler {
            joined("the scheduler", scheduler, &mut failures).await;
        }
        if let Some(pruner) = self.pruner {
            joined("the pruning", pruner, &mut failures).await;
        }
        joined("the smoke worker", self.smoke, &mut failures).await;
        if let Some(socket) = self.socket {
            joined("Socket Mode", socket, &mut failures).await;
        }
        if let Some(github) = self.github {
            joined("the GitHub worker", github, &mut failures).await;
        }
        let _ = self.stop_outbox.send(true);
        if let Some(outbox) = self.outbox {
            joined("the outbox worker", outbox, &mut failures).await;
        }
        self.core.store.close().await;
        failures
    }

    /// Stepped mode: delivers every outbox row that is due now, through the real worker
    /// code and Slack client, and returns how many rows it handled once only rows due
    /// later (a retry's wait) or none are left.
    pub async fn deliver_outbox(&self) -> anyhow::Result<usize> {
        let Some(worker) = &self.stepped_outbox else {
            anyhow::bail!(
                "deliver_outbox needs RunOptions::stepped: the outbox worker is running by itself"
            );
        };
        Ok(worker.deliver_due().await?)
    }

    /// Stepped mode: one scheduler pass (turn timeouts, window closing, reminders) at the
    /// clock's now, the same pass the scheduler makes every `tick`.
    pub async fn tick(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.scheduler.is_none(),
            "tick needs RunOptions::stepped: the scheduler is running by itself"
        );
        scheduler_pass(self.core.clone()).await?;
        Ok(())
    }

    /// The background tasks that have ended although badger was not shut down: each
    /// runs until shutdown, so an ended one panicked (its message is in the log).
    pub fn ended_tasks(&self) -> Vec<&'static str> {
        let mut ended = Vec::new();
        if self.server.is_finished() {
            ended.push("the HTTP server");
        }
        let optional = [
            ("the scheduler", &self.scheduler),
            ("the pruning", &self.pruner),
            ("the outbox worker", &self.outbox),
            ("Socket Mode", &self.socket),
            ("the GitHub worker", &self.github),
        ];
        for (name, task) in optional {
            if task.as_ref().is_some_and(JoinHandle::is_finished) {
                ended.push(name);
            }
        }
        if self.smoke.is_finished() {
            ended.push("the smoke worker");
        }
        ended
    }

    /// Serves until SIGTERM or Ctrl-C, then shuts down gracefully.
    /// Serves until `signal` fires (SIGTERM or Ctrl-C), then shuts down cleanly.
    pub async fn run_until_stopped(self, signal: ShutdownSignal) {
        signal.recv().await;
        tracing::info!("shutting down: finishing requests in flight");
        self.shutdown().await;
    }
}

async fn run_scheduler(core: Core, every: Duration, mut shutdown: watch::Receiver<bool>) {
    loop {
        // A pass runs as a task of its own: were it to panic, that pass is lost and logged,
        // not the scheduler (turn timeouts, window closing and holds ending would stop).
        match tokio::spawn(scheduler_pass(core.clone())).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "scheduler tick failed"),
            Err(e) => {
                tracing::error!(error = %e, "scheduler tick panicked; the next pass runs as usual")
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
    }
}

/// One scheduler pass, in its span.
async fn scheduler_pass(core: Core) -> crate::service::Result<()> {
    tracing::Instrument::instrument(core.tick(), crate::telemetry::tick_span()).await
}

/// Awaits a background task at shutdown, noting it if it panicked or was cancelled.
async fn joined<T>(name: &str, task: JoinHandle<T>, failures: &mut Vec<String>) {
    if let Err(e) = task.await {
        let why = if e.is_panic() {
            let payload = e.into_panic();
            payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned())
        } else {
            e.to_string()
        };
        failures.push(format!("{name} failed: {why}"));
    }
}

/// SIGTERM (and Ctrl-C), listened for from the moment it is made: make it before saying
/// "listening", or an orchestrator's early SIGTERM would kill the process uncleanly.
pub struct ShutdownSignal {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

pub fn shutdown_signal() -> ShutdownSignal {
    ShutdownSignal {
        #[cfg(unix)]
        term: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok(),
    }
}

impl ShutdownSignal {
    async fn recv(self) {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        if let Some(mut term) = self.term {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = ctrl_c.await;
    }
}

/// Where a browser on this machine opens local mode's console (it serves loopback only):
/// the listening address, or loopback when badger listens on every interface.
fn console_url(addr: SocketAddr) -> String {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, addr.port()))
}

/// A short random-enough id for this process's outbox claims.
fn uuid_ish() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    format!("{:x}", h.finish())
}
