//! Sample articles for `dateline serve --demo`, written for this project. They are short
//! explainers about running a newsroom on dateline, so nothing here pretends to be real
//! reporting, and none of the corpus text (which we may not publish) is used.
//!
//! Together they show every feature the README's tour names: enough articles for the front
//! page to page more than twice at the default list size, a correction notice, lead images
//! (illustrations embedded in the binary and served under `/static/`), bylines with two
//! authors, standfirsts, datelines, sections and tags, and one story in two versions, so
//! that related lists show it only once.

use chrono::{Duration, Utc};
use dateline_core::ArticleInput;

use crate::articles::{Actor, ArticlePatch};
use crate::{App, Result};

#[derive(Clone, Copy)]
struct Sample {
    title: &'static str,
    standfirst: Option<&'static str>,
    section: &'static str,
    tags: &'static [&'static str],
    authors: &'static [&'static str],
    dateline: Option<&'static str>,
    hours_ago: i64,
    body: &'static str,
    /// An illustration in `crates/web/static/` and its caption.
    image: Option<(&'static str, &'static str)>,
    /// Published with a mistake, then corrected: the wrong words, the right ones, the note.
    correction: Option<(&'static str, &'static str, &'static str)>,
}

const TEAM: &[&str] = &["The dateline team"];
const CREDIT: &str = "Illustration: dateline sample art";

/// One story told twice (a first take, then the full version that grew out of it): related
/// lists show one of them, never both.
const TWO_VERSIONS_OPENING: &str = "This article appears twice on this demo site: once as a \
short first take, and once as the fuller version a reporter filed an hour later. Newsrooms do \
this all the time, and wire services even more.\n\nWhen dateline builds the list of related \
articles under a story, it compares the wording of every article with every other. Two \
articles that share most of their sentences are treated as versions of the same story and \
get the same story id.\n\nA related list never offers two versions of one story, and never \
offers another version of the story you are reading. Readers get something new to read \
instead of the same report twice.";

