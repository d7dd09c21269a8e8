//! Requests generated from badger's OpenAPI document: every operation, with query and
//! path values of the declared types (and junk), JSON bodies shaped by the schemas (and
//! junk), with and without a valid bearer token.

use super::ci::bearer;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value};

/// The document as served and checked in.
pub fn spec() -> Value {
    serde_json::from_str(badger::http::api::routes::OPENAPI)
        .expect("src/http/api/openapi.json is JSON")
}

/// One documented operation.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: String,
    pub path: String,
    pub op: Value,
}

/// Every operation of the document, as (METHOD, path, operation).
pub fn operations(spec: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            out.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                op: op.clone(),
            });
        }
    }
    out
}

/// A schema with its `$ref` followed (within the document).
pub fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let pointer = r.strip_prefix('#').expect("a local $ref");
            resolve(
                spec,
                spec.pointer(pointer)
                    .unwrap_or_else(|| panic!("{r} resolves")),
            )
        }
        None => schema,
    }
}

#[derive(Debug, Clone)]
pub enum Auth {
    None,
    Valid,
    Wrong,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, ready to append to the server's base URL.
    pub target: String,
    pub body: Option<Vec<u8>>,
    pub auth: Auth,
    /// The operation's documented path, to look its responses up.
    pub path: String,
}

impl Request {
    pub fn authorization(&self) -> Option<String> {
        match self.auth {
            Auth::None => None,
            Auth::Valid => Some(bearer()),
            Auth::Wrong => Some("Bearer not-the-token-0123456789".to_owned()),
        }
    }
}

/// Any text: Unicode, controls, percent signs, long runs.
fn junk_text() -> BoxedStrategy<String> {
    prop_oneof![
        ".{0,24}",
        "[%&=+#?/ ]{1,6}",
        Just(String::new()),
        Just("-1".to_owned()),
        Just("0".to_owned()),
        Just("1.5".to_owned()),
        Just("99999999999999999999".to_owned()),
        Just("x".repeat(300)),
    ]
    .boxed()
}

