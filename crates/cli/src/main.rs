//! The `dateline` binary: one program that serves a news site and manages its content.
//!
//! Only this crate knows clap. Each subcommand lives in `cmd/`, builds the one `Config`
//! and calls into `dateline-app` / `dateline-web`.

// The doc comments on the clap types are the terminal help text (`[default: …]`, bare
// URLs), not rustdoc prose.
#![allow(rustdoc::bare_urls, rustdoc::broken_intra_doc_links)]

mod cli;
mod cmd;
mod progress;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    cli::init_logging(&args.global);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cmd::run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
