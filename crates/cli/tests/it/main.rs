//! The `dateline` binary end to end: the commands a newsroom runs.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

mod accounts;
mod archive;
mod backup;
mod import_files;
mod import_formats;

fn dateline(data_dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dateline"));
    c.arg("--data-dir")
        .arg(data_dir)
        .env("RUST_LOG", "warn")
        .env_remove("DATELINE_DATABASE_URL");
    c
}

fn run_ok(c: &mut Command) -> String {
    let out = c.output().expect("run dateline");
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf8")
}

const SAMPLE: &str = concat!(
    r#"{"external_id": "a-1", "title": "Rates held", "body": "The bank held rates.", "section": "Business", "tags": ["Rates"], "authors": ["Ann"], "dateline": "London", "published_at": "2005-03-01T09:00:00Z"}"#,
    "\n",
    r#"{"external_id": "a-2", "title": "Draft piece", "body": "Not yet.", "status": "draft"}"#,
    "\n",
);

#[test]
fn help_documents_every_subcommand() {
    let out = Command::new(env!("CARGO_BIN_EXE_dateline"))
        .arg("--help")
        .output()
        .expect("run");
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in [
        "serve",
        "import",
        "export",
        "backup",
        "restore",
        "user",
        "key",
        "--data-dir",
        "--database-url",
    ] {
        assert!(help.contains(cmd), "--help lacks {cmd}");
    }
}

#[test]
fn export_import_export_round_trips_byte_for_byte() {
    let work = tempfile::tempdir().expect("tmp");
    let input = work.path().join("in.jsonl");
    let corpus = dateline_testkit::shared::corpus("bbc.jsonl");
    match &corpus {
        Some(c) => {
            let mut text = std::fs::read_to_string(c).expect("corpus");
            text.push_str(SAMPLE);
            std::fs::write(&input, text).expect("write");
        }
        None => std::fs::write(&input, SAMPLE).expect("write"),
    }
    let (a, b) = (work.path().join("a"), work.path().join("b"));
    run_ok(
        dateline(&a)
            .args(["import", "--format", "jsonl"])
            .arg(&input),
    );
    let first = work.path().join("first.jsonl");
    run_ok(
        dateline(&a)
            .args(["export", "--format", "jsonl"])
            .arg(&first),
    );
    run_ok(
        dateline(&b)
            .args(["import", "--format", "jsonl"])
            .arg(&first),
    );
    let second = run_ok(dateline(&b).args(["export", "--format", "jsonl", "-"]));
    let first = std::fs::read_to_string(first).expect("read");
    assert_eq!(
        first.lines().count(),
        if corpus.is_some() { 2227 } else { 2 }
    );
    assert!(first == second, "exports differ after a round trip");
}

#[test]
fn a_bad_file_is_refused_with_its_line_and_nothing_is_written() {
    let work = tempfile::tempdir().expect("tmp");
    let input = work.path().join("bad.jsonl");
    std::fs::write(
        &input,
        format!(
            "{SAMPLE}{}\n",
            r#"{"title": "x", "body": "y", "tags": "not a list"}"#
        ),
    )
    .expect("write");
    let out = dateline(work.path())
        .args(["import", "--format", "jsonl"])
        .arg(&input)
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3, field `tags`"), "{err}");
    let exported = run_ok(dateline(work.path()).args(["export", "--format", "jsonl", "-"]));
    assert!(exported.is_empty(), "nothing may be written: {exported}");
}

#[test]
fn reindex_rebuilds_search_and_leaves_the_related_engine_for_the_next_start() {
    let work = tempfile::tempdir().expect("tmp");
    let input = work.path().join("sample.jsonl");
    std::fs::write(&input, SAMPLE).expect("write");
    run_ok(
        dateline(work.path())
            .args(["import", "--format", "jsonl"])
            .arg(&input),
    );
    let out = dateline(work.path())
        .arg("reindex")
        .output()
        .expect("run reindex");
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("reindexed 1 published article"), "{said}");
    let snapshot = std::fs::metadata(work.path().join("related.snapshot")).expect("snapshot");
    assert!(snapshot.len() > 100, "{} bytes", snapshot.len());
}

