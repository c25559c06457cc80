//! The replay suite: every example of `emulator/tests/replay/*.json` — requests and answers taken
//! from Microsoft's documentation pages, each naming its page in `doc` — is sent to a freshly
//! reset demo emulator and its answer compared with what the page shows (status, `error.code`,
//! keys of the body and of each element of `value`).
//!
//! Format of one example (an array of them per file):
//! `{doc, title, caller, before?, method, path, headers?, body?, advance_seconds?, status,
//! error_code?, keys?, absent_keys?, item_keys?}`. `caller` is a demo account's UPN (a delegated
//! token through the authorization-code flow, tenant = the UPN's domain), `app:{tenant}` (an
//! app-only token), or absent / `none` (no `Authorization` header). `headers` are sent last, so an
//! example may replace `Authorization`. A string `body` is sent as it is (with `Content-Type:
//! application/json` unless `headers` gives one), any other JSON as JSON. `before` calls (each with
//! its own `caller`, default the example's) must answer < 400; then the clock moves
//! `advance_seconds` forward (after the tokens are issued, so an example can outlive its token),
//! then the request is sent.
//!
//! One emulator serves every example, reset (`POST /_emulator/reset`) before each: measured on
//! the 2-core build machine (debug build), a reset takes about 30 ms where starting a new demo
//! emulator takes about 330 ms (it also makes a signing key); a delegated token takes about 15 ms.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{app_token, http, start, user_token};
use serde::Deserialize;
use serde_json::Value;

/// How many examples the suite must hold at least.
const MINIMUM_EXAMPLES: usize = 40;

/// A set-up call made before the example's request.
#[derive(Debug, Clone, Deserialize)]
struct Call {
    #[serde(default)]
    caller: Option<String>,
    #[serde(default = "get")]
    method: String,
    path: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: Option<Value>,
}

/// One documented example.
#[derive(Debug, Clone, Deserialize)]
struct Example {
    #[serde(default)]
    doc: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    caller: Option<String>,
    #[serde(default)]
    before: Vec<Call>,
    #[serde(default = "get")]
    method: String,
    path: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    advance_seconds: i64,
    status: u16,
    #[serde(default)]
    error_code: Option<String>,
    #[serde(default)]
    keys: Vec<String>,
    #[serde(default)]
    absent_keys: Vec<String>,
    #[serde(default)]
    item_keys: Vec<String>,
}

fn get() -> String {
    "GET".to_owned()
}

fn replay_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/replay")
}

/// The example files, by name, each with its examples (or why it could not be read). Examples
/// are read one by one, so that one malformed example does not hide the others.
fn example_files() -> Vec<(String, Vec<Result<Example, String>>)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(replay_dir())
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, read_examples(&path))
        })
        .collect()
}

fn read_examples(path: &Path) -> Vec<Result<Example, String>> {
    let parsed = std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str::<Vec<Value>>(&text).map_err(|e| e.to_string()));
    match parsed {
        Err(error) => vec![Err(format!("the file is not a JSON array: {error}"))],
        Ok(values) => values
            .into_iter()
            .enumerate()
            .map(|(i, value)| {
                let title = value["title"].as_str().unwrap_or("?").to_owned();
                serde_json::from_value(value)
                    .map_err(|e| format!("example {i} ({title}) is malformed: {e}"))
            })
            .collect(),
    }
}

/// A bearer token for `caller`: `None` for no caller; an error (not a panic) when the emulator
/// refuses to issue one.
async fn token_for(base: &str, caller: Option<&str>) -> Result<Option<String>, String> {
    let caller = match caller.map(str::trim) {
        None | Some("") | Some("none") => return Ok(None),
        Some(caller) => caller.to_owned(),
    };
    let base = base.to_owned();
    let who = caller.clone();
    // The shared helpers panic on a refusal: run them apart so that a refusal is reported.
    tokio::spawn(async move {
        match caller.strip_prefix("app:") {
            Some(tenant) => app_token(&base, tenant).await["access_token"]
                .as_str()
                .map(str::to_owned),
            None => {
                let tenant = caller.split_once('@').map(|(_, d)| d).unwrap_or_default();
                Some(user_token(&base, tenant, &caller).await)
            }
        }
    })
    .await
    .ok()
    .flatten()
    .map(Some)
    .ok_or_else(|| format!("no token could be obtained for caller '{who}'"))
}

