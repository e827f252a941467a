//! What each newsroom template reads: one view type per page, bound to its template by
//! [`NewsroomView::TEMPLATE`], plus the [`Frame`] every page is wrapped in for
//! `newsroom/base.html`.
//!
//! Handlers fill these from app types; the templates read nothing else. The newsroom's
//! templates are compiled with strict undefined checks (see `crate::views::Templates`), so
//! a name a template reads but its view lacks fails the render instead of printing "".

use chrono::{DateTime, Utc};
use dateline_app::revisions::{ArticleFields, FieldDiff};
use dateline_core::{Article, FieldErrors, Status};
use serde::Serialize;

use super::session::Editor;
use crate::views::{human_time, iso_time};

/// A page of the newsroom: a serialisable view and the template it fills.
pub(super) trait NewsroomView: Serialize {
    /// The template under `templates/` that renders this view.
    const TEMPLATE: &'static str;

    /// The banner `newsroom/base.html` shows above the page.
    fn notice(&self) -> Notice<'_> {
        Notice::default()
    }
}

/// The banner above a page: what was just done, or why it was refused.
#[derive(Serialize, Default)]
pub(super) struct Notice<'a> {
    pub(super) flash: Option<&'a str>,
    pub(super) error: Option<&'a str>,
}

/// What `newsroom/base.html` reads around every page: who is signed in, the token their
/// forms carry (the session's CSRF token, or before sign-in the form token), the banner,
/// and the page's own fields beside them.
#[derive(Serialize)]
pub(super) struct Frame<'a, P> {
    me: Option<MeView<'a>>,
    csrf: Option<&'a str>,
    /// The pre-session form token (sign-in, setup, reset); `None` on signed-in pages.
    form_token: Option<&'a str>,
    #[serde(flatten)]
    notice: Notice<'a>,
    #[serde(flatten)]
    page: &'a P,
}

impl<'a, P: NewsroomView> Frame<'a, P> {
    /// `page` framed for `editor` (signed in) or for a browser holding `form_token`.
    pub(super) fn new(
        editor: Option<&'a Editor>,
        form_token: Option<&'a str>,
        page: &'a P,
    ) -> Self {
        Frame {
            me: editor.map(MeView::from),
            csrf: editor.map(Editor::csrf),
            form_token,
            notice: page.notice(),
            page,
        }
    }
}

/// The signed-in user, for the admin bar and the account page.
#[derive(Serialize)]
struct MeView<'a> {
    id: i64,
    name: &'a str,
    email: &'a str,
    role: &'static str,
}

impl<'a> From<&'a Editor> for MeView<'a> {
    fn from(e: &'a Editor) -> Self {
        let user = &e.signed_in.user;
        MeView {
            id: user.id,
            name: &user.name,
            email: &user.email,
            role: user.role.as_str(),
        }
    }
}

/// A moment, for `<time datetime="{{ t.iso }}">{{ t.human }}</time>`.
#[derive(Serialize)]
pub(super) struct TimeView {
    iso: String,
    human: String,
}

impl From<DateTime<Utc>> for TimeView {
    fn from(t: DateTime<Utc>) -> Self {
        TimeView {
            iso: iso_time(t),
            human: human_time(t),
        }
    }
}

// ---- messages and the pages before sign-in ----

/// `newsroom/message.html`: a heading, a sentence, and where to go next.
#[derive(Serialize)]
pub(super) struct MessagePage<'a> {
    pub(super) title: &'a str,
    pub(super) message: &'a str,
    /// The error's stable code, shown so a report can name it.
    pub(super) code: Option<&'static str>,
    /// Where to go next; without it, back to the articles (or to sign-in).
    pub(super) link: Option<LinkView<'a>>,
}

impl NewsroomView for MessagePage<'_> {
    const TEMPLATE: &'static str = "newsroom/message.html";
}

/// A link with its text.
#[derive(Serialize)]
pub(super) struct LinkView<'a> {
    pub(super) href: &'a str,
    pub(super) text: &'a str,
}

/// `newsroom/signin.html`.
#[derive(Serialize)]
pub(super) struct SignInPage<'a> {
    /// Where to go after signing in (already checked by `safe_next`).
    pub(super) next: &'a str,
    /// The email to fill in again after a refusal.
    pub(super) email: &'a str,
    /// Why the last attempt was refused (shown in the banner).
    #[serde(skip)]
    pub(super) error: Option<&'a str>,
}

