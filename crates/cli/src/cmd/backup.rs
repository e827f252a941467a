//! `dateline backup` and `dateline restore`.

use std::path::Path;

use dateline_app::{App, Config};

use crate::progress::Reporter;

pub async fn backup(app: App, file: &Path) -> anyhow::Result<()> {
    let report = app.backup(file).await?;
    app.store().close().await;
    println!(
        "backed up {} articles and {} users to {} ({:.1} MB, integrity checked) in {:.1} s",
        report.facts.articles,
        report.facts.users,
        report.path.display(),
        report.bytes as f64 / 1e6,
        report.took.as_secs_f64()
    );
    Ok(())
}

pub async fn restore(config: Config, file: &Path, force: bool) -> anyhow::Result<()> {
    let progress = Reporter::new("reindex", 0);
    let report = dateline_app::backup::restore(config, file, force, &progress).await?;
    progress.finish();
    if let Some(copy) = &report.replaced_copy {
        println!("the store that was replaced is kept at {}", copy.display());
    }
    println!(
        "restored {} articles and {} users from {} into {}; search and related articles rebuilt for {} published articles",
        report.facts.articles,
        report.facts.users,
        file.display(),
        report.store.display(),
        report.indexed
    );
    Ok(())
}
