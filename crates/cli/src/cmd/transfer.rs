//! `dateline import` and `dateline export`.

use std::fs::File;
use std::io::BufWriter;

use anyhow::Context as _;
use dateline_app::App;

use crate::cli::{ExportArgs, ExportFormat, ImportArgs};
use crate::progress::Reporter;

/// Every import format goes one way (`import_formats.rs`).
pub async fn import(app: App, args: ImportArgs) -> anyhow::Result<()> {
    super::import_formats::import(app, args).await
}

pub async fn export(app: App, args: ExportArgs) -> anyhow::Result<()> {
    if let ExportFormat::Archive = args.format {
        return super::archive::export(app, &args.file, args.include_secrets).await;
    }
    anyhow::ensure!(
        !args.include_secrets,
        "--include-secrets applies to --format archive only"
    );
    let progress = Reporter::new("export", 0);
    let written = if args.file.as_os_str() == "-" {
        let mut out = BufWriter::new(std::io::stdout().lock());
        app.export_jsonl(&mut out, &progress).await?
    } else {
        // Write beside the target and rename, so a failed export never leaves half a file.
        let tmp = args.file.with_extension("partial");
        let file = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let mut out = BufWriter::new(file);
        let n = app.export_jsonl(&mut out, &progress).await?;
        drop(out);
        std::fs::rename(&tmp, &args.file)
            .with_context(|| format!("writing {}", args.file.display()))?;
        n
    };
    progress.finish();
    eprintln!("exported {written} articles to {}", args.file.display());
    Ok(())
}

pub async fn reindex(app: App) -> anyhow::Result<()> {
    app.start_discovery()?;
    let total = app.store().public_count(chrono::Utc::now()).await?;
    let progress = Reporter::new_counting("reindex", total.max(0) as u64);
    let started = std::time::Instant::now();
    let n = app.rebuild_discovery(&progress).await?;
    progress.finish();
    eprintln!(
        "reindexed {n} published articles in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    app.store().close().await;
    Ok(())
}