impl NewsroomView for SignInPage<'_> {
    const TEMPLATE: &'static str = "newsroom/signin.html";
    fn notice(&self) -> Notice<'_> {
        Notice {
            error: self.error,
            ..Notice::default()
        }
    }
}

/// `newsroom/setup.html`: the first admin account.
#[derive(Serialize)]
pub(super) struct SetupPage<'a> {
    pub(super) email: &'a str,
    pub(super) name: &'a str,
    pub(super) errors: Option<&'a FieldErrors>,
}

impl NewsroomView for SetupPage<'_> {
    const TEMPLATE: &'static str = "newsroom/setup.html";
}

/// `newsroom/reset.html`: a new password through a reset link.
#[derive(Serialize)]
pub(super) struct ResetPage<'a> {
    pub(super) token: &'a str,
    pub(super) email: &'a str,
    pub(super) errors: Option<&'a FieldErrors>,
}

impl NewsroomView for ResetPage<'_> {
    const TEMPLATE: &'static str = "newsroom/reset.html";
}

// ---- people ----

/// `newsroom/account.html`: reads only the frame (`me`, `csrf`).
#[derive(Serialize)]
pub(super) struct AccountPage {}

impl NewsroomView for AccountPage {
    const TEMPLATE: &'static str = "newsroom/account.html";
}

/// Roles a user account can have, in the order the selects list them.
const USER_ROLES: [&str; 4] = ["contributor", "author", "editor", "admin"];

/// `newsroom/users.html` (admins).
#[derive(Serialize)]
pub(super) struct UsersPage<'a> {
    pub(super) users: Vec<UserRow<'a>>,
    roles: [&'static str; 4],
    #[serde(flatten)]
    pub(super) outcome: UsersOutcome<'a>,
}

impl<'a> UsersPage<'a> {
    /// The users table with every role to choose from.
    pub(super) fn new(users: Vec<UserRow<'a>>, outcome: UsersOutcome<'a>) -> Self {
        UsersPage {
            users,
            roles: USER_ROLES,
            outcome,
        }
    }
}

impl NewsroomView for UsersPage<'_> {
    const TEMPLATE: &'static str = "newsroom/users.html";
    fn notice(&self) -> Notice<'_> {
        Notice {
            flash: self.outcome.flash.as_deref(),
            ..Notice::default()
        }
    }
}

/// What the last action on the users page did, beside the list.
#[derive(Serialize, Default)]
pub(super) struct UsersOutcome<'a> {
    /// Shown in the banner.
    #[serde(skip)]
    pub(super) flash: Option<String>,
    /// Why the new-user form was refused.
    pub(super) errors: Option<FieldErrors>,
    /// The refused new-user form, to fill in again.
    pub(super) new: Option<NewUserView<'a>>,
    /// A one-time reset link just made.
    pub(super) reset_link: Option<String>,
}

/// One account in the users table.
#[derive(Serialize)]
pub(super) struct UserRow<'a> {
    pub(super) id: i64,
    pub(super) email: &'a str,
    pub(super) name: &'a str,
    pub(super) role: &'static str,
    pub(super) disabled: bool,
    pub(super) created: String,
    /// The signed-in admin's own row (no role change, no disabling).
    pub(super) me: bool,
}

/// The new-user form as it was sent.
#[derive(Serialize)]
pub(super) struct NewUserView<'a> {
    pub(super) email: &'a str,
    pub(super) name: &'a str,
    pub(super) role: &'a str,
}

/// Roles an API key can have.
const KEY_ROLES: [&str; 2] = ["editor", "admin"];

/// `newsroom/keys.html` (admins).
#[derive(Serialize)]
pub(super) struct KeysPage<'a> {
    pub(super) keys: Vec<KeyRow<'a>>,
    roles: [&'static str; 2],
    /// A key just made, with its secret (shown this once).
    pub(super) new_key: Option<NewKeyView<'a>>,
    #[serde(skip)]
    pub(super) flash: Option<&'a str>,
}

