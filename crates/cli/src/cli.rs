//! Command-line arguments. Every subcommand accepts the global options, which also come
//! from `DATELINE_*` environment variables and, last, from `dateline.toml`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// dateline — a newsroom publishing platform in one binary.
///
/// Serves a news site from an embedded SQLite database by default (or PostgreSQL), and
/// imports, exports and manages its articles, users and API keys.
#[derive(Debug, Parser)]
#[command(name = "dateline", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand accepts.
#[derive(Debug, Args, Clone)]
pub struct Global {
    /// Directory for the SQLite database and other local state [default: ./dateline-data]
    #[arg(long, global = true, env = "DATELINE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Database URL: sqlite://PATH or postgres://USER:PASS@HOST/DB [default: SQLite file in the data dir]
    #[arg(
        long,
        global = true,
        env = "DATELINE_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// Configuration file [default: dateline.toml in the current directory, if present]
    #[arg(long, global = true, env = "DATELINE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Log format: human-readable text or one JSON object per line
    #[arg(long, global = true, env = "DATELINE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// JSON lines, for log collectors.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the site and the API over HTTP.
    Serve(ServeArgs),
    /// Import articles from a file, all-or-nothing.
    Import(ImportArgs),
    /// Export all articles (every status but deleted) to a file, or the whole newsroom to
    /// an archive directory.
    Export(ExportArgs),
    /// Rebuild the search index and related articles from the store (stop `serve` first).
    Reindex,
    /// Copy the whole SQLite store to a new FILE while `serve` keeps running (a consistent
    /// snapshot, integrity checked). PostgreSQL: use pg_dump (docs/OPERATIONS.md).
    Backup {
        /// The file to write; it must not exist
        file: PathBuf,
    },
    /// Replace the SQLite store with a backup FILE (checked first), then rebuild search and
    /// related articles. Stop `serve` first.
    Restore {
        /// A file written by `dateline backup`
        file: PathBuf,
        /// Replace a store that holds articles or users (a copy of it is kept beside it)
        #[arg(long)]
        force: bool,
    },
    /// Manage newsroom user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API keys for the admin API.
    #[command(subcommand)]
    Key(KeyCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "DATELINE_ADDR", value_name = "HOST:PORT")]
    pub addr: Option<SocketAddr>,

    /// Public base URL used in canonical links, e.g. https://news.example [default: http://ADDR]
    #[arg(long, env = "DATELINE_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,

    /// Load sample articles (written for dateline: explainers and tips, with a correction,
    /// lead images and two-author bylines) if the store has none
    #[arg(long)]
    pub demo: bool,
}

/// Import file formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportFormat {
    /// JSON Lines, one article object per line (see docs/API.md).
    Jsonl,
    /// WordPress eXtended RSS export (WXR 1.1/1.2; .xml or .xml.gz).
    Wxr,
    /// Ghost JSON export (Ghost 4, 5, 6; .json or .json.gz).
    Ghost,
    /// A directory written by `export --format archive`: a whole newsroom, into an empty store.
    Archive,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Format of FILE
    #[arg(long, value_enum)]
    pub format: ImportFormat,
    /// Ignore unknown fields instead of rejecting the file
    #[arg(long)]
    pub lenient: bool,
    #[command(flatten)]
    pub options: crate::cmd::ImportOptions,
    /// File to import ("-" for standard input, JSON Lines only)
    pub file: PathBuf,
}

/// Export file formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// JSON Lines; `dateline import --format jsonl` reads it back unchanged.
    Jsonl,
    /// A directory of JSON Lines files, one per kind, with a manifest: the whole newsroom
    /// (articles in every status, terms, revisions, redirects, related pins, users, API
    /// keys), restored by `dateline import --format archive DIR` into an empty store.
    Archive,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Format to write
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Archive only: include password and API key hashes (without them, imported users
    /// set a new password through a reset link and API keys must be created again)
    #[arg(long)]
    pub include_secrets: bool,
    /// File to write ("-" for standard output); a new directory for --format archive
    pub file: PathBuf,
}

/// Roles, least to most power.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// Writes own drafts.
    Contributor,
    /// Also publishes own articles.
    Author,
    /// Everything editorial.
    Editor,
    /// Also users, keys and settings.
    Admin,
}

impl From<RoleArg> for dateline_core::Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Contributor => dateline_core::Role::Contributor,
            RoleArg::Author => dateline_core::Role::Author,
            RoleArg::Editor => dateline_core::Role::Editor,
            RoleArg::Admin => dateline_core::Role::Admin,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. The password (at least 10 characters) is asked for on the terminal,
    /// or read from standard input with --password-stdin (scripts, no terminal).
    Create {
        /// Sign-in email
        #[arg(long)]
        email: String,
        /// Display name [default: the part of the email before @]
        #[arg(long)]
        name: Option<String>,
        /// Role
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Read the password (at least 10 characters) from the first line of standard input
        /// instead of asking on the terminal; needed where there is no terminal, e.g.
        /// `printf '%s\n' "$PASSWORD" | dateline user create … --password-stdin`
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List,
    /// Print a one-time password-reset link for a user (valid 24 hours; no mail server
    /// needed: hand the link over yourself).
    ResetLink {
        /// The user's sign-in email
        email: String,
        /// Public base URL of the site the link opens, e.g. https://news.example
        /// [default: base_url in dateline.toml, else http://ADDR, i.e. http://127.0.0.1:8080]
        #[arg(long, env = "DATELINE_BASE_URL", value_name = "URL")]
        base_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create an API key; it is printed once and stored only as a hash.
    Create {
        /// What the key is for, e.g. "wire importer"
        #[arg(long)]
        name: String,
        /// Role of the key
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// List API keys (without their secrets).
    List,
    /// Revoke an API key by id.
    Revoke {
        /// Key id, as shown by `dateline key list`
        id: i64,
    },
}

/// Sets up tracing: `RUST_LOG` filters (default `info`), text or JSON lines on stderr.
pub fn init_logging(global: &Global) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match global.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