#[tokio::test]
async fn serve_demo_shows_a_site_and_a_new_key_can_publish() {
    let work = tempfile::tempdir().expect("tmp");
    let mut user = dateline(work.path())
        .args([
            "user",
            "create",
            "--role",
            "admin",
            "--email",
            "chief@example.org",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    user.stdin
        .take()
        .expect("stdin")
        .write_all(b"a long enough password\n")
        .expect("write");
    assert!(user.wait().expect("wait").success());
    let key =
        run_ok(dateline(work.path()).args(["key", "create", "--role", "editor", "--name", "desk"]));
    let key = key.trim().to_owned();
    assert!(key.starts_with("dl_"));
    let listed = run_ok(dateline(work.path()).args(["key", "list"]));
    assert!(
        listed.contains("desk") && !listed.contains(&key),
        "keys are listed without their secret"
    );

    let mut server = KillOnDrop(
        dateline(work.path())
            .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn serve"),
    );
    let stderr = server.0.stderr.take().expect("stderr");
    let mut base = None;
    for line in BufReader::new(stderr).lines().take(50) {
        let line = line.expect("line");
        if let Some(rest) = line.split("serving on ").nth(1) {
            base = Some(
                rest.split_whitespace()
                    .next()
                    .expect("url")
                    .trim_end_matches('/')
                    .to_owned(),
            );
            break;
        }
    }
    let base = base.expect("serve printed its address");
    let client = reqwest::Client::new();
    let home = client.get(format!("{base}/")).send().await.expect("home");
    assert_eq!(home.status(), 200);
    assert!(home
        .text()
        .await
        .expect("body")
        .contains("Welcome to dateline"));
    let created = dateline_testkit::openapi::send_checked(
        &base,
        client
            .post(format!("{base}/api/v1/admin/articles"))
            .bearer_auth(&key)
            .json(&serde_json::json!({"title": "From the CLI key", "body": "Works."})),
    )
    .await
    .expect("post");
    assert_eq!(created.status(), 201);
    let page = client
        .get(format!("{base}/articles/from-the-cli-key"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    // Served on port 0, the links the site writes name the port it really got (they named
    // ":0" when the base URL was derived before binding).
    let html = page.text().await.expect("html");
    assert!(
        html.contains(&format!("href=\"{base}/articles/from-the-cli-key\"")),
        "canonical link on {base}"
    );
    assert!(!html.contains("127.0.0.1:0/"), "a link names port 0");
}

/// A child process killed when the test ends, even by a failed assertion (a server left
/// running keeps the test's output pipe open).
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve` and returns the child and its base URL.
fn spawn_serve(data_dir: &Path, extra: &[&str]) -> (std::process::Child, String) {
    let mut server = dateline(data_dir)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let stderr = server.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let base = lines
        .by_ref()
        .take(50)
        .map_while(Result::ok)
        .find_map(|line| {
            line.split("serving on ")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .map(|url| url.trim_end_matches('/').to_owned())
        })
        .expect("serve printed its address");
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (server, base)
}

#[test]
fn sigterm_stops_serve_within_the_grace_period_despite_a_half_sent_request() {
    let work = tempfile::tempdir().expect("tmp");
    let config = work.path().join("dateline.toml");
    std::fs::write(&config, "shutdown_grace_secs = 2\n").expect("config");
    let data = work.path().join("data");
    let (mut server, base) = spawn_serve(&data, &["--config", config.to_str().expect("utf8")]);
    let addr = base.trim_start_matches("http://").to_owned();
    // Wait until the node is ready, so the related engine exists to be saved.
    let ready = || {
        let Ok(mut c) = std::net::TcpStream::connect(&addr) else {
            return false;
        };
        let _ =
            c.write_all(b"GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        let mut head = String::new();
        let _ = BufReader::new(c).read_line(&mut head);
        head.starts_with("HTTP/1.1 200")
    };
    for _ in 0..100 {
        if ready() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // A client that sent half its headers and then went quiet.
    let mut slow = std::net::TcpStream::connect(&addr).expect("connect");
    slow.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Half: ")
        .expect("write");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let started = std::time::Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = loop {
        if let Some(status) = server.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(20) {
            let _ = server.kill();
            panic!("serve still running 20 s after SIGTERM with a half-sent request open");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let took = started.elapsed();
    assert!(status.success(), "serve exited with {status}");
    assert!(
        took < std::time::Duration::from_secs(8),
        "shutdown took {took:?} with a 2 s grace period"
    );
    assert!(
        data.join("related.snapshot").exists(),
        "the related articles were saved before exiting"
    );
    drop(slow);
}
