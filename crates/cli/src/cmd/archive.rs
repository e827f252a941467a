//! `dateline export --format archive DIR` and `dateline import --format archive DIR`: the
//! whole newsroom out to a directory and back into an empty store (issue 11, item 6).

use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use dateline_app::App;

use crate::progress::Reporter;

pub async fn export(app: App, dir: &Path, secrets: bool) -> anyhow::Result<()> {
    anyhow::ensure!(
        dir.as_os_str() != "-",
        "an archive is a directory; give a path, not -"
    );
    let started = Instant::now();
    let progress = Reporter::new("export", 0);
    let report = app.export_archive(dir, secrets, &progress).await;
    progress.finish();
    let report = report.with_context(|| format!("exporting to {}", dir.display()))?;
    let counts: Vec<String> = report
        .manifest
        .files
        .iter()
        .map(|f| format!("{} {}", f.records, f.name.trim_end_matches(".jsonl")))
        .collect();
    eprintln!(
        "exported the newsroom to {} in {:.1} s: {}",
        dir.display(),
        started.elapsed().as_secs_f64(),
        counts.join(", ")
    );
    if !secrets {
        eprintln!(
            "no password or API key hashes were written (--include-secrets adds them): after \
             an import, users set a new password through a reset link \
             (`dateline user reset-link EMAIL`) and API keys must be created again"
        );
    }
    app.store().close().await;
    Ok(())
}

pub async fn import(app: App, dir: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let progress = Reporter::new_counting("import", 0);
    let report = app.import_archive(dir, &progress).await;
    progress.finish();
    let report = report.with_context(|| format!("importing {}", dir.display()))?;
    let imported = started.elapsed();
    // A following `serve` must find search and related articles ready, not rebuild them.
    app.start_discovery()?;
    let progress = Reporter::new_counting("reindex", report.records("articles.jsonl"));
    let indexed = app.rebuild_discovery(&progress).await;
    progress.finish();
    let indexed = indexed.context("rebuilding search and related articles")?;
    let counts: Vec<String> = report
        .manifest
        .files
        .iter()
        .map(|f| format!("{} {}", f.records, f.name.trim_end_matches(".jsonl")))
        .collect();
    eprintln!(
        "imported {} (written by dateline {}) in {:.1} s: {}; search and related articles \
         rebuilt for {indexed} published articles in {:.1} s",
        dir.display(),
        report.manifest.dateline_version,
        imported.as_secs_f64(),
        counts.join(", "),
        (started.elapsed() - imported).as_secs_f64(),
    );
    if !report.manifest.secrets {
        eprintln!(
            "the archive holds no password or API key hashes: every user must set a password \
             through a reset link (`dateline user reset-link EMAIL`), and API keys must be \
             created again (`dateline key create`); the old keys are listed but cannot be used"
        );
    }
    app.store().close().await;
    Ok(())
}
