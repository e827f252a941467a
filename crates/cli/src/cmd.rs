//! One module per subcommand; this file builds the config and dispatches.

mod accounts;
mod archive;
mod backup;
mod import_formats;
mod serve;
mod transfer;

pub use import_formats::ImportOptions;

use std::path::PathBuf;

use anyhow::Context as _;
use dateline_app::config::{ConfigFile, Overrides};
use dateline_app::{App, Config};

use crate::cli::{Cli, Command, Global, UserCommand};

/// Runs the chosen subcommand.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let overrides = Overrides {
                addr: args.addr,
                base_url: args.base_url.clone(),
                ..overrides(&cli.global)
            };
            let config = config(&cli.global, overrides)?;
            serve::run(config, args.demo).await
        }
        Command::Import(args) => transfer::import(open(&cli.global).await?, args).await,
        Command::Export(args) => transfer::export(open(&cli.global).await?, args).await,
        Command::Reindex => transfer::reindex(open(&cli.global).await?).await,
        Command::Backup { file } => backup::backup(open(&cli.global).await?, &file).await,
        Command::Restore { file, force } => {
            backup::restore(config(&cli.global, overrides(&cli.global))?, &file, force).await
        }
        Command::User(cmd) => {
            let base_url = match &cmd {
                UserCommand::ResetLink { base_url, .. } => base_url.clone(),
                _ => None,
            };
            let origin = base_url_origin(&cli.global, base_url.is_some())?;
            let config = config(
                &cli.global,
                Overrides {
                    base_url,
                    ..overrides(&cli.global)
                },
            )?;
            accounts::user(open_with(config).await?, cmd, &origin).await
        }
        Command::Key(cmd) => accounts::key(open(&cli.global).await?, cmd).await,
    }
}

fn overrides(global: &Global) -> Overrides {
    Overrides {
        data_dir: global.data_dir.clone(),
        database_url: global.database_url.clone(),
        site_name: std::env::var("DATELINE_SITE_NAME").ok(),
        metrics_token: std::env::var("DATELINE_METRICS_TOKEN").ok(),
        ..Overrides::default()
    }
}

fn config_path(global: &Global) -> PathBuf {
    global
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from("dateline.toml"))
}

/// Where the base URL in effect comes from, said beside links a command prints (the
/// commands other than `serve` cannot know what address a server listens on).
fn base_url_origin(global: &Global, given: bool) -> anyhow::Result<String> {
    if given {
        return Ok("from --base-url / DATELINE_BASE_URL".into());
    }
    let path = config_path(global);
    let file = ConfigFile::load(&path)?;
    let change = "if readers reach the site elsewhere, pass --base-url URL or set base_url \
                  in dateline.toml (serve uses it too)";
    Ok(if file.base_url.is_some() {
        format!("from base_url in {}", path.display())
    } else if file.addr.is_some() {
        format!("made from addr in {}; {change}", path.display())
    } else {
        format!("the default; {change}")
    })
}

fn config(global: &Global, overrides: Overrides) -> anyhow::Result<Config> {
    let path = config_path(global);
    if global.config.is_some() && !path.exists() {
        anyhow::bail!("config file {} does not exist", path.display());
    }
    let file = ConfigFile::load(&path)?;
    Ok(Config::resolve(overrides, file)?)
}

async fn open(global: &Global) -> anyhow::Result<App> {
    open_with(config(global, overrides(global))?).await
}

async fn open_with(config: Config) -> anyhow::Result<App> {
    let dir = config.data_dir.display().to_string();
    App::open(config)
        .await
        .with_context(|| format!("opening the store (data dir {dir})"))
}
