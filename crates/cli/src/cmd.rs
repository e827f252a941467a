//! One module per subcommand; this file builds the config and dispatches.

mod accounts;
mod serve;
mod transfer;

use std::path::PathBuf;

use anyhow::Context as _;
use dateline_app::config::{ConfigFile, Overrides};
use dateline_app::{App, Config};

use crate::cli::{Cli, Command, Global};

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
        Command::User(cmd) => accounts::user(open(&cli.global).await?, cmd).await,
        Command::Key(cmd) => accounts::key(open(&cli.global).await?, cmd).await,
    }
}

fn overrides(global: &Global) -> Overrides {
    Overrides {
        data_dir: global.data_dir.clone(),
        database_url: global.database_url.clone(),
        site_name: std::env::var("DATELINE_SITE_NAME").ok(),
        ..Overrides::default()
    }
}

fn config(global: &Global, overrides: Overrides) -> anyhow::Result<Config> {
    let path = global
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from("dateline.toml"));
    if global.config.is_some() && !path.exists() {
        anyhow::bail!("config file {} does not exist", path.display());
    }
    let file = ConfigFile::load(&path)?;
    Ok(Config::resolve(overrides, file)?)
}

async fn open(global: &Global) -> anyhow::Result<App> {
    let config = config(global, overrides(global))?;
    let dir = config.data_dir.display().to_string();
    App::open(config)
        .await
        .with_context(|| format!("opening the store (data dir {dir})"))
}
