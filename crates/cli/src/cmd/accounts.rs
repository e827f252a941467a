//! `dateline user …` and `dateline key …`.

use std::io::BufRead;

use anyhow::Context as _;
use dateline_app::credentials::MIN_PASSWORD_CHARS;
use dateline_app::App;

use crate::cli::{KeyCommand, UserCommand};

/// `base_origin` says where the configured base URL comes from (printed beside links).
pub async fn user(app: App, cmd: UserCommand, base_origin: &str) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Create {
            email,
            name,
            role,
            password_stdin,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                let n = std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .context("reading the password from standard input")?;
                if n == 0 {
                    anyhow::bail!(
                        "--password-stdin: standard input is empty; pipe in the password \
                         (at least {MIN_PASSWORD_CHARS} characters) on one line"
                    );
                }
                line.trim_end_matches(['\r', '\n']).to_owned()
            } else {
                eprintln!(
                    "Choose a password for {email}: at least {MIN_PASSWORD_CHARS} characters."
                );
                let first = rpassword::prompt_password("Password: ").map_err(no_terminal)?;
                dateline_app::credentials::check_password(&first)?;
                let again = rpassword::prompt_password("Password again: ").map_err(no_terminal)?;
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
        UserCommand::ResetLink { email, .. } => {
            let link = app
                .reset_link(&email)
                .await
                .with_context(|| format!("making a reset link for {email}"))?;
            eprintln!(
                "one-time reset link for {email} (valid 24 hours) on {} ({base_origin}):",
                app.config().base_url
            );
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

/// The password prompt needs a terminal (it reads `/dev/tty` so the password is not
/// echoed); without one, say how to pass it instead.
fn no_terminal(e: std::io::Error) -> anyhow::Error {
    // ENXIO: no controlling terminal (cron, CI, `ssh host cmd`); NotFound: no /dev/tty.
    const ENXIO: i32 = 6;
    if e.raw_os_error() == Some(ENXIO) || e.kind() == std::io::ErrorKind::NotFound {
        anyhow::anyhow!(
            "there is no terminal to ask for the password on; pipe it in instead: \
             printf '%s\\n' \"$PASSWORD\" | dateline user create … --password-stdin"
        )
    } else {
        anyhow::Error::new(e).context("reading the password")
    }
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
