//! Accounts: the user's own account page, and the admin pages for users and API keys.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use dateline_app::sessions::require_admin;
use dateline_core::Role;
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::EmptyForm;
use super::session::{signed_out, Editor, EditorForm};
use super::{error_page, page, see_other};
use crate::views::human_time;
use crate::{WebError, WebState};

/// `GET /admin/account`.
pub async fn account(State(state): State<WebState>, editor: Editor) -> Response {
    page(
        &state,
        StatusCode::OK,
        "newsroom/account.html",
        Some(&editor),
        json!({}),
    )
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

async fn users_page(
    state: &WebState,
    editor: &Editor,
    status: StatusCode,
    extra: Value,
) -> Result<Response, WebError> {
    let users = state.app.users(&editor.actor()).await?;
    let rows: Vec<Value> = users
        .iter()
        .map(|u| {
            json!({
                "id": u.id, "email": u.email, "name": u.name, "role": u.role.as_str(),
                "disabled": u.disabled_at.is_some(), "created": human_time(u.created_at),
                "me": u.id == editor.signed_in.user.id,
            })
        })
        .collect();
    let mut ctx = json!({"users": rows, "roles": ["contributor", "author", "editor", "admin"]});
    if let (Some(map), Value::Object(more)) = (ctx.as_object_mut(), extra) {
        map.extend(more);
    }
    page(state, status, "newsroom/users.html", Some(editor), ctx)
}

/// `GET /admin/users` (admins).
pub async fn users(State(state): State<WebState>, editor: Editor) -> Response {
    users_page(&state, &editor, StatusCode::OK, json!({}))
        .await
        .unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}

fn parse_role(raw: &str) -> Result<Role, WebError> {
    Role::parse(raw).ok_or_else(|| {
        let mut e = dateline_core::FieldErrors::default();
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
        match state
            .app
            .add_user(&editor.actor(), &form.email, &form.name, role, &form.password)
            .await
        {
            Ok(u) => users_page(
                &state,
                &editor,
                StatusCode::OK,
                json!({"flash": format!("Account created for {}.", u.email)}),
            )
            .await,
            Err(dateline_app::Error::Invalid(fields)) => users_page(
                &state,
                &editor,
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"errors": fields, "new": {"email": form.email, "name": form.name, "role": form.role}}),
            )
            .await,
            Err(dateline_app::Error::Duplicate { .. }) => users_page(
                &state,
                &editor,
                StatusCode::CONFLICT,
                json!({"errors": {"email": "already has an account"}, "new": {"email": form.email, "name": form.name, "role": form.role}}),
            )
            .await,
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
                return users_page(&state, &editor, StatusCode::OK, json!({"reset_link": link}))
                    .await;
            }
            _ => {
                return Err(WebError::BadRequest {
                    code: "invalid_form",
                    message: "unknown action".into(),
                })
            }
        };
        users_page(&state, &editor, StatusCode::OK, json!({"flash": flash})).await
    }
    .await;
    result.unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}

async fn keys_page(
    state: &WebState,
    editor: &Editor,
    status: StatusCode,
    extra: Value,
) -> Result<Response, WebError> {
    let keys = state.app.api_keys(&editor.actor()).await?;
    let rows: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({
                "id": k.id, "name": k.name, "role": k.role.as_str(), "prefix": k.prefix,
                "created": human_time(k.created_at), "revoked": k.revoked_at.map(human_time),
            })
        })
        .collect();
    let mut ctx = json!({"keys": rows, "roles": ["editor", "admin"]});
    if let (Some(map), Value::Object(more)) = (ctx.as_object_mut(), extra) {
        map.extend(more);
    }
    page(state, status, "newsroom/keys.html", Some(editor), ctx)
}

/// `GET /admin/keys` (admins).
pub async fn keys(State(state): State<WebState>, editor: Editor) -> Response {
    keys_page(&state, &editor, StatusCode::OK, json!({}))
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
        keys_page(
            &state,
            &editor,
            StatusCode::OK,
            json!({"new_key": {"name": key.name, "secret": secret}}),
        )
        .await
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
        keys_page(
            &state,
            &editor,
            StatusCode::OK,
            json!({"flash": "Key revoked."}),
        )
        .await
    }
    .await;
    result.unwrap_or_else(|e| error_page(&state, Some(&editor), e))
}