const SAMPLES: &[Sample] = &[
    Sample {
        title: "Welcome to dateline: your newsroom is running",
        standfirst: Some("These sample articles show what readers see. Replace them with your own."),
        section: "Newsroom",
        tags: &["Getting started"],
        authors: TEAM,
        dateline: Some("Everywhere"),
        hours_ago: 1,
        body: "This site is served by **dateline**, a single program that stores your articles, renders \
your pages and keeps them fast.\n\n## What you are looking at\n\nEvery article page carries a headline, a \
standfirst, the byline, a dateline in capitals and the time it was published. Below the story you can share it \
by email or on social networks, or copy its link.\n\n## What to do next\n\n1. Create an admin account with \
`dateline user create --role admin --email you@example.org`.\n2. Make an API key with \
`dateline key create --role editor --name desk`.\n3. Import your archive with \
`dateline import --format jsonl archive.jsonl`.\n\nThe lists on the home page load more articles as you \
scroll, and tell you when there are no more. The short articles in the Tips section are there to fill \
them: each explains one thing dateline does.",
        image: Some(("demo-newsroom.svg", "A front page taking shape on a newsroom screen.")),
        correction: None,
    },
    Sample {
        title: "Related articles leave out the second version of a story",
        standfirst: Some("First take: the same report twice is not a recommendation."),
        section: "Newsroom",
        tags: &["Related articles"],
        authors: &["Amira Haddad"],
        dateline: Some("Nairobi, Kenya"),
        hours_ago: 3,
        body: TWO_VERSIONS_OPENING,
        image: None,
        correction: None,
    },
    Sample {
        title: "How a correction appears on a published story",
        standfirst: Some("Readers should see what changed and when. dateline shows a dated notice on the article."),
        section: "Newsroom",
        tags: &["Standards", "Getting started"],
        authors: TEAM,
        dateline: Some("London"),
        hours_ago: 5,
        body: "Mistakes happen in every newsroom. What matters is that they are fixed in the open.\n\n\
When an editor corrects a published article, they write a short note saying what was wrong. dateline shows that \
note above the story together with the time of the correction, and keeps the previous text as a revision for \
30 days.\n\n> A correction that readers cannot see is not a correction.\n\nEvery saved change of an \
article is kept, and any earlier version can be compared with the current one. This article was corrected \
after it was published: the notice above it is real.",
        image: None,
        correction: Some((
            "as a revision for \
30 days.",
            "as a revision, for as long as the article exists.",
            "An earlier version of this article said that earlier versions are kept for 30 days. \
dateline keeps every one of them; none expire.",
        )),
    },
    Sample {
        title: "Related articles leave out the second version of a story, and here is why",
        standfirst: Some("The full version: how dateline tells versions of one story apart from related stories."),
        section: "Newsroom",
        tags: &["Related articles"],
        authors: &["Amira Haddad"],
        dateline: Some("Nairobi, Kenya"),
        hours_ago: 2,
        body: TWO_VERSIONS_FULL,
        image: None,
        correction: None,
    },
    Sample {
        title: "Scheduling a story for the morning edition",
        standfirst: Some("Write it tonight, publish it at six: scheduled articles go live on their own."),
        section: "Newsroom",
        tags: &["Workflow"],
        authors: TEAM,
        dateline: Some("Muscat, Oman"),
        hours_ago: 9,
        body: "An article can be published at once or scheduled for a later time. A scheduled article \
stays invisible, in every list, feed and search, until its time comes.\n\nThe schedule is kept in the \
database, not in memory, so a restart of the server does not lose it: when dateline starts again it publishes \
everything that fell due while it was down.",
        image: Some(("demo-clock.svg", "Six o'clock, and the morning edition is already written.")),
        correction: None,
    },
    Sample {
        title: "Two editors, one article: nobody's work is overwritten",
        standfirst: Some("When two people save the same story, the second one sees both versions and chooses."),
        section: "Newsroom",
        tags: &["Workflow", "Editing"],
        authors: &["Sam Reyes"],
        dateline: Some("Amman, Jordan"),
        hours_ago: 12,
        body: "Every save names the version of the article it started from. If somebody else saved in \
the meantime, dateline writes nothing and opens the conflict view instead.\n\n## What the conflict view \
offers\n\n- Both versions side by side, with the differences marked word by word.\n- A merge of both sets of \
changes, when they touch different parts of the story.\n- Keeping your version as a new revision, or \
discarding it.\n\nWhile you edit, the editor also shows who else has the article open, so most conflicts \
never happen.",
        image: None,
        correction: None,
    },
    Sample {
        title: "Who may publish what: roles in the newsroom",
        standfirst: Some("Four roles, from the freelancer's first draft to the administrator's keys."),
        section: "Newsroom",
        tags: &["Standards", "Workflow"],
        authors: TEAM,
        dateline: Some("London"),
        hours_ago: 16,
        body: "Everybody who signs in to the newsroom has one of four roles.\n\n1. A **contributor** \
writes drafts and edits them until they are published.\n2. An **author** also publishes, schedules and \
withdraws their own articles.\n3. An **editor** edits and publishes every article, and chooses related \
articles.\n4. An **admin** also manages accounts and API keys.\n\nThe same rules apply in the browser \
editor and in the admin API, so a program can never do more than the person or key it acts for.",
        image: None,
        correction: None,
    },
    Sample {
        title: "Why one program is enough for most news sites",
        standfirst: Some("An embedded database and an in-memory page cache go a long way before you need a cluster."),
        section: "Technology",
        tags: &["Operations", "Performance"],
        authors: &["Sam Reyes"],
        dateline: Some("Berlin"),
        hours_ago: 20,
        body: "Most news sites serve far more reads than writes. A story is written once and read thousands \
of times, so the fastest page is one that was already rendered.\n\ndateline keeps rendered pages in memory and \
throws away exactly the pages an edit touches: the article itself and the lists it appears in. Everything else \
stays warm.\n\n## When to grow\n\nWhen one machine is no longer enough, point dateline at PostgreSQL with \
`--database-url` and run several copies behind a load balancer. Each copy follows the database's change log and \
keeps its cache current.",
        image: Some(("demo-servers.svg", "One small server, many readers.")),
        correction: None,
    },
    Sample {
        title: "Every saved change is a revision",
        standfirst: Some("Compare any two versions word by word, and bring back any of them."),
        section: "Newsroom",
        tags: &["Standards", "Editing"],
        authors: &["Sam Reyes", "Amira Haddad"],
        dateline: Some("Berlin"),
        hours_ago: 24,
        body: "Each time an article is saved, dateline keeps a complete copy of it as it was: who saved \
it, when, and every field.\n\n## Reading the history\n\nThe **History** page of an article lists its \
revisions, newest first. Pick any two to see what changed between them, word by word, in the headline, \
the standfirst and the body.\n\n## Restoring\n\nRestoring an old revision does not rewind time: it saves the \
old text again as a new revision, so the history keeps growing and nothing is ever lost.\n\n> The history is \
the newsroom's memory.",
        image: None,
        correction: None,
    },
    Sample {
        title: "Markdown for reporters: the five marks you need",
        standfirst: Some("Headings, emphasis, links, quotes and lists cover nearly every news story."),
        section: "Technology",
        tags: &["Writing", "Getting started"],
        authors: &["Amira Haddad", "Sam Reyes"],
        dateline: Some("Cairo"),
        hours_ago: 30,
        body: "Stories in dateline are written in Markdown, a plain-text way of marking structure that \
follows the [CommonMark](https://commonmark.org/) standard.\n\n\
## The marks\n\n- `## Heading` starts a section of the story.\n- `*emphasis*` gives *emphasis* and \
`**strong**` gives **strong**.\n- `[text](https://example.org)` makes a link.\n- A line starting with `>` is a \
quote.\n- Lines starting with `-` make a list, like this one.\n\nAnything else, such as scripts or embedded \
frames, is removed before the page is shown, whoever wrote it.",
        image: None,
        correction: None,
    },
    Sample {
        title: "Search that reads like a reporter thinks",
        standfirst: Some("Exact phrases, words to leave out, and a second try when a name is misspelt."),
        section: "Technology",
        tags: &["Search"],
        authors: &["Amira Haddad"],
        dateline: Some("Cairo"),
        hours_ago: 36,
        body: "The search box at the top of every page looks through every published article.\n\n\
## How to ask\n\n- Every word you type must appear, in any form: *correct* also finds *corrected*.\n\
- Put words in double quotes to find them as a phrase: `\"page cache\"`.\n- Put a minus before a word to \
leave it out: `roles -admin`.\n- Choose a section, or sort by newest first instead of best match.\n\n\
When nothing matches, dateline tries again with words spelt a little differently, and says so. Each result \
shows the passage where your words were found.",
        image: None,
        correction: None,
    },
    Sample {
        title: "Sharing a story from the page",
        standfirst: Some("Phones get the system share sheet; everything else gets plain links."),
        section: "Audience",
        tags: &["Sharing"],
        authors: &["Amira Haddad"],
        dateline: Some("Nairobi, Kenya"),
        hours_ago: 44,
        body: "Under each story readers find a share bar. On phones and browsers that support it, one button \
opens the device's own share sheet. Elsewhere there are direct links for email, X, Facebook, LinkedIn, WhatsApp \
and Telegram, and a button that copies the article's address.\n\nEvery page also carries the tags that social \
networks and search engines read, so a shared link shows the right headline, summary and picture.",
        image: Some(("demo-share.svg", "One story, passed from phone to phone.")),
        correction: None,
    },
    Sample {
        title: "Importing an archive without losing a line",
        standfirst: Some("Years of stories arrive in one file, and either all of them land or none do."),
        section: "Technology",
        tags: &["Import", "Operations"],
        authors: &["Sam Reyes"],
        dateline: Some("Lisbon"),
        hours_ago: 48,
        body: "Moving a newsroom means moving its archive. dateline reads archives as JSON Lines: one \
article per line, with its headline, body, section, tags, authors and publication time.\n\n## All or \
nothing\n\nAn import runs as one transaction. If line 40,312 has a date nobody can read, dateline names that \
line and field and writes nothing at all, so you fix the file and run it again.\n\n## Run it twice\n\n\
Articles carry the id they had in the old system. Importing the same file again updates those articles, or \
leaves them alone when nothing changed; it never makes copies.\n\n> Export, import into an empty site, export \
again: the two files are identical.",
        image: Some(("demo-archive.svg", "Archive boxes on their way into one database.")),
        correction: None,
    },
];

