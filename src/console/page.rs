//! The console page at `/` (local mode, loopback): a Slack-like channel view with a
//! command box, and the dashboard beside it. Inline CSS and JS, no external assets; the
//! script polls `/console/state` so several tabs (several people) see each other's actions.

use super::mrkdwn::html;
use super::{person, view, DEFAULT_PERSON};
use crate::service::Core;
use crate::store::StoreError;

const CSS: &str = r##"
*{box-sizing:border-box}
body{margin:0;font:15px/1.46 -apple-system,"Segoe UI",system-ui,Roboto,Helvetica,Arial,sans-serif;color:#1d1c1d;background:#f4f4f5}
header.top{background:#3f0e40;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header.top h1{font-size:1.1rem;margin:0}
header.top .hint{margin:0;opacity:.9}
header.top code{background:rgba(255,255,255,.18);border-color:transparent;color:#fff;padding:0 .3rem;border-radius:3px}
main{display:grid;grid-template-columns:minmax(0,1fr) 26rem;gap:1rem;padding:1rem;max-width:90rem;margin:0 auto}
@media (max-width:60rem){main{grid-template-columns:1fr}}
.pane{background:#fff;border:1px solid #ddd;border-radius:8px;overflow:hidden}
.who-bar{display:flex;gap:.8rem;align-items:center;padding:.6rem 1rem;border-bottom:1px solid #eee;background:#fafafa;flex-wrap:wrap}
.who-bar input[type=text]{width:10rem}
input,button{font:inherit}
input[type=text]{padding:.3rem .5rem;border:1px solid #bbb;border-radius:4px}
.channel{border-bottom:1px solid #eee}
.ch-head{padding:.6rem 1rem;border-bottom:1px solid #eee}
.ch-head h2{margin:0;font-size:1.05rem}
.topic{color:#616061;font-size:.9rem}
.none{color:#999;font-style:italic}
ol.timeline{list-style:none;margin:0;padding:.4rem 0;max-height:calc(100vh - 19.5rem);min-height:12rem;overflow-y:auto}
.msg{padding:.35rem 1rem}
.msg:hover{background:#f8f8f8}
.msg .who{font-size:.9rem}
.app{font-size:.65rem;background:#ddd;color:#555;border-radius:2px;padding:0 .25rem;vertical-align:middle}
time{color:#616061;font-size:.8rem}
.edited{color:#999;font-size:.8rem}
.ephemeral{background:#f2f7fb;border-left:3px solid #1d9bd1}
.only{color:#1d6fa5;font-size:.8rem}
.typed code{font-size:.8rem;color:#444}
.sys{padding:.25rem 1rem;color:#616061;font-size:.88rem}
.blk{margin:.2rem 0}
.section{display:flex;gap:1rem;justify-content:space-between}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:.2rem 1rem}
.context{color:#616061;font-size:.82rem;display:flex;gap:.5rem;flex-wrap:wrap}
.actions{display:flex;gap:.5rem;flex-wrap:wrap;margin-top:.4rem}
.unknown{color:#999;font-style:italic}
hr.divider{border:0;border-top:1px solid #ddd}
h3.header{font-size:1.05rem;margin:.3rem 0}
code{font-family:Monaco,Menlo,Consolas,monospace;font-size:.85em;background:#f6f6f6;border:1px solid #e4e4e4;border-radius:3px;padding:0 .2rem;color:#c01343}
pre{background:#f8f8f8;border:1px solid #e4e4e4;border-radius:4px;padding:.5rem;white-space:pre-wrap}
.quote{border-left:4px solid #ddd;padding-left:.5rem;display:inline-block}
.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 .15rem}
.btn{background:#fff;border:1px solid #bbb;border-radius:4px;padding:.2rem .75rem;font-weight:600;cursor:pointer;color:#1d1c1d;text-decoration:none}
.btn:hover{background:#f4f4f4}
.btn.primary{background:#007a5a;border-color:#007a5a;color:#fff}
.btn.danger{color:#e01e5a;border-color:#e01e5a}
.btn:disabled{opacity:.5;cursor:wait}
form.composer{display:flex;gap:.5rem;padding:.7rem 1rem;border-top:1px solid #eee}
form.composer input{flex:1}
form.composer button{background:#007a5a;color:#fff;border:0;border-radius:4px;padding:.3rem 1rem;font-weight:600}
#error{color:#b00020;padding:0 1rem .6rem;margin:0;min-height:1.2em}
.dash{padding:.2rem 1rem 1rem;font-size:.9rem}
.dash h2{font-size:1rem;margin:1rem 0 .3rem}
.dash table{border-collapse:collapse;width:100%}
.dash td,.dash th{border:1px solid #ddd;padding:.2rem .4rem;text-align:left;vertical-align:top}
.dash ul{padding-left:1.2rem;margin:.2rem 0}
.dash .muted{color:#616061;font-weight:400}
.dash .ref{font-weight:600}
.dash .when,.dash .failed,.dash .mark{display:block;font-size:.78rem}
.dash .when{color:#616061}
.dash .failed{color:#d4351c;font-weight:700}
.dash td.drift{background:#fff4d6}
.dash .mark{color:#8a3a00;font-weight:700}
.dash .mark.blocked{color:#d4351c}
"##;

const JS: &str = r##"
(function(){
  const $ = (s) => document.querySelector(s);
  let version = document.body.dataset.version || "";
  let timer = null;
  const who = () => ({ as: $("#as").value.trim(), admin: $("#admin").checked });
  const showError = (m) => { $("#error").textContent = m || ""; };
  function atBottom(el){ return el.scrollHeight - el.scrollTop - el.clientHeight < 40; }
  function scrollAll(force, was){
    document.querySelectorAll("ol.timeline").forEach((el, i) => {
      if (force || was[i] !== false) el.scrollTop = el.scrollHeight;
    });
  }
  async function refresh(){
    clearTimeout(timer);
    try {
      const r = await fetch("/console/state?as=" + encodeURIComponent(who().as), {cache: "no-store"});
      const j = await r.json();
      if (!r.ok) { showError(j.error); }
      else if (j.version !== version) {
        const was = Array.from(document.querySelectorAll("ol.timeline")).map(atBottom);
        version = j.version;
        document.body.dataset.version = version;
        $("#channels").innerHTML = j.channels;
        $("#dashboard").innerHTML = j.dashboard;
        scrollAll(false, was);
        const box = $("#admin");
        box.disabled = j.user.admin_in_policy;
        if (j.user.admin_in_policy) box.checked = true;
        $("#admin-note").textContent = j.user.admin_in_policy ? "(an admin in the policy)" : "";
      }
    } catch (e) { showError("badger is not answering: " + e); }
    timer = setTimeout(refresh, 1000);
  }
  async function send(path, body){
    const r = await fetch(path, {method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify(body)});
    let j = {};
    try { j = await r.json(); } catch (e) {}
    if (!r.ok) { showError(j.error || ("HTTP " + r.status)); return false; }
    showError("");
    return true;
  }
  $("form.composer").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = $("#text");
    const text = input.value;
    if (!text.trim()) return;
    if (await send("/console/command", Object.assign(who(), {text}))) input.value = "";
    await refresh();
    scrollAll(true, []);
    setTimeout(refresh, 200);
  });
  document.addEventListener("click", async (ev) => {
    const b = ev.target.closest("button[data-action-id]");
    if (!b) return;
    b.disabled = true;
    await send("/console/press", Object.assign(who(), {
      channel: b.dataset.channel, action_id: b.dataset.actionId, value: b.dataset.value,
      ephemeral: !!b.closest(".ephemeral") }));
    await refresh();
    setTimeout(refresh, 200);
  });
  $("#as").addEventListener("change", () => {
    const u = new URL(location.href);
    u.searchParams.set("as", $("#as").value.trim());
    history.replaceState(null, "", u);
    $("#admin").checked = false;
    version = "";
    refresh();
  });
  scrollAll(true, []);
  timer = setTimeout(refresh, 1000);
})();
"##;

/// The whole page, as `who` sees it now (the script keeps it current).
pub async fn render(core: &Core, who: &str) -> Result<String, StoreError> {
    let (name, user) = match person(who) {
        Ok(u) => (who.trim().to_owned(), u),
        Err(_) => (
            DEFAULT_PERSON.to_owned(),
            person(DEFAULT_PERSON).unwrap_or_default(),
        ),
    };
    let v = view(core, &user).await?;
    let s = |k: &str| v[k].as_str().unwrap_or("").to_owned();
    let admin_in_policy = v["user"]["admin_in_policy"].as_bool().unwrap_or(false);
    let deploy = html(&core.policy.deploy_command);
    let first_env = core
        .policy
        .environments
        .first()
        .map(|e| e.name.as_str().to_owned())
        .unwrap_or_else(|| "integration".into());
    let example = format!("{deploy} frontend release_1 to {}", html(&first_env));
    Ok(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>badger console</title><style>{CSS}</style></head>
<body data-version="{version}"><header class="top"><h1>badger &middot; local console</h1><p class="hint" id="hint">Type <code>{example}</code> to try it first, then open a second tab as someone else.</p></header>
<main><div class="pane"><div class="who-bar"><label>You are <input type="text" id="as" value="{name}" autocomplete="off" spellcheck="false"></label><label><input type="checkbox" id="admin"{checked}> admin</label><span id="admin-note">{admin_note}</span></div>
<div id="channels">{channels}</div>
<form class="composer" autocomplete="off"><input type="text" id="text" placeholder="{example}" aria-label="slash command"><button type="submit">Send</button></form><p id="error" role="alert"></p></div>
<div class="pane"><div class="dash" id="dashboard">{dashboard}</div></div></main>
<script>{JS}</script></body></html>"#,
        version = html(&s("version")),
        name = html(&name),
        checked = if admin_in_policy {
            " checked disabled"
        } else {
            ""
        },
        admin_note = if admin_in_policy {
            "(an admin in the policy)"
        } else {
            ""
        },
        channels = s("channels"),
        dashboard = s("dashboard"),
    ))
}