impl<'a> KeysPage<'a> {
    /// The keys table with the roles a key can have.
    pub(super) fn new(
        keys: Vec<KeyRow<'a>>,
        new_key: Option<NewKeyView<'a>>,
        flash: Option<&'a str>,
    ) -> Self {
        KeysPage {
            keys,
            roles: KEY_ROLES,
            new_key,
            flash,
        }
    }
}

impl NewsroomView for KeysPage<'_> {
    const TEMPLATE: &'static str = "newsroom/keys.html";
    fn notice(&self) -> Notice<'_> {
        Notice {
            flash: self.flash,
            ..Notice::default()
        }
    }
}

/// One API key in the keys table.
#[derive(Serialize)]
pub(super) struct KeyRow<'a> {
    pub(super) id: i64,
    pub(super) name: &'a str,
    pub(super) role: &'static str,
    pub(super) prefix: &'a str,
    pub(super) created: String,
    pub(super) revoked: Option<String>,
}

/// A key just made.
#[derive(Serialize)]
pub(super) struct NewKeyView<'a> {
    pub(super) name: &'a str,
    pub(super) secret: &'a str,
}

// ---- the article list ----

/// Statuses the list filters by, in the select's order.
const LIST_STATUSES: [&str; 4] = ["draft", "scheduled", "published", "unpublished"];

/// `newsroom/list.html`: the article list with its filters.
#[derive(Serialize)]
pub(super) struct ListPage<'a> {
    pub(super) items: Vec<ListRow<'a>>,
    pub(super) sections: &'a [String],
    pub(super) authors: &'a [String],
    statuses: [&'static str; 4],
    /// The filters as sent ("" for none).
    pub(super) q: &'a str,
    pub(super) status: &'static str,
    pub(super) section: &'a str,
    pub(super) author: &'a str,
    pub(super) next_href: Option<String>,
    /// Published articles whose text matches `q`.
    pub(super) full_text: Vec<FullTextHit<'a>>,
}

/// The list page's filters as sent.
pub(super) struct ListFilters<'a> {
    pub(super) q: &'a str,
    pub(super) status: &'static str,
    pub(super) section: &'a str,
    pub(super) author: &'a str,
}

impl<'a> ListPage<'a> {
    /// The list with its filters; `choices` are the section and author names to filter by.
    pub(super) fn new(
        items: Vec<ListRow<'a>>,
        choices: (&'a [String], &'a [String]),
        filters: ListFilters<'a>,
        next_href: Option<String>,
        full_text: Vec<FullTextHit<'a>>,
    ) -> Self {
        let (sections, authors) = choices;
        ListPage {
            items,
            sections,
            authors,
            statuses: LIST_STATUSES,
            q: filters.q,
            status: filters.status,
            section: filters.section,
            author: filters.author,
            next_href,
            full_text,
        }
    }
}

impl NewsroomView for ListPage<'_> {
    const TEMPLATE: &'static str = "newsroom/list.html";
}

/// One article in the list.
#[derive(Serialize)]
pub(super) struct ListRow<'a> {
    pub(super) id: i64,
    pub(super) title: &'a str,
    pub(super) status: &'static str,
    pub(super) section: Option<&'a str>,
    /// The byline, comma-separated.
    pub(super) authors: String,
    pub(super) updated: TimeView,
    pub(super) published: Option<TimeView>,
    /// The public path (linked when published).
    pub(super) path: String,
    pub(super) words: i64,
}

/// A published article whose text matches the list's search.
#[derive(Serialize)]
pub(super) struct FullTextHit<'a> {
    pub(super) id: i64,
    pub(super) title: &'a str,
    /// Highlighted excerpt, HTML-escaped by the search crate (printed `|safe`).
    pub(super) snippet: &'a str,
    pub(super) section: Option<&'a str>,
    pub(super) published: Option<TimeView>,
}

// ---- the editor ----