/// Any JSON value, nested a little.
fn junk_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            vec(("[a-z_]{0,8}", inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
    .boxed()
}

/// A value the schema allows (mostly: patterns and examples steer strings).
fn conforming(spec: &Value, schema: &Value) -> BoxedStrategy<Value> {
    let schema = resolve(spec, schema);
    if let Some(c) = schema.get("const") {
        return Just(c.clone()).boxed();
    }
    if let Some(values) = schema["enum"].as_array() {
        return select(values.clone()).boxed();
    }
    if let Some(examples) = schema["examples"].as_array() {
        return select(examples.clone()).boxed();
    }
    let types: Vec<String> = match &schema["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(ts) => ts
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        _ => vec![],
    };
    let one = |t: &str| -> BoxedStrategy<Value> {
        match t {
            "string" => match schema["pattern"].as_str() {
                Some(p) => {
                    let p = p.trim_start_matches('^').trim_end_matches('$');
                    proptest::string::string_regex(p)
                        .expect("pattern")
                        .prop_map(Value::String)
                        .boxed()
                }
                // Mostly plain words; sometimes any Unicode (NUL and controls too).
                None => {
                    prop_oneof![6 => "[a-z0-9 ]{0,20}", 2 => ".{0,20}", 1 => "[a\\x00\\x07]{1,3}"]
                        .prop_map(Value::String)
                        .boxed()
                }
            },
            "integer" => {
                let lo = schema["minimum"].as_i64().unwrap_or(-5);
                let hi = schema["maximum"].as_i64().unwrap_or(lo + 1_000);
                (lo..=hi).prop_map(Value::from).boxed()
            }
            "boolean" => any::<bool>().prop_map(Value::Bool).boxed(),
            "object" => object(spec, schema),
            _ => Just(Value::Null).boxed(),
        }
    };
    match types.len() {
        0 => junk_json(),
        1 => one(&types[0]),
        _ => {
            let choices: Vec<BoxedStrategy<Value>> = types.iter().map(|t| one(t)).collect();
            proptest::strategy::Union::new(choices).boxed()
        }
    }
}

/// Its required properties, some optional ones, each from its schema.
fn object(spec: &Value, schema: &Value) -> BoxedStrategy<Value> {
    let required: Vec<String> = schema["required"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mut fields: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
    for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
        let n = name.clone();
        let value = conforming(spec, prop).prop_map(move |v| (n.clone(), v));
        if required.contains(name) {
            fields.push(value.prop_map(Some).boxed());
        } else {
            fields.push(option::of(value).boxed());
        }
    }
    fields
        .prop_map(|kv| Value::Object(kv.into_iter().flatten().collect()))
        .boxed()
}

/// A value for a parameter: of its type, or junk.
fn parameter_value(spec: &Value, schema: &Value) -> BoxedStrategy<String> {
    let typed = conforming(spec, schema).prop_map(|v| match v {
        Value::String(s) => s,
        other => other.to_string(),
    });
    prop_oneof![4 => typed, 1 => junk_text()].boxed()
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A body: shaped by the schema (sometimes with an extra field), junk JSON, or not JSON.
fn body(spec: &Value, schema: &Value) -> BoxedStrategy<Vec<u8>> {
    let shaped = conforming(spec, schema);
    let extra = (conforming(spec, schema), "[a-z]{1,8}", junk_json()).prop_map(|(mut v, k, x)| {
        if let Value::Object(m) = &mut v {
            m.insert(k, x);
        }
        v
    });
    prop_oneof![
        6 => shaped.prop_map(|v| v.to_string().into_bytes()),
        1 => extra.prop_map(|v| v.to_string().into_bytes()),
        1 => junk_json().prop_map(|v| v.to_string().into_bytes()),
        1 => vec(any::<u8>(), 0..40),
    ]
    .boxed()
}

/// Requests for one operation.
pub fn requests(spec: &Value, o: &Operation) -> BoxedStrategy<Request> {
    let params: Vec<Value> = o.op["parameters"].as_array().cloned().unwrap_or_default();
    let mut path_parts: Vec<BoxedStrategy<(String, String)>> = Vec::new();
    let mut query_parts: Vec<BoxedStrategy<Option<(String, String)>>> = Vec::new();
    for p in &params {
        let name = p["name"].as_str().expect("parameter name").to_owned();
        let value = parameter_value(spec, &p["schema"]);
        match p["in"].as_str() {
            Some("path") => path_parts.push(
                prop_oneof![3 => (1i64..6).prop_map(|i| i.to_string()), 1 => value]
                    .prop_map(move |v| (name.clone(), v))
                    .boxed(),
            ),
            _ => query_parts
                .push(option::weighted(0.7, value.prop_map(move |v| (name.clone(), v))).boxed()),
        }
    }
    // Sometimes an undocumented parameter, or a documented one twice.
    let names: Vec<String> = params
        .iter()
        .filter(|p| p["in"] == "query")
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .chain(["colour".to_owned()])
        .collect();
    let stray = option::weighted(0.15, (select(names), junk_text()));
    let body_strategy = match o.op["requestBody"]["content"]["application/json"]["schema"].clone() {
        Value::Null => Just(None).boxed(),
        schema => option::weighted(0.95, body(spec, &schema)).boxed(),
    };
    let auth = prop_oneof![1 => Just(Auth::None), 3 => Just(Auth::Valid), 1 => Just(Auth::Wrong)];
    let (method, path) = (o.method.clone(), o.path.clone());
    (path_parts, query_parts, stray, body_strategy, auth)
        .prop_map(move |(pp, qp, stray, body, auth)| {
            let mut target = path.clone();
            for (name, v) in pp {
                target = target.replace(&format!("{{{name}}}"), &encode(&v));
            }
            let pairs: Vec<String> = qp
                .into_iter()
                .flatten()
                .chain(stray)
                .map(|(k, v)| format!("{}={}", encode(&k), encode(&v)))
                .collect();
            if !pairs.is_empty() {
                target = format!("{target}?{}", pairs.join("&"));
            }
            Request {
                method: method.clone(),
                target,
                body,
                auth,
                path: path.clone(),
            }
        })
        .boxed()
}

/// Requests for any operation of the document.
pub fn any_request(spec: &Value) -> BoxedStrategy<Request> {
    let choices: Vec<BoxedStrategy<Request>> =
        operations(spec).iter().map(|o| requests(spec, o)).collect();
    proptest::strategy::Union::new(choices).boxed()
}

/// A validator for `schema` as it stands in the document (its `$ref`s resolve there).
pub fn validator(spec: &Value, schema: &Value) -> jsonschema::Validator {
    let mut root = schema.clone();
    if let Value::Object(m) = &mut root {
        m.insert("components".into(), spec["components"].clone());
    } else {
        root = serde_json::json!({"allOf": [schema], "components": spec["components"]});
    }
    jsonschema::validator_for(&root).expect("a valid JSON Schema")
}

/// GETs `path` (no token), expects 200 and a body valid against the document's `schema`
/// (a name under `components/schemas`); the body.
pub async fn get_valid(t: &super::driver::TestApp, path: &str, schema: &str) -> Value {
    let a = super::ci::get(t, path).await;
    assert_eq!(a.status, 200, "{path}: {:?}", a.json);
    let schema = serde_json::json!({ "$ref": format!("#/components/schemas/{schema}") });
    assert!(
        validator(&spec(), &schema).is_valid(&a.json),
        "{path} does not match {schema}: {}",
        a.json
    );
    a.json
}
