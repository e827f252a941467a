//! `dateline import --format jsonl|wxr|ghost FILE`: one path for every format — read, map,
//! write in one transaction (or nothing with `--dry-run`), bring search and related
//! articles up to date, print the summary (and write it as JSON with `--report`).

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use dateline_app::import::{FileFormat, FileImport, ImportSummary};
use dateline_app::App;

use crate::cli::{ImportArgs, ImportFormat};
use crate::progress::Reporter;

/// Options of `dateline import` beyond the format and the file.
#[derive(Debug, Args)]
pub struct ImportOptions {
    /// Ghost: the site's URL, put in place of the export's __GHOST_URL__ placeholders
    /// (e.g. https://news.example) [default: keep site paths]
    #[arg(long, value_name = "URL")]
    pub site_url: Option<String>,
    /// WXR: the site's UTC offset (e.g. +02:00) for posts that have only a local date
    /// [default: inferred from the other posts]
    #[arg(long, value_name = "±HH:MM", allow_hyphen_values = true)]
    pub site_utc_offset: Option<chrono::FixedOffset>,
    /// Read, map and check everything and print the summary, but write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Also write the summary as JSON to FILE
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

pub async fn import(app: App, args: ImportArgs) -> anyhow::Result<()> {
    let format = match args.format {
        ImportFormat::Jsonl => FileFormat::Jsonl,
        ImportFormat::Wxr => FileFormat::Wxr,
        ImportFormat::Ghost => FileFormat::Ghost,
        ImportFormat::Archive => return super::archive::import(app, &args.file).await,
    };
    let options = FileImport {
        lenient: args.lenient,
        dry_run: args.options.dry_run,
        site_url: args.options.site_url.clone(),
        site_utc_offset: args.options.site_utc_offset,
    };
    let size = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    let progress = Reporter::new("import", size);
    let summary = app
        .import_file(format, &args.file, &options, &progress)
        .await;
    progress.finish();
    let summary = summary.with_context(|| format!("importing {}", args.file.display()))?;
    if !summary.dry_run && summary.articles.created + summary.articles.updated > 0 {
        bring_discovery_up_to_date(&app).await?;
    }
    print_summary(&args.file.display().to_string(), &summary);
    if let Some(path) = &args.options.report {
        let json = serde_json::to_vec_pretty(&summary).context("writing the report")?;
        std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))?;
    }
    app.store().close().await;
    Ok(())
}

/// The search index and related articles follow the import before the command returns,
/// so the next `serve` resumes from their checkpoint instead of rebuilding them. A running
/// `serve` holds the index; its own indexer then follows the import's changes.
async fn bring_discovery_up_to_date(app: &App) -> anyhow::Result<()> {
    match app.bring_discovery_up_to_date().await {
        Ok(_) => Ok(()),
        Err(dateline_app::Error::Startup(why)) => {
            eprintln!("note: search and related articles not updated here ({why}); the running server's indexer follows the import");
            Ok(())
        }
        Err(e) => Err(e).context("updating search and related articles after the import"),
    }
}

fn print_summary(file: &str, s: &ImportSummary) {
    let a = &s.articles;
    let verb = if s.dry_run {
        "dry run (nothing written) of"
    } else {
        "imported"
    };
    println!(
        "{verb} {file} ({}): {} created, {} updated, {} unchanged; {} old addresses kept{}",
        s.format,
        a.created,
        a.updated,
        a.unchanged,
        a.old_urls,
        match a.old_urls_ignored {
            0 => String::new(),
            n => format!(" ({n} ignored: not an article's address)"),
        }
    );
    if let Some(src) = &s.source {
        let list = |m: &dyn Fn(&mut Vec<String>)| {
            let mut v = Vec::new();
            m(&mut v);
            if v.is_empty() {
                "none".to_owned()
            } else {
                v.join(", ")
            }
        };
        println!(
            "  items by kind: {}",
            list(&|v| v.extend(src.items_by_kind.iter().map(|(k, n)| format!("{k} {n}"))))
        );
        println!(
            "  posts by status: {}",
            list(&|v| v.extend(
                src.imported_by_status
                    .iter()
                    .map(|(k, n)| format!("{k} {n}"))
            ))
        );
        println!(
            "  skipped: {}",
            list(
                &|v| v.extend(src.skipped_counts.iter().flat_map(|(kind, reasons)| {
                    reasons
                        .iter()
                        .map(move |(why, n)| format!("{n} {kind} ({why})"))
                }))
            )
        );
        println!(
            "  shortcodes converted: {}; unknown (kept as text): {}",
            list(&|v| v.extend(
                src.shortcodes_converted
                    .iter()
                    .map(|(k, n)| format!("[{k}] {n}"))
            )),
            list(&|v| v.extend(
                src.shortcodes_unknown
                    .iter()
                    .map(|(k, n)| format!("[{k}] {n}"))
            ))
        );
        for w in src.warnings.iter().take(ON_TERMINAL) {
            println!("  warning: item {}: {}", w.position, w.message);
        }
        if src.warning_count > ON_TERMINAL {
            println!(
                "  … and {} more warnings ({})",
                src.warning_count - ON_TERMINAL,
                more_in_report(src.warnings.len())
            );
        }
    }
    if let Some(m) = &s.mapping {
        if m.held_back_as_drafts > 0 {
            println!(
                "  {} posts readable only by members or with a password imported as drafts",
                m.held_back_as_drafts
            );
        }
        for w in m.warnings.iter().take(ON_TERMINAL) {
            println!("  note: item {}: {}", w.position, w.message);
        }
        if m.warnings.len() > ON_TERMINAL {
            println!("  … and more notes ({})", more_in_report(m.warnings.len()));
        }
    }
}

/// Warnings and notes printed on the terminal; the `--report` file lists more.
const ON_TERMINAL: usize = 10;

fn more_in_report(listed: usize) -> String {
    format!("the first {listed} are listed in the --report file")
}