/// Sends one request; status and body (JSON when it parses, else the text as a JSON string).
async fn send(
    base: &str,
    token: Option<&str>,
    method: &str,
    path: &str,
    headers: &BTreeMap<String, String>,
    body: Option<&Value>,
) -> Result<(u16, Value), String> {
    let method = reqwest::Method::from_bytes(method.as_bytes())
        .map_err(|_| format!("'{method}' is not an HTTP method"))?;
    let url = if path.starts_with("http") {
        path.to_owned()
    } else {
        format!("{base}{path}")
    };
    let mut header_map = reqwest::header::HeaderMap::new();
    if let Some(token) = token {
        header_map.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}")
                .parse()
                .map_err(|_| "unusable token".to_owned())?,
        );
    }
    let mut request = http().request(method, url);
    match body {
        Some(Value::String(raw)) => {
            header_map.insert(
                reqwest::header::CONTENT_TYPE,
                reqwest::header::HeaderValue::from_static("application/json"),
            );
            request = request.body(raw.clone());
        }
        Some(json) => request = request.json(json),
        None => {}
    }
    for (name, value) in headers {
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("'{name}' is not a header name"))?;
        let value = value
            .parse()
            .map_err(|_| format!("'{value}' is not a header value"))?;
        header_map.insert(name, value);
    }
    let response = request
        .headers(header_map)
        .send()
        .await
        .map_err(|e| format!("the request failed: {e}"))?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| e.to_string())?;
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Ok((status, body))
}

/// The body, cut short for a report.
fn excerpt(body: &Value) -> String {
    let text = body.to_string();
    match text.char_indices().nth(300) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// What differs between the example's expectations and an answer (empty when it matches).
fn compare(example: &Example, status: u16, body: &Value) -> Vec<String> {
    let mut differences = Vec::new();
    if status != example.status {
        differences.push(format!(
            "status {status}, expected {}; body: {}",
            example.status,
            excerpt(body)
        ));
    }
    if let Some(code) = &example.error_code {
        let got = body["error"]["code"].as_str();
        if got != Some(code.as_str()) {
            differences.push(format!(
                "error.code {}, expected '{code}'",
                got.map_or("absent".to_owned(), |c| format!("'{c}'"))
            ));
        }
    }
    let has = |value: &Value, key: &str| value.as_object().is_some_and(|o| o.contains_key(key));
    let missing: Vec<&str> = example
        .keys
        .iter()
        .filter(|k| !has(body, k))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        differences.push(format!("keys {missing:?} missing from {}", excerpt(body)));
    }
    let present: Vec<&str> = example
        .absent_keys
        .iter()
        .filter(|k| has(body, k))
        .map(String::as_str)
        .collect();
    if !present.is_empty() {
        differences.push(format!("keys {present:?} present, expected absent"));
    }
    if !example.item_keys.is_empty() {
        match body["value"].as_array() {
            Some(items) if !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    let missing: Vec<&str> = example
                        .item_keys
                        .iter()
                        .filter(|k| !has(item, k))
                        .map(String::as_str)
                        .collect();
                    if !missing.is_empty() {
                        differences
                            .push(format!("value[{i}] lacks {missing:?}: {}", excerpt(item)));
                        break;
                    }
                }
            }
            _ => differences.push(format!(
                "item_keys given but `value` is not a non-empty array: {}",
                excerpt(body)
            )),
        }
    }
    differences
}

/// Runs one example against the emulator at `base` (already reset): its differences.
async fn run_example(base: &str, example: &Example) -> Vec<String> {
    match try_example(base, example).await {
        Ok(differences) => differences,
        Err(problem) => vec![problem],
    }
}

async fn try_example(base: &str, example: &Example) -> Result<Vec<String>, String> {
    let token = token_for(base, example.caller.as_deref()).await?;
    for (i, call) in example.before.iter().enumerate() {
        let call_token = match &call.caller {
            Some(caller) => token_for(base, Some(caller)).await?,
            None => token.clone(),
        };
        let (status, body) = send(
            base,
            call_token.as_deref(),
            &call.method,
            &call.path,
            &call.headers,
            call.body.as_ref(),
        )
        .await?;
        if status >= 400 {
            return Err(format!(
                "before[{i}] {} {} answered {status}: {}",
                call.method,
                call.path,
                excerpt(&body)
            ));
        }
    }
    if example.advance_seconds > 0 {
        let advance = http()
            .post(format!("{base}/_emulator/clock/advance"))
            .json(&serde_json::json!({ "seconds": example.advance_seconds }))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !advance.status().is_success() {
            return Err(format!("the clock did not advance: {}", advance.status()));
        }
    }
    let (status, body) = send(
        base,
        token.as_deref(),
        &example.method,
        &example.path,
        &example.headers,
        example.body.as_ref(),
    )
    .await?;
    Ok(compare(example, status, &body))
}

