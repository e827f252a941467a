//! Sample articles for `dateline serve --demo`, written for this project. They are short
//! explainers about running a newsroom on dateline, so nothing here pretends to be real
//! reporting, and none of the corpus text (which we may not publish) is used.

use chrono::{Duration, Utc};
use dateline_core::ArticleInput;

use crate::articles::Actor;
use crate::{App, Result};

struct Sample {
    title: &'static str,
    standfirst: &'static str,
    section: &'static str,
    tags: &'static [&'static str],
    author: &'static str,
    dateline: &'static str,
    hours_ago: i64,
    body: &'static str,
}

const SAMPLES: &[Sample] = &[
    Sample {
        title: "Welcome to dateline: your newsroom is running",
        standfirst: "These sample articles show what readers see. Replace them with your own.",
        section: "Newsroom",
        tags: &["Getting started"],
        author: "The dateline team",
        dateline: "Everywhere",
        hours_ago: 1,
        body: "This site is served by **dateline**, a single program that stores your articles, renders \
your pages and keeps them fast.\n\n## What you are looking at\n\nEvery article page carries a headline, a \
standfirst, the byline, a dateline in capitals and the time it was published. Below the story you can share it \
by email or on social networks, or copy its link.\n\n## What to do next\n\n1. Create an admin account with \
`dateline user create --role admin`.\n2. Make an API key with `dateline key create --role editor --name desk`.\n\
3. Import your archive with `dateline import --format jsonl archive.jsonl`.\n\nThe lists on the home page load \
more articles as you scroll, and tell you when there are no more.",
    },
    Sample {
        title: "How a correction appears on a published story",
        standfirst: "Readers should see what changed and when. dateline shows a dated notice on the article.",
        section: "Newsroom",
        tags: &["Standards", "Getting started"],
        author: "The dateline team",
        dateline: "London",
        hours_ago: 5,
        body: "Mistakes happen in every newsroom. What matters is that they are fixed in the open.\n\n\
When an editor corrects a published article, they write a short note saying what was wrong. dateline shows that \
note above the story together with the time of the correction, and keeps the previous text as a revision so \
nothing is lost.\n\n> A correction that readers cannot see is not a correction.\n\nEvery saved change of an \
article is kept, and any earlier version can be compared with the current one.",
    },
    Sample {
        title: "Scheduling a story for the morning edition",
        standfirst: "Write it tonight, publish it at six: scheduled articles go live on their own.",
        section: "Newsroom",
        tags: &["Workflow"],
        author: "The dateline team",
        dateline: "Muscat, Oman",
        hours_ago: 9,
        body: "An article can be published at once or scheduled for a later time. A scheduled article \
stays invisible, in every list, feed and search, until its time comes.\n\nThe schedule is kept in the \
database, not in memory, so a restart of the server does not lose it: when dateline starts again it publishes \
everything that fell due while it was down.",
    },
    Sample {
        title: "Why one program is enough for most news sites",
        standfirst: "An embedded database and an in-memory page cache go a long way before you need a cluster.",
        section: "Technology",
        tags: &["Operations", "Performance"],
        author: "Sam Reyes",
        dateline: "Berlin",
        hours_ago: 20,
        body: "Most news sites serve far more reads than writes. A story is written once and read thousands \
of times, so the fastest page is one that was already rendered.\n\ndateline keeps rendered pages in memory and \
throws away exactly the pages an edit touches: the article itself and the lists it appears in. Everything else \
stays warm.\n\n## When to grow\n\nWhen one machine is no longer enough, point dateline at PostgreSQL with \
`--database-url` and run several copies behind a load balancer. Each copy follows the database's change log and \
keeps its cache current.",
    },
    Sample {
        title: "Markdown for reporters: the five marks you need",
        standfirst: "Headings, emphasis, links, quotes and lists cover nearly every news story.",
        section: "Technology",
        tags: &["Writing", "Getting started"],
        author: "Amira Haddad",
        dateline: "Cairo",
        hours_ago: 30,
        body: "Stories in dateline are written in Markdown, a plain-text way of marking structure.\n\n\
## The marks\n\n- `## Heading` starts a section of the story.\n- `*emphasis*` gives *emphasis* and \
`**strong**` gives **strong**.\n- `[text](https://example.org)` makes a link.\n- A line starting with `>` is a \
quote.\n- Lines starting with `-` make a list, like this one.\n\nAnything else, such as scripts or embedded \
frames, is removed before the page is shown, whoever wrote it.",
    },
    Sample {
        title: "Sharing a story from the page",
        standfirst: "Phones get the system share sheet; everything else gets plain links.",
        section: "Audience",
        tags: &["Sharing"],
        author: "Amira Haddad",
        dateline: "Nairobi, Kenya",
        hours_ago: 44,
        body: "Under each story readers find a share bar. On phones and browsers that support it, one button \
opens the device's own share sheet. Elsewhere there are direct links for email, X, Facebook, LinkedIn, WhatsApp \
and Telegram, and a button that copies the article's address.\n\nEvery page also carries the tags that social \
networks and search engines read, so a shared link shows the right headline, summary and picture.",
    },
];

/// Loads the sample articles if the store has no articles; returns how many were added.
pub async fn load_if_empty(app: &App) -> Result<usize> {
    if app.store().article_count().await? > 0 {
        return Ok(0);
    }
    let now = Utc::now();
    let actor = Actor::service("demo", dateline_core::Role::Editor);
    for s in SAMPLES {
        let input = ArticleInput {
            title: s.title.into(),
            body: s.body.into(),
            standfirst: Some(s.standfirst.into()),
            section: Some(s.section.into()),
            tags: s.tags.iter().map(|t| (*t).to_owned()).collect(),
            authors: vec![s.author.into()],
            dateline: Some(s.dateline.into()),
            source: Some("dateline sample".into()),
            published_at: Some(now - Duration::hours(s.hours_ago)),
            external_id: Some(format!(
                "dateline-sample-{}",
                dateline_core::slugify(s.title, "sample")
            )),
            ..Default::default()
        };
        app.create_article(&actor, input).await?;
    }
    Ok(SAMPLES.len())
}
