//! Starting badger for a test (usual, stepped, or with other knobs), on a fresh or given
//! database, and restarting it, a replica beside it, stopping it.

use super::*;

/// The policy text written to a file badger reads as `BADGER_CONFIG`.
fn policy_file(policy: &str) -> Arc<tempfile::NamedTempFile> {
    let mut file = tempfile::NamedTempFile::new().expect("policy file");
    std::io::Write::write_all(&mut file, policy.as_bytes()).expect("write policy");
    Arc::new(file)
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, POLICY).await
    }

    pub async fn start_with(backend: Backend, policy: &str) -> TestApp {
        Self::start_full(backend, policy, Knobs::usual()).await
    }

    /// Like [`TestApp::start`], but stepped: the outbox and the scheduler move only when
    /// the test says so, and the test must read every Slack call (see the module header).
    pub async fn stepped(backend: Backend) -> TestApp {
        Self::stepped_with(backend, POLICY).await
    }

    /// [`TestApp::stepped`] under `policy`.
    pub async fn stepped_with(backend: Backend, policy: &str) -> TestApp {
        let knobs = Knobs {
            stepped: true,
            ..Knobs::usual()
        };
        Self::start_full(backend, policy, knobs).await
    }

    /// Like [`TestApp::start`], but with `BADGER_API_TOKEN` unset: the CI write API is off.
    pub async fn start_without_api_token(backend: Backend) -> TestApp {
        let knobs = Knobs {
            api_token: None,
            ..Knobs::usual()
        };
        Self::start_full(backend, POLICY, knobs).await
    }

    /// [`TestApp::stepped`] with `BADGER_API_TOKENS` set to `scoped`, and the all-apps
    /// `BADGER_API_TOKEN` ([`API_TOKEN`]) set too or not.
    pub async fn stepped_with_tokens(backend: Backend, all_apps: bool, scoped: &str) -> TestApp {
        let knobs = Knobs {
            stepped: true,
            api_token: all_apps.then_some(API_TOKEN),
            extra_vars: vec![("BADGER_API_TOKENS", scoped.to_owned())],
            ..Knobs::usual()
        };
        Self::start_full(backend, POLICY, knobs).await
    }

    /// Like [`TestApp::start_with`], with more environment variables (GitHub's).
    pub async fn start_with_vars(
        backend: Backend,
        policy: &str,
        extra_vars: Vec<(&'static str, String)>,
    ) -> TestApp {
        let knobs = Knobs {
            extra_vars,
            ..Knobs::usual()
        };
        Self::start_full(backend, policy, knobs).await
    }

    /// Like [`TestApp::start`], but every Slack request misses its deadline: a slash
    /// command gets the interim answer and the real one follows as an ephemeral; a button
    /// press or an event gets its 200 at once and is handled afterwards.
    pub async fn start_with_late_replies(backend: Backend) -> TestApp {
        let knobs = Knobs {
            reply_deadline: Duration::ZERO,
            ..Knobs::usual()
        };
        Self::start_full(backend, POLICY, knobs).await
    }

    /// Like [`TestApp::start`], with `BADGER_PUBLIC_URL` set.
    pub async fn start_with_public_url(backend: Backend, url: &str) -> TestApp {
        let knobs = Knobs {
            extra_vars: vec![("BADGER_PUBLIC_URL", url.to_owned())],
            ..Knobs::usual()
        };
        Self::start_full(backend, POLICY, knobs).await
    }

    /// A fresh database, fake Slack and clock (Tuesday 10:00) under `policy`.
    async fn start_full(backend: Backend, policy: &str, knobs: Knobs) -> TestApp {
        let db = Arc::new(TestDb::fresh(backend).await);
        let slack = FakeSlack::start().await;
        let clock = ManualClock::new(tuesday_10am());
        let file = policy_file(policy);
        Self::boot(db, slack, clock, file, knobs).await
    }

    /// Starts badger (the usual policy and tokens) on a database the test made itself.
    pub async fn start_on_db(db: TestDb) -> TestApp {
        let slack = FakeSlack::start().await;
        let clock = ManualClock::new(tuesday_10am());
        let file = policy_file(POLICY);
        Self::boot(Arc::new(db), slack, clock, file, Knobs::usual()).await
    }

    fn logs() {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    }

    async fn boot(
        db: Arc<TestDb>,
        slack: FakeSlack,
        clock: ManualClock,
        policy_file: Arc<tempfile::NamedTempFile>,
        knobs: Knobs,
    ) -> TestApp {
        Self::logs();
        let mut vars: HashMap<&str, String> = HashMap::from([
            ("SLACK_BOT_TOKEN", "xoxb-test-token".to_owned()),
            ("SLACK_SIGNING_SECRET", SECRET.to_owned()),
            ("SLACK_API_URL", slack.url()),
            ("DATABASE_URL", db.url.clone()),
            ("BADGER_BIND", "127.0.0.1:0".to_owned()),
            ("BADGER_CONFIG", policy_file.path().display().to_string()),
        ]);
        if let Some(token) = knobs.api_token {
            vars.insert("BADGER_API_TOKEN", token.to_owned());
        }
        vars.extend(knobs.extra_vars.iter().cloned());
        let settings = Settings::from_vars(|k| vars.get(k).cloned()).expect("test settings");
        let opts = RunOptions {
            tick: Duration::from_millis(100),
            lease: Duration::from_secs(5),
            slack_timeout: Duration::from_secs(2),
            shutdown_grace: Duration::from_secs(2),
            reply_deadline: knobs.reply_deadline,
            // Smoke checks retry quickly in tests (the app under test restarts at once).
            smoke_attempts: 3,
            smoke_spacing: Duration::from_millis(200),
            stepped: knobs.stepped,
        };
        let app = Application::build(settings, Arc::new(clock.clone()), opts)
            .await
            .expect("badger starts");
        let base = format!("http://{}", app.addr);
        TestApp {
            app: Some(app),
            slack,
            clock,
            db,
            base,
            http: reqwest::Client::new(),
            policy_file,
            knobs,
            handed_over: false,
        }
    }

    /// Stops badger gracefully and starts it again on the same database, Slack and clock.
    pub async fn restart(mut self) -> TestApp {
        self.shut_down().await;
        self.handed_over = true;
        self.replica().await
    }

    /// As [`TestApp::restart`], under another policy (an operator's edit).
    pub async fn restart_with(mut self, policy: &str) -> TestApp {
        self.shut_down().await;
        self.handed_over = true;
        self.policy_file = policy_file(policy);
        self.replica().await
    }

    /// Another badger on the same database, Slack, clock, policy and variables: a replica.
    pub async fn replica(&self) -> TestApp {
        Self::boot(
            self.db.clone(),
            self.slack.clone(),
            self.clock.clone(),
            self.policy_file.clone(),
            self.knobs.clone(),
        )
        .await
    }

    /// Shuts badger down; fails if a background task panicked meanwhile. When stepped,
    /// dropping the `TestApp` then fails on unread Slack calls.
    pub async fn stop(mut self) {
        self.shut_down().await;
    }

    async fn shut_down(&mut self) {
        if let Some(app) = self.app.take() {
            let failures = app.shutdown_reporting().await;
            assert!(
                failures.is_empty(),
                "badger's background tasks failed: {failures:#?}"
            );
        }
    }
}