/// `newsroom/editor.html`: a new article's form, or an existing article's.
#[derive(Serialize)]
pub(super) struct EditorPage<'a> {
    pub(super) fields: &'a ArticleFields,
    /// The version the form is based on (0 for a new article).
    pub(super) version: i64,
    pub(super) errors: Option<&'a FieldErrors>,
    #[serde(skip)]
    pub(super) flash: Option<&'a str>,
    /// Why the last related-list change was refused.
    pub(super) related_error: Option<&'a str>,
    /// Choices for the section and author inputs.
    pub(super) sections: &'a [String],
    pub(super) authors: &'a [String],
    /// The correction note typed so far (published articles).
    pub(super) correction_draft: &'a str,
    pub(super) status: &'static str,
    /// Whether the page saves as the user types (drafts and unpublished articles).
    pub(super) autosave: bool,
    pub(super) can_publish: bool,
    pub(super) can_delete: bool,
    /// The stored article; `None` for a new one.
    pub(super) article: Option<EditorArticle<'a>>,
    /// Who else has the article open.
    pub(super) others: Vec<PresentView<'a>>,
    /// Other articles of the same story.
    pub(super) other_versions: Vec<IdView>,
    /// Editors' decisions about this article's story (editorial roles only).
    pub(super) story_decisions: Vec<StoryDecisionView>,
    /// The related-articles panel (editorial roles only).
    pub(super) related: Option<RelatedPanel<'a>>,
}

impl NewsroomView for EditorPage<'_> {
    const TEMPLATE: &'static str = "newsroom/editor.html";
    fn notice(&self) -> Notice<'_> {
        Notice {
            flash: self.flash,
            ..Notice::default()
        }
    }
}

/// The stored article the editor page shows facts about.
#[derive(Serialize)]
pub(super) struct EditorArticle<'a> {
    pub(super) id: i64,
    pub(super) path: String,
    /// Whether readers can see it now.
    pub(super) public: bool,
    pub(super) updated: TimeView,
    pub(super) published: Option<TimeView>,
    /// When a scheduled article goes out, for the schedule input's `data-utc`.
    pub(super) publish_at_utc: Option<String>,
    pub(super) correction: Option<CorrectionView<'a>>,
    pub(super) word_count: i64,
}

/// The article's current correction note.
#[derive(Serialize)]
pub(super) struct CorrectionView<'a> {
    pub(super) note: &'a str,
    pub(super) at: TimeView,
}

/// Someone else editing the article now.
#[derive(Serialize)]
pub(super) struct PresentView<'a> {
    pub(super) name: &'a str,
    pub(super) email: &'a str,
}

/// An article named only by its number.
#[derive(Serialize)]
pub(super) struct IdView {
    pub(super) id: i64,
}

/// An editor's decision about this article's story and another article's.
#[derive(Serialize)]
pub(super) struct StoryDecisionView {
    /// The other article.
    pub(super) id: i64,
    /// Merged by hand (else kept apart).
    pub(super) together: bool,
}

/// The editor's related-articles panel.
#[derive(Serialize)]
pub(super) struct RelatedPanel<'a> {
    /// How many of `shown` readers see (the rest are next in line).
    pub(super) count: usize,
    pub(super) shown: Vec<RelatedShown<'a>>,
    /// Pins readers do not see (the pinned article is not public).
    pub(super) pinned_elsewhere: Vec<RelatedListed<'a>>,
    pub(super) excluded: Vec<RelatedListed<'a>>,
}

/// An article in the related list as readers get it.
#[derive(Serialize)]
pub(super) struct RelatedShown<'a> {
    pub(super) id: i64,
    pub(super) title: &'a str,
    pub(super) section: Option<&'a str>,
    pub(super) published: Option<TimeView>,
    pub(super) pinned: bool,
    /// The ranking score, two decimals.
    pub(super) score: String,
}

/// A pinned or excluded article outside the shown list.
#[derive(Serialize)]
pub(super) struct RelatedListed<'a> {
    pub(super) id: i64,
    /// `None` when the article was deleted since.
    pub(super) title: Option<&'a str>,
    pub(super) status: &'static str,
}

// ---- conflict, history, diff ----

/// `newsroom/conflict.html`: a save based on an older version.
#[derive(Serialize)]
pub(super) struct ConflictPage<'a> {
    pub(super) article: ConflictArticle,
    /// What the user sent.
    pub(super) mine: &'a ArticleFields,
    /// What is stored now.
    pub(super) theirs: &'a ArticleFields,
    /// The three-way merge of the two.
    pub(super) merged: &'a ArticleFields,
    /// Fields both changed differently.
    pub(super) conflicted: &'a [&'static str],
    /// From theirs to mine.
    pub(super) diffs: &'a [FieldDiff],
    pub(super) based_on: i64,
    pub(super) current_version: i64,
    /// The saves made since the user's version.
    pub(super) saved_by: Vec<SavedBy<'a>>,
    pub(super) correction_draft: &'a str,
}

