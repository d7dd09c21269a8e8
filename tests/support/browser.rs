//! Headless Chromium through chromedriver (Debian's `chromium` and `chromium-driver`) for
//! tests that look at a page as a person would, at a given viewport; screenshots go to
//! `target/artefacts/`. Without Chromium a test skips loudly, unless
//! BADGER_REQUIRE_BROWSER=1 (CI sets it), where a missing browser is a failure.

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Says past the test harness's capture (which hides a passing test's output) that a
/// browser test did not run.
fn loud_skip(test: &str, why: &str) {
    use std::io::Write;
    use std::os::fd::AsFd;
    let line = format!(
        "NOTE: the {test} browser test is SKIPPED: {why}. Install them with \
         `apt-get install -y chromium chromium-driver` (BADGER_REQUIRE_BROWSER=1 makes this a failure)"
    );
    match std::io::stderr().as_fd().try_clone_to_owned() {
        Ok(fd) => {
            let _ = writeln!(std::fs::File::from(fd), "{line}");
        }
        Err(_) => eprintln!("{line}"),
    }
}

/// Chromium and chromedriver, or `None` (after saying so) when the test should skip.
pub fn chromium_or_skip(test: &str) -> Option<(PathBuf, PathBuf)> {
    let required = std::env::var("BADGER_REQUIRE_BROWSER").as_deref() == Ok("1");
    let chromium = on_path(&["chromium", "chromium-browser", "google-chrome"]);
    let driver = on_path(&["chromedriver"]);
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => {
            assert!(
                !required,
                "BADGER_REQUIRE_BROWSER=1 but chromium and chromedriver are not both on PATH"
            );
            loud_skip(test, "chromium or chromedriver is not installed");
            None
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// chromedriver on a free port (killed when the child is dropped), and its URL.
pub async fn start_chromedriver(driver: &Path) -> (tokio::process::Child, String) {
    let port = free_port();
    let child = tokio::process::Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("chromedriver starts");
    let url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("{url}/status")).send().await {
            if r.status().is_success() {
                return (child, url);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("chromedriver did not answer on {url}");
}

/// A headless Chromium session whose viewport is `width` x `height` CSS pixels; with
/// `phone`, emulated as a touch phone (so the page's viewport meta applies).
pub async fn session(
    webdriver: &str,
    chromium: &Path,
    width: u32,
    height: u32,
    phone: bool,
) -> Client {
    let mut options = json!({
        "binary": chromium,
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-dev-shm-usage", format!("--window-size={width},{height}")],
    });
    if phone {
        options["mobileEmulation"] = json!({
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 1.0, "touch": true},
        });
    }
    let caps = json!({"browserName": "chrome", "goog:chromeOptions": options});
    let serde_json::Value::Object(caps) = caps else {
        unreachable!("a JSON object")
    };
    ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(webdriver)
        .await
        .expect("a Chromium session")
}

/// Saves what the browser shows as `target/artefacts/<name>`.
pub async fn screenshot(c: &Client, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/artefacts");
    std::fs::create_dir_all(&dir).expect("artefacts dir");
    let path = dir.join(name);
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(&path, png).expect("write screenshot");
    path
}