/// The full version of the two-version story: the first take, word for word, and more.
const TWO_VERSIONS_FULL: &str = "This article appears twice on this demo site: once as a \
short first take, and once as the fuller version a reporter filed an hour later. Newsrooms do \
this all the time, and wire services even more.\n\nWhen dateline builds the list of related \
articles under a story, it compares the wording of every article with every other. Two \
articles that share most of their sentences are treated as versions of the same story and \
get the same story id.\n\nA related list never offers two versions of one story, and never \
offers another version of the story you are reading. Readers get something new to read \
instead of the same report twice.\n\n## How versions are recognised\n\nThe comparison looks \
at runs of words, not single words, so two different stories about the same subject stay \
apart, while a cut-down or extended version of one report is caught. Rewrites that change \
most sentences but keep the same names and figures are caught too.\n\n## What editors can \
still do\n\nEditors can pin an article to the top of a related list or exclude one from it, \
from the editor's related-articles panel. The public API gives every article its `story_id`, \
so other programs can group versions the same way.";

/// Short explainers that fill the lists: one feature each.
const TIPS: &[(&str, &[&str], &str)] = &[
    ("Tip: search for an exact phrase", &["Search"],
     "Put words in double quotes, such as `\"page cache\"`, and search finds them only side by side and in that order."),
    ("Tip: leave a word out of a search", &["Search"],
     "A minus sign before a word drops every article that has it: `schedule -draft` finds articles about scheduling that never mention drafts."),
    ("Tip: search forgives a typing mistake", &["Search"],
     "When nothing matches, search tries again with words that differ by a letter or two, and tells you it did."),
    ("Tip: newest first, or best match", &["Search"],
     "Search results come in order of relevance. Choose newest first when you are following a story as it develops."),
    ("Tip: search one section", &["Search"],
     "Choose a section beside the search box to look only there. Programs do the same with `section=` on `/api/v1/search`."),
    ("Tip: save with Ctrl+S, publish with Ctrl+Enter", &["Editing"],
     "The editor answers the keys your hands already know. Saving keeps the article in its current state; publishing makes it public at once."),
    ("Tip: drafts save themselves", &["Editing"],
     "While you type, the editor saves the draft every few seconds and keeps a copy on your own device, so an expired session or a crash loses nothing."),
    ("Tip: schedule in your own time zone", &["Workflow"],
     "The schedule form takes the time as your clock shows it. dateline stores it in UTC and publishes on time wherever the server is."),
    ("Tip: compare any two revisions", &["Editing", "Standards"],
     "On an article's History page, pick two revisions to see every word that was added or removed between them."),
    ("Tip: restoring a revision adds one", &["Editing", "Standards"],
     "Bringing back an old version saves it again as the newest revision. The versions in between stay in the history."),
    ("Tip: see who else has the article open", &["Editing", "Workflow"],
     "The editor names everyone else who has the same article open, so two people rarely end up rewriting the same paragraph."),
    ("Tip: pin a related article", &["Related articles"],
     "Editors can put a chosen article at the top of any article's related list from the editor's related-articles panel, or by pasting its address."),
    ("Tip: exclude a related article", &["Related articles"],
     "If a related article is wrong for a story, exclude it from that story's list. The next one in line takes its place."),
    ("Tip: change an address without breaking links", &["Editing"],
     "When the slug of a published article changes, the old address keeps working: it answers with a permanent redirect to the new one."),
    ("Tip: a slug you choose is never renamed", &["Editing"],
     "If you ask for a slug that another article already has, dateline says so and lets you choose another, instead of quietly adding a number to it."),
    ("Tip: withdrawing an article", &["Standards"],
     "An unpublished article disappears from every list, feed and search, and its address answers 410 Gone, which tells search engines to forget it."),
    ("Tip: API keys are shown once", &["API", "Operations"],
     "`dateline key create` prints a new key a single time and stores only a hash of it. Lost keys are revoked and replaced, never recovered."),
    ("Tip: reset a password without a mail server", &["Operations"],
     "`dateline user reset-link EMAIL` prints a one-time link, valid for 24 hours, that you hand over yourself. Admins can make one from the Users page too."),
    ("Tip: create users from a script", &["Operations"],
     "Without a terminal, pipe the password in: `dateline user create --role author --email you@example.org --password-stdin`. Passwords need at least 10 characters."),
    ("Tip: a bad line stops the whole import", &["Import"],
     "An import either writes every article in the file or none. The error names the line and the field to fix."),
    ("Tip: import the same file twice", &["Import"],
     "Articles are matched by the id they had in the system they came from, so a second import updates them instead of making copies."),
    ("Tip: export gives back what you imported", &["Import", "Operations"],
     "`dateline export --format jsonl` writes every article in the same format the importer reads, byte for byte."),
    ("Tip: rebuild search and related articles", &["Operations"],
     "Both are derived from the database and can be thrown away. `dateline reindex` rebuilds them; stop the server first."),
    ("Tip: let a CDN carry your readers", &["Operations", "Performance"],
     "Every public page carries an ETag, Cache-Control and a Surrogate-Key header, so a CDN can serve it and drop it when the story changes."),
    ("Tip: more than one server", &["Operations", "Performance"],
     "Point several dateline servers at one PostgreSQL database. Each follows the database's change log and keeps its own page cache current."),
    ("Tip: the public API shows only what readers see", &["API"],
     "`GET /api/v1/articles` and `GET /api/v1/articles/{slug}` return published articles only; drafts and scheduled stories never appear."),
    ("Tip: the API describes itself", &["API"],
     "The admin and public APIs are described in an OpenAPI document at `/api/v1/openapi.json`, ready for client generators."),
    ("Tip: lists work without JavaScript", &["Audience"],
     "With scripts, article lists load more stories as you scroll. Without them, the same lists end in plain \"Older articles\" links."),
    ("Tip: give every lead image a caption and a credit", &["Writing", "Audience"],
     "The caption also describes the picture for readers who cannot see it, and the credit names who made it."),
    ("Tip: datelines print in capitals", &["Writing"],
     "Type the place as you would say it, such as Muscat, Oman; the page prints MUSCAT, OMAN — at the start of the story."),
    ("Tip: a summary becomes the teaser", &["Writing", "Audience"],
     "Lists and related articles show a short teaser under each headline: the summary when you write one, otherwise the first sentences of the story."),
];