impl NewsroomView for ConflictPage<'_> {
    const TEMPLATE: &'static str = "newsroom/conflict.html";
}

/// The article in conflict.
#[derive(Serialize)]
pub(super) struct ConflictArticle {
    pub(super) id: i64,
    /// Published articles need a correction note with the merged save.
    pub(super) published: bool,
}

/// A save made since the user's version.
#[derive(Serialize)]
pub(super) struct SavedBy<'a> {
    pub(super) version: i64,
    pub(super) actor: &'a str,
    pub(super) at: TimeView,
    pub(super) changes: &'a [String],
}

/// The article a history or diff page is about.
#[derive(Serialize)]
pub(super) struct ArticleHead<'a> {
    pub(super) id: i64,
    pub(super) title: &'a str,
    /// The current version.
    pub(super) version: i64,
    /// Published articles restore through the editor, with a correction note.
    pub(super) published: bool,
}

impl<'a> ArticleHead<'a> {
    /// The head of the stored article `a`.
    pub(super) fn of(a: &'a Article) -> Self {
        ArticleHead {
            id: a.id.0,
            title: &a.title,
            version: a.version.0,
            published: a.status == Status::Published,
        }
    }
}

/// `newsroom/history.html`: every revision.
#[derive(Serialize)]
pub(super) struct HistoryPage<'a> {
    pub(super) article: ArticleHead<'a>,
    pub(super) revisions: Vec<RevisionRow<'a>>,
    pub(super) can_restore: bool,
}

impl NewsroomView for HistoryPage<'_> {
    const TEMPLATE: &'static str = "newsroom/history.html";
}

/// One revision in the history table.
#[derive(Serialize)]
pub(super) struct RevisionRow<'a> {
    pub(super) version: i64,
    pub(super) actor: &'a str,
    pub(super) at: TimeView,
    pub(super) status: &'static str,
    pub(super) changes: &'a [String],
    pub(super) added: usize,
    pub(super) removed: usize,
    pub(super) current: bool,
}

/// `newsroom/diff.html`: two revisions compared word by word.
#[derive(Serialize)]
pub(super) struct DiffPage<'a> {
    pub(super) article: ArticleHead<'a>,
    pub(super) from: i64,
    pub(super) to: i64,
    pub(super) diffs: &'a [FieldDiff],
    pub(super) status_change: Option<StatusChange>,
}

impl NewsroomView for DiffPage<'_> {
    const TEMPLATE: &'static str = "newsroom/diff.html";
}

/// A status that differs between the two revisions.
#[derive(Serialize)]
pub(super) struct StatusChange {
    pub(super) from: &'static str,
    pub(super) to: &'static str,
}

#[cfg(test)]
mod tests {
    //! Every newsroom template rendered from its view, once with every optional part
    //! present and once with none, under the strict undefined checks production uses: a
    //! name a template reads that its view (or the frame) lacks fails here, in any branch.

    use dateline_app::revisions::{Change, Segment};

    use super::*;
    use crate::views::{SiteView, Templates};
    use crate::WebError;

    fn render<P: NewsroomView>(frame: Frame<'_, P>) -> Result<String, WebError> {
        let site = SiteView::named("The Test Times", "http://127.0.0.1");
        Templates::new()?.render_newsroom(P::TEMPLATE, &site, &frame)
    }