async fn reset(base: &str) -> Result<(), String> {
    let answer = http()
        .post(format!("{base}/_emulator/reset"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if answer.status().is_success() {
        Ok(())
    } else {
        Err(format!("reset answered {}", answer.status()))
    }
}

/// What the suite found: how many examples ran, and one line per failure.
#[derive(Default)]
struct Outcome {
    examples: usize,
    undocumented: Vec<String>,
    failures: Vec<String>,
}

async fn replay_all(base: &str) -> Outcome {
    let mut outcome = Outcome::default();
    for (file, examples) in example_files() {
        for example in examples {
            let example = match example {
                Ok(example) => example,
                Err(problem) => {
                    outcome.failures.push(format!("{file}: {problem}"));
                    continue;
                }
            };
            outcome.examples += 1;
            let name = format!("{file} › {}", example.title);
            if example.doc.trim().is_empty() {
                outcome.undocumented.push(name.clone());
            }
            let differences = match reset(base).await {
                Ok(()) => run_example(base, &example).await,
                Err(problem) => vec![problem],
            };
            if !differences.is_empty() {
                outcome.failures.push(format!(
                    "{name} ({}): {}",
                    example.doc,
                    differences.join("; ")
                ));
            }
        }
    }
    outcome
}

#[tokio::test]
async fn every_documented_example_replays() {
    let e = start().await;
    let outcome = replay_all(&e.base).await;
    println!(
        "replayed {} examples from {}; {} failed",
        outcome.examples,
        replay_dir().display(),
        outcome.failures.len()
    );
    for failure in &outcome.failures {
        println!("FAILED {failure}");
    }
    let mut problems = Vec::new();
    if outcome.examples < MINIMUM_EXAMPLES {
        problems.push(format!(
            "only {} examples, at least {MINIMUM_EXAMPLES} are required",
            outcome.examples
        ));
    }
    if !outcome.undocumented.is_empty() {
        problems.push(format!(
            "examples without a `doc`: {:?}",
            outcome.undocumented
        ));
    }
    if !outcome.failures.is_empty() {
        problems.push(format!(
            "{} of {} examples failed:\n{}",
            outcome.failures.len(),
            outcome.examples,
            outcome.failures.join("\n")
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn example(json: Value) -> Example {
    serde_json::from_value(json).unwrap()
}

#[test]
fn a_wrong_expectation_is_reported() {
    let expected = example(serde_json::json!({
        "doc": "microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/api/user-list.md",
        "title": "wrong on purpose", "caller": "admin@contoso.onmicrosoft.com",
        "path": "/v1.0/users", "status": 200, "error_code": "Request_BadRequest",
        "keys": ["@odata.context"], "absent_keys": ["value"], "item_keys": ["id"]
    }));
    let body = serde_json::json!({"value": [{"id": "1"}, {"displayName": "no id"}]});
    let differences = compare(&expected, 400, &body);
    assert_eq!(differences.len(), 5, "{differences:#?}");
    assert!(differences[0].starts_with("status 400, expected 200"));
    assert!(differences[1].contains("error.code absent"));
    assert!(differences[2].contains("@odata.context"));
    assert!(differences[3].contains("value"));
    assert!(differences[4].starts_with("value[1] lacks [\"id\"]"));
    let matching =
        serde_json::json!({"@odata.context": "x", "error": {"code": "Request_BadRequest"}});
    let right = example(serde_json::json!({
        "doc": "d", "title": "t", "path": "/", "status": 400,
        "error_code": "Request_BadRequest", "keys": ["@odata.context"]
    }));
    assert!(compare(&right, 400, &matching).is_empty());
}

#[tokio::test]
async fn a_wrong_example_fails_against_the_emulator() {
    let e = start().await;
    let wrong = example(serde_json::json!({
        "doc": "microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/api/user-get.md",
        "title": "me, expected wrong", "caller": "admin@contoso.onmicrosoft.com",
        "path": "/v1.0/me", "status": 201, "keys": ["nope"]
    }));
    let differences = run_example(&e.base, &wrong).await;
    assert_eq!(differences.len(), 2, "{differences:#?}");
    let right = example(serde_json::json!({
        "doc": "d", "title": "t", "caller": "admin@contoso.onmicrosoft.com",
        "path": "/v1.0/me", "status": 200, "keys": ["id", "userPrincipalName"]
    }));
    assert_eq!(run_example(&e.base, &right).await, Vec::<String>::new());
    let unknown_caller = example(serde_json::json!({
        "doc": "d", "title": "t", "caller": "nobody@contoso.onmicrosoft.com",
        "path": "/v1.0/me", "status": 200
    }));
    let differences = run_example(&e.base, &unknown_caller).await;
    assert!(differences[0].contains("no token"), "{differences:#?}");
    let expired = example(serde_json::json!({
        "doc": "d", "title": "t", "caller": "app:contoso.onmicrosoft.com",
        "path": "/v1.0/users", "advance_seconds": 7200, "status": 401,
        "error_code": "InvalidAuthenticationToken"
    }));
    assert_eq!(run_example(&e.base, &expired).await, Vec::<String>::new());
}
