//! The `badger` binary: `serve` runs the Slack app, `migrate` applies migrations,
//! `check-config` prints the effective policy and `healthcheck` probes a running badger.

use badger::app::{Application, RunOptions};
use badger::clock::{Clock, SystemClock};
use badger::config::{Settings, WindowKind};
use badger::domain::window::format_local;
use badger::store::Store;
use clap::{Parser, Subcommand};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "badger",
    version,
    about = "Coordinates deployments in Slack, the GOV.UK way",
    after_help = "Configured by environment variables (secrets only there) and a policy file:
  SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET   connect to Slack (without them: local mode)
  SLACK_APP_TOKEN                         also connect over Socket Mode
  SLACK_API_URL                           Slack's Web API (GovSlack, or a fake)
  DATABASE_URL                            sqlite://badger.db (default) or postgres://...
  BADGER_BIND                             listen address (127.0.0.1:3000)
  BADGER_CONFIG                           the policy file (badger.toml if present)
  BADGER_API_TOKEN                        enables the CI write API (every app)
  BADGER_API_TOKENS                       CI tokens for some apps: whitehall=TOKEN,a+b=TOKEN
  BADGER_PUBLIC_URL                       the dashboard's address, for links
  BADGER_SLACK_TIMEOUT_SECS, BADGER_GITHUB_TIMEOUT_SECS, BADGER_OUTBOX_LEASE_SECS,
  BADGER_LOG_FORMAT=json, GITHUB_TOKEN, GITHUB_API_URL