    /// `view` framed for a signed-in admin.
    fn signed_in<P: NewsroomView>(view: &P) -> Frame<'_, P> {
        Frame {
            me: Some(MeView {
                id: 1,
                name: "Ada Admin",
                email: "ada@example.test",
                role: "admin",
            }),
            csrf: Some("csrf-token"),
            form_token: None,
            notice: view.notice(),
            page: view,
        }
    }

    /// `view` framed for a browser that has not signed in.
    fn signed_out<P: NewsroomView>(view: &P) -> Frame<'_, P> {
        Frame {
            me: None,
            csrf: None,
            form_token: Some("form-token"),
            notice: view.notice(),
            page: view,
        }
    }

    #[track_caller]
    fn renders<P: NewsroomView>(frame: Frame<'_, P>) -> String {
        match render(frame) {
            Ok(html) => html,
            Err(e) => panic!("{} does not render from its view: {e:#}", P::TEMPLATE),
        }
    }

    fn errors(fields: &[&str]) -> FieldErrors {
        let mut e = FieldErrors::default();
        for f in fields {
            e.add(f, format!("{f} is wrong"));
        }
        e
    }

    fn at(secs: i64) -> TimeView {
        DateTime::from_timestamp(1_780_000_000 + secs, 0)
            .expect("a valid time")
            .into()
    }

    fn fields() -> ArticleFields {
        ArticleFields {
            title: "Harbour reopens".into(),
            standfirst: "After the storm".into(),
            body: "The harbour reopened on Monday.".into(),
            ..ArticleFields::default()
        }
    }

    fn diff() -> Vec<FieldDiff> {
        vec![FieldDiff {
            field: "body",
            label: "Body",
            segments: vec![
                Segment {
                    change: Change::Same,
                    text: "The harbour ".into(),
                },
                Segment {
                    change: Change::Removed,
                    text: "closed".into(),
                },
                Segment {
                    change: Change::Added,
                    text: "reopened".into(),
                },
            ],
            added: 1,
            removed: 1,
        }]
    }

    #[test]
    fn a_view_missing_a_name_its_template_reads_fails_to_render() {
        // The guard itself: a context without `link` (and the frame) is refused.
        let site = SiteView::named("T", "http://127.0.0.1");
        let partial = serde_json::json!({"title": "t", "message": "m", "code": null});
        let rendered = Templates::new()
            .expect("templates compile")
            .render_newsroom("newsroom/message.html", &site, &partial);
        assert!(rendered.is_err(), "strict undefined checks are off");
    }

    #[test]
    fn the_message_and_pre_session_pages_render_from_their_views() {
        let full = MessagePage {
            title: "Not allowed",
            message: "Your role does not allow this.",
            code: Some("forbidden"),
            link: Some(LinkView {
                href: "/signin",
                text: "Sign in",
            }),
        };
        let bare = MessagePage {
            code: None,
            link: None,
            ..full
        };
        assert!(renders(signed_in(&full)).contains("forbidden"));
        renders(signed_out(&bare));
        renders(signed_in(&bare));

        let refused = SignInPage {
            next: "/admin",
            email: "ada@example.test",
            error: Some("That email and password do not match an account."),
        };
        let html = renders(signed_out(&refused));
        assert!(html.contains("do not match") && html.contains("form-token"));
        renders(signed_out(&SignInPage {
            error: None,
            ..refused
        }));

        let wrong = errors(&["name", "email", "password"]);
        for errors in [Some(&wrong), None] {
            renders(signed_out(&SetupPage {
                email: "ada@example.test",
                name: "Ada",
                errors,
            }));
            renders(signed_out(&ResetPage {
                token: "t0ken",
                email: "ada@example.test",
                errors,
            }));
        }
        assert!(renders(signed_in(&AccountPage {})).contains("ada@example.test"));
    }

    #[test]
    fn the_users_and_keys_pages_render_from_their_views() {
        let rows = || {
            vec![
                UserRow {
                    id: 1,
                    email: "ada@example.test",
                    name: "Ada",
                    role: "admin",
                    disabled: false,
                    created: "1 December 2026, 09:00 UTC".into(),
                    me: true,
                },
                UserRow {
                    id: 2,
                    email: "bo@example.test",
                    name: "Bo",
                    role: "author",
                    disabled: true,
                    created: "1 December 2026, 09:00 UTC".into(),
                    me: false,
                },
            ]
        };
        let everything = UsersOutcome {
            flash: Some("Account created.".into()),
            errors: Some(errors(&["name", "email", "password"])),
            new: Some(NewUserView {
                email: "cy@example.test",
                name: "Cy",
                role: "editor",
            }),
            reset_link: Some("http://127.0.0.1/reset/abc".into()),
        };
        let html = renders(signed_in(&UsersPage::new(rows(), everything)));
        assert!(html.contains("Account created.") && html.contains("/reset/abc"));
        renders(signed_in(&UsersPage::new(rows(), UsersOutcome::default())));
        renders(signed_in(&UsersPage::new(
            Vec::new(),
            UsersOutcome::default(),
        )));

        let keys = || {
            vec![
                KeyRow {
                    id: 1,
                    name: "wire importer",
                    role: "editor",
                    prefix: "dl_abc",
                    created: "1 December 2026, 09:00 UTC".into(),
                    revoked: None,
                },
                KeyRow {
                    id: 2,
                    name: "old",
                    role: "admin",
                    prefix: "dl_def",
                    created: "1 December 2026, 09:00 UTC".into(),
                    revoked: Some("2 December 2026, 09:00 UTC".into()),
                },
            ]
        };
        let new_key = NewKeyView {
            name: "wire importer",
            secret: "dl_secret",
        };
        let html = renders(signed_in(&KeysPage::new(
            keys(),
            Some(new_key),
            Some("Key revoked."),
        )));
        assert!(html.contains("dl_secret") && html.contains("Key revoked."));
        renders(signed_in(&KeysPage::new(Vec::new(), None, None)));
    }

    #[test]
    fn the_article_list_renders_from_its_view() {
        let choices = (
            &["Business".to_owned()][..],
            &["Ada Reporter".to_owned()][..],
        );
        let rows = vec![
            ListRow {
                id: 1,
                title: "Harbour reopens",
                status: "scheduled",
                section: Some("Business"),
                authors: "Ada Reporter".into(),
                updated: at(0),
                published: Some(at(60)),
                path: "/articles/harbour-reopens".into(),
                words: 120,
            },
            ListRow {
                id: 2,
                title: "Draft",
                status: "draft",
                section: None,
                authors: String::new(),
                updated: at(0),
                published: None,
                path: "/articles/draft".into(),
                words: 0,
            },
        ];
        let hits = vec![
            FullTextHit {
                id: 3,
                title: "Storm",
                snippet: "the <b>harbour</b>",
                section: Some("Business"),
                published: Some(at(0)),
            },
            FullTextHit {
                id: 4,
                title: "Storm 2",
                snippet: "",
                section: None,
                published: None,
            },
        ];
        let filters = || ListFilters {
            q: "harbour",
            status: "scheduled",
            section: "Business",
            author: "Ada Reporter",
        };
        let next = Some("/admin?before=1_2".to_owned());
        let html = renders(signed_in(&ListPage::new(
            rows,
            choices,
            filters(),
            next,
            hits,
        )));
        assert!(html.contains("<b>harbour</b>") && html.contains("Older changes"));
        let empty = ListPage::new(Vec::new(), (&[], &[]), filters(), None, Vec::new());
        renders(signed_in(&empty));
    }

    #[test]
    fn the_editor_renders_from_its_view_for_new_published_and_scheduled_articles() {
        let fields = fields();
        let choices = ["Business".to_owned()];
        let every_field = errors(&[
            "title",
            "standfirst",
            "dateline",
            "section",
            "tags",
            "authors",
            "summary",
            "lead_image_url",
            "lead_image_caption",
            "lead_image_credit",
            "source",
            "body",
            "correction",
            "publish_at",
            "version",
        ]);
        let new = EditorPage {
            fields: &fields,
            version: 0,
            errors: Some(&every_field),
            flash: None,
            related_error: None,
            sections: &choices,
            authors: &choices,
            correction_draft: "",
            status: "draft",
            autosave: false,
            can_publish: true,
            can_delete: false,
            article: None,
            others: Vec::new(),
            other_versions: Vec::new(),
            story_decisions: Vec::new(),
            related: None,
        };
        assert!(renders(signed_in(&new)).contains("Create draft"));
        renders(signed_in(&EditorPage {
            errors: None,
            can_publish: false,
            ..new
        }));

        let article = |publish_at_utc: Option<&str>| EditorArticle {
            id: 7,
            path: "/articles/harbour-reopens".into(),
            public: true,
            updated: at(0),
            published: Some(at(60)),
            publish_at_utc: publish_at_utc.map(str::to_owned),
            correction: Some(CorrectionView {
                note: "Fixed the date.",
                at: at(120),
            }),
            word_count: 5,
        };
        let panel = || RelatedPanel {
            count: 1,
            shown: vec![
                RelatedShown {
                    id: 8,
                    title: "Storm",
                    section: Some("Business"),
                    published: Some(at(0)),
                    pinned: true,
                    score: "1.00".into(),
                },
                RelatedShown {
                    id: 9,
                    title: "Tide",
                    section: None,
                    published: None,
                    pinned: false,
                    score: "0.42".into(),
                },
            ],
            pinned_elsewhere: vec![RelatedListed {
                id: 10,
                title: None,
                status: "deleted",
            }],
            excluded: vec![RelatedListed {
                id: 11,
                title: Some("Gone"),
                status: "unpublished",
            }],
        };
        let published = EditorPage {
            version: 3,
            flash: Some("Saved."),
            related_error: Some("No published article was found at that address."),
            correction_draft: "Fixed the name.",
            status: "published",
            can_delete: true,
            article: Some(article(None)),
            others: vec![PresentView {
                name: "Bo",
                email: "bo@example.test",
            }],
            other_versions: vec![IdView { id: 12 }],
            story_decisions: vec![
                StoryDecisionView {
                    id: 13,
                    together: false,
                },
                StoryDecisionView {
                    id: 14,
                    together: true,
                },
            ],
            related: Some(panel()),
            ..new
        };
        let html = renders(signed_in(&published));
        assert!(html.contains("Fixed the date.") && html.contains("Also editing now: Bo"));
        let scheduled = EditorPage {
            status: "scheduled",
            article: Some(article(Some("2026-12-02T09:00:00Z"))),
            related: Some(RelatedPanel {
                shown: Vec::new(),
                pinned_elsewhere: Vec::new(),
                excluded: Vec::new(),
                ..panel()
            }),
            ..published
        };
        assert!(renders(signed_in(&scheduled)).contains("2026-12-02T09:00:00Z"));
    }

    #[test]
    fn the_conflict_history_and_diff_pages_render_from_their_views() {
        let (mine, theirs) = (fields(), ArticleFields::default());
        let diffs = diff();
        let changes = vec!["Body".to_owned()];
        let conflict = ConflictPage {
            article: ConflictArticle {
                id: 7,
                published: true,
            },
            mine: &mine,
            theirs: &theirs,
            merged: &mine,
            conflicted: &["title", "body"],
            diffs: &diffs,
            based_on: 2,
            current_version: 3,
            saved_by: vec![SavedBy {
                version: 3,
                actor: "Bo",
                at: at(0),
                changes: &changes,
            }],
            correction_draft: "Fixed the name.",
        };
        assert!(renders(signed_in(&conflict)).contains("Version 3 by Bo"));
        renders(signed_in(&ConflictPage {
            article: ConflictArticle {
                id: 7,
                published: false,
            },
            conflicted: &[],
            diffs: &[],
            saved_by: Vec::new(),
            ..conflict
        }));

        let head = |published| ArticleHead {
            id: 7,
            title: "Harbour reopens",
            version: 2,
            published,
        };
        let revisions = || {
            vec![
                RevisionRow {
                    version: 2,
                    actor: "Bo",
                    at: at(60),
                    status: "published",
                    changes: &changes,
                    added: 1,
                    removed: 1,
                    current: true,
                },
                RevisionRow {
                    version: 1,
                    actor: "Ada",
                    at: at(0),
                    status: "draft",
                    changes: &[],
                    added: 0,
                    removed: 0,
                    current: false,
                },
            ]
        };
        for published in [true, false] {
            renders(signed_in(&HistoryPage {
                article: head(published),
                revisions: revisions(),
                can_restore: true,
            }));
        }
        renders(signed_in(&HistoryPage {
            article: head(false),
            revisions: Vec::new(),
            can_restore: false,
        }));

        let html = renders(signed_in(&DiffPage {
            article: head(true),
            from: 1,
            to: 2,
            diffs: &diffs,
            status_change: Some(StatusChange {
                from: "draft",
                to: "published",
            }),
        }));
        assert!(html.contains("<ins>reopened</ins>") && html.contains("draft → published"));
        renders(signed_in(&DiffPage {
            article: head(false),
            from: 1,
            to: 1,
            diffs: &[],
            status_change: None,
        }));
    }
}
