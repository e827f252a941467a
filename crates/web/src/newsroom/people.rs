//! Accounts: the user's own account page, and the admin pages for users and API keys.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use dateline_app::sessions::require_admin;
use dateline_core::{FieldErrors, Role};
use serde::Deserialize;

use super::auth::EmptyForm;
use super::session::{signed_out, Editor, EditorForm};
use super::views::{
    AccountPage, KeyRow, KeysPage, NewKeyView, NewUserView, UserRow, UsersOutcome, UsersPage,
};
use super::{error_page, page, see_other};
use crate::views::human_time;
use crate::{WebError, WebState};

/// `GET /admin/account`.
pub async fn account(State(state): State<WebState>, editor: Editor) -> Response {
    page(&state, StatusCode::OK, Some(&editor), &AccountPage {})
        .unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}

/// `POST /admin/account/signout-everywhere`: ends every session of the user, this one
/// included.
pub async fn signout_everywhere(
    State(state): State<WebState>,
    _headers: HeaderMap,
    EditorForm { editor, .. }: EditorForm<EmptyForm>,
) -> Response {
    match state
        .app
        .sign_out_everywhere(editor.signed_in.user.id)
        .await
    {
        Ok(_) => {
            let mut response = see_other("/signin");
            signed_out(&state, &mut response);
            response
        }
        Err(e) => error_page(&state, Some(&editor), e.into()),
    }
}

/// The users page, with what the last action did (`outcome`).
async fn users_page(
    state: &WebState,
    editor: &Editor,
    status: StatusCode,
    outcome: UsersOutcome<'_>,
) -> Result<Response, WebError> {
    let users = state.app.users(&editor.actor()).await?;
    let rows = users
        .iter()
        .map(|u| UserRow {
            id: u.id,
            email: &u.email,
            name: &u.name,
            role: u.role.as_str(),
            disabled: u.disabled_at.is_some(),
            created: human_time(u.created_at),
            me: u.id == editor.signed_in.user.id,
        })
        .collect();
    let view = UsersPage::new(rows, outcome);
    page(state, status, Some(editor), &view)
}

/// A users page outcome with only a banner.
fn flashed(flash: String) -> UsersOutcome<'static> {
    UsersOutcome {
        flash: Some(flash),
        ..UsersOutcome::default()
    }
}

/// `GET /admin/users` (admins).
pub async fn users(State(state): State<WebState>, editor: Editor) -> Response {
    users_page(&state, &editor, StatusCode::OK, UsersOutcome::default())
        .await
        .unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}

fn parse_role(raw: &str) -> Result<Role, WebError> {
    Role::parse(raw).ok_or_else(|| {
        let mut e = FieldErrors::default();
        e.add("role", "must be contributor, author, editor or admin");
        WebError::App(dateline_app::Error::Invalid(e))
    })
}

/// The new-user form.
#[derive(Deserialize)]
pub struct NewUserForm {
    email: String,
    name: String,
    role: String,
    password: String,
}

