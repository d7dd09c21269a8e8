//! The versions matrix (apps x environments) as a compiled template, from the shared
//! versions read model: the dashboard, an app's page and the local console's panel all
//! draw it, so drift and failures are marked the same way everywhere.

use super::model;
use super::view::{app_href, short, table_or_none, when, Person};
use crate::domain::versions::{format_age, AppVersions, Drift, VersionsView};
use chrono_tz::Tz;
use maud::{html, Markup};

/// The versions matrix under an `h2` titled `title`: one row per app, one cell per
/// environment (the ref and when; the failure after it), drift marked.
pub fn matrix(m: &VersionsView, tz: Tz, person: Person, title: &str) -> Markup {
    let drifted = model::drifted_cells(m);
    html! {
        h2 { (title) " " span.muted { "(apps × environments)" } }
        @if drifted > 0 {
            p.muted #drift-note { (drifted) " behind the environment before them (marked): a different ref, or nothing yet." }
        }
        (table_or_none(m.apps.is_empty(), "Nothing deployed yet.", || html! {
            table.matrix #versions {
                thead { tr {
                    th { "app" }
                    @for e in &m.environments { th { (e) } }
                } }
                tbody {
                    @for row in &m.apps {
                        tr data-app=(row.app) {
                            th scope="row" { a href=(app_href(&row.app)) { (row.app) } }
                            @for (env, cell) in m.environments.iter().zip(&row.per_env) {
                                @let drift = model::drift_in(row, env);
                                @match cell {
                                    Some(c) => td.cell.drift[drift.is_some()] data-env=(env)
                                        title=(format!("by {}", person(&c.by))) {
                                        span.ref { (c.git_ref) }
                                        span.when title=(when(c.at, tz)) { (short(c.at, tz)) }
                                        @if let Some(f) = &c.latest_failed {
                                            span.failed title=(format!("failed {} by {}", when(f.at, tz), person(&f.by))) {
                                                "(" (f.git_ref) " failed)"
                                            }
                                        }
                                        (drift_mark(m, tz, row, drift))
                                        (deploying_mark(row, env, tz, person))
                                    },
                                    None => td.cell.empty.drift[drift.is_some()] data-env=(env) {
                                        span.muted { "—" }
                                        (drift_mark(m, tz, row, drift))
                                        (deploying_mark(row, env, tz, person))
                                    },
                                }
                            }
                        }
                    }
                }
            }
        }))
    }
}

/// "behind staging for 3h 5m", titled with when the environment before got its ref; with
/// ", whose latest deployment r3 failed" where the promotion rule would refuse it.
fn drift_mark(m: &VersionsView, tz: Tz, row: &AppVersions, drift: Option<&Drift>) -> Markup {
    html! {
        @if let Some(d) = drift {
            span.mark.blocked[d.blocked] title=(format!("{} has run {} since {}", d.behind_env, d.ahead_ref, when(d.since, tz))) {
                "behind " (d.behind_env) " for " (format_age(d.age_secs))
                @if let Some(f) = m.blocked_by(row, d) {
                    ", whose latest deployment " (f.git_ref) " failed"
                }
            }
        }
    }
}

/// "deploying r44", titled with since when and for whom: what replaces the cell's version
/// if it succeeds.
fn deploying_mark(row: &AppVersions, env: &str, tz: Tz, person: Person) -> Markup {
    html! {
        @if let Some(u) = row.deploying_in(env) {
            span.going title=(format!("since {} for {}", when(u.since, tz), person(&u.by))) {
                "deploying " (u.git_ref)
            }
        }
    }
}
