//! `dateline user …` as a new user meets it: without a terminal, and with reset links that
//! point at the site the server really answers on.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::{dateline, run_ok};

/// Runs `dateline ARGS` without a controlling terminal (as under cron, CI or `ssh host cmd`),
/// with `stdin` piped in.
fn detached(data_dir: &Path, args: &[&str], stdin: &str) -> Output {
    let inner = dateline(data_dir);
    let mut c = Command::new("setsid");
    c.arg(inner.get_program())
        .args(inner.get_args())
        .args(args)
        .envs(
            inner
                .get_envs()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))),
        )
        .env_remove("DATELINE_DATABASE_URL")
        .env_remove("DATELINE_BASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn setsid dateline");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

async fn password_works(data_dir: &Path, email: &str, password: &str) -> bool {
    let config = dateline_app::Config::new(
        "127.0.0.1:8080".parse().expect("addr"),
        data_dir.to_path_buf(),
    );
    let app = dateline_app::App::open(config).await.expect("open store");
    let ok = app.verify_password(email, password).await.is_ok();
    app.store().close().await;
    ok
}

const CREATE: &[&str] = &[
    "user",
    "create",
    "--role",
    "admin",
    "--email",
    "chief@example.org",
];

#[tokio::test]
async fn a_user_is_created_without_a_terminal_with_the_password_on_stdin() {
    let work = tempfile::tempdir().expect("tmp");

    // Asked for a password with no terminal to ask on: a clear way out, nothing created.
    let out = detached(work.path(), CREATE, "a long enough password\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("--password-stdin"), "names the way out: {err}");
    assert!(!err.contains("No such device"), "{err}");
    assert!(err.contains("at least 10 characters"), "{err}");

    // Too short on stdin: refused with the rule.
    let mut args = CREATE.to_vec();
    args.push("--password-stdin");
    let out = detached(work.path(), &args, "short\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("at least 10 characters"), "{err}");
    let users = run_ok(dateline(work.path()).args(["user", "list"]));
    assert!(users.trim().is_empty(), "nobody created yet: {users}");

    // Piped in: created, and the password signs in.
    let out = detached(work.path(), &args, "a long enough password\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("created chief@example.org"), "{err}");
    assert!(password_works(work.path(), "chief@example.org", "a long enough password").await);
    assert!(!password_works(work.path(), "chief@example.org", "a long enough passwor").await);

    // The help says how.
    let help = run_ok(dateline(work.path()).args(["user", "create", "--help"]));
    assert!(help.contains("--password-stdin"), "{help}");
    assert!(help.contains("at least 10 characters"), "{help}");
}

#[test]
fn a_reset_link_uses_the_base_url_and_says_where_it_came_from() {
    let work = tempfile::tempdir().expect("tmp");
    let mut args = CREATE.to_vec();
    args.push("--password-stdin");
    let out = detached(work.path(), &args, "a long enough password\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A flag.
    let out = dateline(work.path())
        .args([
            "user",
            "reset-link",
            "chief@example.org",
            "--base-url",
            "https://news.example/",
        ])
        .output()
        .expect("run");
    let (link, said) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{said}");
    assert!(
        link.trim().starts_with("https://news.example/reset/"),
        "{link}"
    );
    assert!(said.contains("https://news.example"), "{said}");

    // The environment.
    let out = dateline(work.path())
        .args(["user", "reset-link", "chief@example.org"])
        .env("DATELINE_BASE_URL", "http://127.0.0.1:9123")
        .output()
        .expect("run");
    let link = String::from_utf8_lossy(&out.stdout);
    assert!(
        link.trim().starts_with("http://127.0.0.1:9123/reset/"),
        "{link}"
    );

    // dateline.toml, as serve reads it.
    let config = work.path().join("dateline.toml");
    std::fs::write(&config, "base_url = \"https://desk.example.org\"\n").expect("write");
    let out = dateline(work.path())
        .args(["user", "reset-link", "chief@example.org", "--config"])
        .arg(&config)
        .env_remove("DATELINE_BASE_URL")
        .output()
        .expect("run");
    let (link, said) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        link.trim().starts_with("https://desk.example.org/reset/"),
        "{link}"
    );
    assert!(said.contains("dateline.toml"), "{said}");

    // Nothing set: the default is named as a default, with the way to change it.
    let out = dateline(work.path())
        .args(["user", "reset-link", "chief@example.org"])
        .env_remove("DATELINE_BASE_URL")
        .output()
        .expect("run");
    let (link, said) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        link.trim().starts_with("http://127.0.0.1:8080/reset/"),
        "{link}"
    );
    assert!(said.contains("--base-url"), "{said}");
    assert!(said.contains("base_url"), "{said}");
}