Each is explained in docs/operator-guide.md; `badger check-config` shows what is in effect."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the Slack app (local mode without SLACK_BOT_TOKEN).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the effective policy and the next five window openings.
    CheckConfig,
    /// Exit 0 if the badger at BADGER_BIND answers /healthz (for container health checks).
    Healthcheck,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = badger::telemetry::init() {
        eprintln!("badger: configuration error: {e}");
        return ExitCode::from(2);
    }
    // Needs only BADGER_BIND, so a probe works whatever else the environment holds.
    if matches!(cli.command, Command::Healthcheck) {
        return healthcheck().await;
    }
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("badger: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    for w in settings.warnings() {
        eprintln!("badger: warning: {w}");
    }
    match cli.command {
        Command::Serve => {
            let opts = RunOptions {
                lease: settings.outbox_lease,
                slack_timeout: settings.slack_timeout,
                ..RunOptions::default()
            };
            match Application::build(settings, Arc::new(SystemClock), opts).await {
                Ok(app) => {
                    // Listen for SIGTERM before saying we are up (see ShutdownSignal).
                    let signal = badger::app::shutdown_signal();
                    println!("badger listening on http://{}", app.addr);
                    app.run_until_stopped(signal).await;
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("badger: cannot start: {}", said_once(&e));
                    ExitCode::FAILURE
                }
            }
        }
        Command::Migrate => {
            let result = async {
                let store = Store::connect(&settings.database_url).await?;
                store.migrate().await
            }
            .await;
            match result {
                Ok(()) => {
                    println!("migrations applied");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("badger: migration failed: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::CheckConfig => {
            print!("{}", check_config(&settings, SystemClock.now()));
            check_slack_token(&settings).await
        }
        Command::Healthcheck => healthcheck().await,
    }
}

/// An error and its causes, each said once: a layer that repeats its cause's text (as
/// `database error: X` does above `X`) does not say it again.
fn said_once(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for layer in e.chain() {
        let text = layer.to_string();
        if !out.contains(&text) {
            if !out.is_empty() {
                out += ": ";
            }
            out += &text;
        }
    }
    out
}

/// `check-config` connected to Slack: asks Slack who the bot token is (auth.test), so a
/// wrong or revoked token shows now rather than as announcements that never arrive.
async fn check_slack_token(s: &Settings) -> ExitCode {
    let badger::config::SlackMode::Connected { bot_token, .. } = &s.slack else {
        return ExitCode::SUCCESS;
    };
    let answer = match badger::slack::outbound::client(&s.slack_api_url, bot_token, s.slack_timeout)
    {
        Ok(web) => web.whoami().await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    match answer {
        Ok(who) => {
            println!("slack: the bot token works: {}", who.unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "badger: could not confirm the bot token (SLACK_BOT_TOKEN) with Slack at {}: {e}",
                s.slack_api_url
            );
            ExitCode::FAILURE
        }
    }
}

async fn healthcheck() -> ExitCode {
    let bind = std::env::var("BADGER_BIND").ok();
    let result = match badger::healthcheck::target(bind.as_deref()) {
        Ok(addr) => badger::healthcheck::check(addr).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("badger: unhealthy: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Who may write to the CI API: the apps of each token, never a token.
fn ci_api(s: &Settings) -> String {
    let mut tokens = Vec::new();
    if s.api_token.is_some() {
        tokens.push("every app (BADGER_API_TOKEN)".to_owned());
    }
    if !s.api_tokens.is_empty() {
        let scopes: Vec<String> = s.api_tokens.iter().map(|t| t.scope().label()).collect();
        tokens.push(format!("{} (BADGER_API_TOKENS)", scopes.join(", ")));
    }
    if tokens.is_empty() {
        "off (set BADGER_API_TOKEN or BADGER_API_TOKENS)".to_owned()
    } else {
        format!("tokens for {}", tokens.join("; "))
    }
}

fn check_config(s: &Settings, now: chrono::DateTime<chrono::Utc>) -> String {
    let p = &s.policy;
    let cal = &p.calendar;
    let mut out = String::new();
    let source = s
        .policy_path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "built-in GOV.UK defaults".into());
    out += &format!("policy: {source}\n");
    out += &format!(
        "database: {}\n",
        badger::config::redact_url(&s.database_url)
    );
    out += &format!("listen: {}\n", s.bind);
    out += &format!(
        "dashboard: {}\n",
        s.public_url
            .as_deref()
            .unwrap_or("(BADGER_PUBLIC_URL not set: long answers link to no page)")
    );
    out += &format!(
        "mode: {}\n",
        match &s.slack {
            badger::config::SlackMode::Local { .. } => "local (no SLACK_BOT_TOKEN)",
            badger::config::SlackMode::Connected {
                app_token: Some(_), ..
            } => "Slack, over HTTP and Socket Mode (SLACK_APP_TOKEN)",
            badger::config::SlackMode::Connected { .. } => "Slack, over HTTP",
        }
    );
    out += &format!(
        "channel: {}\n",
        p.channel
            .as_deref()
            .unwrap_or("(where each command is typed)")
    );
    out += &format!("timezone: {}\n", cal.tz.name());
    out += &format!("commands: {} {}\n", p.deploy_command, p.hold_command);
    out += &format!("admins: {}\n", listed(&p.admins, "(none)"));
    out += &format!("apps: {}\n", listed(&p.apps, "(any valid name)"));
    out += &format!("ci api: {}\n", ci_api(s));
    out += "environments:\n";
    for e in &p.environments {
        out += &format!(
            "  {}: window {}, {}, deployers: {}\n",
            e.name,
            if e.window == WindowKind::Always {
                "always"
            } else {
                "office-hours"
            },
            if e.requires_previous {
                "requires the previous environment"
            } else {
                "no promotion rule"
            },
            listed(&e.deployers, "anyone")
        );
        if !e.smoke_urls.is_empty() {
            out += &format!(
                "    smoke checks ({} s timeout): {}\n",
                e.smoke_timeout_secs,
                e.smoke_urls.join(", ")
            );
        }
    }
    out += &badger::github::describe_config(s);
    out += "window:\n";
    for (d, hours) in badger::config::WEEKDAYS.iter().zip(cal.week.iter()) {
        out += &format!(
            "  {d}: {}\n",
            hours
                .map(|h| h.to_string())
                .unwrap_or_else(|| "closed".into())
        );
    }
    out += &format!("  bank holidays: {}\n", cal.region.as_str());
    out += &format!("  closed dates: {}\n", listed(&cal.closed_dates, "(none)"));
    if cal.freezes.is_empty() {
        out += "  freezes: (none)\n";
    } else {
        out += "  freezes:\n";
    }
    for f in &cal.freezes {
        out += &format!(
            "    {}: {} to {} inclusive ({} days)\n",
            f.name,
            f.from.format("%a %Y-%m-%d"),
            f.to.format("%a %Y-%m-%d"),
            (f.to - f.from).num_days() + 1
        );
    }
    out += &format!(
        "  bank holidays file: {}\n",
        match &p.holidays_file {
            Some(f) => format!(
                "{} ({} holiday(s) for {})",
                f.display(),
                cal.listed_holidays.len(),
                cal.region.as_str()
            ),
            None => "(none)".into(),
        }
    );
    // Where each closed day comes from, so an operator can see what the file added.
    let today = now.with_timezone(&cal.tz).date_naive();
    let closed = cal.closed_day_sources(today, today + chrono::Duration::days(365));
    out += "closed days in the next twelve months (weekdays with hours only):\n";
    if closed.is_empty() {
        out += "  (none)\n";
    }
    for c in closed {
        let name = c.reason.name();
        let from: Vec<&str> = c.sources.iter().map(|s| s.as_str()).collect();
        out += &format!(
            "  {}  {name}  (from: {})\n",
            c.date.format("%a %Y-%m-%d"),
            from.join(", ")
        );
    }
    out += &format!("turn timeout: {} minutes\n", p.turn_timeout.num_minutes());
    out += "next openings:\n";
    for o in cal.openings(now, 5) {
        out += &format!(
            "  {} – {}   (UTC {} – {})\n",
            format_local(o.opens, cal.tz),
            format_local(o.closes, cal.tz),
            o.opens.format("%Y-%m-%d %H:%M"),
            o.closes.format("%Y-%m-%d %H:%M")
        );
    }
    out
}

/// `items` joined by commas for `check-config`, or `empty` when there are none.
fn listed<T: std::fmt::Display>(items: impl IntoIterator<Item = T>, empty: &str) -> String {
    let all: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    if all.is_empty() {
        empty.to_owned()
    } else {
        all.join(", ")
    }
}
