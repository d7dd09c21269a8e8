//! Block Kit JSON to HTML, for the console: header, section (text, fields, a button
//! accessory), context, actions (buttons), divider. A block or element it does not know is
//! shown as a grey note, never dropped silently. Buttons carry what a press needs.

use super::mrkdwn::{html, plain_to_html, to_html, Names};
use serde_json::Value;

/// Where the blocks are shown: buttons send these back with a press.
pub struct Place<'a> {
    pub channel: &'a str,
    pub ts: Option<&'a str>,
}

/// The message's blocks, or its text fallback when it has none (as Slack shows it).
pub fn message_to_html(text: &str, blocks: &[Value], names: &dyn Names, at: &Place) -> String {
    if blocks.is_empty() {
        return format!("<div class=\"blk section\">{}</div>", to_html(text, names));
    }
    blocks.iter().map(|b| block(b, names, at)).collect()
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A text object: mrkdwn or plain_text.
fn text_obj(v: &Value, names: &dyn Names) -> String {
    match str_of(v, "type") {
        "mrkdwn" => to_html(str_of(v, "text"), names),
        _ => plain_to_html(str_of(v, "text")),
    }
}

fn unknown(what: &str, kind: &str) -> String {
    format!(
        "<div class=\"blk unknown\">[{what} the console does not show: {}]</div>",
        html(kind)
    )
}

fn block(b: &Value, names: &dyn Names, at: &Place) -> String {
    match str_of(b, "type") {
        "section" => {
            let mut out = String::from("<div class=\"blk section\"><div class=\"sec-main\">");
            if let Some(t) = b.get("text") {
                out += &format!("<div class=\"sec-text\">{}</div>", text_obj(t, names));
            }
            if let Some(fields) = b.get("fields").and_then(Value::as_array) {
                out += "<div class=\"fields\">";
                for f in fields {
                    out += &format!("<div class=\"field\">{}</div>", text_obj(f, names));
                }
                out += "</div>";
            }
            out += "</div>";
            if let Some(acc) = b.get("accessory") {
                out += &format!("<div class=\"accessory\">{}</div>", element(acc, names, at));
            }
            out + "</div>"
        }
        "context" => {
            let parts: String = b
                .get("elements")
                .and_then(Value::as_array)
                .map(|els| {
                    els.iter()
                        .map(|e| match str_of(e, "type") {
                            "image" => format!(
                                "<span class=\"ctx-img\">[{}]</span>",
                                html(str_of(e, "alt_text"))
                            ),
                            _ => format!("<span>{}</span>", text_obj(e, names)),
                        })
                        .collect()
                })
                .unwrap_or_default();
            format!("<div class=\"blk context\">{parts}</div>")
        }
        "actions" => {
            let buttons: String = b
                .get("elements")
                .and_then(Value::as_array)
                .map(|els| els.iter().map(|e| element(e, names, at)).collect())
                .unwrap_or_default();
            format!("<div class=\"blk actions\">{buttons}</div>")
        }
        "divider" => "<hr class=\"blk divider\">".to_owned(),
        "header" => format!(
            "<h3 class=\"blk header\">{}</h3>",
            b.get("text")
                .map(|t| plain_to_html(str_of(t, "text")))
                .unwrap_or_default()
        ),
        other => unknown("a block", other),
    }
}

fn element(e: &Value, names: &dyn Names, at: &Place) -> String {
    match str_of(e, "type") {
        "button" => {
            let label = e
                .get("text")
                .map(|t| text_obj(t, names))
                .unwrap_or_default();
            let style = match str_of(e, "style") {
                "primary" => " primary",
                "danger" => " danger",
                _ => "",
            };
            let url = str_of(e, "url");
            if url.starts_with("https://") || url.starts_with("http://") {
                return format!(
                    "<a class=\"btn{style}\" href=\"{}\" target=\"_blank\" rel=\"noopener noreferrer\">{label}</a>",
                    html(url)
                );
            }
            format!(
                "<button type=\"button\" class=\"btn{style}\" data-action-id=\"{}\" data-value=\"{}\" data-channel=\"{}\" data-ts=\"{}\">{label}</button>",
                html(str_of(e, "action_id")),
                html(str_of(e, "value")),
                html(at.channel),
                html(at.ts.unwrap_or("")),
            )
        }
        other => unknown("an element", other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::mrkdwn::Lowercase;
    use crate::service::Action;
    use crate::slack::blocks::{button, Message};
    use serde_json::json;

    const AT: Place = Place {
        channel: "C0DEPLOY",
        ts: Some("1.000001"),
    };

    #[test]
    fn badgers_own_messages_render_with_working_buttons() {
        let m = Message::plain(":wave: <@UBOB> it's your turn to deploy *app* `r1`").with_buttons(
            vec![
                button(Action::Start, "Start", 7, Some("primary")),
                button(Action::Skip, "Let the next go first", 7, None),
            ],
        );
        let out = message_to_html(&m.text, &m.blocks, &Lowercase, &AT);
        assert!(
            out.contains("<span class=\"mention\">@ubob</span>"),
            "{out}"
        );
        assert!(out.contains("<b>app</b> <code>r1</code>"), "{out}");
        assert!(out.contains(
            "<button type=\"button\" class=\"btn primary\" data-action-id=\"deploy_start\" data-value=\"7\" data-channel=\"C0DEPLOY\" data-ts=\"1.000001\">Start</button>"
        ), "{out}");
        assert!(out.contains(">Let the next go first</button>"), "{out}");
    }

    #[test]
    fn other_block_types_and_fallback() {
        let blocks = vec![
            json!({"type": "header", "text": {"type": "plain_text", "text": "<Hi> :rocket:"}}),
            json!({"type": "divider"}),
            json!({"type": "context", "elements": [{"type": "mrkdwn", "text": "_small_"},
                {"type": "image", "image_url": "https://x/y.png", "alt_text": "a \"pic\""}]}),
            json!({"type": "section", "fields": [{"type": "mrkdwn", "text": "*a*"}],
                "accessory": {"type": "button", "text": {"type": "plain_text", "text": "Go"},
                "action_id": "x\"><script>", "value": "1"}}),
            json!({"type": "video", "title": "?"}),
            json!({"type": "actions", "elements": [{"type": "static_select"}]}),
        ];
        let out = message_to_html("fallback", &blocks, &Lowercase, &AT);
        assert!(out.contains("<h3 class=\"blk header\">&lt;Hi&gt; \u{1F680}</h3>"));
        assert!(out.contains("<hr class=\"blk divider\">"));
        assert!(out.contains("<span><i>small</i></span>"));
        assert!(out.contains("[a &quot;pic&quot;]"));
        assert!(out.contains("<div class=\"field\"><b>a</b></div>"));
        assert!(
            out.contains("data-action-id=\"x&quot;&gt;&lt;script&gt;\""),
            "{out}"
        );
        assert!(out.contains("[a block the console does not show: video]"));
        assert!(out.contains("[an element the console does not show: static_select]"));
        assert!(!out.contains("fallback"));
        // No blocks: the text, as Slack shows it.
        assert_eq!(
            message_to_html("*t*", &[], &Lowercase, &AT),
            "<div class=\"blk section\"><b>t</b></div>"
        );
        // Junk where blocks should be: shown as unknown, no panic.
        let junk = vec![
            json!(1),
            json!({"type": 5}),
            json!({"type": "section", "text": 3}),
        ];
        let out = message_to_html("", &junk, &Lowercase, &AT);
        assert_eq!(out.matches("unknown").count(), 2, "{out}");
    }
}