/// `POST /admin/users` (admins).
pub async fn add_user(
    State(state): State<WebState>,
    EditorForm { editor, form, .. }: EditorForm<NewUserForm>,
) -> Response {
    let result = async {
        let role = parse_role(&form.role)?;
        let sent = || {
            Some(NewUserView {
                email: &form.email,
                name: &form.name,
                role: &form.role,
            })
        };
        match state
            .app
            .add_user(
                &editor.actor(),
                &form.email,
                &form.name,
                role,
                &form.password,
            )
            .await
        {
            Ok(u) => {
                let flash = format!("Account created for {}.", u.email);
                users_page(&state, &editor, StatusCode::OK, flashed(flash)).await
            }
            Err(dateline_app::Error::Invalid(fields)) => {
                let outcome = UsersOutcome {
                    errors: Some(fields),
                    new: sent(),
                    ..UsersOutcome::default()
                };
                users_page(&state, &editor, StatusCode::UNPROCESSABLE_ENTITY, outcome).await
            }
            Err(dateline_app::Error::Duplicate { .. }) => {
                let mut errors = FieldErrors::default();
                errors.add("email", "already has an account");
                let outcome = UsersOutcome {
                    errors: Some(errors),
                    new: sent(),
                    ..UsersOutcome::default()
                };
                users_page(&state, &editor, StatusCode::CONFLICT, outcome).await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    result.unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}

/// One change to a user: `action` is role, disable, enable, signout or reset_link.
#[derive(Deserialize)]
pub struct ChangeUserForm {
    action: String,
    role: Option<String>,
}

/// `POST /admin/users/{id}` (admins).
pub async fn change_user(
    State(state): State<WebState>,
    Path(id): Path<i64>,
    EditorForm { editor, form, .. }: EditorForm<ChangeUserForm>,
) -> Response {
    let actor = editor.actor();
    let result = async {
        require_admin(&actor)?;
        let flash = match form.action.as_str() {
            "role" => {
                let role = parse_role(form.role.as_deref().unwrap_or_default())?;
                state.app.set_user_role(&actor, id, role).await?;
                format!("Role changed to {role}; the user was signed out everywhere.")
            }
            "disable" => {
                state.app.set_user_disabled(&actor, id, true).await?;
                "Account disabled and signed out everywhere.".to_owned()
            }
            "enable" => {
                state.app.set_user_disabled(&actor, id, false).await?;
                "Account enabled.".to_owned()
            }
            "signout" => {
                require_admin(&actor)?;
                let n = state.app.sign_out_everywhere(id).await?;
                format!("Signed out of {n} session(s).")
            }
            "reset_link" => {
                let link = state.app.reset_link_for(&actor, id).await?;
                let outcome = UsersOutcome {
                    reset_link: Some(link),
                    ..UsersOutcome::default()
                };
                return users_page(&state, &editor, StatusCode::OK, outcome).await;
            }
            _ => {
                return Err(WebError::BadRequest {
                    code: "invalid_form",
                    message: "unknown action".into(),
                })
            }
        };
        users_page(&state, &editor, StatusCode::OK, flashed(flash)).await
    }
    .await;
    result.unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}

/// The keys page, with a key just made or a banner.
async fn keys_page(
    state: &WebState,
    editor: &Editor,
    status: StatusCode,
    new_key: Option<NewKeyView<'_>>,
    flash: Option<&str>,
) -> Result<Response, WebError> {
    let keys = state.app.api_keys(&editor.actor()).await?;
    let rows = keys
        .iter()
        .map(|k| KeyRow {
            id: k.id,
            name: &k.name,
            role: k.role.as_str(),
            prefix: &k.prefix,
            created: human_time(k.created_at),
            revoked: k.revoked_at.map(human_time),
        })
        .collect();
    let view = KeysPage::new(rows, new_key, flash);
    page(state, status, Some(editor), &view)
}

/// `GET /admin/keys` (admins).
pub async fn keys(State(state): State<WebState>, editor: Editor) -> Response {
    keys_page(&state, &editor, StatusCode::OK, None, None)
        .await
        .unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}

/// The new-key form.
#[derive(Deserialize)]
pub struct NewKeyForm {
    name: String,
    role: String,
}

/// `POST /admin/keys` (admins): shows the secret once.
pub async fn add_key(
    State(state): State<WebState>,
    EditorForm { editor, form, .. }: EditorForm<NewKeyForm>,
) -> Response {
    let result = async {
        require_admin(&editor.actor())?;
        let role = parse_role(&form.role)?;
        let (key, secret) = state.app.create_api_key(&form.name, role).await?;
        let new_key = NewKeyView {
            name: &key.name,
            secret: &secret,
        };
        keys_page(&state, &editor, StatusCode::OK, Some(new_key), None).await
    }
    .await;
    result.unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}

/// `POST /admin/keys/{id}/revoke` (admins).
pub async fn revoke_key(
    State(state): State<WebState>,
    Path(id): Path<i64>,
    EditorForm { editor, .. }: EditorForm<EmptyForm>,
) -> Response {
    let result = async {
        state.app.revoke_api_key(&editor.actor(), id).await?;
        tracing::info!(key.id = id, actor = %editor.signed_in.user.email, "API key revoked");
        keys_page(&state, &editor, StatusCode::OK, None, Some("Key revoked.")).await
    }
    .await;
    result.unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}