/// Loads the sample articles if the store has no articles; returns how many were added.
pub async fn load_if_empty(app: &App) -> Result<usize> {
    if app.store().article_count().await? > 0 {
        return Ok(0);
    }
    let now = Utc::now();
    let actor = Actor::service("demo", dateline_core::Role::Editor);
    let tips = TIPS
        .iter()
        .enumerate()
        .map(|(i, &(title, tags, body))| Sample {
            title,
            standfirst: None,
            section: "Tips",
            tags,
            authors: TEAM,
            dateline: None,
            hours_ago: 60 + 7 * i as i64,
            body,
            image: None,
            correction: None,
        });
    let mut loaded = 0;
    for s in SAMPLES.iter().copied().chain(tips) {
        let input = ArticleInput {
            title: s.title.into(),
            body: s.body.into(),
            standfirst: s.standfirst.map(str::to_owned),
            section: Some(s.section.into()),
            tags: s.tags.iter().map(|t| (*t).to_owned()).collect(),
            authors: s.authors.iter().map(|a| (*a).to_owned()).collect(),
            dateline: s.dateline.map(str::to_owned),
            lead_image_url: s.image.map(|(file, _)| format!("/static/{file}")),
            lead_image_caption: s.image.map(|(_, caption)| caption.to_owned()),
            lead_image_credit: s.image.map(|_| CREDIT.to_owned()),
            source: Some("dateline sample".into()),
            published_at: Some(now - Duration::hours(s.hours_ago)),
            external_id: Some(format!(
                "dateline-sample-{}",
                dateline_core::slugify(s.title, "sample")
            )),
            ..Default::default()
        };
        let article = app.create_article(&actor, input).await?;
        if let Some((wrong, right, note)) = s.correction {
            // Corrected after publication, the way an editor does it: new text and a note.
            let patch = ArticlePatch {
                version: article.version.0,
                body: Some(s.body.replace(wrong, right)),
                correction: Some(Some(note.to_owned())),
                ..Default::default()
            };
            app.update_article(&actor, article.id, patch).await?;
        }
        loaded += 1;
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_take_is_inside_the_full_version() {
        assert!(TWO_VERSIONS_FULL.starts_with(TWO_VERSIONS_OPENING));
    }

    #[test]
    fn every_correction_finds_its_mistake_and_every_image_exists() {
        for s in SAMPLES {
            if let Some((wrong, right, _)) = s.correction {
                assert!(
                    s.body.contains(wrong) && !s.body.contains(right),
                    "{}",
                    s.title
                );
            }
            if let Some((file, _)) = s.image {
                let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../web/static")
                    .join(file);
                assert!(path.is_file(), "{}", path.display());
            }
        }
    }
}
