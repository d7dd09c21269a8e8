//! The dashboard's stylesheet, inlined in every page (no external assets, no web fonts):
//! cards that stack on a phone, tables that scroll sideways or stack into labelled lines.

pub const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 -apple-system,"Segoe UI",system-ui,Roboto,Helvetica,Arial,sans-serif;color:#1d1c1d;background:#f4f4f5}
header.top{background:#0b0c0c;color:#fff;padding:.6rem 1rem;display:flex;gap:.4rem 1rem;align-items:baseline;flex-wrap:wrap}
header.top h1{font-size:1.15rem;margin:0}
header.top a{color:#fff}
header.top .asof{opacity:.8;font-size:.85rem}
main{max-width:72rem;margin:0 auto;padding:.75rem;display:grid;gap:.75rem;grid-template-columns:minmax(0,1fr) minmax(0,1fr)}
main>section.wide{grid-column:1/-1}
@media (max-width:50rem){main{grid-template-columns:minmax(0,1fr);padding:.5rem}}
section{background:#fff;border:1px solid #ddd;border-radius:8px;padding:.6rem .8rem;min-width:0}
h2{font-size:1rem;margin:0 0 .5rem}
h3{font-size:.95rem;margin:.2rem 0}
.muted,.none{color:#6a6a6a}
.none{font-style:italic}
p{margin:.3rem 0}
code,.ref{font-family:Menlo,Consolas,monospace;font-size:.88em;overflow-wrap:anywhere}
a{color:#1d70b8}
#window{font-weight:600}
#window.open::before{content:"● ";color:#00703c}
#window.closed::before{content:"● ";color:#d4351c}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #e5e5e5;padding:.35rem .45rem;text-align:left;vertical-align:top}
th{font-size:.8rem;color:#505a5f;font-weight:600}
table.matrix td.cell .when{display:block;font-size:.75rem;color:#6a6a6a;white-space:nowrap}
td.ended,td.took{white-space:nowrap}
table.matrix .ref{font-weight:600}
table.matrix td.drift{background:#fff4d6;box-shadow:inset 3px 0 0 #f47738}
.mark{display:inline-block;font-size:.72rem;font-weight:700;color:#8a3a00;background:#ffe1c4;border-radius:3px;padding:0 .3rem;margin-top:.15rem}
.mark.blocked{color:#fff;background:#d4351c}
table.matrix .failed{display:block;font-size:.75rem;font-weight:700;color:#d4351c}
table.matrix .going{display:block;font-size:.75rem;font-weight:700;color:#1d70b8}
.envs{display:grid;gap:.5rem;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr))}
.env{border:1px solid #e5e5e5;border-radius:6px;padding:.45rem .6rem}
.badge{font-size:.72rem;border-radius:3px;padding:0 .3rem;background:#eee;color:#333;margin-left:.3rem;font-weight:600}
.deploying{background:#e8f1f8;border-left:3px solid #1d70b8;padding:.3rem .45rem;border-radius:3px}
.called{background:#fef7e0;border-left:3px solid #b58800;padding:.3rem .45rem;border-radius:3px}
.elapsed{font-weight:700}
ol.queue{margin:.35rem 0 0;padding-left:1.4rem}
ol.queue li{margin:.15rem 0}
ul.holds{list-style:none;margin:0;padding:0;display:grid;gap:.4rem;grid-template-columns:repeat(auto-fill,minmax(18rem,1fr))}
ul.holds li{border-left:3px solid #d4351c;background:#fdf0ee;padding:.35rem .5rem;border-radius:3px}
q{font-style:italic;overflow-wrap:anywhere}
.outcome{font-weight:700;white-space:nowrap}
.outcome.succeeded{color:#00703c}
.outcome.failed{color:#d4351c}
.outcome.cancelled,.outcome.expired{color:#6a6a6a}
td.smoke{color:#6a6a6a}
td.smoke-pass{color:#00703c}
td.smoke-fail{color:#d4351c}
td.smoke-pass .verdict,td.smoke-fail .verdict{font-weight:700}
td.smoke-pending{color:#8a6d00}
td.smoke .why{display:block;font-weight:400;font-size:.78rem;overflow-wrap:anywhere}
@media (max-width:40rem){
 table.matrix th,table.matrix td{padding:.3rem .25rem}
 h2 .muted{display:none}
 table.stack thead{display:none}
 table.stack tr{display:block;border-bottom:1px solid #ddd;padding:.3rem 0}
 table.stack td{display:inline-block;border:0;padding:.1rem .4rem .1rem 0}
 table.stack td[data-label]::before{content:attr(data-label) ": ";color:#6a6a6a;font-size:.8rem}
 table.stack td.note{display:block}
}
"#;
