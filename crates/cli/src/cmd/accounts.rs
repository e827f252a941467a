//! `dateline user …` and `dateline key …`.

use std::io::BufRead;

use anyhow::Context as _;
use dateline_app::App;

use crate::cli::{KeyCommand, UserCommand};

pub async fn user(app: App, cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Create {
            email,
            name,
            role,
            password_stdin,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .context("reading the password from stdin")?;
                line.trim_end_matches(['\r', '\n']).to_owned()
            } else {
                let first =
                    rpassword::prompt_password("Password: ").context("reading the password")?;
                let again = rpassword::prompt_password("Password again: ")
                    .context("reading the password")?;
                if first != again {
                    anyhow::bail!("the two passwords differ");
                }
                first
            };
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_owned());
            let user = app
                .create_user(&email, &name, role.into(), &password)
                .await?;
            eprintln!("created {} ({}) as {}", user.email, user.name, user.role);
        }
        UserCommand::ResetLink { email } => {
            let link = app
                .reset_link(&email)
                .await
                .with_context(|| format!("making a reset link for {email}"))?;
            eprintln!("one-time reset link for {email} (valid 24 hours):");
            println!("{link}");
        }
        UserCommand::List => {
            for u in app.store().users().await? {
                let state = if u.disabled_at.is_some() {
                    "disabled"
                } else {
                    "active"
                };
                println!("{}\t{}\t{}\t{}\t{}", u.id, u.email, u.name, u.role, state);
            }
        }
    }
    Ok(())
}

pub async fn key(app: App, cmd: KeyCommand) -> anyhow::Result<()> {
    match cmd {
        KeyCommand::Create { name, role } => {
            let (key, secret) = app.create_api_key(&name, role.into()).await?;
            eprintln!(
                "created API key {} ({}, role {}). It is shown only this once:",
                key.id, key.name, key.role
            );
            println!("{secret}");
        }
        KeyCommand::List => {
            for k in app.store().api_keys().await? {
                let state = if k.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!("{}\t{}…\t{}\t{}\t{}", k.id, k.prefix, k.name, k.role, state);
            }
        }
        KeyCommand::Revoke { id } => {
            app.store()
                .revoke_api_key(id, chrono::Utc::now())
                .await
                .with_context(|| format!("revoking key {id}"))?;
            eprintln!("revoked API key {id}");
        }
    }
    Ok(())
}
