//! `dateline import` and `dateline export`.

use std::fs::File;
use std::io::{BufReader, BufWriter};

use anyhow::Context as _;
use dateline_app::App;

use crate::cli::{ExportArgs, ExportFormat, ImportArgs, ImportFormat};
use crate::progress::Reporter;

pub async fn import(app: App, args: ImportArgs) -> anyhow::Result<()> {
    if let ImportFormat::Archive = args.format {
        return super::archive::import(app, &args.file).await;
    }
    let report = if args.file.as_os_str() == "-" {
        let progress = Reporter::new("import", 0);
        let r = app
            .import_jsonl(std::io::stdin().lock(), args.lenient, &progress)
            .await;
        progress.finish();
        r
    } else {
        let file =
            File::open(&args.file).with_context(|| format!("opening {}", args.file.display()))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let progress = Reporter::new("import", size);
        let r = app
            .import_jsonl(
                BufReader::with_capacity(1 << 20, file),
                args.lenient,
                &progress,
            )
            .await;
        progress.finish();
        r
    };
    let report = report.with_context(|| format!("importing {}", args.file.display()))?;
    eprintln!(
        "imported {}: {} created, {} updated, {} unchanged; {} old addresses kept{}",
        args.file.display(),
        report.created,
        report.updated,
        report.unchanged,
        report.old_urls,
        match report.old_urls_ignored {
            0 => String::new(),
            n => format!(" ({n} ignored: not an article's address)"),
        }
    );
    app.store().close().await;
    Ok(())
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
